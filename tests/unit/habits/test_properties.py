"""Properties of the habit math over generated habits and histories."""

import dataclasses
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from server.habits.days import date_range, day_start, local_day, week_start
from server.habits.model import (
    DayStatus,
    HabitLog,
    HabitRules,
    Kind,
    Period,
    Schedule,
    StreakUnit,
)
from server.habits.summary import habit_days, strength_series, summarize
from tests.unit.habits.runs import DAY_KINDS, lay_out

BASE = date(2024, 1, 1)  # a Monday
ONE_DAY = timedelta(days=1)
DST_ZONES = ["Europe/Berlin", "America/New_York", "Australia/Lord_Howe", "Pacific/Chatham"]

schedules = st.one_of(
    st.just(Schedule(Period.DAILY)),
    st.sets(st.integers(1, 7), min_size=1).map(lambda days: Schedule(Period.WEEKDAYS, tuple(sorted(days)))),
    st.integers(1, 7).map(lambda n: Schedule(Period.WEEKLY, times_per_week=n)),
)

# Histories are drawn as runs of one kind of day (tests/unit/habits/runs.py), so that runs of 7+ done
# days (freezes) are common.


@st.composite
def habits(
    draw: st.DrawFn, kinds: tuple[Kind, ...] = (Kind.BUILD, Kind.QUIT)
) -> tuple[HabitRules, HabitLog, date]:
    kind = draw(st.sampled_from(kinds))
    schedule = draw(schedules)
    target = draw(st.sampled_from([1.0, 2.0, 2.5]))
    start = BASE + timedelta(days=draw(st.integers(0, 6)))
    runs = draw(st.lists(st.tuples(st.sampled_from(DAY_KINDS), st.integers(1, 16)), max_size=8))
    # Start a few days early so that check-ins before start_date are present and must be ignored.
    day = start - timedelta(days=draw(st.integers(0, 3)))
    quantities, skips, day = lay_out(runs, day, target)
    # today is usually the last generated day, sometimes earlier (also before start_date) or later
    today = day - ONE_DAY + timedelta(days=draw(st.integers(-5, 3)))
    return HabitRules(kind, schedule, target, start), HabitLog(quantities, frozenset(skips)), today


def _units(rules: HabitRules, today: date, unit: StreakUnit) -> int:
    if today < rules.start_date:
        return 0
    if unit is StreakUnit.WEEKS:
        return (week_start(today) - week_start(rules.start_date)).days // 7 + 1
    return (today - rules.start_date).days + 1


def _days_walk(rules: HabitRules) -> bool:
    return rules.kind is Kind.BUILD and rules.schedule.period is not Period.WEEKLY


@given(habits())
def test_current_streak_is_at_most_longest_which_is_at_most_the_elapsed_units(
    habit: tuple[HabitRules, HabitLog, date],
) -> None:
    # given
    rules, log, today = habit

    # when
    summary = summarize(rules, log, today)

    # then
    assert 0 <= summary.current_streak <= summary.longest_streak <= _units(rules, today, summary.streak_unit)
    assert 0.0 <= summary.strength <= 100.0


@given(habits(kinds=(Kind.BUILD,)), st.data())
def test_a_check_in_never_lowers_that_days_strength(
    habit: tuple[HabitRules, HabitLog, date], data: st.DataObject
) -> None:
    # given a day from start_date to today that is not skipped, and more quantity on it
    rules, log, today = habit
    days = [day for day in date_range(rules.start_date, today) if day not in log.skips]
    assume(days)
    day = data.draw(st.sampled_from(days))
    extra = data.draw(st.sampled_from([0.1, rules.target / 2, rules.target, rules.target * 4]))
    more = HabitLog({**log.quantities, day: log.quantities.get(day, 0.0) + extra}, log.skips)

    # when
    before = dict(strength_series(rules, log, today))
    after = dict(strength_series(rules, more, today))

    # then
    assert after[day] >= before[day]


@given(habits(kinds=(Kind.BUILD,)), st.data())
def test_skipping_a_past_missed_day_never_lowers_the_current_streak(
    habit: tuple[HabitRules, HabitLog, date], data: st.DataObject
) -> None:
    # given a past day that was missed (or frozen, or partial and so a miss)
    rules, log, today = habit
    assume(today >= rules.start_date)
    missed = [
        day.date
        for day in habit_days(rules, log, today, rules.start_date, today)
        if day.date < today and day.status in (DayStatus.MISSED, DayStatus.FROZEN, DayStatus.PARTIAL)
    ]
    assume(missed)
    day = data.draw(st.sampled_from(missed))

    # when
    before = summarize(rules, log, today)
    after = summarize(rules, HabitLog(log.quantities, log.skips | {day}), today)

    # then
    assert after.current_streak >= before.current_streak


@given(habits())
def test_summarize_is_deterministic_and_habit_days_has_one_entry_per_date(
    habit: tuple[HabitRules, HabitLog, date],
) -> None:
    # given the same habit twice, the second built from copies
    rules, log, today = habit
    rules_copy = dataclasses.replace(rules, schedule=dataclasses.replace(rules.schedule))
    log_copy = HabitLog(dict(log.quantities), frozenset(set(log.skips)))

    # when
    first, again, copied = (
        summarize(rules, log, today),
        summarize(rules, log, today),
        summarize(rules_copy, log_copy, today),
    )
    days = habit_days(rules, log, today, rules.start_date, max(today, rules.start_date))

    # then
    assert first == again == copied
    expected_dates = list(date_range(rules.start_date, max(today, rules.start_date)))
    assert [day.date for day in days] == expected_dates
    assert habit_days(rules_copy, log_copy, today, rules.start_date, max(today, rules.start_date)) == days


@given(habits())
def test_streaks_recomputed_from_day_statuses_agree_with_the_summary(
    habit: tuple[HabitRules, HabitLog, date],
) -> None:
    # given a habit counted in days
    rules, log, today = habit
    assume(rules.kind is Kind.QUIT or _days_walk(rules))
    days = habit_days(rules, log, today, rules.start_date, max(today, rules.start_date))

    # when the streak is recounted from the statuses alone
    streak = longest = 0
    for day in days:
        if day.status is DayStatus.FUTURE:
            continue
        due = rules.kind is Kind.QUIT or rules.schedule.is_due(day.date)
        if day.status is DayStatus.CLEAN or (due and day.status is DayStatus.DONE):
            streak += 1
        elif day.status in (DayStatus.SLIP, DayStatus.MISSED) or (
            due and day.status is DayStatus.PARTIAL and day.date < today
        ):
            streak = 0
        longest = max(longest, streak)

    # then
    summary = summarize(rules, log, today)
    assert (summary.current_streak, summary.longest_streak) == (streak, longest)


@given(habits())
def test_freezes_held_stay_within_0_to_2_and_frozen_days_were_earned(
    habit: tuple[HabitRules, HabitLog, date],
) -> None:
    # given
    rules, log, today = habit

    # when
    summary = summarize(rules, log, today)
    days = habit_days(rules, log, today, rules.start_date, max(today, rules.start_date))

    # then no more days are frozen than 7-day runs of done scheduled days were completed before them
    assert 0 <= summary.freezes_held <= 2
    if not _days_walk(rules):
        assert summary.freezes_held == 0
        assert DayStatus.FROZEN not in [day.status for day in days]
        return
    done_since_reset = frozen_since_reset = 0
    for day in days:
        due = rules.schedule.is_due(day.date)
        if day.status is DayStatus.FROZEN:
            assert due and day.date < today
            frozen_since_reset += 1
            assert frozen_since_reset <= done_since_reset // 7
        elif due and day.status is DayStatus.DONE:
            done_since_reset += 1
        elif due and (
            day.status is DayStatus.MISSED or (day.status is DayStatus.PARTIAL and day.date < today)
        ):
            done_since_reset = frozen_since_reset = 0


def _assert_local_days_are_consecutive(tz: ZoneInfo, hour: int, first: date, last: date) -> None:
    step = timedelta(minutes=15)
    at = day_start(first, tz, hour)
    end = day_start(last + ONE_DAY, tz, hour)
    assert local_day(at, tz, hour) == first
    assert local_day(at - timedelta(microseconds=1), tz, hour) == first - ONE_DAY
    current = first
    while at < end:
        day = local_day(at, tz, hour)
        if day != current:
            # a new day: exactly the next one, starting exactly at its day_start
            assert day == current + ONE_DAY, (at, day, current)
            assert at == day_start(day, tz, hour), (at, day)
            current = day
        at += step
    assert current == last


@settings(max_examples=12, deadline=None)
@given(st.sampled_from(DST_ZONES), st.integers(0, 23), st.integers(2020, 2030))
def test_every_quarter_hour_of_a_year_maps_to_consecutive_local_days(zone: str, hour: int, year: int) -> None:
    # when / then
    _assert_local_days_are_consecutive(ZoneInfo(zone), hour, date(year, 1, 1), date(year, 12, 31))


@pytest.mark.parametrize("zone", DST_ZONES)
def test_local_days_around_every_2024_dst_transition_for_every_day_start_hour(zone: str) -> None:
    # given the days on which the zone's UTC offset changed in 2024
    tz = ZoneInfo(zone)
    transition_days = [
        day
        for day in date_range(date(2024, 1, 1), date(2024, 12, 31))
        if datetime.combine(day, datetime.min.time(), tz).utcoffset()
        != datetime.combine(day + ONE_DAY, datetime.min.time(), tz).utcoffset()
    ]
    assert len(transition_days) == 2

    # when / then every quarter hour from the day before to the day after is on the right day
    for day in transition_days:
        for hour in range(24):
            _assert_local_days_are_consecutive(tz, hour, day - ONE_DAY, day + 2 * ONE_DAY)


@given(
    st.sampled_from(DST_ZONES),
    st.integers(0, 23),
    st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2040, 1, 1), timezones=st.just(UTC)),
)
def test_any_instant_lies_between_its_days_start_and_the_next(zone: str, hour: int, at: datetime) -> None:
    # given
    tz = ZoneInfo(zone)

    # when
    day = local_day(at, tz, hour)

    # then
    assert day_start(day, tz, hour) <= at < day_start(day + ONE_DAY, tz, hour)
