"""Confidence: one number from 0 to 100 per user and day, built from habit strengths.

How the score of a day is made (the same text, for users, is in docs/confidence.md):

1. Every habit active that day (started on or before it, not archived before it; a habit
   archived that day still counts that day) joins one component: BUILD habits of WORKOUT,
   READING, HYGIENE and FRIENDS join their own category, CUSTOM BUILD habits join OTHER,
   and QUIT habits of any category join NO_CONTACT. A component with no habit is left out.
2. A habit component's value is the mean strength (0-100) of its habits on that day.
3. REFLECTION is in use once the user has a habit or a journal entry; its value is 25 per
   journal entry written in the 14 days ending that day, at most 100.
4. Base weights: WORKOUT 3, READING 2, HYGIENE 2, FRIENDS 2, OTHER 1, NO_CONTACT 3,
   REFLECTION 1; each component in use gets its base weight divided by the sum of the
   base weights in use, so the weights shown always add up to 1.
5. The score is the sum of weight x value, from 0 to 100; 0 when nothing is in use.

Values are rounded to 2 decimals and weights to 4 (rounded so that they still add up to
exactly 1); the score is computed from those rounded numbers, so anyone can check it.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache
from uuid import UUID

from server.activity import Activity, HabitActivity
from server.habits.model import Category, Kind
from server.habits.summary import strength_series

REFLECTION_WINDOW_DAYS = 14
REFLECTION_POINTS_PER_ENTRY = 25.0
_WEIGHT_UNITS = 10_000  # weights are shown with 4 decimals

# Component key -> (label, base weight), in the order components are shown.
COMPONENTS: Mapping[str, tuple[str, int]] = {
    "WORKOUT": ("Workout", 3),
    "READING": ("Reading", 2),
    "HYGIENE": ("Hygiene", 2),
    "FRIENDS": ("Friends & family", 2),
    "OTHER": ("Other habits", 1),
    "NO_CONTACT": ("No contact", 3),
    "REFLECTION": ("Reflection", 1),
}


@dataclass(frozen=True, slots=True)
class Component:
    key: str
    label: str
    weight: float  # share of the score, 0..1; the weights of one result add up to 1
    value: float  # 0..100


@dataclass(frozen=True, slots=True)
class ConfidenceResult:
    day: date
    score: float  # 0..100, equal to sum(weight * value) of the components
    components: tuple[Component, ...]


def component_key(habit: HabitActivity) -> str:
    """QUIT habits count as NO_CONTACT, CUSTOM BUILD habits as OTHER, other BUILD habits as their category."""
    if habit.kind is Kind.QUIT:
        return "NO_CONTACT"
    if habit.category is Category.CUSTOM:
        return "OTHER"
    return habit.category.value


def reflection_value(entries_in_window: int) -> float:
    """Reflection is worth 25 points per journal entry of the last 14 days, at most 100."""
    return min(100.0, REFLECTION_POINTS_PER_ENTRY * entries_in_window)


def confidence_on(activity: Activity, day: date) -> ConfidenceResult:
    """Confidence as of the end of `day`, from the data on or before that day only."""
    return _Scorer(activity, until=day).result(day)


@dataclass(frozen=True, slots=True)
class StrengthSeries:
    """A habit's strength (0 to 100) on each day from `first` on."""

    first: date
    values: Sequence[float]

    def on(self, day: date) -> float:
        """Asked only for days on which the habit is active, within the series."""
        return self.values[(day - self.first).days]


def confidence_history(activity: Activity, days: int,
                       strengths: Mapping[UUID, StrengthSeries] | None = None) -> list[ConfidenceResult]:
    """Confidence on each of the last `days` days ending at activity.today, oldest first. `strengths`:
    every habit's strength through today over (at least) those of the days it is active on, if known
    (the recompute continues it from checkpoints); else each habit's from its whole history."""
    if days < 1:
        raise ValueError("days must be at least 1")
    scorer = _Scorer(activity, until=activity.today, strengths=strengths)
    first = activity.today - timedelta(days=days - 1)
    return [scorer.result(first + timedelta(days=offset)) for offset in range(days)]


def combine(day: date, values: Mapping[str, float]) -> ConfidenceResult:
    """The score is the weighted mean of the component values in use, by the base weights."""
    layout = _layout(tuple(key for key in COMPONENTS if key in values))
    rounded = [round(min(100.0, max(0.0, values[key])), 2) for key, _, _ in layout]
    components = tuple(
        Component(key, label, share / _WEIGHT_UNITS, value)
        for (key, label, share), value in zip(layout, rounded, strict=True)
    )
    total = math.fsum(share * value for (_, _, share), value in zip(layout, rounded, strict=True)) / _WEIGHT_UNITS
    return ConfidenceResult(day, round(min(100.0, max(0.0, total)), 2), components)


@lru_cache(maxsize=256)
def _layout(keys: tuple[str, ...]) -> tuple[tuple[str, str, int], ...]:
    """(key, label, share in 1/10000) of the components in use: a pure function of which are in use."""
    units = _weight_units([COMPONENTS[key][1] for key in keys])
    return tuple((key, COMPONENTS[key][0], share) for key, share in zip(keys, units, strict=True))


class _Scorer:
    """Each habit's strength series computed once, then read for any day up to `until`."""

    def __init__(self, activity: Activity, until: date,
                 strengths: Mapping[UUID, StrengthSeries] | None = None) -> None:
        # Per habit: its component, the ordinals of its first and last active days, and its strengths
        # with the ordinal of the first of them (a day's strength is values[ordinal - base]).
        self._habits: list[tuple[str, int, int, Sequence[float], int]] = []
        for habit in activity.habits:
            series = _series(habit, until) if strengths is None else strengths[habit.id]
            last = habit.archived_on.toordinal() if habit.archived_on is not None else date.max.toordinal()
            self._habits.append((component_key(habit), habit.rules.start_date.toordinal(), last, series.values,
                                 series.first.toordinal()))
        starts = [habit.rules.start_date for habit in activity.habits]
        self._first_start = min(starts, default=None)
        self._journal = Counter(entry.day for entry in activity.journal)
        self._first_entry = min(self._journal, default=None)

    def result(self, day: date) -> ConfidenceResult:
        strengths: dict[str, list[float]] = {}
        ordinal = day.toordinal()
        for key, first, last, scores, base in self._habits:
            if first <= ordinal <= last:  # HabitActivity.active_on
                strengths.setdefault(key, []).append(scores[ordinal - base])
        # fsum is exactly rounded, so the order of the habits cannot change the score.
        values = {key: math.fsum(group) / len(group) for key, group in strengths.items()}
        if self._reflecting(day):
            values["REFLECTION"] = reflection_value(self._entries_in_window(day))
        return combine(day, values)

    def _reflecting(self, day: date) -> bool:
        has_habit = self._first_start is not None and self._first_start <= day
        return has_habit or (self._first_entry is not None and self._first_entry <= day)

    def _entries_in_window(self, day: date) -> int:
        if not self._journal:
            return 0
        return sum(self._journal.get(day - timedelta(days=back), 0) for back in range(REFLECTION_WINDOW_DAYS))


def _series(habit: HabitActivity, until: date) -> StrengthSeries:
    """The habit's strength on each day from start_date through `until`, from its whole history."""
    scores = [score for _, score in strength_series(habit.rules, habit.log, until)]
    return StrengthSeries(habit.rules.start_date, scores)


def _weight_units(base: Iterable[int]) -> list[int]:
    """Shares in units of 1/10000 adding up to exactly 10000: largest remainders round up, earlier first."""
    weights = list(base)
    total = sum(weights)
    if total == 0:
        return [0 for _ in weights]
    # Integer arithmetic: quotient and remainder of each exact share, no float drift.
    parts = [divmod(weight * _WEIGHT_UNITS, total) for weight in weights]
    units = [quotient for quotient, _ in parts]
    missing = _WEIGHT_UNITS - sum(units)
    by_remainder = sorted(range(len(parts)), key=lambda i: (-parts[i][1], i))
    for index in by_remainder[:missing]:
        units[index] += 1
    return units
