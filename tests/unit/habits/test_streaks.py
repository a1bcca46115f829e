"""Streaks and day statuses of BUILD habits scheduled DAILY or on WEEKDAYS.

Histories are written one character per day, oldest first, the last one being today:
x = done (quantity == target), p = partial (half the target), s = skipped, . = nothing.
"""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from server.habits.days import local_day
from server.habits.model import (
    HabitLog,
    HabitRules,
    Kind,
    Period,
    Schedule,
    StreakUnit,
)
from server.habits.summary import habit_days, summarize

START = date(2024, 1, 1)  # a Monday
DAILY = Schedule(Period.DAILY)
MON_WED_FRI = Schedule(Period.WEEKDAYS, weekdays=(1, 3, 5))


def _rules(schedule: Schedule = DAILY, target: float = 1.0, start: date = START) -> HabitRules:
    return HabitRules(Kind.BUILD, schedule, target, start)


def _log(history: str, target: float = 1.0, start: date = START) -> HabitLog:
    quantities: dict[date, float] = {}
    skips: set[date] = set()
    for offset, mark in enumerate(history):
        day = start + timedelta(days=offset)
        if mark == "x":
            quantities[day] = target
        elif mark == "p":
            quantities[day] = target / 2
        elif mark == "s":
            skips.add(day)
        else:
            assert mark == ".", mark
    return HabitLog(quantities, frozenset(skips))


def _today(history: str, start: date = START) -> date:
    return start + timedelta(days=len(history) - 1)


def _statuses(rules: HabitRules, log: HabitLog, today: date) -> list[str]:
    return [day.status for day in habit_days(rules, log, today, rules.start_date, today)]


@pytest.mark.parametrize(
    ("history", "current", "longest", "statuses"),
    [
        ("x", 1, 1, "DONE"),
        (".", 0, 0, "PENDING"),
        ("p", 0, 0, "PARTIAL"),
        ("xxx", 3, 3, "DONE DONE DONE"),
        # today not done yet keeps yesterday's streak and is never a miss
        ("xx.", 2, 2, "DONE DONE PENDING"),
        ("xxp", 2, 2, "DONE DONE PARTIAL"),
        # a past day not done breaks the streak
        ("xx.x", 1, 2, "DONE DONE MISSED DONE"),
        ("xx..", 0, 2, "DONE DONE MISSED PENDING"),
        # a past partial day shows as PARTIAL but counts as a miss
        ("xxpx", 1, 2, "DONE DONE PARTIAL DONE"),
        # a skip keeps the streak alive without adding to it
        ("xxsx", 3, 3, "DONE DONE SKIPPED DONE"),
        ("xxs", 2, 2, "DONE DONE SKIPPED"),
        ("s", 0, 0, "SKIPPED"),
        ("..xxx.xx", 2, 3, "MISSED MISSED DONE DONE DONE MISSED DONE DONE"),
    ],
)
def test_daily_streaks_and_statuses(history: str, current: int, longest: int, statuses: str) -> None:
    # given
    rules, log, today = _rules(), _log(history), _today(history)

    # when
    summary = summarize(rules, log, today)

    # then
    assert (summary.current_streak, summary.longest_streak) == (current, longest)
    assert summary.streak_unit is StreakUnit.DAYS
    assert _statuses(rules, log, today) == statuses.split()


def test_a_skipped_day_that_was_done_anyway_counts_as_done() -> None:
    # given a skip on a day whose check-ins reached the target
    today = START + timedelta(days=1)
    log = HabitLog({START: 1.0, today: 1.0}, skips=frozenset({START}))

    # when
    summary = summarize(_rules(), log, today)

    # then
    assert summary.current_streak == 2
    assert _statuses(_rules(), log, today) == ["DONE", "DONE"]


@pytest.mark.parametrize(
    ("quantity", "status", "done_today"),
    [(2.99, "PARTIAL", False), (3.0, "DONE", True), (4.5, "DONE", True), (0.0, "PENDING", False)],
)
def test_a_day_is_done_when_its_total_reaches_the_target(
    quantity: float, status: str, done_today: bool
) -> None:
    # given a daily habit with a target of 3 (e.g. pages), checked in today
    rules = _rules(target=3.0)
    log = HabitLog({START: quantity})

    # when
    summary = summarize(rules, log, START)

    # then
    assert summary.done_today is done_today
    assert summary.current_streak == (1 if done_today else 0)
    assert _statuses(rules, log, START) == [status]


@pytest.mark.parametrize(
    ("history", "current", "longest", "statuses"),
    [
        # Mon..Mon: only Mon/Wed/Fri count; the rest are NOT_DUE and break nothing
        ("x.x.x..x", 4, 4, "DONE NOT_DUE DONE NOT_DUE DONE NOT_DUE NOT_DUE DONE"),
        # done on an unscheduled Tuesday: DONE, but it does not extend the streak
        ("xxx.x..x", 4, 4, "DONE DONE DONE NOT_DUE DONE NOT_DUE NOT_DUE DONE"),
        # partial and skipped unscheduled days show as such and change nothing
        ("xpxsx..x", 4, 4, "DONE PARTIAL DONE SKIPPED DONE NOT_DUE NOT_DUE DONE"),
        # a missed Wednesday breaks it
        ("x...x..x", 2, 2, "DONE NOT_DUE MISSED NOT_DUE DONE NOT_DUE NOT_DUE DONE"),
        # today is a scheduled Monday not done yet
        ("x.x.x...", 3, 3, "DONE NOT_DUE DONE NOT_DUE DONE NOT_DUE NOT_DUE PENDING"),
        # a done unscheduled Sunday adds nothing to the streak restarted after Monday's miss
        ("..x.x.x.", 2, 2, "MISSED NOT_DUE DONE NOT_DUE DONE NOT_DUE DONE PENDING"),
    ],
)
def test_weekdays_habit_ignores_unscheduled_days(
    history: str, current: int, longest: int, statuses: str
) -> None:
    # given a Mon/Wed/Fri habit starting on a Monday
    rules, log, today = _rules(MON_WED_FRI), _log(history), _today(history)

    # when
    summary = summarize(rules, log, today)

    # then
    assert (summary.current_streak, summary.longest_streak) == (current, longest)
    assert _statuses(rules, log, today) == statuses.split()


def test_weekdays_habit_today_unscheduled_and_empty_is_not_due() -> None:
    # given a Mon/Wed/Fri habit done Monday, today is Tuesday with nothing logged
    rules, log = _rules(MON_WED_FRI), _log("x.")
    today = START + timedelta(days=1)

    # when
    summary = summarize(rules, log, today)

    # then
    assert summary.current_streak == 1
    assert summary.done_today is False
    assert _statuses(rules, log, today) == ["DONE", "NOT_DUE"]


def test_done_today_holds_on_an_unscheduled_day_too() -> None:
    # given a Mon/Wed/Fri habit done on Tuesday (unscheduled), which is today
    rules, log = _rules(MON_WED_FRI), _log(".x")
    today = START + timedelta(days=1)

    # when
    summary = summarize(rules, log, today)

    # then
    assert summary.done_today is True
    assert summary.current_streak == 0


def test_night_owl_check_ins_after_midnight_keep_the_streak() -> None:
    # given a Berlin user (day starts 04:00) who checks in at 01:30 after each of Mon, Tue, Wed
    berlin = ZoneInfo("Europe/Berlin")
    check_ins = [datetime(2024, 1, day, 1, 30, tzinfo=berlin) for day in (2, 3, 4)]
    quantities: dict[date, float] = {}
    for at in check_ins:
        day = local_day(at, berlin, 4)
        quantities[day] = quantities.get(day, 0.0) + 1.0
    today = local_day(datetime(2024, 1, 4, 10, 0, tzinfo=berlin), berlin, 4)

    # when
    summary = summarize(_rules(), HabitLog(quantities), today)

    # then Mon, Tue, Wed are done and Thursday is still open
    assert today == date(2024, 1, 4)
    assert summary.current_streak == 3
    assert summary.done_today is False
    assert _statuses(_rules(), HabitLog(quantities), today) == ["DONE", "DONE", "DONE", "PENDING"]


def test_before_the_start_date_nothing_counts() -> None:
    # given a habit starting 10 January, looked at on 5 January
    rules = _rules(start=date(2024, 1, 10))
    log = HabitLog({date(2024, 1, 4): 1.0, date(2024, 1, 5): 1.0})
    today = date(2024, 1, 5)

    # when
    summary = summarize(rules, log, today)
    days = habit_days(rules, log, today, date(2024, 1, 4), date(2024, 1, 11))

    # then
    assert (summary.current_streak, summary.longest_streak, summary.strength) == (0, 0, 0.0)
    assert summary.freezes_held == 0
    assert summary.done_today is False  # a check-in before the start counts for nothing, today included
    assert [day.status for day in days] == ["NOT_DUE", "NOT_DUE"] + ["FUTURE"] * 6


def test_days_before_start_are_ignored_by_the_streak() -> None:
    # given done days logged before the start date
    rules = _rules(start=date(2024, 1, 3))
    log = HabitLog({date(2024, 1, 1): 1.0, date(2024, 1, 2): 1.0, date(2024, 1, 3): 1.0})

    # when
    summary = summarize(rules, log, date(2024, 1, 3))

    # then
    assert (summary.current_streak, summary.longest_streak) == (1, 1)


def test_habit_days_covers_any_range_with_quantities() -> None:
    # given a habit started 2 January, today 4 January
    rules = _rules(target=2.0, start=date(2024, 1, 2))
    log = HabitLog({date(2024, 1, 1): 5.0, date(2024, 1, 2): 2.0, date(2024, 1, 3): 0.5})
    today = date(2024, 1, 4)

    # when
    days = habit_days(rules, log, today, date(2023, 12, 31), date(2024, 1, 6))

    # then
    assert [(day.date, day.quantity, day.status) for day in days] == [
        (date(2023, 12, 31), 0.0, "NOT_DUE"),
        (date(2024, 1, 1), 5.0, "NOT_DUE"),
        (date(2024, 1, 2), 2.0, "DONE"),
        (date(2024, 1, 3), 0.5, "PARTIAL"),
        (date(2024, 1, 4), 0.0, "PENDING"),
        (date(2024, 1, 5), 0.0, "FUTURE"),
        (date(2024, 1, 6), 0.0, "FUTURE"),
    ]


def test_habit_days_rejects_a_reversed_range() -> None:
    # when / then
    with pytest.raises(ValueError, match="end"):
        habit_days(_rules(), _log("x"), START, START, START - timedelta(days=1))


@pytest.mark.parametrize(
    ("rules", "message"),
    [
        (_rules(Schedule(Period.WEEKDAYS)), "at least one weekday"),
        (_rules(Schedule(Period.WEEKLY)), "times_per_week"),
        (_rules(target=0.0), "target"),
        (_rules(target=-1.0), "target"),
        (_rules(target=float("nan")), "target"),
    ],
)
def test_inconsistent_rules_are_rejected(rules: HabitRules, message: str) -> None:
    # when / then
    with pytest.raises(ValueError, match=message):
        summarize(rules, _log("x"), START)


def test_three_years_of_daily_history_with_a_miss_every_10th_day_and_a_skip_every_13th() -> None:
    # given three years of a daily habit with a miss every 10th day and a skip every 13th
    # (its speed is measured by `python -m bench.pure`, not here)
    days = 3 * 365
    quantities = {START + timedelta(days=i): 1.0 for i in range(days) if i % 10 != 9}
    skips = frozenset(START + timedelta(days=i) for i in range(0, days, 13))
    rules, log, today = _rules(), HabitLog(quantities, skips), START + timedelta(days=days - 1)

    # when
    summary = summarize(rules, log, today)

    # then each miss is covered by the freeze its 9 done days before earned, so the streak never broke:
    # it counts every done day (skipped days were all logged anyway, so they count as done too)
    done = sum(1 for i in range(days) if i % 10 != 9)
    assert (summary.current_streak, summary.longest_streak, summary.done_today) == (done, done, True)
