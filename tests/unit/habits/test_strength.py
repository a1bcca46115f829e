"""Strength: Loop Habit Tracker's score. Expected values are computed here, independently of the code."""

import math
from collections.abc import Mapping
from datetime import date, timedelta

import pytest

from server.habits.model import HabitLog, HabitRules, Kind, Period, Schedule
from server.habits.summary import strength_series, summarize

START = date(2024, 1, 1)  # a Monday
DAILY = Schedule(Period.DAILY)
DAILY_M = 0.5 ** (1 / 13)


def _rules(schedule: Schedule = DAILY, target: float = 1.0, kind: Kind = Kind.BUILD) -> HabitRules:
    return HabitRules(kind, schedule, target, START)


def _day(offset: int) -> date:
    return START + timedelta(days=offset)


def _scores(rules: HabitRules, log: HabitLog, today: date) -> list[float]:
    series = strength_series(rules, log, today)
    assert [day for day, _ in series] == [_day(i) for i in range(len(series))]
    return [score for _, score in series]


def _reference(
    rules: HabitRules, quantities: Mapping[date, float], skips: frozenset[date], today: date
) -> list[float]:
    """The contract's strength rule, written out day by day."""
    num, den = (1, 1) if rules.kind is Kind.QUIT else rules.schedule.frequency()
    f = num / den
    if f < 1:
        num, den = 2 * num, 2 * den
    m = 0.5 ** (math.sqrt(f) / 13)
    s = 0.0
    scores = []
    day = rules.start_date
    while day <= today:
        q = quantities.get(day, 0.0)
        if rules.kind is Kind.QUIT:
            if q > 0 or day not in skips:
                v = 0.0 if q > 0 else 1.0
                s = s * m + v * (1 - m)
        elif not (day in skips and q < rules.target):
            r = 0.0
            for back in range(den):
                earlier = day - timedelta(days=back)
                if earlier >= rules.start_date:
                    r += min(1.0, quantities.get(earlier, 0.0) / rules.target)
            v = min(1.0, r / num)
            s = s * m + v * (1 - m)
        scores.append(100 * s)
        day += timedelta(days=1)
    return scores


def test_contract_reference_miss_done_skip_done() -> None:
    # given a daily habit: missed, done, skipped, done (today)
    log = HabitLog({_day(1): 1.0, _day(3): 1.0}, skips=frozenset({_day(2)}))
    m = 0.5 ** (1 / 13)
    s = 0.0
    expected = []
    for v in [0.0, 1.0, None, 1.0]:
        if v is not None:
            s = s * m + v * (1 - m)
        expected.append(100 * s)

    # when
    scores = _scores(_rules(), log, _day(3))

    # then
    assert scores == pytest.approx(expected, rel=1e-12)
    assert scores[3] == pytest.approx(10.1149, abs=1e-4)  # 100 * (1 - m) * (1 + m)
    assert summarize(_rules(), log, _day(3)).strength == pytest.approx(expected[-1], rel=1e-12)


@pytest.mark.parametrize("days", [1, 2, 13, 100])
def test_done_every_day_approaches_100(days: int) -> None:
    # given a daily habit done every day
    log = HabitLog({_day(i): 1.0 for i in range(days)})

    # when
    scores = _scores(_rules(), log, _day(days - 1))

    # then s_n = 1 - m**n, so 13 days of perfection make 50
    assert scores[-1] == pytest.approx(100 * (1 - DAILY_M**days), rel=1e-12)
    if days == 13:
        assert scores[-1] == pytest.approx(50.0, rel=1e-12)


@pytest.mark.parametrize(
    ("quantity", "target", "share"),
    [(1.0, 4.0, 0.25), (3.0, 4.0, 0.75), (10.0, 1.0, 1.0), (0.0, 1.0, 0.0)],
)
def test_partial_days_count_their_share_capped_at_one(quantity: float, target: float, share: float) -> None:
    # given a daily habit checked in once, today
    log = HabitLog({START: quantity})

    # when
    scores = _scores(_rules(target=target), log, START)

    # then
    assert scores == pytest.approx([100 * share * (1 - DAILY_M)], rel=1e-12)


def test_today_before_the_check_in_dips_the_score() -> None:
    # given a daily habit done three days running, nothing yet today
    log = HabitLog({_day(i): 1.0 for i in range(3)})

    # when
    scores = _scores(_rules(), log, _day(3))

    # then today's value is yesterday's decayed by one day
    assert scores[3] < scores[2]
    assert scores[3] == pytest.approx(scores[2] * DAILY_M, rel=1e-12)


def test_a_skipped_day_leaves_the_score_unchanged() -> None:
    # given done, skipped (with a partial check-in), done
    log = HabitLog({_day(0): 1.0, _day(1): 0.5, _day(2): 1.0}, skips=frozenset({_day(1)}))

    # when
    scores = _scores(_rules(), log, _day(2))

    # then
    assert scores[1] == scores[0]
    assert scores[2] == pytest.approx(100 * (1 - DAILY_M**2), rel=1e-12)


def test_a_skipped_day_that_reached_the_target_counts_as_done() -> None:
    # given a skip on a day done anyway
    log = HabitLog({_day(0): 1.0, _day(1): 1.0}, skips=frozenset({_day(1)}))

    # when
    scores = _scores(_rules(), log, _day(1))

    # then
    assert scores[1] == pytest.approx(100 * (1 - DAILY_M**2), rel=1e-12)


def test_weekly_once_uses_a_doubled_window() -> None:
    # given a 1x/week habit done on its first day only; f = 1/7 so the window is 2 of 14 days
    rules = _rules(Schedule(Period.WEEKLY, times_per_week=1))
    log = HabitLog({START: 1.0})
    m = 0.5 ** (math.sqrt(1 / 7) / 13)

    # when
    scores = _scores(rules, log, _day(15))

    # then v = 1/2 for the 14 days the check-in is in the window, then 0
    assert scores[0] == pytest.approx(50 * (1 - m), rel=1e-12)
    assert scores[13] == pytest.approx(50 * (1 - m**14), rel=1e-12)
    assert scores[14] == pytest.approx(50 * (1 - m**14) * m, rel=1e-12)
    assert scores[15] == pytest.approx(50 * (1 - m**14) * m * m, rel=1e-12)


@pytest.mark.parametrize(
    "schedule",
    [Schedule(Period.WEEKDAYS, weekdays=(1, 2, 3, 4, 5, 6, 7)), Schedule(Period.WEEKLY, times_per_week=7)],
)
def test_frequency_one_over_seven_days_is_not_doubled(schedule: Schedule) -> None:
    # given a 7/7 habit done once, on its first day
    log = HabitLog({START: 1.0})

    # when
    scores = _scores(_rules(schedule), log, _day(7))

    # then f == 1: m is the daily one and the check-in is 1/7 of a 7-day window
    assert scores[0] == pytest.approx(100 / 7 * (1 - DAILY_M), rel=1e-12)
    assert scores[6] == pytest.approx(100 / 7 * (1 - DAILY_M**7), rel=1e-12)
    assert scores[7] == pytest.approx(100 / 7 * (1 - DAILY_M**7) * DAILY_M, rel=1e-12)


@pytest.mark.parametrize(
    ("schedule", "quantities", "skips", "days"),
    [
        # Mon/Wed/Fri done on schedule for three weeks
        (
            Schedule(Period.WEEKDAYS, weekdays=(1, 3, 5)),
            {_day(i): 1.0 for i in range(21) if i % 7 in (0, 2, 4)},
            frozenset(),
            25,
        ),
        # Mon/Wed/Fri with extra days, partial days and a skipped week
        (
            Schedule(Period.WEEKDAYS, weekdays=(1, 3, 5)),
            {_day(0): 1.0, _day(1): 0.5, _day(2): 2.0, _day(5): 1.0, _day(16): 0.25},
            frozenset({_day(i) for i in range(7, 14)}),
            20,
        ),
        # 3x/week with a skipped partial day still counting its own quantity in later windows
        (
            Schedule(Period.WEEKLY, times_per_week=3),
            {_day(0): 1.0, _day(1): 0.5, _day(3): 1.0, _day(9): 1.0, _day(12): 1.0},
            frozenset({_day(1), _day(10)}),
            30,
        ),
        # daily with gaps
        (DAILY, {_day(i): 1.0 for i in range(40) if i % 3}, frozenset({_day(9), _day(30)}), 40),
    ],
)
def test_strength_matches_the_reference_loop(
    schedule: Schedule, quantities: dict[date, float], skips: frozenset[date], days: int
) -> None:
    # given
    rules = _rules(schedule)
    today = _day(days - 1)

    # when
    scores = _scores(rules, HabitLog(quantities, skips), today)

    # then
    assert scores == pytest.approx(_reference(rules, quantities, skips, today), rel=1e-12)


def test_weekdays_window_is_two_weeks_with_doubled_target() -> None:
    # given a Mon/Wed/Fri habit done Monday and Wednesday of its first week (f = 3/7: 6 of 14 days)
    rules = _rules(Schedule(Period.WEEKDAYS, weekdays=(1, 3, 5)))
    log = HabitLog({_day(0): 1.0, _day(2): 1.0})
    m = 0.5 ** (math.sqrt(3 / 7) / 13)

    # when
    scores = _scores(rules, log, _day(2))

    # then v is 1/6 on Monday and Tuesday, 2/6 on Wednesday
    s = 0.0
    for v in (1 / 6, 1 / 6, 2 / 6):
        s = s * m + v * (1 - m)
    assert scores[2] == pytest.approx(100 * s, rel=1e-12)


@pytest.mark.parametrize(
    ("slips", "skips"),
    [
        (set(), set()),
        ({2}, set()),
        ({0, 1, 5}, {3}),
        ({4}, {4}),  # a slip on a skipped day is a slip
    ],
)
def test_quit_strength(slips: set[int], skips: set[int]) -> None:
    # given a QUIT habit over 8 days
    rules = _rules(kind=Kind.QUIT)
    quantities = {_day(i): 1.0 for i in slips}
    skip_days = frozenset(_day(i) for i in skips)
    m = DAILY_M
    s = 0.0  # contract v2: from 0, like every habit
    expected = []
    for i in range(8):
        if i in slips:
            s = s * m
        elif i not in skips:
            s = s * m + (1 - m)
        expected.append(100 * s)

    # when
    scores = _scores(rules, HabitLog(quantities, skip_days), _day(7))

    # then
    assert scores == pytest.approx(expected, rel=1e-12)


def test_clean_quit_habit_earns_its_strength_like_a_daily_habit_kept() -> None:
    # given a QUIT habit clean for a year, and a daily BUILD habit done every day of it
    quit_, build = _rules(kind=Kind.QUIT), _rules()
    done = HabitLog({_day(i): 1.0 for i in range(366)})

    # when
    scores = _scores(quit_, HabitLog({}), _day(365))

    # then it climbs from 5.19 on day one, never starts at 100, and matches the kept habit exactly
    assert round(scores[0], 2) == 5.19
    assert scores == _scores(build, done, _day(365))
    assert scores[-1] > 99.99


@pytest.mark.parametrize(("kind", "strength"), [(Kind.BUILD, 0.0), (Kind.QUIT, 0.0)])
def test_strength_before_the_start_date(kind: Kind, strength: float) -> None:
    # given a habit that starts tomorrow
    rules = HabitRules(kind, DAILY, 1.0, START)
    today = START - timedelta(days=1)

    # when
    summary = summarize(rules, HabitLog({today: 1.0}), today)

    # then
    assert summary.strength == strength
    assert strength_series(rules, HabitLog({}), today) == []
