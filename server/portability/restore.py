"""accountImport: restore an export into the signed-in account, in one transaction, idempotently.

Restored objects get ids derived from (this account, the exported id), so importing the same
export twice finds everything already there and creates nothing; importing an account's own
export into itself also creates nothing. Check-ins keep their stored `day` (never recomputed),
their instant, quantity, note, source and undo; so streaks and strengths come out identical.

Achievements and program steps are not taken on the document's word: only those the restored
history earns here are kept (with their exported dates); the background recompute derives the rest.

A restore adds to the account and never replaces: the account's own habits, reminders and the rest stay as
they are, and so do objects an earlier restore of the same export created. Reminders (version 4) come
with their habits, within reminderSet's limit of REMINDERS_PER_HABIT a habit (the account's own reminders
of a habit count); their next firing is computed here, in the profile the account has after the restore,
as reminderSet computes it, and never for a day whose time had already come (see restored_firing).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID, uuid4, uuid5

from server import clock
from server.accounts import repository as accounts
from server.accounts.model import Viewer
from server.accounts.service import validate_timezone
from server.achievements import repository as achievements
from server.database import is_unique_violation
from server.engine.unit_of_work import write_transaction
from server.errors import DomainError, ErrorCode
from server.habits import repository as habit_repository
from server.habits import tables as habit_tables
from server.habits.pause_service import PAUSES_MAX
from server.habits.records import Source
from server.habits.repository import schedule_columns
from server.habits.service import ensure_room
from server.journal import tables as journal_tables
from server.portability import repository
from server.portability.document import CheckInV1, ExportV1, HabitV1, ReminderV1, parse
from server.program import repository as program
from server.program.service import find_step, get_program
from server.progress import repository as progress
from server.progress.earned import earned
from server.reminders import repository as reminder_repository
from server.reminders import service as reminder_service
from server.reminders import tables as reminder_tables
from server.reminders.service import REMINDERS_PER_HABIT

_NAMESPACE = UUID("5f2d9a4e-8c1b-4e57-9d0a-6b3c2e1f7a90")
_SOURCES = {s.value for s in Source}
# A concurrent check-in can take an idempotency key between the plan and the insert: plan again. Check-ins
# of one habit follow one another (each holds its habit's row while it voids the habit's checkpoints), so
# a burst of retried check-ins can overtake a restore once per key it shares with the document.
_ATTEMPTS = 20


def _utc(at: datetime) -> datetime:
    # Stored timestamps are always aware UTC (exports may carry any offset).
    return at.astimezone(UTC)


def restored_id(owner: UUID, kind: str, exported: UUID) -> UUID:
    """The id an exported object gets when restored into `owner`: the same every time."""
    return uuid5(_NAMESPACE, f"{owner}/{kind}/{exported}")


@dataclass(frozen=True, slots=True)
class RestoreReport:
    dry_run: bool
    habits_created: int
    check_ins_created: int
    skips_created: int
    pauses_created: int
    reminders_created: int
    journal_entries_created: int
    achievements_restored: int
    steps_restored: int
    unchanged: int  # objects of the export this account already holds
    profile_applied: bool


@dataclass
class _Writes:
    habits: list[dict[str, Any]]
    check_ins: list[dict[str, Any]]
    skips: list[dict[str, Any]]
    # (pause row, its habits' ids here, or None for every habit)
    pauses: list[tuple[dict[str, Any], list[UUID] | None]]
    reminders: list[dict[str, Any]]  # without their next firing: that needs the profile after the restore
    journal: list[dict[str, Any]]
    awards: list[tuple[str, datetime]]
    unlocks: list[tuple[str, int, datetime]]
    unchanged: int
    profile: dict[str, Any]


async def restore_account(viewer: Viewer, data: Any, dry_run: bool = False,
                          apply_profile: bool = True) -> RestoreReport:
    # No local day anywhere is more than one day past today's UTC date (UTC+14).
    document = parse(data, latest_day=clock.now().date() + timedelta(days=1))
    profile: dict[str, Any] = {}
    if apply_profile:
        profile = {"timezone": validate_timezone(document.profile.timezone),
                   "day_start_hour": document.profile.day_start_hour}
        if viewer.account.display_name is None and document.profile.display_name:
            profile["display_name"] = document.profile.display_name.strip() or None
    if dry_run:
        writes = await _plan(viewer, document, profile)
        return _report(True, writes, 0, 0)
    for attempt in range(1, _ATTEMPTS + 1):
        try:
            return await _restore(viewer, document, profile)
        except Exception as error:
            if not is_unique_violation(error) or attempt == _ATTEMPTS:
                raise
    raise AssertionError("unreachable")  # pragma: no cover


async def _restore(viewer: Viewer, document: ExportV1, profile: dict[str, Any]) -> RestoreReport:
    async with write_transaction() as uow:
        writes = await _plan(viewer, document, profile)
        owner = viewer.account.id
        await ensure_room(owner, len(writes.habits), "data")
        await repository.insert_habits(writes.habits)
        await repository.insert_check_ins(writes.check_ins)
        await repository.insert_skips(writes.skips)
        if writes.pauses and await habit_repository.count_pauses(owner) + len(writes.pauses) > PAUSES_MAX:
            raise DomainError(ErrorCode.OUT_OF_RANGE, f"you can have at most {PAUSES_MAX} pauses; this export would "
                                                      "go past it", "data")
        await repository.insert_pauses(writes.pauses)
        await repository.insert_journal_entries(writes.journal)
        if writes.profile:
            await accounts.update_profile(owner, writes.profile)
        await _insert_reminders(owner, writes)
        awards, unlocks = await _earned_here(viewer, writes)
        awarded = await repository.restore_awards(owner, awards)
        unlocked = await repository.restore_unlocks(owner, unlocks)
        uow.mark_stale(owner, from_day=None)  # a whole account: habits, history, perhaps the profile
    return _report(False, writes, awarded, unlocked)


async def _earned_here(viewer: Viewer, writes: _Writes) -> tuple[list[tuple[str, datetime]],
                                                                   list[tuple[str, int, datetime]]]:
    """The exported awards and unlocks that the account's history, restored rows included, earns."""
    account = await accounts.get_account(viewer.account.id)
    assert account is not None
    activity = await progress.load_activity(account, account.today(clock.now()))
    held = frozenset(await program.unlocked(viewer.account.id))
    opened: set[str] = set()
    # Steps open one after another: each restored unlock may let the next one's rule apply.
    while True:
        result = earned(activity, get_program(), held | opened)
        new = set(result.steps) - opened
        if not new:
            break
        opened |= new
    awards = [(key, at) for key, at in writes.awards if key in result.achievements]
    unlocks = [(key, version, at) for key, version, at in writes.unlocks if key in opened]
    return awards, unlocks


def _report(dry_run: bool, writes: _Writes, awarded: int | None, unlocked: int | None) -> RestoreReport:
    return RestoreReport(
        dry_run=dry_run, habits_created=len(writes.habits), check_ins_created=len(writes.check_ins),
        skips_created=len(writes.skips), pauses_created=len(writes.pauses), reminders_created=len(writes.reminders),
        journal_entries_created=len(writes.journal),
        achievements_restored=len(writes.awards) if dry_run else awarded or 0,
        steps_restored=len(writes.unlocks) if dry_run else unlocked or 0,
        unchanged=writes.unchanged, profile_applied=bool(writes.profile))


async def _plan(viewer: Viewer, document: ExportV1, profile: dict[str, Any]) -> _Writes:
    """What restoring this document into this account would write, from one read of the account."""
    owner = viewer.account.id
    habit_ids = await _targets(owner, "habit", [h.id for h in document.habits], habit_tables.Habit)
    check_in_ids = await _targets(owner, "check-in", [c.id for c in document.check_ins], habit_tables.CheckIn)
    entry_ids = await _targets(owner, "journal", [e.id for e in document.journal_entries],
                               journal_tables.JournalEntry)
    unchanged = 0
    habits = []
    # In the exported order (a version 2 document has none: its order, creation order, is kept).
    ordered = sorted(document.habits, key=lambda h: -1 if h.position is None else h.position)
    for h in ordered:
        target, exists = habit_ids[h.id]
        if exists:
            unchanged += 1
        else:
            habits.append(_habit_columns(owner, target, h))
    new_check_ins = [(check_in_ids[c.id][0], c) for c in document.check_ins if not check_in_ids[c.id][1]]
    unchanged += len(document.check_ins) - len(new_check_ins)
    targets = {h: t for h, (t, _) in habit_ids.items()}
    check_ins = await _check_in_columns(owner, new_check_ins, targets)

    stored_skips = await repository.skipped_days(list(targets.values()))
    skips, seen = [], set(stored_skips)
    for s in document.skips:
        pair = (targets[s.habit_id], s.day)
        if pair in seen:
            unchanged += 1
            continue
        seen.add(pair)
        skips.append({"id": uuid4(), "owner": owner, "habit": pair[0], "day": s.day,
                      "created_at": _utc(s.created_at or clock.now())})

    pause_ids = await _targets(owner, "pause", [p.id for p in document.pauses], habit_tables.Pause)
    pauses: list[tuple[dict[str, Any], list[UUID] | None]] = []
    for p in document.pauses:
        target, exists = pause_ids[p.id]
        if exists:
            unchanged += 1
            continue
        pauses.append(({"id": target, "owner": owner, "from_day": p.start, "to_day": p.end,
                        "reason": (p.reason or "").strip() or None, "all_habits": p.habit_ids is None,
                        "created_at": _utc(p.created_at or clock.now())},
                       None if p.habit_ids is None else list(dict.fromkeys(targets[h] for h in p.habit_ids))))

    reminders = await _reminder_rows(owner, document, targets)
    unchanged += len(document.reminders) - len(reminders)

    journal = []
    for e in document.journal_entries:
        target, exists = entry_ids[e.id]
        if exists:
            unchanged += 1
        else:
            journal.append({"id": target, "owner": owner, "prompt": e.prompt, "body": e.body,
                            "step_key": e.step_key, "day": e.day, "created_at": _utc(e.created_at)})

    held_awards = await achievements.awarded(owner)
    awards = [(a.key, _utc(a.unlocked_at)) for a in document.achievements if a.key not in held_awards]
    held_steps = await program.unlocked(owner)
    unlocks = []
    for u in document.program.unlocked_steps:
        step = find_step(u.key)
        if step is not None and u.key not in held_steps:
            unlocks.append((u.key, step.version, _utc(u.unlocked_at)))
    changed = {k: v for k, v in profile.items() if getattr(viewer.account, k) != v}
    return _Writes(habits, check_ins, skips, pauses, reminders, journal, awards, unlocks, unchanged, changed)


async def _targets(owner: UUID, kind: str, exported: Sequence[UUID], table: Any) -> dict[UUID, tuple[UUID, bool]]:
    """Each exported id's id in this account, and whether it is already there.

    An id this account already owns is kept (an account re-importing its own export); any other
    gets its derived id, which exists only if the same export was restored here before.
    """
    derived = {e: restored_id(owner, kind, e) for e in exported}
    owned = await repository.owned_ids(table, owner, [*exported, *derived.values()])
    return {e: (e, True) if e in owned else (derived[e], derived[e] in owned) for e in exported}


async def _reminder_rows(owner: UUID, document: ExportV1, habits: dict[UUID, UUID]) -> list[dict[str, Any]]:
    """The document's reminders this account lacks, on the habits restored here; refused (OUT_OF_RANGE, as
    reminderSet refuses a sixth) when a habit would hold more than REMINDERS_PER_HABIT, its own counted."""
    ids = await _targets(owner, "reminder", [r.id for r in document.reminders], reminder_tables.Reminder)
    new: list[tuple[int, UUID, ReminderV1]] = [(index, ids[r.id][0], r) for index, r in enumerate(document.reminders)
                                              if not ids[r.id][1]]
    held = await reminder_repository.for_habits(list({habits[r.habit_id] for _, _, r in new}))
    counts = {habit: len(items) for habit, items in held.items()}
    rows = []
    for index, target, r in new:
        habit = habits[r.habit_id]
        counts[habit] = counts.get(habit, 0) + 1
        if counts[habit] > REMINDERS_PER_HABIT:
            raise DomainError(ErrorCode.OUT_OF_RANGE, f"reminders[{index}]: a habit has at most {REMINDERS_PER_HABIT} "
                                                      "reminders; this export would go past it", "data")
        rows.append({"id": target, "owner": owner, "habit": habit, "time": r.time,
                     "weekdays": reminder_repository.weekdays_text(r.weekdays or ()), "enabled": r.enabled,
                     "created_at": _utc(r.created_at or clock.now())})
    return rows


async def _insert_reminders(owner: UUID, writes: _Writes) -> None:
    """The new reminders, due in the profile the account has now; when the restore changed its time zone or
    day start, the account's own reminders move with it, as after profileUpdate."""
    rezoned = bool({"timezone", "day_start_hour"} & writes.profile.keys())
    if not writes.reminders and not rezoned:
        return
    account = await accounts.get_account(owner)
    assert account is not None
    now = clock.now()
    if rezoned:
        await reminder_service.reschedule_owner(account, now)
    rows = []
    for row in writes.reminders:
        draft = reminder_repository.reminder_of({**row, "next_due_at": None, "next_due_day": None, "fired_day": None})
        nxt, handled = reminder_service.restored_firing(draft, account, now)
        rows.append({**row, "next_due_at": nxt.at if nxt else None, "next_due_day": nxt.day if nxt else None,
                     "fired_day": handled})
    await repository.insert_reminders(rows)


def _habit_columns(owner: UUID, target: UUID, h: HabitV1) -> dict[str, Any]:
    return {
        "id": target, "owner": owner, "name": h.name.strip(), "category": h.category.value, "kind": h.kind.value,
        **schedule_columns(h.schedule.to_domain()), "target_quantity": h.target_quantity,
        "unit": (h.unit or "").strip() or None, "start_date": h.start_date, "created_at": _utc(h.created_at),
        "archived_at": _utc(h.archived_at or h.created_at) if h.archived else None,
        "daily_limit": h.daily_limit or None, "description": (h.description or "").strip() or None,
        "question": (h.question or "").strip() or None, "color": h.color,
    }


async def _check_in_columns(owner: UUID, new: list[tuple[UUID, CheckInV1]],
                            habits: dict[UUID, UUID]) -> list[dict[str, Any]]:
    # Keep idempotency keys, so a script's retry after the move still finds its check-in; a key
    # this account already uses for another check-in (or used twice in the file) is dropped.
    keys = [c.idempotency_key for _, c in new if c.idempotency_key]
    taken = set(await repository.check_ins_by_keys(owner, keys)) if keys else set()
    now = clock.now()
    rows = []
    for target, c in new:
        key = c.idempotency_key
        if key is not None:
            key = None if key in taken else key
            taken.add(c.idempotency_key or "")
        rows.append({
            "id": target, "owner": owner, "habit": habits[c.habit_id], "occurred_at": _utc(c.occurred_at),
            "day": c.day,
            "quantity": c.quantity, "note": (c.note or "").strip() or None,
            "source": c.source if c.source in _SOURCES else Source.IMPORT.value, "idempotency_key": key,
            "created_at": _utc(c.created_at or now),
            "undone_at": _utc(c.undone_at or c.created_at or now) if c.undone else None,
        })
    return rows
