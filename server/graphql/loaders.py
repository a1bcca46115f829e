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
from server.habits.model import HabitLog, HabitSummary
from server.habits.records import CheckInRecord, HabitRecord
from server.habits.summary import summarize


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
        self.habit_log = DataLoader[UUID, HabitLog](load_fn=self._load_logs)
        self.habit_summary = DataLoader[HabitRecord, HabitSummary](load_fn=self._load_summaries)
        self.check_in_page = DataLoader[CheckInPageKey, list[CheckInRecord]](load_fn=self._load_pages)
        self.habit = DataLoader[UUID, HabitRecord | None](load_fn=self._load_habits)
        self.check_in_count = DataLoader[CheckInCountKey, int](load_fn=self._load_counts)

    async def _load_logs(self, ids: Sequence[UUID]) -> list[HabitLog]:
        logs = await queries.logs(ids)
        return [logs[i] for i in ids]

    async def _load_summaries(self, habits: Sequence[HabitRecord]) -> list[HabitSummary]:
        logs = await self.habit_log.load_many([h.id for h in habits])
        return [summarize(h.rules, log, self.today) for h, log in zip(habits, logs, strict=True)]

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
