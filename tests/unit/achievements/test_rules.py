"""Achievement rule kinds: the exact current/target each reports, and when it is met.

Habit histories are written one character per day, oldest first, the last one being today:
x = done (BUILD) or slip (QUIT), . = nothing, s = skipped, p = partial (half the target).
"""

from datetime import date, timedelta
from uuid import uuid4

from hypothesis import given, settings
from hypothesis import strategies as st

from server.achievements.rules import Progress, Rule, RuleKind, evaluate, facts_of
from server.activity import Activity, HabitActivity, JournalActivity
from server.habits.model import Category, DayStatus, HabitLog, HabitRules, Kind, Period, Schedule

TODAY = date(2024, 5, 15)  # a Wednesday
MONDAY = date(2024, 4, 1)
DAILY = Schedule(Period.DAILY)


def _habit(
    history: str,
    category: Category = Category.WORKOUT,
    kind: Kind = Kind.BUILD,
    schedule: Schedule = DAILY,
    target: float = 1.0,
    archived_on: date | None = None,
) -> HabitActivity:
    start = TODAY - timedelta(days=len(history) - 1)
    amounts = {"x": target, "p": target / 2}
    quantities = {start + timedelta(days=i): amounts[mark] for i, mark in enumerate(history) if mark in amounts}
    skips = frozenset(start + timedelta(days=i) for i, mark in enumerate(history) if mark == "s")
    return HabitActivity(
        uuid4(),
        f"{category} {kind}",
        category,
        HabitRules(kind, schedule, target, start),
        HabitLog(quantities, skips),
        start,
        archived_on,
    )


def _on_days(days: list[date], category: Category) -> HabitActivity:
    """A daily BUILD habit started at MONDAY, done on exactly the given days."""
    return HabitActivity(
        uuid4(), "h", category, HabitRules(Kind.BUILD, DAILY, 1.0, MONDAY), HabitLog(dict.fromkeys(days, 1.0)), MONDAY
    )


def _reading(quantities: list[float], unit: str | None, category: Category = Category.READING) -> HabitActivity:
    start = TODAY - timedelta(days=len(quantities) - 1)
    rules = HabitRules(Kind.BUILD, DAILY, 10.0, start)
    log = HabitLog({start + timedelta(days=i): q for i, q in enumerate(quantities) if q > 0})
    return HabitActivity(uuid4(), "read", category, rules, log, start, unit=unit)


def _activity(*habits: HabitActivity, journal: tuple[date, ...] = ()) -> Activity:
    return Activity(
        today=TODAY,
        signed_up_on=TODAY - timedelta(days=400),
        habits=habits,
        journal=tuple(JournalActivity(day) for day in journal),
    )


def _rule(kind: RuleKind, target: int, **params: int) -> Rule:
    return Rule(kind, params, target)


def _week(offset: int, weekday: int = 0) -> date:
    """A day of the calendar week `offset` weeks after MONDAY's (weekday 0 = Monday ... 6 = Sunday)."""
    return MONDAY + timedelta(weeks=offset, days=weekday)


# --- FIRST_HABIT, FIRST_CHECK_IN, FIRST_JOURNAL, JOURNAL_ENTRIES ----------------------------------


def test_first_habit_is_not_met_without_habits() -> None:
    assert evaluate(_rule(RuleKind.FIRST_HABIT, 1), _activity()) == Progress(0, 1, False)


def test_first_habit_counts_archived_habits_and_caps_at_the_target() -> None:
    # Given two habits, one archived
    activity = _activity(_habit("."), _habit("..", archived_on=TODAY - timedelta(days=1)))

    # When / Then
    assert evaluate(_rule(RuleKind.FIRST_HABIT, 1), activity) == Progress(1, 1, True)


def test_first_check_in_needs_some_quantity_on_a_build_habit() -> None:
    # Given a BUILD habit never checked in and a QUIT habit with a slip
    nothing = _activity(_habit("...."), _habit("..x.", kind=Kind.QUIT))
    # And a BUILD habit with half its target once
    partial = _activity(_habit("..p.", target=2.0))

    # When / Then
    assert evaluate(_rule(RuleKind.FIRST_CHECK_IN, 1), nothing) == Progress(0, 1, False)
    assert evaluate(_rule(RuleKind.FIRST_CHECK_IN, 1), partial) == Progress(1, 1, True)


def test_first_journal_and_journal_entries_count_entries_through_today() -> None:
    # Given 3 entries up to today and one dated tomorrow
    journal = (TODAY - timedelta(days=9), TODAY - timedelta(days=1), TODAY, TODAY + timedelta(days=1))
    activity = _activity(journal=journal)

    # When / Then
    assert evaluate(_rule(RuleKind.FIRST_JOURNAL, 1), _activity()) == Progress(0, 1, False)
    assert evaluate(_rule(RuleKind.FIRST_JOURNAL, 1), activity) == Progress(1, 1, True)
    assert evaluate(_rule(RuleKind.JOURNAL_ENTRIES, 5), activity) == Progress(3, 5, False)
    assert evaluate(_rule(RuleKind.JOURNAL_ENTRIES, 3), activity) == Progress(3, 3, True)


# --- HABIT_STREAK, FOUNDATION_14, HYGIENE_MONTH ---------------------------------------------------


def test_habit_streak_is_the_longest_streak_even_when_broken_since() -> None:
    # Given a habit with runs of 5 and 2, broken yesterday
    activity = _activity(_habit("xxxxx.xx.."))

    # When / Then the 5 counts although the current streak is 0
    assert evaluate(_rule(RuleKind.HABIT_STREAK, 7), activity) == Progress(5, 7, False)
    assert evaluate(_rule(RuleKind.HABIT_STREAK, 3), activity) == Progress(3, 3, True)


def test_habit_streak_takes_the_best_single_habit_not_a_sum() -> None:
    # Given two habits with streaks of 4 and 6
    activity = _activity(_habit("xxxx"), _habit("xxxxxx", Category.READING))

    # When / Then
    assert evaluate(_rule(RuleKind.HABIT_STREAK, 7), activity) == Progress(6, 7, False)


def test_a_freeze_keeps_the_habit_streak_alive() -> None:
    # Given 7 done days (earning a freeze), a miss the freeze covers, then 3 more
    activity = _activity(_habit("xxxxxxx.xxx"))

    # When / Then 7 + 3 = 10 (the frozen day does not add)
    assert evaluate(_rule(RuleKind.HABIT_STREAK, 14), activity) == Progress(10, 14, False)


def test_habit_streak_ignores_week_streaks_and_quit_habits() -> None:
    # Given a weekly habit met for many weeks and a clean QUIT habit
    weekly = _habit("x" * 60, schedule=Schedule(Period.WEEKLY, times_per_week=1))
    quit_habit = _habit("." * 30, kind=Kind.QUIT)

    # When / Then neither is a streak of days of a BUILD habit
    assert evaluate(_rule(RuleKind.HABIT_STREAK, 3), _activity(weekly, quit_habit)) == Progress(0, 3, False)


def test_weekdays_habits_count_only_scheduled_days() -> None:
    # Given a Mon/Wed/Fri habit done on every day for two weeks ending today (a Wednesday)
    habit = _habit("x" * 14, schedule=Schedule(Period.WEEKDAYS, (1, 3, 5)))

    # When / Then 14 days from Thursday 2 May hold 6 scheduled days: Fri 3, Mon 6, Wed 8, Fri 10, Mon 13, Wed 15
    assert evaluate(_rule(RuleKind.HABIT_STREAK, 7), _activity(habit)) == Progress(6, 7, False)


def test_an_interval_habit_streak_counts_check_in_days_not_covered_days() -> None:
    # Given "once in any 30 days", checked once 40 days ago and once 10 days ago: every day since the
    # first check-in is covered (a 41-day streak in Loop's sense), but only 2 of them are check-ins
    once_a_month = Schedule(Period.INTERVAL, times=1, days=30)
    activity = _activity(_habit("x" + "." * 29 + "x" + "." * 10, schedule=once_a_month))

    # When / Then the 30-day badge needs 30 check-in days in a row
    assert evaluate(_rule(RuleKind.HABIT_STREAK, 30), activity) == Progress(2, 30, False)
    assert facts_of(activity).habits[0].statuses.count(DayStatus.COVERED) == 39


def test_foundation_needs_a_workout_streak_of_14_days() -> None:
    # Given a reading streak of 20 and a workout streak of 10
    partway = _activity(_habit("x" * 20, Category.READING), _habit("x" * 10, Category.WORKOUT))
    # And a workout streak of 14
    done = _activity(_habit("x" * 14 + "..", Category.WORKOUT))

    # When / Then
    assert evaluate(_rule(RuleKind.FOUNDATION_14, 14), partway) == Progress(10, 14, False)
    assert evaluate(_rule(RuleKind.FOUNDATION_14, 14), done) == Progress(14, 14, True)


def test_hygiene_month_needs_a_hygiene_streak_of_30_days() -> None:
    # Given 29 done hygiene days and today not done yet
    almost = _activity(_habit("x" * 29 + ".", Category.HYGIENE), _habit("x" * 40, Category.WORKOUT))
    # And 30 done days, archived since
    done = _activity(_habit("." + "x" * 30 + ".", Category.HYGIENE, archived_on=TODAY))

    # When / Then
    assert evaluate(_rule(RuleKind.HYGIENE_MONTH, 30), almost) == Progress(29, 30, False)
    assert evaluate(_rule(RuleKind.HYGIENE_MONTH, 30), done) == Progress(30, 30, True)


# --- READING_TOTAL --------------------------------------------------------------------------------


def test_reading_total_sums_pages_logged_on_reading_habits_in_pages() -> None:
    # Given a reading habit in "Pages" (40 + 35.5 + 30 = 105.5 pages, partial days included)
    pages = _reading([40.0, 0.0, 35.5, 30.0], "Pages")
    # And pages on a habit counted in minutes, one without unit, and a workout "in pages"
    others = (_reading([300.0], "minutes"), _reading([300.0], None), _reading([300.0], "page", Category.WORKOUT))

    # When
    activity = _activity(pages, *others)

    # Then whole pages: 105
    assert evaluate(_rule(RuleKind.READING_TOTAL, 500), activity) == Progress(105, 500, False)
    assert evaluate(_rule(RuleKind.READING_TOTAL, 100), activity) == Progress(100, 100, True)


def test_reading_total_adds_habits_in_page_and_pages() -> None:
    # Given two reading habits, in " page " and "PAGES"
    activity = _activity(_reading([12.0, 8.0], " page "), _reading([30.0], "PAGES"))

    # When / Then
    assert evaluate(_rule(RuleKind.READING_TOTAL, 100), activity) == Progress(50, 100, False)


# --- FRIENDS_WEEKS --------------------------------------------------------------------------------


def test_friends_weeks_is_the_longest_run_of_consecutive_weeks() -> None:
    # Given friends met in weeks 0, 1, 2, then 4 and 5 (week 3 missing)
    days = [_week(0, 2), _week(1, 6), _week(2, 0), _week(4, 3), _week(5, 5)]
    activity = _activity(_on_days(days, Category.FRIENDS))

    # When / Then
    assert evaluate(_rule(RuleKind.FRIENDS_WEEKS, 4), activity) == Progress(3, 4, False)


def test_friends_weeks_joins_weeks_across_friends_habits_only() -> None:
    # Given two friends habits covering alternate weeks, and a workout habit filling week 4
    first = _on_days([_week(0), _week(2)], Category.FRIENDS)
    second = _on_days([_week(1, 4), _week(3, 6)], Category.FRIENDS)
    workout = _on_days([_week(4)], Category.WORKOUT)

    # When / Then
    assert evaluate(_rule(RuleKind.FRIENDS_WEEKS, 4), _activity(first, second, workout)) == Progress(4, 4, True)
    assert evaluate(_rule(RuleKind.FRIENDS_WEEKS, 6), _activity(first, second, workout)) == Progress(4, 6, False)


def test_friends_weeks_start_on_monday() -> None:
    # Given a Sunday and the next Monday, then a Monday and the Sunday of the same week
    across = _activity(_on_days([_week(0, 6), _week(1, 0)], Category.FRIENDS))
    within = _activity(_on_days([_week(0, 0), _week(0, 6)], Category.FRIENDS))

    # When / Then
    assert evaluate(_rule(RuleKind.FRIENDS_WEEKS, 4), across) == Progress(2, 4, False)
    assert evaluate(_rule(RuleKind.FRIENDS_WEEKS, 4), within) == Progress(1, 4, False)


# --- NO_CONTACT -----------------------------------------------------------------------------------


def test_no_contact_is_the_longest_clean_streak_of_any_quit_habit() -> None:
    # Given a QUIT habit clean 6 days, a slip, then clean 4 days; and another clean 3 days
    activity = _activity(_habit("......x....", kind=Kind.QUIT), _habit("...", Category.FRIENDS, Kind.QUIT))

    # When / Then
    assert evaluate(_rule(RuleKind.NO_CONTACT, 7), activity) == Progress(6, 7, False)


def test_no_contact_is_met_after_seven_clean_days_including_today() -> None:
    assert evaluate(_rule(RuleKind.NO_CONTACT, 7), _activity(_habit("x.......", kind=Kind.QUIT))) == Progress(
        7, 7, True
    )


def test_no_contact_ignores_build_streaks() -> None:
    assert evaluate(_rule(RuleKind.NO_CONTACT, 7), _activity(_habit("x" * 10))) == Progress(0, 7, False)


# --- BALANCED_WEEK --------------------------------------------------------------------------------


def test_balanced_week_counts_the_best_weeks_categories() -> None:
    # Given workout, reading and hygiene done in week 0; friends only in week 1; a clean QUIT friends habit
    habits = (
        _on_days([_week(0, 1)], Category.WORKOUT),
        _on_days([_week(0, 3), _week(1, 0)], Category.READING),
        _on_days([_week(0, 6)], Category.HYGIENE),
        _on_days([_week(1, 2)], Category.FRIENDS),
        _habit("." * 60, Category.FRIENDS, Kind.QUIT),
    )

    # When / Then week 0 covers 3 categories, week 1 covers 2
    assert evaluate(_rule(RuleKind.BALANCED_WEEK, 4), _activity(*habits)) == Progress(3, 4, False)


def test_balanced_week_is_met_when_one_week_covers_all_four() -> None:
    # Given one done day of each focus category within week 2 (Monday to Sunday)
    habits = tuple(
        _on_days([_week(2, i * 2)], c)
        for i, c in enumerate((Category.WORKOUT, Category.READING, Category.HYGIENE, Category.FRIENDS))
    )

    # When / Then
    assert evaluate(_rule(RuleKind.BALANCED_WEEK, 4), _activity(*habits)) == Progress(4, 4, True)


def test_balanced_week_does_not_count_partial_days() -> None:
    # Given a week where the friends habit was only half done
    habits = (
        _on_days([_week(0)], Category.WORKOUT),
        _on_days([_week(0)], Category.READING),
        _on_days([_week(0)], Category.HYGIENE),
        HabitActivity(
            uuid4(),
            "f",
            Category.FRIENDS,
            HabitRules(Kind.BUILD, DAILY, 2.0, MONDAY),
            HabitLog({_week(0, 1): 1.0}),
            MONDAY,
        ),
    )

    # When / Then
    assert evaluate(_rule(RuleKind.BALANCED_WEEK, 4), _activity(*habits)) == Progress(3, 4, False)


# --- COMEBACK -------------------------------------------------------------------------------------


def _comeback(history: str, schedule: Schedule = DAILY) -> Progress:
    return evaluate(_rule(RuleKind.COMEBACK, 1, streak=3), _activity(_habit(history, schedule=schedule)))


def test_comeback_is_a_streak_of_three_rebuilt_after_a_miss() -> None:
    assert _comeback("xxx.xxx") == Progress(1, 1, True)
    assert _comeback("..xxxx..x.xxx.") == Progress(1, 1, True)


def test_comeback_needs_three_before_and_three_after() -> None:
    assert _comeback("xx.xxx") == Progress(0, 1, False)
    assert _comeback("xxx.xx") == Progress(0, 1, False)
    assert _comeback("xxxxxx") == Progress(0, 1, False)


def test_comeback_needs_a_real_break_not_a_skip_or_a_freeze() -> None:
    assert _comeback("xxxsxxx") == Progress(0, 1, False)
    # 7 done days earn a freeze that covers the miss
    assert _comeback("xxxxxxx.xxx") == Progress(0, 1, False)


def test_a_partial_past_day_breaks_the_streak() -> None:
    assert _comeback("xxxpxxx") == Progress(1, 1, True)


def test_comeback_on_weekdays_ignores_unscheduled_days() -> None:
    # Given a Mon/Wed/Fri habit over 14 days ending Wednesday 15 May (first day Thursday 2 May)
    mwf = Schedule(Period.WEEKDAYS, (1, 3, 5))
    # Done on all scheduled days but Wednesday 8 May; Tuesday 7 May done too (not scheduled)
    # Weekday initials:  TFSSMTWTFSSMTW
    broken = ".x..xx..x..x.x"
    whole = ".x..xxx.x..x.x"

    # When / Then: runs Fri 3, Mon 6 (+Tue, unscheduled, adds nothing) = 2 before the miss: no comeback
    assert _comeback(broken, mwf) == Progress(0, 1, False)
    # and without the miss it is one streak of 6
    assert _comeback(whole, mwf) == Progress(0, 1, False)
    # Over 17 days from Monday 29 April: Mon Wed Fri done, Mon 6 missed, then Wed Fri Mon Wed done
    # Weekday initials: MTWTFSSMTWTFSSMTW
    rebuilt = "x.x.x...xx.x..x.x"
    assert _comeback(rebuilt, mwf) == Progress(1, 1, True)


def test_comeback_ignores_quit_habits() -> None:
    quit_habit = _habit("...x...", kind=Kind.QUIT)
    assert evaluate(_rule(RuleKind.COMEBACK, 1, streak=3), _activity(quit_habit)) == Progress(0, 1, False)


# --- properties -----------------------------------------------------------------------------------

_HISTORIES = st.text(alphabet="x.sp", max_size=60)
_KINDS_WITH_PARAMS = st.sampled_from(list(RuleKind)).map(
    lambda kind: (kind, {"streak": 3} if kind is RuleKind.COMEBACK else {})
)


@settings(max_examples=150, deadline=None)
@given(
    st.lists(
        st.tuples(_HISTORIES.filter(bool), st.sampled_from(list(Category)), st.sampled_from(list(Kind))), max_size=4
    ),
    _KINDS_WITH_PARAMS,
    st.integers(1, 40),
)
def test_progress_is_capped_and_met_exactly_at_the_target(
    habits: list[tuple[str, Category, Kind]], kind_params: tuple[RuleKind, dict[str, int]], target: int
) -> None:
    # Given
    activity = _activity(*(_habit(history, category, kind) for history, category, kind in habits))
    rule = Rule(kind_params[0], kind_params[1], target)

    # When
    progress = evaluate(rule, activity)

    # Then
    assert 0 <= progress.current <= target and progress.target == target
    assert progress.met == (progress.current == target)
    assert evaluate(rule, facts_of(activity)) == progress
