"""Read use cases of habits, batched so a page of many habits costs a constant number of queries."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime, timedelta
from uuid import UUID

from server.accounts.model import Viewer
from server.habits import repository
from server.habits.checkpoints import Checkpoint, DaySlice, fingerprint, joined, log_needed_from, resume_point
from server.habits.day_slices import days_of
from server.habits.records import CheckInRecord, HabitRecord
from server.habits.summary import HabitReading, read

PAGE_MAX = 100


async def habits(viewer: Viewer, include_archived: bool) -> list[HabitRecord]:
    return await repository.list_habits(viewer.account.id, include_archived)


async def habit_count(viewer: Viewer) -> int:
    """How many habits the viewer has, archived ones included."""
    return await repository.count_habits(viewer.account.id)


async def habits_by_ids(viewer: Viewer, ids: Sequence[UUID]) -> dict[UUID, HabitRecord]:
    return await repository.habits_by_ids(viewer.account.id, ids)


# Checkpoints sit at month ends (a WEEKLY habit's on the Sunday before): the latest one before a day
# is at most this far back, unless a change voided it and the recompute has not replaced it yet.
_CHECKPOINT_SPACING = timedelta(days=62)


async def readings(habits: Sequence[HabitRecord], needed_from: Mapping[UUID, date],
                   today: date) -> dict[UUID, HabitReading]:
    """Each habit read through today from the first day a read needs (`needed_from`), with only the
    log from its latest checkpoint on: two statements for any number of habits, and as much work for
    three years of history as for one month.

    The walk resumes from the latest valid checkpoint before today; the days before it that the read
    needs come as the checkpoints kept them (their DaySlices), so a year's heatmap or 1,000 days of
    strength is read, not walked. Where those are missing (checkpoints made before days were kept, a
    gap) it resumes from the latest checkpoint before `needed_from` and walks from there; without
    any, from start_date: slower, never different."""
    if not habits:
        return {}
    ids = [h.id for h in habits]
    before = {h.id: min(needed_from[h.id], today) for h in habits}
    stored = await repository.checkpoints_between(ids, min(before.values()) - _CHECKPOINT_SPACING, today)
    bases: dict[UUID, Checkpoint | None] = {}
    kept: dict[UUID, DaySlice | None] = {}
    for habit in habits:
        digest = fingerprint(habit.rules)
        valid = [c for rules, c in stored[habit.id] if rules == digest]
        start = before[habit.id]
        base, days = resume_point(valid, start), None
        latest = resume_point(valid, today)
        # A habit younger than the window is walked whole: its log is no longer than the window.
        if latest is not None and latest is not base and start >= habit.rules.start_date:
            chain = [days_of(c) for c in valid if (base is None or c.day > base.day) and c.day <= latest.day]
            if all(chain):
                days = joined([d for d in chain if d is not None], start)
            if days is not None:
                base = latest
        bases[habit.id], kept[habit.id] = base, days
    logs = await repository.logs_since({h.id: log_needed_from(h.rules, bases[h.id]) for h in habits})
    return {h.id: read(h.rules, logs[h.id], today, bases[h.id], kept[h.id]) for h in habits}


async def check_in_pages(habit_ids: Sequence[UUID], start: date | None, end: date | None,
                         after: tuple[datetime, UUID] | None, first: int) -> dict[UUID, list[CheckInRecord]]:
    """One page (plus one row, to tell whether there is a next page) per habit."""
    return await repository.check_in_pages(habit_ids, start, end, after, first + 1)


async def check_in_counts(habit_ids: Sequence[UUID], start: date | None, end: date | None) -> dict[UUID, int]:
    """How many live check-ins each habit has in [start, end]: a connection's totalCount."""
    return await repository.check_in_counts(habit_ids, start, end)


async def check_in(viewer: Viewer, check_in_id: UUID) -> CheckInRecord | None:
    return await repository.get_check_in(viewer.account.id, check_in_id)
