"""Streak freezes: earned by 7 consecutive done scheduled days, at most 2 held, spent on past misses.

Histories are written one character per day, oldest first, the last one being today:
x = done, p = partial, s = skipped, . = nothing.
"""

from datetime import date, timedelta

import pytest

from server.habits.model import HabitLog, HabitRules, Kind, Period, Schedule
from server.habits.summary import habit_days, summarize

START = date(2024, 1, 1)  # a Monday
DAILY = Schedule(Period.DAILY)


def _rules(schedule: Schedule = DAILY) -> HabitRules:
    return HabitRules(Kind.BUILD, schedule, 1.0, START)


def _log(history: str) -> HabitLog:
    quantities: dict[date, float] = {}
    skips: set[date] = set()
    for offset, mark in enumerate(history):
        day = START + timedelta(days=offset)
        if mark == "x":
            quantities[day] = 1.0
        elif mark == "p":
            quantities[day] = 0.5
        elif mark == "s":
            skips.add(day)
        else:
            assert mark == ".", mark
    return HabitLog(quantities, frozenset(skips))


def _today(history: str) -> date:
    return START + timedelta(days=len(history) - 1)


def _statuses(history: str, rules: HabitRules | None = None) -> list[str]:
    rules = rules or _rules()
    days = habit_days(rules, _log(history), _today(history), START, _today(history))
    return [day.status for day in days]


@pytest.mark.parametrize(
    ("done_days", "held"),
    [(1, 0), (6, 0), (7, 1), (13, 1), (14, 2), (20, 2), (21, 2), (35, 2)],
)
def test_freezes_are_earned_every_7_done_days_and_capped_at_2(done_days: int, held: int) -> None:
    # given an unbroken run of done days ending today
    history = "x" * done_days

    # when
    summary = summarize(_rules(), _log(history), _today(history))

    # then
    assert summary.freezes_held == held
    assert summary.current_streak == done_days


@pytest.mark.parametrize(
    ("history", "current", "longest", "held", "tail"),
    [
        # one freeze covers one miss: the streak goes on
        ("x" * 7 + ".x", 8, 8, 0, "FROZEN DONE"),
        # a partial past day is a miss too, and can be frozen
        ("x" * 7 + "px", 8, 8, 0, "FROZEN DONE"),
        # the first miss spends the freeze, the second breaks the streak
        ("x" * 7 + "..x", 1, 7, 0, "FROZEN MISSED DONE"),
        # two freezes cover two misses, the third breaks it
        ("x" * 14 + "...x", 1, 14, 0, "FROZEN FROZEN MISSED DONE"),
        # the earn on the 21st day is lost at the cap, so only two misses are covered
        ("x" * 21 + "...x", 1, 21, 0, "FROZEN FROZEN MISSED DONE"),
        # a skip spends nothing
        ("x" * 7 + "sx", 8, 8, 1, "SKIPPED DONE"),
    ],
)
def test_freezes_are_spent_on_past_misses(
    history: str, current: int, longest: int, held: int, tail: str
) -> None:
    # given
    rules, log, today = _rules(), _log(history), _today(history)

    # when
    summary = summarize(rules, log, today)

    # then
    assert (summary.current_streak, summary.longest_streak, summary.freezes_held) == (current, longest, held)
    expected_tail = tail.split()
    assert _statuses(history)[-len(expected_tail) :] == expected_tail


@pytest.mark.parametrize(
    ("history", "status"),
    [("x" * 7 + ".", "PENDING"), ("x" * 7 + "p", "PARTIAL")],
)
def test_today_not_done_never_spends_a_freeze(history: str, status: str) -> None:
    # given 7 done days and today still open
    # when
    summary = summarize(_rules(), _log(history), _today(history))

    # then
    assert summary.freezes_held == 1
    assert summary.current_streak == 7
    assert _statuses(history)[-1] == status


def test_a_freeze_cannot_be_spent_before_it_is_earned() -> None:
    # given a miss after 6 done days, then 7 done days (earning a freeze only afterwards)
    history = "x" * 6 + "." + "x" * 7

    # when
    summary = summarize(_rules(), _log(history), _today(history))

    # then the miss broke the streak and the later freeze is still held
    assert _statuses(history)[6] == "MISSED"
    assert (summary.current_streak, summary.longest_streak, summary.freezes_held) == (7, 7, 1)


def test_skipped_days_do_not_count_towards_the_next_freeze() -> None:
    # given 6 done days, a skip and today done: only 7 done days in all
    short = "x" * 6 + "s"
    exact = "x" * 6 + "sx"

    # when
    before = summarize(_rules(), _log(short), _today(short))
    after = summarize(_rules(), _log(exact), _today(exact))

    # then
    assert (before.freezes_held, before.current_streak) == (0, 6)
    assert (after.freezes_held, after.current_streak) == (1, 7)


def test_a_frozen_day_does_not_reset_the_run_towards_the_next_freeze() -> None:
    # given 10 done, a frozen miss, 4 done: 14 done days since the streak began
    history = "x" * 10 + "." + "x" * 4

    # when
    summary = summarize(_rules(), _log(history), _today(history))

    # then the 14th done day earned a second freeze
    assert (summary.current_streak, summary.freezes_held) == (14, 1)


def test_a_broken_streak_restarts_the_run_towards_the_next_freeze() -> None:
    # given 10 done days (one freeze), two misses (the second breaks), then 6 done days
    history = "x" * 10 + ".." + "x" * 6

    # when
    summary = summarize(_rules(), _log(history), _today(history))

    # then the 6 done days are not yet enough for a new freeze
    assert (summary.current_streak, summary.longest_streak, summary.freezes_held) == (6, 10, 0)


def test_unscheduled_days_neither_earn_nor_spend_freezes() -> None:
    # given a Monday-to-Friday habit done on 7 weekdays (Mon 1 .. Tue 9 Jan) with empty weekends,
    # then a missed Wednesday and a done Thursday
    weekdays = Schedule(Period.WEEKDAYS, weekdays=(1, 2, 3, 4, 5))
    history = "xxxxx..xx.x"

    # when
    summary = summarize(_rules(weekdays), _log(history), _today(history))

    # then the weekend spent nothing; the 7th done weekday earned the freeze the Wednesday used
    assert _statuses(history, _rules(weekdays))[5:] == [
        "NOT_DUE",
        "NOT_DUE",
        "DONE",
        "DONE",
        "FROZEN",
        "DONE",
    ]
    assert (summary.current_streak, summary.freezes_held) == (8, 0)
