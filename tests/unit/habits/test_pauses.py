"""Pauses: a paused day counts exactly like a skipped day, for every schedule and kind."""

from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from server.habits.days import date_range
from server.habits.model import DayStatus, HabitLog, HabitRules, Kind, Period, Schedule
from server.habits.pauses import paused_days, range_problem, with_pauses
from server.habits.summary import habit_days, strength_series, summarize

TODAY = date(2026, 3, 31)
START = date(2026, 1, 1)
DAY = timedelta(days=1)


@pytest.mark.parametrize(("start", "end", "problem"), [
    (date(2026, 3, 1), date(2026, 3, 1), None),                      # one day
    (date(2025, 4, 1), date(2026, 3, 31), None),                     # 365 days, all past
    (date(2026, 1, 1), date(2026, 12, 31) + DAY, None),              # 366 days exactly
    (date(2026, 1, 1), date(2027, 1, 2), ("to", True)),              # 367 days
    (date(2026, 3, 5), date(2026, 3, 4), ("to", False)),             # ends before it starts
    (TODAY + 366 * DAY, TODAY + 366 * DAY, None),                    # as far ahead as allowed
    (TODAY + 367 * DAY, TODAY + 367 * DAY, ("from", True)),          # further
    (date(1969, 12, 31), date(1970, 1, 2), ("from", True)),          # before 1970
])
def test_a_pause_range_is_checked(start: date, end: date, problem: tuple[str, bool] | None) -> None:
    found = range_problem(start, end, TODAY)
    assert (None if found is None else (found.field, found.out_of_range)) == problem


def test_paused_days_count_overlaps_once_and_stop_at_the_horizon() -> None:
    spans = [(date(2026, 3, 1), date(2026, 3, 3)), (date(2026, 3, 2), date(2026, 3, 5)),
             (date(2026, 4, 10), date(2026, 4, 20))]
    assert paused_days(spans) == frozenset(date_range(date(2026, 3, 1), date(2026, 3, 5))) | frozenset(
        date_range(date(2026, 4, 10), date(2026, 4, 20)))
    assert paused_days(spans, until=date(2026, 3, 3)) == frozenset(date_range(date(2026, 3, 1), date(2026, 3, 3)))
    log = HabitLog({}, frozenset({date(2026, 2, 1)}))
    assert with_pauses(log, []) is log
    assert with_pauses(log, spans[:1]).skips == {date(2026, 2, 1), date(2026, 3, 1), date(2026, 3, 2),
                                                 date(2026, 3, 3)}


def _rules(kind: Kind = Kind.BUILD, schedule: Schedule = Schedule(Period.DAILY)) -> HabitRules:  # noqa: B008
    return HabitRules(kind, schedule, 1.0, START)


def test_a_week_away_keeps_the_streak_and_the_freezes_and_holds_strength() -> None:
    # Done every day until 2026-03-09, away 03-10..03-20 (nothing logged), done again since 03-21.
    away = (date(2026, 3, 10), date(2026, 3, 20))
    done = {d: 1.0 for d in date_range(START, TODAY) if not away[0] <= d <= away[1]}
    rules = _rules()
    paused = with_pauses(HabitLog(done), [away])
    summary = summarize(rules, paused, TODAY)
    assert summary.current_streak == len(done)  # unbroken, the paused days adding nothing
    assert summary.freezes_held == 2  # none spent on the break
    days = habit_days(rules, paused, TODAY, away[0], away[1])
    assert {d.status for d in days} == {DayStatus.SKIPPED}
    series = dict(strength_series(rules, paused, TODAY))
    assert {series[d] for d in date_range(away[0], away[1])} == {series[away[0] - DAY]}
    # without the pause the break costs the streak
    assert summarize(rules, HabitLog(done), TODAY).current_streak < summary.current_streak


def test_a_check_in_on_a_paused_day_still_counts_as_done() -> None:
    away = (date(2026, 3, 10), date(2026, 3, 20))
    log = with_pauses(HabitLog({date(2026, 3, 12): 1.0}), [away])
    days = {d.date: d.status for d in habit_days(_rules(), log, TODAY, away[0], away[1])}
    assert days[date(2026, 3, 12)] is DayStatus.DONE
    assert days[date(2026, 3, 11)] is DayStatus.SKIPPED


def test_a_paused_day_of_a_quit_habit_leaves_its_strength_where_it_was() -> None:
    away = (date(2026, 2, 1), date(2026, 2, 14))
    rules = _rules(Kind.QUIT)
    series = dict(strength_series(rules, with_pauses(HabitLog({}), [away]), TODAY))
    assert {series[d] for d in date_range(*away)} == {series[away[0] - DAY]}
    assert series[away[1] + DAY] > series[away[1]]


SCHEDULES = st.one_of(
    st.just(Schedule(Period.DAILY)),
    st.sets(st.integers(1, 7), min_size=1).map(lambda days: Schedule(Period.WEEKDAYS, tuple(sorted(days)))),
    st.integers(1, 7).map(lambda n: Schedule(Period.WEEKLY, times_per_week=n)),
    st.integers(1, 10).flatmap(lambda d: st.integers(1, d).map(lambda t: Schedule(Period.INTERVAL, times=t, days=d))),
)
OFFSETS = st.integers(0, (TODAY - START).days)


@settings(max_examples=150, deadline=None)
@given(kind=st.sampled_from(Kind), schedule=SCHEDULES,
       logged=st.dictionaries(OFFSETS, st.sampled_from([0.5, 1.0, 2.0]), max_size=60),
       skipped=st.sets(OFFSETS, max_size=10),
       spans=st.lists(st.tuples(st.integers(-20, 100), st.integers(0, 40)), max_size=3))
def test_pausing_is_skipping_every_day_of_the_pause(kind: Kind, schedule: Schedule, logged: dict[int, float],
                                                    skipped: set[int], spans: list[tuple[int, int]]) -> None:
    # Whatever the habit and its history, a pause reads exactly as a skip row on each of its days
    # (streaks, freezes, strength, statuses), including days before the start or after today.
    rules = _rules(kind, schedule)
    quantities = {START + o * DAY: q for o, q in logged.items()}
    skips = frozenset(START + o * DAY for o in skipped)
    ranges = [(START + a * DAY, START + (a + n) * DAY) for a, n in spans]
    paused = with_pauses(HabitLog(quantities, skips), ranges, until=TODAY)
    as_skips = HabitLog(quantities, skips | {d for a, b in ranges for d in date_range(a, b)})
    assert summarize(rules, paused, TODAY) == summarize(rules, as_skips, TODAY)
    assert habit_days(rules, paused, TODAY, START, TODAY + 5 * DAY) == habit_days(rules, as_skips, TODAY, START,
                                                                                  TODAY + 5 * DAY)
    assert strength_series(rules, paused, TODAY) == strength_series(rules, as_skips, TODAY)
