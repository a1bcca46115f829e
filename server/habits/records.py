"""Habits and check-ins as the service layer sees them (rows turned into plain objects)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from uuid import UUID

from server.habits.model import Category, HabitRules, Kind, Schedule


class Source(StrEnum):
    """Where a check-in came from; informational, never trusted for anything."""

    API = "API"
    WEB = "WEB"
    MOBILE = "MOBILE"
    SCRIPT = "SCRIPT"
    IMPORT = "IMPORT"


@dataclass(frozen=True, slots=True)
class HabitRecord:
    id: UUID
    owner_id: UUID
    name: str
    category: Category
    kind: Kind
    schedule: Schedule
    target_quantity: float
    unit: str | None
    start_date: date
    created_at: datetime
    archived_at: datetime | None
    daily_limit: float | None = None  # QUIT only; None: any check-in is a slip
    description: str | None = None
    question: str | None = None
    color: str | None = None  # "#RRGGBB"
    position: int = 0  # the owner's order (habitsReorder)
    checkpoint_epoch: int = 0  # see tables.Habit.checkpoint_epoch

    @property
    def archived(self) -> bool:
        return self.archived_at is not None

    @property
    def rules(self) -> HabitRules:
        return HabitRules(self.kind, self.schedule, self.target_quantity, self.start_date, self.daily_limit or 0.0)


@dataclass(frozen=True, slots=True)
class PauseRecord:
    """A break from `start` to `end` (inclusive local days) for some habits, or all (`habit_ids` None)."""

    id: UUID
    owner_id: UUID
    start: date
    end: date
    reason: str | None
    habit_ids: tuple[UUID, ...] | None
    created_at: datetime


@dataclass(frozen=True, slots=True)
class CheckInRecord:
    id: UUID
    owner_id: UUID
    habit_id: UUID
    occurred_at: datetime
    day: date
    quantity: float
    note: str | None
    source: Source
    idempotency_key: str | None
    created_at: datetime
    undone_at: datetime | None

    def same_content(self, habit_id: UUID, occurred_at: datetime | None, quantity: float,
                     note: str | None) -> bool:
        """A replay matches when habit, instant (if given), quantity and note are the same."""
        return (
            self.habit_id == habit_id
            and (occurred_at is None or occurred_at == self.occurred_at)
            and self.quantity == quantity
            and (self.note or None) == (note or None)
        )
