"""Read use cases of habits, batched so a page of many habits costs a constant number of queries."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from uuid import UUID

from server.accounts.model import Viewer
from server.habits import repository
from server.habits.model import HabitLog
from server.habits.records import CheckInRecord, HabitRecord

PAGE_MAX = 100


async def habits(viewer: Viewer, include_archived: bool) -> list[HabitRecord]:
    return await repository.list_habits(viewer.account.id, include_archived)


async def habit_count(viewer: Viewer) -> int:
    """How many habits the viewer has, archived ones included."""
    return await repository.count_habits(viewer.account.id)


async def habits_by_ids(viewer: Viewer, ids: Sequence[UUID]) -> dict[UUID, HabitRecord]:
    return await repository.habits_by_ids(viewer.account.id, ids)


async def logs(habit_ids: Sequence[UUID]) -> dict[UUID, HabitLog]:
    """Per-day totals and skips of habits the caller already proved it owns."""
    return await repository.logs_for(habit_ids)


async def check_in_pages(habit_ids: Sequence[UUID], start: date | None, end: date | None,
                         after: tuple[datetime, UUID] | None, first: int) -> dict[UUID, list[CheckInRecord]]:
    """One page (plus one row, to tell whether there is a next page) per habit."""
    return await repository.check_in_pages(habit_ids, start, end, after, first + 1)


async def check_in_counts(habit_ids: Sequence[UUID], start: date | None, end: date | None) -> dict[UUID, int]:
    """How many live check-ins each habit has in [start, end]: a connection's totalCount."""
    return await repository.check_in_counts(habit_ids, start, end)


async def check_in(viewer: Viewer, check_in_id: UUID) -> CheckInRecord | None:
    return await repository.get_check_in(viewer.account.id, check_in_id)
