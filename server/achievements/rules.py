"""The closed set of achievement rule kinds and their pure evaluation against a user's activity.

Everything a rule needs is derived once per activity (`facts_of`): one streak walk per habit,
shared by all rules, so evaluating the whole catalogue stays cheap.
Habits count whether archived or not: achievements are about what was achieved.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from enum import StrEnum
from functools import reduce
from itertools import combinations
from operator import and_
from uuid import UUID

from server.activity import Activity, HabitActivity
from server.habits.days import week_start
from server.habits.model import Category, DayStatus, Kind, Period, Schedule, StreakUnit
from server.habits.tally import EMPTY, Tally, fold
from server.habits.timeline import Timeline, walk

FOCUS_CATEGORIES = (Category.WORKOUT, Category.READING, Category.HYGIENE, Category.FRIENDS)
PAGE_UNITS = frozenset({"page", "pages"})
_ONE_WEEK = timedelta(days=7)


class RuleKind(StrEnum):
    FIRST_HABIT = "FIRST_HABIT"
    FIRST_CHECK_IN = "FIRST_CHECK_IN"
    FIRST_JOURNAL = "FIRST_JOURNAL"
    HABIT_STREAK = "HABIT_STREAK"
    FOUNDATION_14 = "FOUNDATION_14"
    READING_TOTAL = "READING_TOTAL"
    HYGIENE_MONTH = "HYGIENE_MONTH"
    FRIENDS_WEEKS = "FRIENDS_WEEKS"
    NO_CONTACT = "NO_CONTACT"
    BALANCED_WEEK = "BALANCED_WEEK"
    COMEBACK = "COMEBACK"
    JOURNAL_ENTRIES = "JOURNAL_ENTRIES"


# The parameters each kind requires (all positive integers); no kind takes any other.
PARAMS: Mapping[RuleKind, tuple[str, ...]] = {kind: () for kind in RuleKind} | {RuleKind.COMEBACK: ("streak",)}

# Kinds whose target is fixed by their meaning; the others take any positive target.
FIXED_TARGETS: Mapping[RuleKind, int] = {
    RuleKind.FIRST_HABIT: 1,
    RuleKind.FIRST_CHECK_IN: 1,
    RuleKind.FIRST_JOURNAL: 1,
    RuleKind.FOUNDATION_14: 14,
    RuleKind.HYGIENE_MONTH: 30,
    RuleKind.BALANCED_WEEK: len(FOCUS_CATEGORIES),
    RuleKind.COMEBACK: 1,
}


@dataclass(frozen=True, slots=True)
class Rule:
    kind: RuleKind
    params: Mapping[str, int]
    target: int


@dataclass(frozen=True, slots=True)
class Progress:
    current: int  # capped at target
    target: int
    met: bool


@dataclass(frozen=True, slots=True)
class HabitFacts:
    """What the rules read about one habit, derived once."""

    category: Category
    kind: Kind
    schedule: Schedule
    streak_unit: StreakUnit
    longest_streak: int  # INTERVAL BUILD habits: in DONE days (see habit_facts)
    week_zero: date  # the Monday of start_date's week
    weeks: int  # bit i: the calendar week starting week_zero + i weeks has a DONE day
    check_in_days: int  # days with some quantity logged
    reading_pages: float  # quantity logged through today when the unit is pages, else 0
    comeback: int  # COMEBACK holds for a streak of k iff k <= this (see server.habits.tally)
    # The last days the streak walk judged, from `start` through today (from start_date, unless the
    # walk resumed from a checkpoint): no rule reads them, so they take no part in comparisons.
    start: date = field(default=date.min, compare=False)
    statuses: tuple[DayStatus, ...] = field(default=(), compare=False)

    @property
    def done_weeks(self) -> frozenset[date]:
        """The Mondays of the calendar weeks with at least one DONE day."""
        return frozenset(self.week_zero + index * _ONE_WEEK for index in range(self.weeks.bit_length())
                         if self.weeks >> index & 1)


@dataclass(frozen=True, slots=True)
class Facts:
    """A user's activity, digested for the rules."""

    today: date
    habits: tuple[HabitFacts, ...]
    journal_entries: int


def facts_of(activity: Activity, habits: Mapping[UUID, HabitFacts] | None = None) -> Facts:
    """Summaries of every habit, computed once for all the rules: `habits` where given (the recompute
    continues them from checkpoints), else from one walk over each habit's whole history."""
    return Facts(
        today=activity.today,
        habits=tuple(habits[habit.id] if habits is not None else replayed_facts(habit, activity.today)
                     for habit in activity.habits),
        journal_entries=sum(1 for entry in activity.journal if entry.day <= activity.today),
    )


def evaluate(rule: Rule, activity: Activity | Facts) -> Progress:
    """A rule's progress: its measure capped at the target, met once the measure reaches it."""
    facts = activity if isinstance(activity, Facts) else facts_of(activity)
    measure = _MEASURES[rule.kind](facts, rule.params)
    return Progress(min(measure, rule.target), rule.target, measure >= rule.target)


# --- one measure per kind -------------------------------------------------------------------------


def habits_created(facts: Facts, params: Mapping[str, int]) -> int:
    """FIRST_HABIT: the number of habits the user has created, archived ones included."""
    return len(facts.habits)


def check_ins(facts: Facts, params: Mapping[str, int]) -> int:
    """FIRST_CHECK_IN: the number of days with a check-in on a BUILD habit."""
    return sum(h.check_in_days for h in facts.habits if h.kind is Kind.BUILD)


def journal_entries(facts: Facts, params: Mapping[str, int]) -> int:
    """FIRST_JOURNAL, JOURNAL_ENTRIES: the number of journal entries written."""
    return facts.journal_entries


def best_day_streak(facts: Facts, params: Mapping[str, int]) -> int:
    """HABIT_STREAK: the longest streak ever of any single BUILD habit counted in days."""
    return _longest_day_streak(facts, category=None)


def workout_foundation(facts: Facts, params: Mapping[str, int]) -> int:
    """FOUNDATION_14: the longest streak ever, in days, of a WORKOUT BUILD habit."""
    return _longest_day_streak(facts, Category.WORKOUT)


def hygiene_month(facts: Facts, params: Mapping[str, int]) -> int:
    """HYGIENE_MONTH: the longest streak ever, in days, of a HYGIENE BUILD habit."""
    return _longest_day_streak(facts, Category.HYGIENE)


def pages_read(facts: Facts, params: Mapping[str, int]) -> int:
    """READING_TOTAL: whole pages logged on READING habits whose unit is "page" or "pages"."""
    return int(sum(h.reading_pages for h in facts.habits))


def friends_weeks(facts: Facts, params: Mapping[str, int]) -> int:
    """FRIENDS_WEEKS: the most consecutive calendar weeks (Monday first) with a done day on a FRIENDS habit."""
    weeks = 0
    for mask in _aligned([h for h in facts.habits if h.category is Category.FRIENDS and h.kind is Kind.BUILD]):
        weeks |= mask
    best = 0
    while weeks:  # each round shortens every run of weeks by one: as many rounds as the longest run
        weeks &= weeks >> 1
        best += 1
    return best


def no_contact_days(facts: Facts, params: Mapping[str, int]) -> int:
    """NO_CONTACT: the longest clean streak ever, in days, of any QUIT habit."""
    return max((h.longest_streak for h in facts.habits if h.kind is Kind.QUIT), default=0)


def balanced_week(facts: Facts, params: Mapping[str, int]) -> int:
    """BALANCED_WEEK: the most focus categories with a done day within one calendar week."""
    focus = [h for h in facts.habits if h.kind is Kind.BUILD and h.category in FOCUS_CATEGORIES]
    covered: dict[Category, int] = {}
    for habit, mask in zip(focus, _aligned(focus), strict=True):
        covered[habit.category] = covered.get(habit.category, 0) | mask
    masks = [mask for mask in covered.values() if mask]
    for size in range(len(masks), 0, -1):
        if any(reduce(and_, group) for group in combinations(masks, size)):
            return size  # some week has a done day in `size` of the categories
    return 0


def comeback(facts: Facts, params: Mapping[str, int]) -> int:
    """COMEBACK: 1 once a daily or weekdays BUILD habit rebuilt a streak of `streak` days after losing one."""
    streak = params["streak"]
    return int(any(h.comeback >= streak for h in facts.habits
                   if h.kind is Kind.BUILD and h.streak_unit is StreakUnit.DAYS))


_MEASURES: Mapping[RuleKind, Callable[[Facts, Mapping[str, int]], int]] = {
    RuleKind.FIRST_HABIT: habits_created,
    RuleKind.FIRST_CHECK_IN: check_ins,
    RuleKind.FIRST_JOURNAL: journal_entries,
    RuleKind.HABIT_STREAK: best_day_streak,
    RuleKind.FOUNDATION_14: workout_foundation,
    RuleKind.READING_TOTAL: pages_read,
    RuleKind.HYGIENE_MONTH: hygiene_month,
    RuleKind.FRIENDS_WEEKS: friends_weeks,
    RuleKind.NO_CONTACT: no_contact_days,
    RuleKind.BALANCED_WEEK: balanced_week,
    RuleKind.COMEBACK: comeback,
    RuleKind.JOURNAL_ENTRIES: journal_entries,
}


# --- helpers --------------------------------------------------------------------------------------


def replayed_facts(habit: HabitActivity, today: date) -> HabitFacts:
    """A habit's facts from one streak walk over its whole history (summarize would walk again and
    compute strength too)."""
    timeline = walk(habit.rules, habit.log, today)
    return habit_facts(habit, timeline, fold(habit.rules, habit.log, EMPTY, timeline.start, timeline.statuses, today))


def habit_facts(habit: HabitActivity, timeline: Timeline, tally: Tally) -> HabitFacts:
    """A habit's facts from its streak walk through today (resumed or not) and its tally through today."""
    rules = habit.rules
    streak_unit = StreakUnit.DAYS if rules.kind is Kind.QUIT else rules.schedule.streak_unit
    longest = timeline.longest_streak
    if rules.kind is Kind.BUILD and rules.schedule.period is Period.INTERVAL:
        # "N days in a row" means N check-in days here; an interval habit's own streak also counts the
        # days its check-ins cover, which would let one check-in on "once in 365 days" earn a month.
        longest = tally.done_longest
    pages = 0.0
    if habit.category is Category.READING and habit.kind is Kind.BUILD and _unit(habit) in PAGE_UNITS:
        pages = tally.logged
    return HabitFacts(habit.category, habit.kind, rules.schedule, streak_unit, longest,
                      week_start(rules.start_date), tally.done_weeks, tally.check_in_days, pages, tally.comeback_best,
                      timeline.start, timeline.statuses)


def _aligned(habits: Sequence[HabitFacts]) -> list[int]:
    """The habits' week bits, each shifted to count from the earliest week_zero among them."""
    if not habits:
        return []
    origin = min(h.week_zero for h in habits)
    return [h.weeks << ((h.week_zero - origin).days // 7) for h in habits]


def _unit(habit: HabitActivity) -> str | None:
    return habit.unit.strip().lower() if habit.unit else None


def _longest_day_streak(facts: Facts, category: Category | None) -> int:
    return max(
        (
            h.longest_streak
            for h in facts.habits
            if h.kind is Kind.BUILD and h.streak_unit is StreakUnit.DAYS and category in (None, h.category)
        ),
        default=0,
    )
