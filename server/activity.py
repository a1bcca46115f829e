"""A user's activity as plain data: the one input of confidence, achievements and unlocking.

Built by the recompute job from the database; everything that reads it is a pure function,
so a recompute from scratch always gives the same answer.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from uuid import UUID

from server.habits.model import Category, HabitLog, HabitRules, Kind


@dataclass(frozen=True, slots=True)
class HabitActivity:
    id: UUID
    name: str
    category: Category
    rules: HabitRules
    log: HabitLog
    created_on: date  # local day the habit was created (its start_date may be earlier: backfill)
    archived_on: date | None = None  # local day it was archived; it still counts on that day
    unit: str | None = None  # "pages", "minutes"...: reading totals count pages

    @property
    def kind(self) -> Kind:
        return self.rules.kind

    def active_on(self, day: date) -> bool:
        """A habit counts from its start date through the day it was archived."""
        return self.rules.start_date <= day and (self.archived_on is None or day <= self.archived_on)


@dataclass(frozen=True, slots=True)
class JournalActivity:
    day: date  # local day it was written
    step_key: str | None = None


@dataclass(frozen=True, slots=True)
class Activity:
    today: date
    signed_up_on: date
    habits: tuple[HabitActivity, ...] = ()
    journal: tuple[JournalActivity, ...] = field(default_factory=tuple)
