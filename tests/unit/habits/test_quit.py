"""QUIT habits: every check-in is a slip; clean days build the streak, evaluated daily.

Strength starts at 0 like every habit (contract v2): after n clean days it is 100 * (1 - m^n) with
m = 0.5^(1/13), the numbers Loop's YesNoScoreListTest expects for n daily checks (0.051922,
0.101149, 0.147820, 0.192067, ...; uhabits-core/src/jvmTest/java/org/isoron/uhabits/core/models/
ScoreListTest.kt at iSoron/uhabits 5aa8744ef4c8e391c875bbb482e3e79740b5fd81).

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

    # then today counts too, and strength has grown from 0 over 4 clean days
    assert (summary.current_streak, summary.longest_streak) == (4, 4)
    assert summary.strength == pytest.approx(19.2067, abs=5e-5)
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
    assert summary.strength == pytest.approx(100 * (1 - 0.5 ** (10 / 13)))
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

    # then nothing has been earned yet, and nothing is "done" before it starts
    assert (summary.current_streak, summary.longest_streak, summary.strength) == (0, 0, 0.0)
    assert summary.done_today is False
    assert strength_series(rules, HabitLog({}), TODAY) == []


def test_a_quit_habit_created_today_is_not_at_100() -> None:
    # given a QUIT habit that starts today, with nothing logged
    rules = HabitRules(Kind.QUIT, DAILY, 1.0, TODAY)

    # when
    summary = summarize(rules, HabitLog({}), TODAY)

    # then today is its first clean day: one day's worth, as a first daily check in Loop (0.051922)
    assert round(summary.strength, 2) == 5.19
    assert round(strength_series(rules, HabitLog({}), TODAY)[0][1], 4) == 5.1922


@pytest.mark.parametrize(
    ("amounts", "limit", "statuses", "current"),
    [
        # at most 2 a day: 1 and 2 are clean, 3 is a slip
        ((1.0, 2.0, 3.0, 0.0), 2.0, "CLEAN CLEAN SLIP CLEAN", 1),
        ((2.5, 0.0, 0.0, 2.0), 2.0, "SLIP CLEAN CLEAN CLEAN", 3),
        # the default limit, 0: any check-in is a slip
        ((0.5, 0.0, 0.0, 0.0), 0.0, "SLIP CLEAN CLEAN CLEAN", 3),
    ],
)
def test_a_day_is_a_slip_only_above_the_limit(amounts: tuple[float, ...], limit: float, statuses: str,
                                              current: int) -> None:
    # given a QUIT habit with a daily limit and these totals, oldest first, the last today
    start = TODAY - timedelta(days=len(amounts) - 1)
    rules = HabitRules(Kind.QUIT, DAILY, 1.0, start, limit=limit)
    log = HabitLog({start + timedelta(days=i): a for i, a in enumerate(amounts) if a})

    # when
    summary = summarize(rules, log, TODAY)
    series = [s for _, s in strength_series(rules, log, TODAY)]

    # then
    assert _statuses(rules, log) == statuses.split()
    assert summary.current_streak == current
    assert summary.done_today is (amounts[-1] <= limit)
    # strength takes v = 0 exactly on the slip days
    m = 0.5 ** (1 / 13)
    expected, s = [], 0.0
    for status in statuses.split():
        s = s * m + (0.0 if status == "SLIP" else 1.0) * (1 - m)
        expected.append(100 * s)
    assert series == pytest.approx(expected, abs=1e-9)
