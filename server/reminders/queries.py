"""Read use cases of reminders for the API, batched where a page shows many habits."""

from __future__ import annotations

from collections.abc import Sequence
from uuid import UUID

from server.habits import repository as habits
from server.habits.records import HabitRecord
from server.reminders import repository
from server.reminders.records import ReminderRecord


async def for_habits(habit_ids: Sequence[UUID]) -> dict[UUID, list[ReminderRecord]]:
    """Each habit's reminders (the caller passes only habits its viewer owns): one query."""
    return await repository.for_habits(habit_ids)


async def with_habit(owner: UUID, reminder_id: UUID, habit_id: UUID) -> tuple[ReminderRecord, HabitRecord] | None:
    """One of the owner's reminders with its habit, or None when either is gone (or not theirs)."""
    reminder = await repository.get(owner, reminder_id)
    habit = await habits.get_habit(owner, habit_id)
    if reminder is None or habit is None or reminder.habit_id != habit.id:
        return None
    return reminder, habit
