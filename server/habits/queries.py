"""Read use cases of habits, batched so a page of many habits costs a constant number of queries."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime, timedelta
from uuid import UUID

from server.accounts.model import Viewer
from server.habits import repository
from server.habits.checkpoints import fingerprint, log_needed_from, resume_point
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
    """Each habit walked through today from its latest valid checkpoint before the first day a read
    needs (`needed_from`), with only the log from there on: two statements for any number of habits,
    and as much work for three years of history as for one month. Without such a checkpoint (none
    made yet, or voided by a change the recompute has not caught up with) it walks from start_date:
    slower, never different."""
    if not habits:
        return {}
    ids = [h.id for h in habits]
    before = {h.id: min(needed_from[h.id], today) for h in habits}
    stored = await repository.checkpoints_between(ids, min(before.values()) - _CHECKPOINT_SPACING,
                                                  max(before.values()))
    bases = {}
    for habit in habits:
        digest = fingerprint(habit.rules)
        bases[habit.id] = resume_point([c for rules, c in stored[habit.id] if rules == digest], before[habit.id])
    logs = await repository.logs_since({h.id: log_needed_from(h.rules, bases[h.id]) for h in habits})
    return {h.id: read(h.rules, logs[h.id], today, bases[h.id]) for h in habits}


async def check_in_pages(habit_ids: Sequence[UUID], start: date | None, end: date | None,
                         after: tuple[datetime, UUID] | None, first: int) -> dict[UUID, list[CheckInRecord]]:
    """One page (plus one row, to tell whether there is a next page) per habit."""
    return await repository.check_in_pages(habit_ids, start, end, after, first + 1)


async def check_in_counts(habit_ids: Sequence[UUID], start: date | None, end: date | None) -> dict[UUID, int]:
    """How many live check-ins each habit has in [start, end]: a connection's totalCount."""
    return await repository.check_in_counts(habit_ids, start, end)


async def check_in(viewer: Viewer, check_in_id: UUID) -> CheckInRecord | None:
    return await repository.get_check_in(viewer.account.id, check_in_id)
