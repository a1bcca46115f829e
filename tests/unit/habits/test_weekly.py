"""WEEKLY BUILD habits: n times per calendar week (Monday first), streaks counted in weeks.

Histories are written one character per day from the start date, oldest first, the last one being
today (spaces only separate weeks for reading): x = done, p = partial, s = skipped, . = nothing.
"""

from datetime import date, timedelta

import pytest

from server.habits.model import DayStatus, HabitLog, HabitRules, Kind, Period, Schedule, StreakUnit
from server.habits.summary import habit_days, summarize

MONDAY = date(2024, 1, 1)


def _rules(times_per_week: int, start: date = MONDAY) -> HabitRules:
    return HabitRules(Kind.BUILD, Schedule(Period.WEEKLY, times_per_week=times_per_week), 1.0, start)


def _log(history: str, start: date = MONDAY) -> HabitLog:
    quantities: dict[date, float] = {}
    skips: set[date] = set()
    for offset, mark in enumerate(history.replace(" ", "")):
        day = start + timedelta(days=offset)
        if mark == "x":
            quantities[day] = 1.0
        elif mark == "p":
            quantities[day] = 0.5
        elif mark == "s":
            skips.add(day)
        else:
            assert mark == ".", mark
    return HabitLog(quantities, frozenset(skips))


def _today(history: str, start: date = MONDAY) -> date:
    return start + timedelta(days=len(history.replace(" ", "")) - 1)


def _weekly(history: str, times_per_week: int, start: date = MONDAY) -> tuple[int, int, list[DayStatus]]:
    rules, log, today = _rules(times_per_week, start), _log(history, start), _today(history, start)
    summary = summarize(rules, log, today)
    statuses = [day.status for day in habit_days(rules, log, today, start, today)]
    return summary.current_streak, summary.longest_streak, statuses


@pytest.mark.parametrize(
    ("history", "times_per_week", "current", "longest"),
    [
        # met weeks add one each; the open current week adds nothing until it is met
        ("x.x.... ..x.x.. x", 2, 2, 2),
        ("x.x.... ..x.x.. xx", 2, 3, 3),
        # an unmet past week breaks the streak
        ("xx..... xx..... x...... xx..... .", 2, 1, 2),
        # an excused week (done + skipped reaches n) keeps it without adding
        ("xxx.... xxs.... xxx.... .", 3, 2, 2),
        ("xxx.... xss.... xxx.... .", 3, 2, 2),
        # a week short even with its skips is unmet
        ("xxx.... xs..... xxx.... .", 3, 1, 1),
        # partial days do not count towards n
        ("xxx.... xxp.... xxx.... .", 3, 1, 1),
        # done more often than n is still one week
        ("xxxxxxx xxxxxxx .", 1, 2, 2),
        # 7 times a week needs every day
        ("xxxxxxx xxxxxx. xxxxxxx .", 7, 1, 1),
    ],
)
def test_weekly_streaks(history: str, times_per_week: int, current: int, longest: int) -> None:
    # when
    got_current, got_longest, _ = _weekly(history, times_per_week)

    # then
    assert (got_current, got_longest) == (current, longest)


def test_first_week_counts_when_met_even_if_partial() -> None:
    # given a 1x/week habit started on Saturday 6 January, done that Saturday and in the next week
    saturday = date(2024, 1, 6)

    # when
    current, longest, statuses = _weekly("x. ...x... .", 1, saturday)

    # then both weeks count and the current (third) week is still open
    assert (current, longest) == (2, 2)
    assert statuses == ["DONE", "NOT_DUE"] + ["NOT_DUE"] * 3 + ["DONE"] + ["NOT_DUE"] * 3 + ["NOT_DUE"]


def test_first_week_not_met_neither_breaks_nor_starts_a_streak() -> None:
    # given a 3x/week habit started on Saturday 6 January: only 2 days were left that week
    saturday = date(2024, 1, 6)

    # when
    current, longest, statuses = _weekly("xx xxx.... xxx....", 3, saturday)

    # then the short first week adds nothing, the two met weeks count
    assert (current, longest) == (2, 2)
    assert statuses[:2] == ["DONE", "DONE"]


def test_first_week_not_met_is_unmet_when_it_had_time() -> None:
    # given a 2x/week habit started on a Monday and done once in its first week, then met twice
    # when
    current, longest, statuses = _weekly("x...... xx..... xx.....", 2)

    # then the first week neither broke nor started the streak; its empty days show as missed
    assert (current, longest) == (2, 2)
    assert statuses[:7] == ["DONE"] + ["MISSED"] * 6


def test_current_week_not_yet_met_keeps_the_streak_and_its_empty_days_are_not_missed() -> None:
    # given a 3x/week habit met for two weeks, and by this Friday only 2 of 3 done
    history = "xxx.... .xxx... xx..."

    # when
    current, longest, statuses = _weekly(history, 3)

    # then
    assert (current, longest) == (2, 2)
    assert statuses[14:] == ["DONE", "DONE", "NOT_DUE", "NOT_DUE", "NOT_DUE"]


def test_current_week_counts_as_soon_as_it_is_met() -> None:
    # given the same habit, its third time this week done today (Friday)
    # when
    current, longest, _ = _weekly("xxx.... .xxx... xx..x", 3)

    # then
    assert (current, longest) == (3, 3)


def test_day_statuses_of_an_unmet_past_week() -> None:
    # given a 3x/week habit whose first week was met and second was not
    history = "xxx.... xps.... ."

    # when
    current, longest, statuses = _weekly(history, 3)

    # then the empty days of the failed week are MISSED, the others keep their own status
    assert (current, longest) == (0, 1)
    assert statuses == (
        ["DONE"] * 3 + ["NOT_DUE"] * 4 + ["DONE", "PARTIAL", "SKIPPED"] + ["MISSED"] * 4 + ["NOT_DUE"]
    )


def test_day_statuses_of_an_excused_past_week_show_no_misses() -> None:
    # when
    _, _, statuses = _weekly("xxs.... .", 3)

    # then
    assert statuses == ["DONE", "DONE", "SKIPPED"] + ["NOT_DUE"] * 4 + ["NOT_DUE"]


def test_habit_days_of_a_weekly_habit_beyond_today_are_future() -> None:
    # given a 2x/week habit whose current week runs on after today (Wednesday)
    rules, log, today = _rules(2), _log("x.."), _today("x..")

    # when
    days = habit_days(rules, log, today, MONDAY, MONDAY + timedelta(days=6))

    # then
    assert [day.status for day in days] == ["DONE", "NOT_DUE", "NOT_DUE"] + ["FUTURE"] * 4


@pytest.mark.parametrize(("history", "done_today"), [("xx.....  x", True), ("xx.....  .", False)])
def test_weekly_summary_unit_freezes_and_done_today(history: str, done_today: bool) -> None:
    # given a 2x/week habit met in its first week
    rules, log, today = _rules(2), _log(history), _today(history)

    # when
    summary = summarize(rules, log, today)

    # then weeks are the unit, there are never freezes, done_today looks only at today
    assert summary.streak_unit is StreakUnit.WEEKS
    assert summary.freezes_held == 0
    assert summary.done_today is done_today
    assert summary.current_streak == 1


def test_weekly_habit_never_holds_freezes_after_many_met_weeks() -> None:
    # given 5 weeks done every day, then an unmet week
    history = "xxxxxxx " * 5 + "....... ."

    # when
    current, longest, statuses = _weekly(history, 1)
    summary = summarize(_rules(1), _log(history), _today(history))

    # then the unmet week broke the streak: nothing was frozen
    assert (current, longest, summary.freezes_held) == (0, 5, 0)
    assert "FROZEN" not in statuses
