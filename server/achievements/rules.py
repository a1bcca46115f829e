"""The closed set of achievement rule kinds and their pure evaluation against a user's activity.

Everything a rule needs is derived once per activity (`facts_of`): one streak walk per habit,
shared by all rules, so evaluating the whole catalogue stays cheap.
Habits count whether archived or not: achievements are about what was achieved.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from server.activity import Activity, HabitActivity
from server.habits.model import Category, DayStatus, Kind, Period, Schedule, StreakUnit
from server.habits.timeline import done_day_streaks, walk

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
    longest_streak: int  # INTERVAL BUILD habits: in DONE days (see _habit_facts)
    start: date  # the habit's start_date: the day of statuses[0]
    statuses: tuple[DayStatus, ...]  # start_date through today, as the streak walk gave them
    done_weeks: frozenset[date]  # Mondays of the calendar weeks with at least one DONE day
    check_in_days: int  # days with some quantity logged
    reading_pages: float  # quantity logged through today when the unit is pages, else 0


@dataclass(frozen=True, slots=True)
class Facts:
    """A user's activity, digested for the rules."""

    today: date
    habits: tuple[HabitFacts, ...]
    journal_entries: int


def facts_of(activity: Activity) -> Facts:
    """Summaries and day statuses of every habit, computed once for all the rules."""
    return Facts(
        today=activity.today,
        habits=tuple(_habit_facts(habit, activity.today) for habit in activity.habits),
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
    weeks = sorted(
        set().union(*(h.done_weeks for h in facts.habits if h.category is Category.FRIENDS and h.kind is Kind.BUILD))
    )
    best = run = 0
    for index, week in enumerate(weeks):
        run = run + 1 if index > 0 and week - weeks[index - 1] == _ONE_WEEK else 1
        best = max(best, run)
    return best


def no_contact_days(facts: Facts, params: Mapping[str, int]) -> int:
    """NO_CONTACT: the longest clean streak ever, in days, of any QUIT habit."""
    return max((h.longest_streak for h in facts.habits if h.kind is Kind.QUIT), default=0)


def balanced_week(facts: Facts, params: Mapping[str, int]) -> int:
    """BALANCED_WEEK: the most focus categories with a done day within one calendar week."""
    covered: dict[date, set[Category]] = {}
    for h in facts.habits:
        if h.kind is Kind.BUILD and h.category in FOCUS_CATEGORIES:
            for week in h.done_weeks:
                covered.setdefault(week, set()).add(h.category)
    return max((len(categories) for categories in covered.values()), default=0)


def comeback(facts: Facts, params: Mapping[str, int]) -> int:
    """COMEBACK: 1 once a daily or weekdays BUILD habit rebuilt a streak of `streak` days after losing one."""
    streak = params["streak"]
    return int(
        any(
            _rebuilt(h, streak, facts.today)
            for h in facts.habits
            if h.kind is Kind.BUILD and h.streak_unit is StreakUnit.DAYS
        )
    )


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


def _habit_facts(habit: HabitActivity, today: date) -> HabitFacts:
    rules, log = habit.rules, habit.log
    start = rules.start_date
    # One streak walk serves every rule (summarize would walk again and compute strength too).
    timeline = walk(rules, log, today)
    statuses = timeline.statuses  # one per day from start_date through today (none before it starts)
    streak_unit = StreakUnit.DAYS if rules.kind is Kind.QUIT else rules.schedule.streak_unit
    longest = timeline.longest_streak
    if rules.kind is Kind.BUILD and rules.schedule.period is Period.INTERVAL:
        # "N days in a row" means N check-in days here; an interval habit's own streak also counts the
        # days its check-ins cover, which would let one check-in on "once in 365 days" earn a month.
        longest = done_day_streaks(statuses)[1]
    # Quantities logged from start_date through today, in day order; only the logged days need visiting.
    logged = [q for _, q in sorted((d, float(q)) for d, q in log.quantities.items() if start <= d <= today) if q > 0]
    pages = 0.0
    if habit.category is Category.READING and habit.kind is Kind.BUILD and _unit(habit) in PAGE_UNITS:
        pages = sum(logged)
    # Calendar weeks (their Mondays) with a DONE day; in ordinals, Monday is o - (o + 6) % 7.
    first = start.toordinal()
    done_weeks = frozenset(map(date.fromordinal, {
        o - (o + 6) % 7 for o in (first + index for index, status in enumerate(statuses) if status is DayStatus.DONE)
    }))
    return HabitFacts(
        habit.category,
        habit.kind,
        rules.schedule,
        streak_unit,
        longest,
        start,
        statuses,
        done_weeks,
        len(logged),
        pages,
    )


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


def _rebuilt(habit: HabitFacts, streak: int, today: date) -> bool:
    """A streak of `streak` done days was broken by a miss (not frozen, not skipped), then built again."""
    run = 0
    lost_one = False
    schedule, start = habit.schedule, habit.start
    every_day = schedule.period is not Period.WEEKDAYS  # Schedule.is_due is True on every day then
    before_today = (today - start).days  # statuses[i] is the day start + i; today is the last
    for index, status in enumerate(habit.statuses):
        due = every_day or schedule.is_due(start + timedelta(days=index))
        if status is DayStatus.DONE and due:
            run += 1
            if lost_one and run >= streak:
                return True
        elif _breaks(status, due, index < before_today):
            lost_one = lost_one or run >= streak
            run = 0
        # SKIPPED, FROZEN, today's PENDING and any day that is not due neither add nor break.
    return False


def _breaks(status: DayStatus, due: bool, before_today: bool) -> bool:
    # The streak walk resets on a due day before today that is not done: MISSED when empty,
    # PARTIAL when something short of the target was logged. Frozen and skipped days do not reset.
    if status is DayStatus.MISSED:
        return True
    return status is DayStatus.PARTIAL and due and before_today
