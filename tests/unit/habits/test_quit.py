"""QUIT habits: every check-in is a slip; clean days build the streak, evaluated daily.

Histories are written one character per day, oldest first, the last one being today:
! = slip (a check-in), s = skipped, . = nothing (clean).
"""

from datetime import date, timedelta

import pytest

from server.habits.model import HabitLog, HabitRules, Kind, Period, Schedule, StreakUnit
from server.habits.summary import habit_days, strength_series, summarize

TODAY = date(2024, 5, 15)
DAILY = Schedule(Period.DAILY)


def _quit(history: str, schedule: Schedule = DAILY) -> tuple[HabitRules, HabitLog]:
    start = TODAY - timedelta(days=len(history) - 1)
    quantities: dict[date, float] = {}
    skips: set[date] = set()
    for offset, mark in enumerate(history):
        day = start + timedelta(days=offset)
        if mark == "!":
            quantities[day] = 1.0
        elif mark == "s":
            skips.add(day)
        else:
            assert mark == ".", mark
    return HabitRules(Kind.QUIT, schedule, 1.0, start), HabitLog(quantities, frozenset(skips))


def _statuses(rules: HabitRules, log: HabitLog) -> list[str]:
    return [day.status for day in habit_days(rules, log, TODAY, rules.start_date, TODAY)]


def test_started_three_days_ago_without_slips() -> None:
    # given a QUIT habit started 3 days ago with no check-ins
    rules, log = _quit("....")

    # when
    summary = summarize(rules, log, TODAY)

    # then today counts too
    assert (summary.current_streak, summary.longest_streak) == (4, 4)
    assert summary.strength == 100.0
    assert summary.done_today is True
    assert summary.freezes_held == 0
    assert summary.streak_unit is StreakUnit.DAYS
    assert _statuses(rules, log) == ["CLEAN"] * 4


def test_slip_yesterday() -> None:
    # given a QUIT habit started 3 days ago with a slip yesterday
    rules, log = _quit("..!.")

    # when
    summary = summarize(rules, log, TODAY)

    # then
    assert (summary.current_streak, summary.longest_streak) == (1, 2)
    assert summary.done_today is True
    assert _statuses(rules, log) == ["CLEAN", "CLEAN", "SLIP", "CLEAN"]


@pytest.mark.parametrize(
    ("history", "current", "longest", "done_today", "statuses"),
    [
        ("...!", 0, 3, False, "CLEAN CLEAN CLEAN SLIP"),
        ("!", 0, 0, False, "SLIP"),
        # a skip keeps the clean run without adding to it
        ("..s.", 3, 3, True, "CLEAN CLEAN SKIPPED CLEAN"),
        ("s", 0, 0, True, "SKIPPED"),
        ("!!..!...", 3, 3, True, "SLIP SLIP CLEAN CLEAN SLIP CLEAN CLEAN CLEAN"),
    ],
)
def test_quit_streaks(history: str, current: int, longest: int, done_today: bool, statuses: str) -> None:
    # given
    rules, log = _quit(history)

    # when
    summary = summarize(rules, log, TODAY)

    # then
    assert (summary.current_streak, summary.longest_streak) == (current, longest)
    assert summary.done_today is done_today
    assert _statuses(rules, log) == statuses.split()


def test_a_slip_on_a_skipped_day_is_a_slip() -> None:
    # given a skip recorded on a day that also has a check-in
    rules, log = _quit("...")
    yesterday = TODAY - timedelta(days=1)
    log = HabitLog({yesterday: 2.0}, skips=frozenset({yesterday}))

    # when
    summary = summarize(rules, log, TODAY)

    # then
    assert (summary.current_streak, summary.longest_streak) == (1, 1)
    assert _statuses(rules, log) == ["CLEAN", "SLIP", "CLEAN"]


@pytest.mark.parametrize(
    "schedule",
    [Schedule(Period.WEEKDAYS, weekdays=(1,)), Schedule(Period.WEEKLY, times_per_week=1)],
)
def test_quit_habits_are_daily_whatever_the_schedule(schedule: Schedule) -> None:
    # given a QUIT habit with a non-daily schedule, clean for 10 days
    rules, log = _quit("." * 10, schedule)

    # when
    summary = summarize(rules, log, TODAY)

    # then every day counts and the unit is days
    assert (summary.current_streak, summary.longest_streak) == (10, 10)
    assert summary.streak_unit is StreakUnit.DAYS
    assert summary.strength == 100.0
    assert _statuses(rules, log) == ["CLEAN"] * 10


def test_quit_habits_never_earn_freezes() -> None:
    # given 20 clean days, then a slip yesterday
    rules, log = _quit("." * 20 + "!.")

    # when
    summary = summarize(rules, log, TODAY)

    # then the slip was not frozen
    assert (summary.current_streak, summary.longest_streak, summary.freezes_held) == (1, 20, 0)


def test_quit_habit_before_its_start_date() -> None:
    # given a QUIT habit that starts tomorrow
    rules = HabitRules(Kind.QUIT, DAILY, 1.0, TODAY + timedelta(days=1))

    # when
    summary = summarize(rules, HabitLog({}), TODAY)

    # then
    assert (summary.current_streak, summary.longest_streak, summary.strength) == (0, 0, 100.0)
    assert strength_series(rules, HabitLog({}), TODAY) == []
