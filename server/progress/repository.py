"""Queries of the background engine: a user's whole activity, and the stale bookkeeping."""

from __future__ import annotations

from datetime import date, datetime
from uuid import UUID

from server.accounts import tables as accounts
from server.accounts.model import Account
from server.activity import Activity, HabitActivity, JournalActivity
from server.database import concurrently
from server.habits import repository as habits
from server.habits.checkpoints import extend, fingerprint
from server.habits.repository import CheckpointUpdate
from server.journal import repository as journal

U = accounts.User


async def load_activity(account: Account, today: date) -> Activity:
    """Everything the pure rules need about one user, whatever the history length: 2 queries on
    PostgreSQL (run concurrently), 4 on SQLite."""
    (records, logs), entries = await concurrently(habits.habits_with_logs(account.id), journal.activity(account.id))

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


async def load_progress(account: Account, today: date) -> tuple[Activity, list[CheckpointUpdate]]:
    """load_activity, and the checkpoints to store so that reads (and this job next time) continue
    from a month ago at most: each habit's extended from its latest stored one.

    Three steps, in this order (on PostgreSQL each sees what committed before it): the habits'
    checkpoint epochs, then the activity (the logs), then the latest checkpoints. A change committed
    in between moved an epoch read before it, so whatever is computed from here for that habit is
    refused (save_checkpoints); read the other way round, a checkpoint the change voided could be
    extended with a log that already holds the change, or a new one computed from a log without it."""
    epochs = await habits.checkpoint_epochs(account.id)
    activity = await load_activity(account, today)
    ids = [h.id for h in activity.habits]
    latest = await habits.latest_checkpoints(ids)
    updates = []
    for habit in activity.habits:
        digest = fingerprint(habit.rules)
        stored = latest.get(habit.id)
        valid = stored is not None and stored[0] == digest and stored[1].day < today
        base = stored[1] if valid and stored is not None else None
        made = extend(habit.rules, habit.log, today, base)
        epoch = epochs.get(habit.id)
        if epoch is not None and (made or (stored is not None and not valid)):
            updates.append(CheckpointUpdate(habit.id, epoch, digest,
                                            base.day if base is not None else None, made))
    return activity, updates


async def finish(account_id: UUID, version: int, today: date) -> int | None:
    """Record that derived state now reflects `version` (the stale version read before the
    recompute's reads) and the day it was derived for: one statement, atomic on its own.

    Compare-and-set twice over. The stale mark is cleared only if no change bumped the version
    meanwhile. And nothing is recorded if a recompute that read a later version already finished
    (`derived_version <= version`): run first in the recompute's transaction, a `None` here means
    its writes must not land, since they are older than what is stored. Otherwise returns the
    stale version now: equal to `version` when the user is up to date."""
    rows = await U.raw(
        "UPDATE app_user SET derived_version = {}, derived_for = {}, "
        "stale_since = CASE WHEN stale_version = {} THEN NULL ELSE stale_since END "
        "WHERE id = {} AND derived_version <= {} RETURNING stale_version",
        version, today, version, account_id, version)
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
    Returns (user, new version, up to date before) for each."""
    rows = await U.raw(
        "UPDATE app_user SET stale_version = stale_version + 1, stale_since = COALESCE(stale_since, {}) "
        "WHERE timezone = {} AND day_start_hour = {} AND (derived_for IS NULL OR derived_for < {}) "
        "RETURNING id, stale_version, derived_version", now, timezone, day_start_hour, today)
    return [(_uuid(r["id"]), r["stale_version"], r["stale_version"] - r["derived_version"] == 1) for r in rows]


def _uuid(value: object) -> UUID:
    # asyncpg returns UUIDs; SQLite returns the stored text.
    return value if isinstance(value, UUID) else UUID(str(value))
