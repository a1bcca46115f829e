"""The closed set of requirement kinds that unlock the next step, and their pure evaluation."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum
from typing import ClassVar, assert_never
from uuid import UUID

from server.activity import Activity, HabitActivity
from server.habits.model import Category, Kind, Period, StreakUnit
from server.habits.summary import read
from server.habits.timeline import done_day_streaks


class RequirementKind(StrEnum):
    JOURNAL_ENTRIES = "JOURNAL_ENTRIES"
    HABITS_CREATED = "HABITS_CREATED"
    CATEGORY_STREAK = "CATEGORY_STREAK"
    HABIT_STRENGTH = "HABIT_STRENGTH"
    QUIT_STREAK = "QUIT_STREAK"
    CONFIDENCE_AT_LEAST = "CONFIDENCE_AT_LEAST"


# One dataclass per kind; its fields are the kind's parameters (a default marks an optional one).


@dataclass(frozen=True, slots=True)
class JournalEntries:
    kind: ClassVar[RequirementKind] = RequirementKind.JOURNAL_ENTRIES
    count: int
    step: str | None = None


@dataclass(frozen=True, slots=True)
class HabitsCreated:
    kind: ClassVar[RequirementKind] = RequirementKind.HABITS_CREATED
    count: int
    category: Category | None = None


@dataclass(frozen=True, slots=True)
class CategoryStreak:
    kind: ClassVar[RequirementKind] = RequirementKind.CATEGORY_STREAK
    category: Category
    days: int


@dataclass(frozen=True, slots=True)
class HabitStrength:
    kind: ClassVar[RequirementKind] = RequirementKind.HABIT_STRENGTH
    category: Category
    threshold: float  # strength from 0 to 100


@dataclass(frozen=True, slots=True)
class QuitStreak:
    kind: ClassVar[RequirementKind] = RequirementKind.QUIT_STREAK
    days: int


@dataclass(frozen=True, slots=True)
class ConfidenceAtLeast:
    kind: ClassVar[RequirementKind] = RequirementKind.CONFIDENCE_AT_LEAST
    score: float  # confidence from 0 to 100
    days: int


RequirementDef = JournalEntries | HabitsCreated | CategoryStreak | HabitStrength | QuitStreak | ConfidenceAtLeast

REQUIREMENT_TYPES: Mapping[RequirementKind, type[RequirementDef]] = {
    cls.kind: cls
    for cls in (JournalEntries, HabitsCreated, CategoryStreak, HabitStrength, QuitStreak, ConfidenceAtLeast)
}


@dataclass(frozen=True, slots=True)
class RequirementProgress:
    kind: str
    description: str
    current: float
    target: float
    met: bool


@dataclass(frozen=True, slots=True)
class Standing:
    """What the requirements read of one habit today."""

    current_streak: int  # INTERVAL habits: check-in days in a row (days a check-in only covered do not count)
    streak_unit: StreakUnit
    strength: float  # today, 0 to 100


Standings = Mapping[UUID, Standing]


def standing(habit: HabitActivity, today: date) -> Standing:
    """A habit's standing from a walk over its whole history (the recompute continues it from checkpoints
    instead: server.progress.derive)."""
    reading = read(habit.rules, habit.log, today)
    summary = reading.summary()
    current = summary.current_streak
    if habit.rules.schedule.period is Period.INTERVAL and habit.kind is Kind.BUILD:
        current = done_day_streaks(reading.timeline.statuses)[0]
    return Standing(current, summary.streak_unit, summary.strength)


def standings_of(activity: Activity) -> dict[UUID, Standing]:
    """Every habit active today's standing, from its whole history."""
    return {h.id: standing(h, activity.today) for h in activity.habits if h.active_on(activity.today)}


def evaluate(req: RequirementDef, activity: Activity, confidence_by_day: Mapping[date, float],
             standings: Standings | None = None) -> RequirementProgress:
    """A requirement's progress is its measure capped at the target; it is met iff the measure reaches
    the target. `standings`: the habits' (those active today at least), if already known."""
    target = _target(req)
    current = _measure(req, activity, confidence_by_day, standings)
    return RequirementProgress(req.kind.value, describe(req), min(current, target), target, current >= target)


def describe(req: RequirementDef) -> str:
    """A requirement reads as one short imperative sentence."""
    match req:
        case JournalEntries(count=count, step=step):
            return f"Write {_plural(count, 'journal entry', 'journal entries')}" + (
                " for this step" if step is not None else "")
        case HabitsCreated(count=count, category=category):
            noun = "habit" if category is None else f"{_label(category)} habit"
            return f"Create {_plural(count, noun, noun + 's')}"
        case CategoryStreak(category=category, days=days):
            return f"Keep a {days}-day {_label(category)} streak"
        case HabitStrength(category=category, threshold=threshold):
            return f"Reach {threshold:g}% strength on a {_label(category)} habit"
        case QuitStreak(days=days):
            return f"Stay clean on a quit habit, like no contact, for {_plural(days, 'day', 'days')}"
        case ConfidenceAtLeast(score=score, days=days):
            return f"Hold a confidence score of {score:g} for {_plural(days, 'day', 'days')}"
        case _:
            assert_never(req)


def _target(req: RequirementDef) -> float:
    match req:
        case JournalEntries(count=n) | HabitsCreated(count=n):
            return float(n)
        case CategoryStreak(days=n) | QuitStreak(days=n) | ConfidenceAtLeast(days=n):
            return float(n)
        case HabitStrength(threshold=t):
            return float(t)
        case _:
            assert_never(req)


def _measure(req: RequirementDef, activity: Activity, confidence_by_day: Mapping[date, float],
             standings: Standings | None) -> float:
    if isinstance(req, CategoryStreak | HabitStrength | QuitStreak) and standings is None:
        standings = standings_of(activity)
    match req:
        case JournalEntries(step=step):
            return journal_entries(activity, step)
        case HabitsCreated(category=category):
            return habits_created(activity, category)
        case CategoryStreak(category=category):
            assert standings is not None
            return category_streak(activity, category, standings)
        case HabitStrength(category=category):
            assert standings is not None
            return best_strength(activity, category, standings)
        case QuitStreak():
            assert standings is not None
            return quit_streak(activity, standings)
        case ConfidenceAtLeast(score=score, days=days):
            return confident_days(confidence_by_day, activity.today, score, days)
        case _:
            assert_never(req)


def journal_entries(activity: Activity, step: str | None) -> int:
    """Journal entries count all, or only those written for the given step."""
    return sum(1 for entry in activity.journal if step is None or entry.step_key == step)


def habits_created(activity: Activity, category: Category | None) -> int:
    """Every habit ever created counts, archived ones included, optionally of one category."""
    return sum(1 for habit in activity.habits if category is None or habit.category is category)


def category_streak(activity: Activity, category: Category, standings: Standings) -> int:
    """The best current streak among today's active BUILD habits of the category counted in days;
    for INTERVAL habits, in check-in days (days a check-in only covered do not count)."""
    today = activity.today
    return max((standings[h.id].current_streak for h in activity.habits
                if h.kind is Kind.BUILD and h.category is category and h.active_on(today)
                and standings[h.id].streak_unit is StreakUnit.DAYS), default=0)


def best_strength(activity: Activity, category: Category, standings: Standings) -> float:
    """The best strength today (0-100) among today's active BUILD habits of the category: a QUIT
    habit's strength grows by doing nothing, so it proves nothing about working out or reading."""
    today = activity.today
    return max((standings[h.id].strength for h in activity.habits
                if h.kind is Kind.BUILD and h.category is category and h.active_on(today)), default=0.0)


def quit_streak(activity: Activity, standings: Standings) -> int:
    """The best current clean streak among today's active QUIT habits."""
    today = activity.today
    return max((standings[h.id].current_streak for h in activity.habits
                if h.kind is Kind.QUIT and h.active_on(today)), default=0)


def confident_days(confidence_by_day: Mapping[date, float], today: date, score: float, limit: int) -> int:
    """Consecutive days ending today with confidence >= score (a missing day counts as 0), counted up to limit."""
    run = 0
    while run < limit and confidence_by_day.get(today - timedelta(days=run), 0.0) >= score:
        run += 1
    return run


def _plural(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


def _label(category: Category) -> str:
    return category.value.lower()
