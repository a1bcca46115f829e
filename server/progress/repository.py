"""Queries of the background engine: a user's whole activity, and the stale bookkeeping."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from uuid import UUID

from server.accounts import tables as accounts
from server.accounts.model import Account
from server.accounts.repository import STALE_FROM_MERGE
from server.activity import Activity, HabitActivity, JournalActivity
from server.database import concurrently
from server.habits import repository as habits
from server.habits.checkpoints import Checkpoint, fingerprint, log_needed_from
from server.habits.model import HabitLog
from server.habits.records import HabitRecord
from server.habits.repository import CheckpointUpdate
from server.journal import repository as journal
from server.progress.derive import FROM_START, Bases, Derived, derive

U = accounts.User


async def load_activity(account: Account, today: date) -> Activity:
    """Everything the pure rules need about one user, whatever the history length: 2 queries on
    PostgreSQL (run concurrently), 4 on SQLite."""
    (records, logs), entries = await concurrently(habits.habits_with_logs(account.id), journal.activity(account.id))
    return _activity(account, today, records, logs, entries)


def _activity(account: Account, today: date, records: Sequence[HabitRecord], logs: Mapping[UUID, HabitLog],
              entries: Sequence[tuple[date, str | None]]) -> Activity:
    def local(at: datetime) -> date:
        return account.today(at)

    return Activity(
        today=today,
        signed_up_on=local(account.created_at),
        habits=tuple(
            HabitActivity(id=h.id, name=h.name, category=h.category, rules=h.rules, log=logs[h.id],
                          created_on=local(h.created_at),
                          archived_on=local(h.archived_at) if h.archived_at else None, unit=h.unit)
            for h in records),
        journal=tuple(JournalActivity(day=d, step_key=k) for d, k in entries),
    )


@dataclass(frozen=True, slots=True)
class Resumable:
    """A user's activity with each habit's log only from where its checkpoints let the recompute
    continue (derive.derive(activity, bases) reads what a replay of the whole log reads)."""

    activity: Activity
    bases: dict[UUID, Bases]
    epochs: dict[UUID, int]  # each habit's checkpoint epoch, read before its checkpoints and its log
    stored: dict[UUID, Checkpoint | None]  # each habit's latest stored checkpoint (valid or not)


async def read_activity(account: Account, today: date, first: date) -> Resumable:
    """The activity for a recompute that asks for strength from `first` on, each habit's log from its
    checkpoints on: five statements (habits, journal, checkpoints, logs, epochs), whatever the history.

    The habits (with their checkpoint epochs) come first, then the checkpoints, then the logs, then the
    epochs again. A change to a habit's past days bumps its epoch and deletes its checkpoints from that
    day on, in one transaction: so where the epoch has not moved, the checkpoints read are those of the
    log read; where it has, that habit is read again whole and replayed from start_date (a recompute
    must never mix a checkpoint with a log that no longer holds what it was made from)."""
    records, entries = await concurrently(habits.list_habits(account.id, include_archived=True),
                                          journal.activity(account.id))
    epochs = {h.id: h.checkpoint_epoch for h in records}
    found = await habits.resume_checkpoints(list(epochs), first)
    bases: dict[UUID, Bases] = {}
    stored: dict[UUID, Checkpoint | None] = {}
    for habit in records:
        digest = fingerprint(habit.rules)
        usable = [c for rules, c in found[habit.id] if rules == digest and c.tally is not None and c.day < today]
        latest = found[habit.id][-1] if found[habit.id] else None
        stored[habit.id] = latest[1] if latest is not None else None
        walk_base = usable[-1] if usable and latest is not None and usable[-1] == latest[1] else None
        early = [c for c in usable if c.day < first]
        bases[habit.id] = Bases(walk_base, early[-1] if walk_base is not None and early else None)
    logs = await habits.logs_since({h.id: log_needed_from(h.rules, bases[h.id].strength) for h in records})
    now = await habits.checkpoint_epochs(account.id)
    moved = [hid for hid, epoch in epochs.items() if now.get(hid) != epoch]
    if moved:
        logs |= await habits.logs_for(moved)
        bases |= dict.fromkeys(moved, FROM_START)
    return Resumable(_activity(account, today, records, logs, entries), bases, epochs, stored)


async def load_progress(account: Account, today: date, first: date) -> tuple[Activity, Derived, list[CheckpointUpdate]]:
    """read_activity, what the rules read of it (derive), and the checkpoints to store so that reads
    (and this job next time) continue from a month ago at most: each habit's extended from its latest
    stored one, or all of them made again where that one is void.

    Whatever is computed for a habit whose epoch moved after read_activity read it is refused
    (save_checkpoints): a change committed meanwhile."""
    read = await read_activity(account, today, first)
    derived = derive(read.activity, read.bases)
    updates = []
    for habit in read.activity.habits:
        base, made, stored = read.bases[habit.id].walk, derived.checkpoints[habit.id], read.stored[habit.id]
        if made or (stored is not None and base is None):
            updates.append(CheckpointUpdate(habit.id, read.epochs[habit.id], fingerprint(habit.rules),
                                            base.day if base is not None else None, made))
    return read.activity, derived, updates


async def finish(account_id: UUID, version: int, today: date) -> int | None:
    """Record that derived state now reflects `version` (the stale version read before the
    recompute's reads) and the day it was derived for: one statement, atomic on its own.

    Compare-and-set twice over. The stale mark is cleared only if no change bumped the version
    meanwhile. And nothing is recorded if a recompute that read a later version already finished
    (`derived_version <= version`): run first in the recompute's transaction, a `None` here means
    its writes must not land, since they are older than what is stored. Otherwise returns the
    stale version now: equal to `version` when the user is up to date.

    stale_from is cleared with the mark: a change that landed meanwhile keeps the earliest day of
    all the pending ones (the next recompute starts there; days this one computed are redone)."""
    rows = await U.raw(
        "UPDATE app_user SET derived_version = {}, derived_for = {}, "
        "stale_since = CASE WHEN stale_version = {} THEN NULL ELSE stale_since END, "
        "stale_from = CASE WHEN stale_version = {} THEN NULL ELSE stale_from END "
        "WHERE id = {} AND derived_version <= {} RETURNING stale_version",
        version, today, version, version, account_id, version)
    return rows[0]["stale_version"] if rows else None


async def still_stale(account_id: UUID) -> bool:
    return await U.exists().where((U.id == account_id) & (U.stale_version > U.derived_version))


async def stale_users(older_than: datetime, limit: int) -> list[UUID]:
    rows = await U.select(U.id).where(U.stale_since.is_not_null() & (U.stale_since <= older_than)).order_by(
        U.stale_since).limit(limit)
    return [r["id"] for r in rows]


async def day_boundaries() -> list[tuple[str, int]]:
    """The distinct (time zone, day start) pairs in use: the roll-over works per pair, set-based."""
    rows = await U.select(U.timezone, U.day_start_hour).distinct()
    return [(r["timezone"], r["day_start_hour"]) for r in rows]


async def mark_rolled_over(timezone: str, day_start_hour: int, today: date,
                           now: datetime) -> list[tuple[UUID, int, bool]]:
    """Users of this zone whose derived state is from an earlier day become stale (their version is
    bumped even if they already were, so a recompute still running on yesterday goes round again).
    Only the new today's confidence is new (the recompute finds days it never stored by itself), so
    stale_from merges with `today`. Returns (user, new version, up to date before) for each."""
    rows = await U.raw(
        "UPDATE app_user SET stale_version = stale_version + 1, stale_since = COALESCE(stale_since, {}), "
        f"{STALE_FROM_MERGE} "
        "WHERE timezone = {} AND day_start_hour = {} AND (derived_for IS NULL OR derived_for < {}) "
        "RETURNING id, stale_version, derived_version", now, today, today, timezone, day_start_hour, today)
    return [(_uuid(r["id"]), r["stale_version"], r["stale_version"] - r["derived_version"] == 1) for r in rows]


def _uuid(value: object) -> UUID:
    # asyncpg returns UUIDs; SQLite returns the stored text.
    return value if isinstance(value, UUID) else UUID(str(value))
