"""Public entry points of the habit math: a habit's summary, its days, and its strength series."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING

from server.habits.days import date_range
from server.habits.model import DayStatus, HabitDay, HabitLog, HabitRules, HabitSummary, Kind, StreakUnit
from server.habits.strength import strength_scores
from server.habits.timeline import Timeline, walk

if TYPE_CHECKING:
    from server.habits.checkpoints import Checkpoint, DaySlice


@dataclass(frozen=True, slots=True)
class HabitReading:
    """A habit walked (and its strength computed) once, from start_date or a checkpoint through today;
    every read of the habit is a slice of it."""

    rules: HabitRules
    log: HabitLog
    today: date
    timeline: Timeline
    scores: list[float]  # strength on each day from timeline.start through today
    # The days just before timeline.start, as checkpoints kept them (None: the walk is all there is).
    stored: DaySlice | None = None

    def summary(self) -> HabitSummary:
        """A habit's summary is the state of its streak walk after today plus its strength today."""
        rules, today, timeline = self.rules, self.today, self.timeline
        if today < rules.start_date:
            done_today = False
        elif rules.kind is Kind.QUIT:
            done_today = self.log.quantities.get(today, 0.0) <= rules.limit
        else:
            done_today = timeline.status(today) is DayStatus.DONE
        return HabitSummary(
            current_streak=timeline.current_streak,
            longest_streak=timeline.longest_streak,
            # QUIT habits are judged daily whatever their schedule says.
            streak_unit=StreakUnit.DAYS if rules.kind is Kind.QUIT else rules.schedule.streak_unit,
            strength=self.scores[-1] if self.scores else 0.0,
            done_today=done_today,
            freezes_held=timeline.freezes_held,
        )

    def days(self, start: date, end: date) -> list[HabitDay]:
        """Every date in [start, end] with its quantity and the status the streak walk gave it."""
        statuses, quantities = self.series(start, end)
        return [HabitDay(day, q, status) for day, status, q in zip(date_range(start, end), statuses, quantities,
                                                                    strict=True)]

    def series(self, start: date, end: date) -> tuple[list[DayStatus], list[float]]:
        """`days` as two lists, the statuses and the quantities (a heatmap's shape, without a day object
        per date): the stored days where the window reaches before the walk, then the walk's."""
        if end < start:
            raise ValueError("end must not be before start")
        statuses: list[DayStatus] = []
        quantities: list[float] = []
        stored, walked = self.stored, self.timeline.start
        if stored is not None and start < walked:
            if start < stored.first:
                raise ValueError(f"the days before {stored.first} were not read")
            low, high = (start - stored.first).days, (min(end, stored.last) - stored.first).days + 1
            statuses += stored.statuses[low:high]
            quantities += stored.quantities[low:high]
            start = stored.last + timedelta(days=1)
        if start <= end:
            get, status = self.log.quantities.get, self.timeline.status
            span = list(date_range(start, end))
            statuses += [status(day) for day in span]
            quantities += [float(get(day, 0.0)) for day in span]
        return statuses, quantities

    def strengths(self, start: date, end: date) -> list[float]:
        """Strength (0-100) at the end of each day from `start` to `end` (at most today); 0 before start_date."""
        if end > self.today:
            raise ValueError("strength is known through today")
        stored = self.stored
        if stored is not None and start < self.timeline.start:
            if start < stored.first:
                raise ValueError(f"strength before {stored.first} was not read")
            # 100 s, as strength_scores gives it at scale 100: the same float.
            head = [100.0 * s for s in stored.strengths[(start - stored.first).days:(min(end, stored.last)
                                                                                     - stored.first).days + 1]]
            rest = stored.last + timedelta(days=1)
            return head + (self._walked_strengths(rest, end) if rest <= end else [])
        return self._walked_strengths(start, end)

    def _walked_strengths(self, start: date, end: date) -> list[float]:
        first, origin = self.timeline.start, self.rules.start_date
        if max(start, origin) < min(first, end + timedelta(days=1)):
            raise ValueError(f"strength before {first} was not walked")
        before = max(0, (min(end, origin - timedelta(days=1)) - start).days + 1)
        return [0.0] * before + self.scores[max(0, (start - first).days):(end - first).days + 1]


def read(rules: HabitRules, log: HabitLog, today: date, base: Checkpoint | None = None,
         stored: DaySlice | None = None) -> HabitReading:
    """Walk a habit from `base` (a checkpoint before today; None: from start_date) through today;
    `stored`, the days through base's day as checkpoints kept them, serves reads of the days before."""
    _check(rules)
    if base is not None and (base.day >= today or base.day < rules.start_date):
        base = None
    if base is None:
        timeline = walk(rules, log, today)
        scores = strength_scores(rules, log, today)
    else:
        since = base.day + timedelta(days=1)
        timeline = walk(rules, log, today, since=since, state=base.walk_state)
        scores = strength_scores(rules, log, today, since=since, s=base.strength)
    if base is None or stored is None or stored.last != base.day:
        stored = None  # only days that end where the walk resumes
    return HabitReading(rules, log, today, timeline, scores, stored)


def summarize(rules: HabitRules, log: HabitLog, today: date, base: Checkpoint | None = None) -> HabitSummary:
    """A habit's summary is the state of its streak walk after today plus its strength today."""
    return read(rules, log, today, base).summary()


def habit_days(rules: HabitRules, log: HabitLog, today: date, start: date, end: date,
               base: Checkpoint | None = None) -> list[HabitDay]:
    """Every date in [start, end] with its quantity and the status the streak walk gave it."""
    if end < start:
        raise ValueError("end must not be before start")
    return read(rules, log, today, base).days(start, end)


def strength_series(rules: HabitRules, log: HabitLog, today: date) -> list[tuple[date, float]]:
    """Strength from 0 to 100 on each day from start_date to today."""
    _check(rules)
    scores = strength_scores(rules, log, today)
    return list(zip(date_range(rules.start_date, today), scores, strict=True))


def _check(rules: HabitRules) -> None:
    error = rules.schedule.validation_error()
    if error is not None:
        raise ValueError(error)
    if not (math.isfinite(rules.target) and rules.target > 0):
        raise ValueError("target must be a positive number")
    if not (math.isfinite(rules.limit) and rules.limit >= 0):
        raise ValueError("limit must be a number from 0")
