"""Requirement kinds: what each measures, the exact current/target it reports, and when it is met.

Habit histories are written one character per day, oldest first, the last one being today:
x = done (BUILD) or slip (QUIT), . = nothing.
"""

from datetime import date, timedelta
from uuid import uuid4

import pytest

from server.activity import Activity, HabitActivity, JournalActivity
from server.habits.model import Category, HabitLog, HabitRules, Kind, Period, Schedule
from server.program.requirements import (
    CategoryStreak,
    ConfidenceAtLeast,
    HabitsCreated,
    HabitStrength,
    JournalEntries,
    QuitStreak,
    RequirementProgress,
    evaluate,
)

TODAY = date(2024, 5, 15)
DAILY = Schedule(Period.DAILY)


def _habit(
    history: str,
    category: Category = Category.WORKOUT,
    kind: Kind = Kind.BUILD,
    schedule: Schedule = DAILY,
    archived_on: date | None = None,
) -> HabitActivity:
    start = TODAY - timedelta(days=len(history) - 1)
    quantities = {start + timedelta(days=i): 1.0 for i, mark in enumerate(history) if mark == "x"}
    return HabitActivity(
        id=uuid4(),
        name=f"{category} {kind}",
        category=category,
        rules=HabitRules(kind, schedule, 1.0, start),
        log=HabitLog(quantities),
        created_on=start,
        archived_on=archived_on,
    )


def _activity(*habits: HabitActivity, journal: tuple[JournalActivity, ...] = ()) -> Activity:
    return Activity(today=TODAY, signed_up_on=TODAY - timedelta(days=100), habits=habits, journal=journal)


def _entries(*step_keys: str | None) -> tuple[JournalActivity, ...]:
    return tuple(JournalActivity(TODAY, key) for key in step_keys)


def _progress(kind: str, description: str, current: float, target: float, met: bool) -> RequirementProgress:
    return RequirementProgress(kind, description, current, target, met)


# JOURNAL_ENTRIES


def test_journal_entries_for_a_step_count_only_that_steps_entries() -> None:
    # given one entry for the step, one for another step and one for none
    activity = _activity(journal=_entries("awareness", "fears", None))

    # when
    progress = evaluate(JournalEntries(2, "awareness"), activity, {})

    # then
    assert progress == _progress("JOURNAL_ENTRIES", "Write 2 journal entries for this step", 1.0, 2.0, False)


def test_journal_entries_for_a_step_met_and_capped_at_the_target() -> None:
    # given three entries for the step
    activity = _activity(journal=_entries("awareness", "awareness", "awareness"))

    # when
    progress = evaluate(JournalEntries(2, "awareness"), activity, {})

    # then
    assert (progress.current, progress.target, progress.met) == (2.0, 2.0, True)


def test_journal_entries_without_a_step_count_every_entry() -> None:
    # given entries for two steps and one free entry
    activity = _activity(journal=_entries("awareness", "fears", None))

    # when
    progress = evaluate(JournalEntries(3), activity, {})

    # then
    assert progress == _progress("JOURNAL_ENTRIES", "Write 3 journal entries", 3.0, 3.0, True)


def test_a_single_journal_entry_reads_in_the_singular() -> None:
    # when
    progress = evaluate(JournalEntries(1), _activity(), {})

    # then
    assert progress == _progress("JOURNAL_ENTRIES", "Write 1 journal entry", 0.0, 1.0, False)


# HABITS_CREATED


def test_habits_created_count_archived_habits_too() -> None:
    # given one active habit and one archived long ago
    activity = _activity(_habit("x"), _habit("x" * 30, archived_on=TODAY - timedelta(days=20)))

    # when
    progress = evaluate(HabitsCreated(2), activity, {})

    # then
    assert progress == _progress("HABITS_CREATED", "Create 2 habits", 2.0, 2.0, True)


def test_habits_created_of_a_category_ignore_other_categories() -> None:
    # given one friends habit (archived), one workout habit and one reading habit
    activity = _activity(
        _habit("x" * 5, Category.FRIENDS, archived_on=TODAY - timedelta(days=1)),
        _habit("x", Category.WORKOUT),
        _habit("x", Category.READING),
    )

    # when
    progress = evaluate(HabitsCreated(2, Category.FRIENDS), activity, {})

    # then
    assert progress == _progress("HABITS_CREATED", "Create 2 friends habits", 1.0, 2.0, False)


def test_no_habits_created_yet() -> None:
    # when
    progress = evaluate(HabitsCreated(1, Category.READING), _activity(), {})

    # then
    assert progress == _progress("HABITS_CREATED", "Create 1 reading habit", 0.0, 1.0, False)


# CATEGORY_STREAK


def test_category_streak_met_on_the_fourteenth_day() -> None:
    # given a workout habit done the last 14 days, after a miss
    activity = _activity(_habit("." + "x" * 14))

    # when
    progress = evaluate(CategoryStreak(Category.WORKOUT, 14), activity, {})

    # then
    assert progress == _progress("CATEGORY_STREAK", "Keep a 14-day workout streak", 14.0, 14.0, True)


def test_category_streak_one_day_short() -> None:
    # given 13 done days ending yesterday, today not done yet (which does not break the streak)
    activity = _activity(_habit("." + "x" * 13 + "."))

    # when
    progress = evaluate(CategoryStreak(Category.WORKOUT, 14), activity, {})

    # then
    assert (progress.current, progress.target, progress.met) == (13.0, 14.0, False)


def test_category_streak_takes_the_best_habit_and_caps_at_the_target() -> None:
    # given two workout habits with streaks of 3 and 20
    activity = _activity(_habit("." + "x" * 3), _habit("x" * 20))

    # when
    progress = evaluate(CategoryStreak(Category.WORKOUT, 14), activity, {})

    # then
    assert (progress.current, progress.met) == (14.0, True)


def test_category_streak_ignores_other_categories_quit_weekly_and_archived_habits() -> None:
    # given long runs on habits that must not count, and a 2-day run on one that does
    long_run = "x" * 20
    activity = _activity(
        _habit(long_run, Category.READING),
        _habit("." * 20, Category.WORKOUT, kind=Kind.QUIT),  # 20 clean days, but a QUIT habit
        _habit(long_run, Category.WORKOUT, schedule=Schedule(Period.WEEKLY, times_per_week=7)),  # weeks
        _habit(long_run, Category.WORKOUT, archived_on=TODAY - timedelta(days=1)),
        _habit(".xx", Category.WORKOUT),
    )

    # when
    progress = evaluate(CategoryStreak(Category.WORKOUT, 14), activity, {})

    # then
    assert (progress.current, progress.met) == (2.0, False)


def test_a_habit_archived_today_still_counts_today() -> None:
    # given a 14-day workout streak on a habit archived today
    activity = _activity(_habit("x" * 14, archived_on=TODAY))

    # when
    progress = evaluate(CategoryStreak(Category.WORKOUT, 14), activity, {})

    # then
    assert progress.met is True


def test_weekdays_habits_count_their_streak_in_scheduled_days() -> None:
    # given a Monday-to-Friday workout habit done on every weekday of the last three weeks
    # (TODAY is a Wednesday: 15 scheduled days from Thursday 25 April to today)
    weekdays = Schedule(Period.WEEKDAYS, (1, 2, 3, 4, 5))
    history = "".join("x" if (TODAY - timedelta(days=20 - i)).isoweekday() <= 5 else "." for i in range(21))
    activity = _activity(_habit(history, schedule=weekdays))

    # when
    progress = evaluate(CategoryStreak(Category.WORKOUT, 20), activity, {})

    # then
    assert (progress.current, progress.met) == (15.0, False)


# HABIT_STRENGTH


def test_habit_strength_below_the_threshold() -> None:
    # given a daily reading habit done on each of its 13 days: Loop's score is then exactly 50%
    activity = _activity(_habit("x" * 13, Category.READING))

    # when
    progress = evaluate(HabitStrength(Category.READING, 60), activity, {})

    # then
    assert progress.kind == "HABIT_STRENGTH"
    assert progress.description == "Reach 60% strength on a reading habit"
    assert progress.current == pytest.approx(50.0)
    assert (progress.target, progress.met) == (60.0, False)


def test_habit_strength_met_and_capped_at_the_threshold() -> None:
    # given a daily reading habit done on each of its 26 days (75%) beside a weaker one
    activity = _activity(_habit("x" * 5, Category.READING), _habit("x" * 26, Category.READING))

    # when
    progress = evaluate(HabitStrength(Category.READING, 60), activity, {})

    # then
    assert (progress.current, progress.target, progress.met) == (60.0, 60.0, True)


def test_habit_strength_ignores_other_categories_and_archived_habits() -> None:
    # given strong habits in another category or archived, and a 13-day reading habit
    activity = _activity(
        _habit("x" * 40, Category.WORKOUT),
        _habit("x" * 40, Category.READING, archived_on=TODAY - timedelta(days=1)),
        _habit("x" * 13, Category.READING),
    )

    # when
    progress = evaluate(HabitStrength(Category.READING, 60), activity, {})

    # then
    assert progress.current == pytest.approx(50.0)
    assert progress.met is False


def test_habit_strength_counts_build_habits_only() -> None:
    # given a FRIENDS quit habit clean for 60 days (its strength grows by doing nothing) and no build habit
    activity = _activity(_habit("." * 60, Category.FRIENDS, Kind.QUIT))

    # when
    progress = evaluate(HabitStrength(Category.FRIENDS, 50), activity, {})

    # then it unlocks nothing: the step asks for time with friends, not for an absence
    assert (progress.current, progress.met) == (0.0, False)


def test_an_interval_habit_streak_counts_check_in_days() -> None:
    # given a workout habit "2 in any 3 days", done 2 of every 3 days for 15 days (today done)
    schedule = Schedule(Period.INTERVAL, times=2, days=3)
    activity = _activity(_habit("xx." * 4 + "xx" + "x", Category.WORKOUT, schedule=schedule))

    # when
    progress = evaluate(CategoryStreak(Category.WORKOUT, 14), activity, {})

    # then its 11 check-ins count, not the 4 days they covered besides
    assert (progress.current, progress.met) == (11.0, False)


def test_habit_strength_without_a_habit_of_the_category_is_zero() -> None:
    # when
    progress = evaluate(HabitStrength(Category.HYGIENE, 62.5), _activity(_habit("x" * 30)), {})

    # then
    assert progress == _progress("HABIT_STRENGTH", "Reach 62.5% strength on a hygiene habit", 0.0, 62.5, False)


# QUIT_STREAK


def test_quit_streak_met_after_thirty_clean_days() -> None:
    # given a QUIT habit started 29 days ago without a slip (30 clean days, today included)
    activity = _activity(_habit("." * 30, Category.FRIENDS, kind=Kind.QUIT))

    # when
    progress = evaluate(QuitStreak(30), activity, {})

    # then
    assert progress == _progress(
        "QUIT_STREAK", "Stay clean on a quit habit, like no contact, for 30 days", 30.0, 30.0, True
    )


def test_quit_streak_restarts_after_a_slip() -> None:
    # given a slip 10 days ago, after 50 clean days
    activity = _activity(_habit("." * 50 + "x" + "." * 10, Category.FRIENDS, kind=Kind.QUIT))

    # when
    progress = evaluate(QuitStreak(30), activity, {})

    # then
    assert (progress.current, progress.target, progress.met) == (10.0, 30.0, False)


def test_quit_streak_ignores_build_and_archived_habits() -> None:
    # given a long BUILD streak and an archived QUIT habit, and a 5-day clean QUIT habit
    activity = _activity(
        _habit("x" * 40),
        _habit("." * 40, kind=Kind.QUIT, archived_on=TODAY - timedelta(days=1)),
        _habit("." * 5, kind=Kind.QUIT),
    )

    # when
    progress = evaluate(QuitStreak(30), activity, {})

    # then
    assert (progress.current, progress.met) == (5.0, False)


def test_quit_streak_without_quit_habits_is_zero() -> None:
    # when
    progress = evaluate(QuitStreak(1), _activity(), {})

    # then
    description = "Stay clean on a quit habit, like no contact, for 1 day"
    assert progress == _progress("QUIT_STREAK", description, 0.0, 1.0, False)


# CONFIDENCE_AT_LEAST


def _days_ago(n: int) -> date:
    return TODAY - timedelta(days=n)


def test_confidence_held_for_three_days_ending_today() -> None:
    # given scores of 50 or more today and the two days before (50 itself counts)
    scores = {_days_ago(0): 61.0, _days_ago(1): 50.0, _days_ago(2): 72.5, _days_ago(3): 10.0}

    # when
    progress = evaluate(ConfidenceAtLeast(50, 3), _activity(), scores)

    # then
    assert progress == _progress("CONFIDENCE_AT_LEAST", "Hold a confidence score of 50 for 3 days", 3.0, 3.0, True)


def test_confidence_run_is_broken_by_a_low_day() -> None:
    # given a dip two days ago, after a long confident stretch
    scores = {_days_ago(n): 80.0 for n in range(10)} | {_days_ago(2): 49.9}

    # when
    progress = evaluate(ConfidenceAtLeast(50, 3), _activity(), scores)

    # then
    assert (progress.current, progress.met) == (2.0, False)


def test_confidence_missing_day_counts_as_zero() -> None:
    # given no score yesterday
    scores = {_days_ago(0): 90.0, _days_ago(2): 90.0, _days_ago(3): 90.0}

    # when
    progress = evaluate(ConfidenceAtLeast(50, 3), _activity(), scores)

    # then
    assert (progress.current, progress.met) == (1.0, False)


def test_confidence_below_the_score_today_is_zero_days() -> None:
    # given a low score today after confident days
    scores = {_days_ago(0): 20.0, _days_ago(1): 90.0, _days_ago(2): 90.0}

    # when
    progress = evaluate(ConfidenceAtLeast(50, 1), _activity(), scores)

    # then
    assert progress == _progress("CONFIDENCE_AT_LEAST", "Hold a confidence score of 50 for 1 day", 0.0, 1.0, False)


def test_confidence_run_is_capped_at_the_target_days() -> None:
    # given 30 confident days
    scores = {_days_ago(n): 75.0 for n in range(30)}

    # when
    progress = evaluate(ConfidenceAtLeast(70, 7), _activity(), scores)

    # then
    assert (progress.current, progress.target, progress.met) == (7.0, 7.0, True)


def test_a_new_quit_habit_does_not_hand_out_confidence_by_itself() -> None:
    # given a new account whose only habit is a quit habit started 3 days ago, nothing else done
    from server.confidence.score import confidence_history

    activity = _activity(_habit("...", Category.CUSTOM, Kind.QUIT))
    by_day = {r.day: r.score for r in confidence_history(activity, 3)}

    # when
    progress = evaluate(ConfidenceAtLeast(50, 3), activity, by_day)

    # then step 6 stays locked: three clean days earn 14.78 strength (confidence 11.09), where the old
    # rule (quit habits from 100) gave 75 from the first day
    assert list(by_day.values()) == [3.89, 7.58, 11.09]
    assert (progress.current, progress.met) == (0.0, False)
