"""Moving between Loop Habit Tracker and Comeback: the Loop import (all or nothing) and the Loop export.

The import takes the ZIP itself, so one transaction can hold every habit, check-in and skip of it:
if anything is refused, nothing is stored, and the error names the habit and the line. Reading,
planning and checking against Loop's numbers are pure and CPU-bound, so they run off the event loop.
Running the same import again adds only what is new: a habit of the same name and kind is reused,
and every check-in carries an idempotency key made of the Loop habit and the day.
"""

from __future__ import annotations

import asyncio
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any
from uuid import UUID, uuid4

from server import clock
from server.accounts.model import Viewer
from server.engine.unit_of_work import write_transaction
from server.errors import DomainError, ErrorCode, invalid
from server.habits import repository as habits
from server.habits.days import day_start
from server.habits.model import Category, HabitLog, HabitRules
from server.habits.records import CheckInRecord, HabitRecord, Source
from server.habits.service import ensure_room
from server.portability import repository
from server.portability.loop import LoopFormatError, read_zip
from server.portability.loop_plan import ImportPlan, PlannedHabit, Verification, plan_import, verify
from server.portability.loop_zip import ExportHabit, write_zip


@dataclass
class HabitOutcome:
    planned: PlannedHabit
    action: str  # "CREATE" or "REUSE"
    habit: HabitRecord | None  # None for a habit a dry run would create
    rules: HabitRules
    created: int = 0
    duplicates: int = 0
    skips_created: int = 0
    verification: Verification | None = None
    warnings: list[str] = field(default_factory=list)


@dataclass
class LoopImportResult:
    dry_run: bool
    exported_on: date | None
    habits: list[HabitOutcome]
    warnings: list[str]


def _read(data: bytes, today: date) -> ImportPlan:
    try:
        return plan_import(read_zip(data), today)
    except LoopFormatError as error:
        raise invalid("archive", str(error)) from None


async def import_loop(viewer: Viewer, data: bytes, dry_run: bool) -> LoopImportResult:
    """Every habit of the ZIP with its history, in one transaction; a dry run writes nothing."""
    account = viewer.account
    today = account.today(clock.now())
    plan = await asyncio.to_thread(_read, data, today)
    if dry_run:
        outcomes = await _apply(viewer, plan, write=False)
    else:
        async with write_transaction() as uow:
            outcomes = await _apply(viewer, plan, write=True)
            uow.mark_stale(account.id, from_day=None)  # whole habits, from their start dates
    await asyncio.to_thread(_verify_all, outcomes, today)
    return LoopImportResult(dry_run, plan.exported_on, outcomes, plan.warnings)


def _verify_all(outcomes: list[HabitOutcome], today: date) -> None:
    for outcome in outcomes:
        outcome.verification = verify(outcome.planned, outcome.rules, today)


async def _apply(viewer: Viewer, plan: ImportPlan, write: bool) -> list[HabitOutcome]:
    account = viewer.account
    owner, now = account.id, clock.now()
    existing = await repository.habits_of(owner)
    by_name = {(h.name.lower(), h.kind): h for h in existing}
    taken = {h.name.lower() for h in existing}
    outcomes: list[HabitOutcome] = []
    new_habits: list[dict[str, Any]] = []
    for index, planned in enumerate(plan.habits):
        found = by_name.get((planned.name.lower(), planned.kind))
        if found is None:
            # A microsecond apart, so habits list (by creation) in Loop's order.
            outcomes.append(_new(owner, planned, taken, new_habits, now + timedelta(microseconds=index), write))
        else:
            outcomes.append(await _reuse(found, planned, write, now))
    keys = [h.key(c.day) for h in plan.habits for c in h.check_ins]
    stored = await repository.check_ins_by_keys(owner, keys) if keys else {}
    targets = [o.habit.id for o in outcomes if o.habit is not None and o.action == "REUSE"]
    skipped = await repository.skipped_days(targets) if targets else set()
    rows: list[dict[str, Any]] = []
    skips: list[dict[str, Any]] = []
    for outcome in outcomes:
        planned = outcome.planned
        habit_id = outcome.habit.id if outcome.habit else None
        for check_in in planned.check_ins:
            previous = stored.get(planned.key(check_in.day))
            if previous is not None:
                _same_or_refuse(previous, habit_id, planned, check_in.day, check_in.quantity, check_in.note,
                                check_in.line)
                outcome.duplicates += 1
                continue
            outcome.created += 1
            if habit_id is not None:
                rows.append({"id": uuid4(), "owner": owner, "habit": habit_id,
                             "occurred_at": day_start(check_in.day, account.zone, account.day_start_hour),
                             "day": check_in.day, "quantity": check_in.quantity, "note": check_in.note,
                             "source": Source.IMPORT.value, "idempotency_key": planned.key(check_in.day),
                             "created_at": now, "undone_at": None})
        for day in planned.skips:
            if habit_id is not None and (habit_id, day) in skipped:
                continue
            outcome.skips_created += 1
            if habit_id is not None:
                skips.append({"id": uuid4(), "owner": owner, "habit": habit_id, "day": day, "created_at": now})
    if write:
        await ensure_room(owner, len(new_habits), "archive")
        await repository.insert_habits(new_habits)
        await repository.insert_check_ins(rows)
        await repository.insert_skips(skips)
    return outcomes


def _new(owner: UUID, planned: PlannedHabit, taken: set[str], rows: list[dict[str, Any]], now: datetime,
         write: bool) -> HabitOutcome:
    name = planned.name
    if name.lower() in taken:  # a habit of the other kind has this name: a slip must never be a check-in
        name = f"{name[:80 - 7]} (Loop)"
    taken.add(name.lower())
    columns = {
        "id": uuid4(), "owner": owner, "name": name, "category": "CUSTOM", "kind": planned.kind.value,
        **habits.schedule_columns(planned.schedule), "target_quantity": planned.target,
        "daily_limit": planned.daily_limit or None, "unit": planned.unit, "description": planned.description,
        "question": planned.question, "color": planned.color, "start_date": planned.start_date, "created_at": now,
        "archived_at": now if planned.archived else None,
    }
    rows.append(columns)
    record = HabitRecord(
        id=columns["id"], owner_id=owner, name=name, category=Category.CUSTOM, kind=planned.kind,
        schedule=planned.schedule, target_quantity=planned.target, unit=planned.unit, start_date=planned.start_date,
        created_at=now, archived_at=columns["archived_at"], daily_limit=planned.daily_limit or None,
        description=planned.description, question=planned.question, color=planned.color)
    warnings = [f"named {name!r} here: a habit of the other kind has its name"] if name != planned.name else []
    return HabitOutcome(planned, "CREATE", record if write else None, record.rules, warnings=warnings)


async def _reuse(found: HabitRecord, planned: PlannedHabit, write: bool, now: datetime) -> HabitOutcome:
    """A habit of the same name and kind takes the history; its own settings stay (named when they differ
    from Loop's), its start date moves back to Loop's first day, and Loop's archiving is applied."""
    warnings: list[str] = []
    values: dict[str, Any] = {}
    if planned.start_date < found.start_date:
        values["start_date"] = planned.start_date
        warnings.append(f"start date moved back from {found.start_date} to {planned.start_date}")
    if planned.archived and not found.archived:
        values["archived_at"] = now
    if (found.schedule, found.target_quantity, found.daily_limit or None) != (
            planned.schedule, planned.target, planned.daily_limit or None):
        warnings.append("kept this habit's schedule and target, which differ from Loop's: change them to match "
                        "Loop's numbers")
    if values and write:
        await habits.update_habit(found.id, values)
    start = min(found.start_date, planned.start_date)
    rules = HabitRules(found.kind, found.schedule, found.target_quantity, start, found.daily_limit or 0.0)
    return HabitOutcome(planned, "REUSE", found, rules, warnings=warnings)


def _same_or_refuse(previous: CheckInRecord, habit_id: UUID | None, planned: PlannedHabit, day: date,
                    quantity: float, note: str | None, line: int) -> None:
    """A day imported before must hold the same check-in now; anything else stops the whole import."""
    where = f"{planned.label}/Checkmarks.csv line {line} ({day})"
    if previous.habit_id != habit_id:
        problem = (f"an earlier import stored this day's check-in {previous.id} on another habit (renamed since?); "
                   f"name a habit {planned.name!r} again or undo that check-in")
    elif (previous.day, previous.quantity, previous.note or None) == (day, quantity, note):
        return
    else:
        def said(amount: float, text: str | None) -> str:
            return f"{amount:g}" + (f" with note {text!r}" if text else "")

        problem = (f"an earlier import stored {said(previous.quantity, previous.note)} for this day and Loop now "
                   f"says {said(quantity, note)}; undo check-in {previous.id} and import again")
    raise DomainError(ErrorCode.DUPLICATE, f"{where}: {problem}. Nothing was imported.", "archive")


# -- export


async def export_loop(viewer: Viewer) -> bytes:
    """Every habit (archived ones too) as Loop's CSV export ZIP, as of the account's today."""
    account = viewer.account
    today = account.today(clock.now())
    records, logs = await habits.habits_with_logs(account.id)
    notes = join_notes(await repository.notes_of(account.id))
    exported = [ExportHabit(name=h.name, rules=h.rules, log=_loop_log(logs[h.id], h.start_date, today), unit=h.unit,
                            question=h.question,
                            description=h.description, color=h.color, archived=h.archived,
                            notes=notes.get(h.id, {})) for h in records]
    return await asyncio.to_thread(write_zip, exported, today)


def _loop_log(log: HabitLog, start: date, today: date) -> HabitLog:
    """Paused days stay skips (Loop has no breaks; its SKIP counts the same way), but a break of every
    habit may reach back before a habit's start or past today, where Loop keeps no entries."""
    return HabitLog(log.quantities, frozenset(d for d in log.skips if start <= d <= today))


def join_notes(rows: list[tuple[UUID, date, str]]) -> dict[UUID, dict[date, str]]:
    """A day's notes, in the order they were written, joined with "; " (Loop keeps one note a day)."""
    out: dict[UUID, dict[date, list[str]]] = defaultdict(lambda: defaultdict(list))
    for habit_id, day, note in rows:
        out[habit_id][day].append(note)
    return {h: {d: "; ".join(n) for d, n in days.items()} for h, days in out.items()}
