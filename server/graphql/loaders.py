"""Per-request DataLoaders: a list of habits costs a constant number of queries, not one per habit."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from uuid import UUID

from strawberry.dataloader import DataLoader

from server.accounts.model import Viewer
from server.habits import queries
from server.habits.records import CheckInRecord, HabitRecord
from server.habits.summary import HabitReading
from server.reminders import queries as reminders
from server.reminders.records import ReminderRecord


@dataclass(frozen=True, slots=True)
class ReadingKey:
    habit: HabitRecord
    needed_from: date  # the first day the field reads: today for streaks and strength


@dataclass(frozen=True, slots=True)
class CheckInPageKey:
    habit_id: UUID
    start: date | None
    end: date | None
    after: tuple[datetime, UUID] | None
    first: int


@dataclass(frozen=True, slots=True)
class CheckInCountKey:
    habit_id: UUID
    start: date | None
    end: date | None


class Loaders:
    """One request's loaders, for one viewer on one local day (the day the request began)."""

    def __init__(self, viewer: Viewer, today: date) -> None:
        self.viewer = viewer
        self.today = today
        self.habit_reading = DataLoader[ReadingKey, HabitReading](load_fn=self._load_readings)
        self.check_in_page = DataLoader[CheckInPageKey, list[CheckInRecord]](load_fn=self._load_pages)
        self.habit = DataLoader[UUID, HabitRecord | None](load_fn=self._load_habits)
        self.reminders = DataLoader[UUID, list[ReminderRecord]](load_fn=self._load_reminders)
        self.check_in_count = DataLoader[CheckInCountKey, int](load_fn=self._load_counts)

    async def _load_readings(self, keys: Sequence[ReadingKey]) -> list[HabitReading]:
        # One walk per habit serves all its fields (streaks, strength, days, series), from the
        # earliest day any of them reads.
        habits: dict[UUID, HabitRecord] = {}
        needed: dict[UUID, date] = {}
        for key in keys:
            hid = key.habit.id
            habits.setdefault(hid, key.habit)
            needed[hid] = min(needed.get(hid, key.needed_from), key.needed_from)
        found = await queries.readings(list(habits.values()), needed, self.today)
        return [found[key.habit.id] for key in keys]

    async def _load_pages(self, keys: Sequence[CheckInPageKey]) -> list[list[CheckInRecord]]:
        # One query per distinct (range, cursor, size); a dashboard asks all habits alike.
        groups: dict[tuple[object, ...], list[UUID]] = defaultdict(list)
        for key in keys:
            groups[(key.start, key.end, key.after, key.first)].append(key.habit_id)
        pages: dict[tuple[object, ...], dict[UUID, list[CheckInRecord]]] = {}
        for (start, end, after, first), ids in groups.items():
            pages[(start, end, after, first)] = await queries.check_in_pages(
                ids, start, end, after, first)  # type: ignore[arg-type]
        return [pages[(k.start, k.end, k.after, k.first)][k.habit_id] for k in keys]

    async def _load_counts(self, keys: Sequence[CheckInCountKey]) -> list[int]:
        # One query per distinct range, as for pages.
        groups: dict[tuple[date | None, date | None], list[UUID]] = defaultdict(list)
        for key in keys:
            groups[(key.start, key.end)].append(key.habit_id)
        counts = {(start, end): await queries.check_in_counts(ids, start, end) for (start, end), ids in groups.items()}
        return [counts[(k.start, k.end)][k.habit_id] for k in keys]

    async def _load_habits(self, ids: Sequence[UUID]) -> list[HabitRecord | None]:
        found = await queries.habits_by_ids(self.viewer, ids)
        return [found.get(i) for i in ids]

    async def _load_reminders(self, ids: Sequence[UUID]) -> list[list[ReminderRecord]]:
        # Habit ids reach here only from the viewer's own habits.
        found = await reminders.for_habits(ids)
        return [found.get(i, []) for i in ids]
