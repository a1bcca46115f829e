"""Value types of the habit math: what a habit is, what happened, and what it adds up to."""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from enum import StrEnum


class Kind(StrEnum):
    BUILD = "BUILD"
    QUIT = "QUIT"


class Category(StrEnum):
    WORKOUT = "WORKOUT"
    READING = "READING"
    HYGIENE = "HYGIENE"
    FRIENDS = "FRIENDS"
    CUSTOM = "CUSTOM"


class Period(StrEnum):
    DAILY = "DAILY"
    WEEKDAYS = "WEEKDAYS"
    WEEKLY = "WEEKLY"
    INTERVAL = "INTERVAL"  # Loop Habit Tracker's frequency: `times` in any `days` days


class StreakUnit(StrEnum):
    DAYS = "DAYS"
    WEEKS = "WEEKS"


class DayStatus(StrEnum):
    DONE = "DONE"
    PARTIAL = "PARTIAL"
    MISSED = "MISSED"
    SKIPPED = "SKIPPED"
    FROZEN = "FROZEN"
    COVERED = "COVERED"  # INTERVAL: no check-in needed, a nearby interval is met (Loop's YES_AUTO)
    NOT_DUE = "NOT_DUE"
    CLEAN = "CLEAN"
    SLIP = "SLIP"
    FUTURE = "FUTURE"
    PENDING = "PENDING"


INTERVAL_DAYS_MAX = 365


@dataclass(frozen=True, slots=True)
class Schedule:
    period: Period
    weekdays: tuple[int, ...] = ()
    times_per_week: int | None = None
    # INTERVAL only: `times` in any `days` days. With `total`, targetQuantity is a total to reach
    # over any `days` days (Loop's numeric habits: "20 km per week") instead of a per-day target.
    times: int | None = None
    days: int | None = None
    total: bool = False

    def is_due(self, day: date) -> bool:
        """A WEEKDAYS habit is due on its ISO weekdays; DAILY, WEEKLY and INTERVAL habits on every day."""
        if self.period is Period.WEEKDAYS:
            return day.isoweekday() in self.weekdays
        # WEEKLY and INTERVAL habits are judged over several days, so no single day is "not due".
        return True

    def frequency(self) -> tuple[int, int]:
        """Frequency as (num, den): DAILY 1/1, WEEKDAYS len(weekdays)/7, WEEKLY times_per_week/7,
        INTERVAL times/days (1/1 when times equals days, as Loop's Frequency normalises it)."""
        if self.period is Period.DAILY:
            return (1, 1)
        if self.period is Period.WEEKDAYS:
            return (len(self.weekdays), 7)
        if self.period is Period.INTERVAL:
            if self.times is None or self.days is None:
                raise ValueError("an interval schedule needs times and days")
            return (1, 1) if self.times == self.days else (self.times, self.days)
        if self.times_per_week is None:
            raise ValueError("a weekly schedule needs times_per_week")
        return (self.times_per_week, 7)

    def validation_error(self) -> str | None:
        """A schedule is valid when it carries exactly the fields its period needs, within range."""
        if self.period is not Period.INTERVAL and (self.times is not None or self.days is not None or self.total):
            return "times, days and total belong to an interval schedule only"
        if self.period is Period.DAILY:
            if self.weekdays or self.times_per_week is not None:
                return "a daily schedule takes neither weekdays nor times_per_week"
            return None
        if self.period is Period.WEEKDAYS:
            if self.times_per_week is not None:
                return "a weekdays schedule does not take times_per_week"
            if not self.weekdays:
                return "a weekdays schedule needs at least one weekday"
            if any(not 1 <= day <= 7 for day in self.weekdays):
                return "weekdays must be ISO weekdays from 1 (Monday) to 7 (Sunday)"
            if len(set(self.weekdays)) != len(self.weekdays):
                return "weekdays must not repeat"
            return None
        if self.period is Period.INTERVAL:
            if self.weekdays or self.times_per_week is not None:
                return "an interval schedule takes neither weekdays nor times_per_week"
            if self.days is None or not 1 <= self.days <= INTERVAL_DAYS_MAX:
                return f"an interval schedule needs days from 1 to {INTERVAL_DAYS_MAX}"
            if self.times is None or not 1 <= self.times <= self.days:
                return "an interval schedule needs times from 1 to days"
            return None
        if self.weekdays:
            return "a weekly schedule does not take weekdays"
        if self.times_per_week is None or not 1 <= self.times_per_week <= 7:
            return "a weekly schedule needs times_per_week from 1 to 7"
        return None

    @property
    def streak_unit(self) -> StreakUnit:
        """WEEKLY habits count their streak in weeks, all others (INTERVAL too) in days."""
        return StreakUnit.WEEKS if self.period is Period.WEEKLY else StreakUnit.DAYS


@dataclass(frozen=True, slots=True)
class HabitRules:
    """Everything the math needs to know about a habit."""

    kind: Kind
    schedule: Schedule
    target: float
    start_date: date
    # QUIT only: a day is a slip when its check-ins add up to more than this (0: any check-in).
    limit: float = 0.0


@dataclass(frozen=True, slots=True)
class HabitLog:
    """A habit's history per local day: total quantity checked in, and the skipped days."""

    quantities: Mapping[date, float]
    skips: frozenset[date] = frozenset()


@dataclass(frozen=True, slots=True)
class HabitDay:
    date: date
    quantity: float
    status: DayStatus


@dataclass(frozen=True, slots=True)
class HabitSummary:
    current_streak: int
    longest_streak: int
    streak_unit: StreakUnit
    strength: float
    done_today: bool
    freezes_held: int
