"""Export use cases: everything an account owns as one JSON document, and its check-ins as CSV."""

from __future__ import annotations

import csv
import io
from collections.abc import AsyncIterator
from datetime import datetime
from typing import Any
from uuid import UUID

from server import clock
from server.accounts.model import Viewer
from server.achievements import repository as achievements
from server.habits import repository as habit_repository
from server.habits.records import CheckInRecord, HabitRecord, PauseRecord
from server.journal.model import JournalRecord
from server.portability import repository
from server.portability.document import (
    VERSION,
    AwardV1,
    CheckInV1,
    ExportV1,
    HabitV1,
    JournalEntryV1,
    PauseV1,
    ProfileV1,
    ProgramV1,
    ReminderV1,
    ScheduleV1,
    SkipV1,
    dump,
)
from server.program import repository as program
from server.reminders.records import ReminderRecord
from server.reminders.timing import format_time

CSV_COLUMNS = ("habit_id", "habit_name", "day", "occurred_at", "quantity", "note", "source")
CSV_PAGE = 1000


def _habit(h: HabitRecord) -> HabitV1:
    return HabitV1(
        id=h.id, name=h.name, category=h.category, kind=h.kind,
        schedule=ScheduleV1(period=h.schedule.period, weekdays=list(h.schedule.weekdays),
                            times_per_week=h.schedule.times_per_week, times=h.schedule.times, days=h.schedule.days,
                            total=h.schedule.total),
        target_quantity=h.target_quantity, unit=h.unit, start_date=h.start_date, archived=h.archived,
        archived_at=h.archived_at, created_at=h.created_at, daily_limit=h.daily_limit, description=h.description,
        question=h.question, color=h.color, position=h.position)


def _check_in(c: CheckInRecord) -> CheckInV1:
    return CheckInV1(id=c.id, habit_id=c.habit_id, day=c.day, occurred_at=c.occurred_at, quantity=c.quantity,
                     note=c.note, source=c.source.value, idempotency_key=c.idempotency_key, created_at=c.created_at,
                     undone=c.undone_at is not None, undone_at=c.undone_at)


def _pause(p: PauseRecord) -> PauseV1:
    # By alias: `from` and `to` are Python keywords, so the fields have other names.
    return PauseV1.model_validate({"id": p.id, "habitIds": None if p.habit_ids is None else list(p.habit_ids),
                                   "from": p.start, "to": p.end, "reason": p.reason, "createdAt": p.created_at})


def _reminder(r: ReminderRecord, created_at: datetime) -> ReminderV1:
    return ReminderV1(id=r.id, habit_id=r.habit_id, time=format_time(r.time),
                      weekdays=list(r.weekdays) or None, enabled=r.enabled, created_at=created_at)


def _entry(e: JournalRecord) -> JournalEntryV1:
    return JournalEntryV1(id=e.id, prompt=e.prompt, body=e.body, step_key=e.step_key, day=e.day,
                          created_at=e.created_at)


async def export_account(viewer: Viewer) -> dict[str, Any]:
    """The whole account as a versioned document; `accountImport` reads it back."""
    account = viewer.account
    habits = await repository.habits_of(account.id)
    check_ins = await repository.check_ins_of(account.id)
    skips = await repository.skips_of(account.id)
    pauses = await habit_repository.pauses_of(account.id)
    reminders = await repository.reminders_of(account.id)
    journal = await repository.journal_of(account.id)
    awards = await achievements.awarded(account.id)
    unlocks = await program.unlocked(account.id)
    document = ExportV1(
        format="comeback-export", version=VERSION, exported_at=clock.now(),
        profile=ProfileV1(id=account.id, email=account.email, display_name=account.display_name,
                          timezone=account.timezone, day_start_hour=account.day_start_hour,
                          created_at=account.created_at),
        habits=[_habit(h) for h in habits],
        check_ins=[_check_in(c) for c in check_ins],
        skips=[SkipV1(habit_id=h, day=d, created_at=at) for h, d, at in skips],
        pauses=[_pause(p) for p in reversed(pauses)],  # oldest first, like every list of the document
        # Web Push subscriptions and webhooks stay behind on purpose (see server.portability.document).
        reminders=[_reminder(r, at) for r, at in reminders],
        journal_entries=[_entry(e) for e in journal],
        achievements=[AwardV1(key=k, unlocked_at=at) for k, at in sorted(awards.items(), key=lambda i: i[1])],
        program=ProgramV1(unlocked_steps=[AwardV1(key=k, unlocked_at=at)
                                          for k, at in sorted(unlocks.items(), key=lambda i: i[1])]),
    )
    return dump(document)


def _number(value: float) -> str:
    return str(int(value)) if value.is_integer() else repr(value)


# A cell a spreadsheet would read as a formula (OWASP "CSV injection"): =, +, -, @, and tab/CR,
# which some spreadsheets strip before looking.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(text: str) -> str:
    """User text as a CSV cell no spreadsheet runs: a leading formula character gets a `'` before it."""
    return "'" + text if text.startswith(_FORMULA_START) else text


async def check_ins_csv(viewer: Viewer) -> AsyncIterator[bytes]:
    """Live check-ins, oldest first, as CSV; read a page at a time so memory stays flat."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    after: tuple[datetime, UUID] | None = None
    while True:
        rows = await repository.check_in_csv_page(viewer.account.id, after, CSV_PAGE)
        for r in rows:
            writer.writerow((r["habit"], spreadsheet_safe(r["habit_name"]), r["day"].isoformat(),
                             r["occurred_at"].isoformat(), _number(r["quantity"]), spreadsheet_safe(r["note"] or ""),
                             r["source"]))
        yield buffer.getvalue().encode()
        buffer.seek(0)
        buffer.truncate()
        if len(rows) < CSV_PAGE:
            return
        after = (rows[-1]["occurred_at"], rows[-1]["id"])
