"""When reminders are due: DST both ways, day start hours, weekdays, a time-zone change between two firings."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from server.reminders.timing import (
    ALL_WEEKDAYS,
    Occurrence,
    between,
    last_passed_day,
    next_due,
    occurrence,
    parse_time,
    weekdays_problem,
)

BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")
TOKYO = ZoneInfo("Asia/Tokyo")
LORD_HOWE = ZoneInfo("Australia/Lord_Howe")  # 30-minute DST shifts
MON_WED_FRI = frozenset({1, 3, 5})


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)


@pytest.mark.parametrize(
    ("tz", "day", "at", "hour", "expected"),
    [
        # an ordinary winter and summer day in Berlin (UTC+1, UTC+2)
        (BERLIN, date(2024, 1, 15), time(7, 30), 0, utc(2024, 1, 15, 6, 30)),
        (BERLIN, date(2024, 7, 15), time(7, 30), 0, utc(2024, 7, 15, 5, 30)),
        # spring forward, Berlin 31 March 2024: 02:00-02:59 do not exist; 02:30 fires at 03:00 CEST
        (BERLIN, date(2024, 3, 31), time(2, 30), 0, utc(2024, 3, 31, 1, 0)),
        (BERLIN, date(2024, 3, 31), time(2, 0), 0, utc(2024, 3, 31, 1, 0)),
        (BERLIN, date(2024, 3, 31), time(3, 0), 0, utc(2024, 3, 31, 1, 0)),
        (BERLIN, date(2024, 3, 31), time(1, 59), 0, utc(2024, 3, 31, 0, 59)),
        # fall back, Berlin 27 October 2024: 02:00-02:59 happen twice; the first (CEST) one fires
        (BERLIN, date(2024, 10, 27), time(2, 30), 0, utc(2024, 10, 27, 0, 30)),
        (BERLIN, date(2024, 10, 27), time(3, 0), 0, utc(2024, 10, 27, 2, 0)),
        # New York, spring forward 10 March 2024 (02:00 -> 03:00) and fall back 3 November 2024
        (NEW_YORK, date(2024, 3, 10), time(2, 15), 0, utc(2024, 3, 10, 7, 0)),
        (NEW_YORK, date(2024, 11, 3), time(1, 30), 0, utc(2024, 11, 3, 5, 30)),
        (NEW_YORK, date(2024, 11, 3), time(21, 0), 0, utc(2024, 11, 4, 2, 0)),
        # Lord Howe springs forward by half an hour (02:00 -> 02:30, 6 October 2024)
        (LORD_HOWE, date(2024, 10, 6), time(2, 10), 0, utc(2024, 10, 5, 15, 30)),
        # a day starting at 04:00: a 01:00 reminder belongs to the evening of the habit day before
        (BERLIN, date(2024, 1, 15), time(1, 0), 4, utc(2024, 1, 16, 0, 0)),
        (BERLIN, date(2024, 1, 15), time(4, 0), 4, utc(2024, 1, 15, 3, 0)),
        (BERLIN, date(2024, 1, 15), time(23, 59), 4, utc(2024, 1, 15, 22, 59)),
        # ... and its wall date may be a DST day: habit day Saturday 30 March, 02:30 on Sunday's gap
        (BERLIN, date(2024, 3, 30), time(2, 30), 4, utc(2024, 3, 31, 1, 0)),
    ],
)
def test_occurrence(tz: ZoneInfo, day: date, at: time, hour: int, expected: datetime) -> None:
    assert occurrence(day, at, tz, hour) == expected


def test_a_repeated_time_fires_once_on_a_fall_back_day() -> None:
    # given a daily 02:30 Berlin reminder around the night the clocks go back
    start, end = utc(2024, 10, 26, 12), utc(2024, 10, 28, 12)

    # when every firing in the window is listed
    firings = between(time(2, 30), ALL_WEEKDAYS, BERLIN, 0, start, end)

    # then 27 October has one, at the first 02:30 (CEST), not also at the second (CET)
    assert firings == [Occurrence(date(2024, 10, 27), utc(2024, 10, 27, 0, 30)),
                       Occurrence(date(2024, 10, 28), utc(2024, 10, 28, 1, 30))]


def test_a_missing_time_fires_once_at_the_gap_end_on_a_spring_forward_day() -> None:
    firings = between(time(2, 30), ALL_WEEKDAYS, BERLIN, 0, utc(2024, 3, 30, 12), utc(2024, 4, 1, 12))
    assert firings == [Occurrence(date(2024, 3, 31), utc(2024, 3, 31, 1, 0)),
                       Occurrence(date(2024, 4, 1), utc(2024, 4, 1, 0, 30))]


@pytest.mark.parametrize(
    ("after", "weekdays", "hour", "expected"),
    [
        # Monday 15 January 2024, 06:00 Berlin: today's 07:30 is ahead
        (utc(2024, 1, 15, 5), ALL_WEEKDAYS, 0, Occurrence(date(2024, 1, 15), utc(2024, 1, 15, 6, 30))),
        # exactly at the minute: strictly after, so tomorrow
        (utc(2024, 1, 15, 6, 30), ALL_WEEKDAYS, 0, Occurrence(date(2024, 1, 16), utc(2024, 1, 16, 6, 30))),
        # Monday after 07:30 with Mon/Wed/Fri: Wednesday
        (utc(2024, 1, 15, 7), MON_WED_FRI, 0, Occurrence(date(2024, 1, 17), utc(2024, 1, 17, 6, 30))),
        # Friday evening with Mon/Wed/Fri: next Monday
        (utc(2024, 1, 19, 20), MON_WED_FRI, 0, Occurrence(date(2024, 1, 22), utc(2024, 1, 22, 6, 30))),
        # Sundays only
        (utc(2024, 1, 15, 5), frozenset({7}), 0, Occurrence(date(2024, 1, 21), utc(2024, 1, 21, 6, 30))),
    ],
)
def test_next_due_in_berlin_at_half_past_seven(after: datetime, weekdays: frozenset[int], hour: int,
                                               expected: Occurrence) -> None:
    assert next_due(time(7, 30), weekdays, BERLIN, hour, after) == expected


def test_weekdays_name_the_habit_day_not_the_wall_date() -> None:
    # given a 01:00 reminder on Mondays only, for a user whose day starts at 04:00
    # when asked on Monday 15 January 2024 at noon (Berlin)
    nxt = next_due(time(1, 0), frozenset({1}), BERLIN, 4, utc(2024, 1, 15, 11))

    # then it fires in the night of Monday to Tuesday (still Monday's habit day)
    assert nxt == Occurrence(date(2024, 1, 15), utc(2024, 1, 16, 0, 0))


def test_before_the_day_start_the_night_of_the_day_before_is_still_ahead() -> None:
    # Tuesday 00:30 Berlin, day start 04:00: Monday's 01:00 reminder is due in half an hour
    nxt = next_due(time(1, 0), ALL_WEEKDAYS, BERLIN, 4, utc(2024, 1, 15, 23, 30))
    assert nxt == Occurrence(date(2024, 1, 15), utc(2024, 1, 16, 0, 0))


def test_a_time_zone_change_between_two_firings_follows_the_user() -> None:
    # given a daily 07:30 reminder that fired on Monday in Berlin (06:30 UTC)
    fired = next_due(time(7, 30), ALL_WEEKDAYS, BERLIN, 0, utc(2024, 1, 15, 5))
    assert fired.at == utc(2024, 1, 15, 6, 30)

    # when the user flies to New York the same morning: 07:30 there is 12:30 UTC, still Monday
    west = next_due(time(7, 30), ALL_WEEKDAYS, NEW_YORK, 0, fired.at, after_day=fired.day)

    # then Monday does not fire again; Tuesday fires at 07:30 New York time
    assert west == Occurrence(date(2024, 1, 16), utc(2024, 1, 16, 12, 30))

    # and flying east to Tokyo instead, Tuesday 07:30 there (Monday 22:30 UTC) comes first
    east = next_due(time(7, 30), ALL_WEEKDAYS, TOKYO, 0, fired.at, after_day=fired.day)
    assert east == Occurrence(date(2024, 1, 16), utc(2024, 1, 15, 22, 30))


def test_a_day_start_change_moves_the_habit_day_of_a_night_reminder() -> None:
    after = utc(2024, 1, 15, 11)  # Monday noon, Berlin
    assert next_due(time(1, 0), ALL_WEEKDAYS, BERLIN, 0, after).day == date(2024, 1, 16)
    assert next_due(time(1, 0), ALL_WEEKDAYS, BERLIN, 4, after).day == date(2024, 1, 15)
    # the instant is the same wall-clock 01:00 on Tuesday either way
    assert next_due(time(1, 0), ALL_WEEKDAYS, BERLIN, 4, after).at == utc(2024, 1, 16, 0, 0)


@pytest.mark.parametrize("text", ["7:30", "24:00", "07:60", "07:30:00", " 07:30", "", "ab:cd",
                                  "\uff10\uff17:\uff13\uff10", "07:3\u0660"])  # other scripts' digits
def test_parse_time_refuses(text: str) -> None:
    with pytest.raises(ValueError, match="HH:MM"):
        parse_time(text)


def test_parse_time() -> None:
    assert parse_time("00:00") == time(0, 0)
    assert parse_time("23:59") == time(23, 59)


ZONES = [BERLIN, NEW_YORK, LORD_HOWE, TOKYO, ZoneInfo("America/Santiago"), ZoneInfo("Pacific/Chatham"),
         ZoneInfo("Australia/Sydney")]


@settings(max_examples=150, deadline=None)
@given(
    tz=st.sampled_from(ZONES),
    at=st.times().map(lambda t: t.replace(second=0, microsecond=0)),
    weekdays=st.frozensets(st.integers(1, 7), min_size=1),
    hour=st.integers(0, 23),
    after=st.datetimes(min_value=datetime(2020, 1, 1), max_value=datetime(2030, 1, 1)).map(
        lambda d: d.replace(tzinfo=UTC)),
)
def test_next_due_properties(tz: ZoneInfo, at: time, weekdays: frozenset[int], hour: int, after: datetime) -> None:
    nxt = next_due(at, weekdays, tz, hour, after)
    # strictly later, within a week and a bit, on a chosen weekday
    assert after < nxt.at <= after + timedelta(days=8)
    assert nxt.day.isoweekday() in weekdays
    # the wall clock shows the reminder's time, or the time does not exist and this is the gap's end
    local = nxt.at.astimezone(tz)
    wall = local.replace(tzinfo=None)
    target = datetime.combine(nxt.day if at.hour >= hour else nxt.day + timedelta(days=1), at)
    if wall == target:
        assert local.fold == 0  # the first of a repeated time
    else:
        before = (nxt.at - timedelta(microseconds=1)).astimezone(tz).replace(tzinfo=None, fold=0)
        assert before < target < wall
    # nothing was skipped: the chosen weekday before it had its instant at or before `after`
    previous = nxt.day - timedelta(days=1)
    while previous.isoweekday() not in weekdays:
        previous -= timedelta(days=1)
    assert occurrence(previous, at, tz, hour) <= after
    # and the next firing after this one is for a later habit day, at a later instant
    again = next_due(at, weekdays, tz, hour, nxt.at, after_day=nxt.day)
    assert again.day > nxt.day and again.at > nxt.at


@pytest.mark.parametrize(
    ("now", "at", "hour", "expected"),
    [
        # Berlin, Monday 15 January 2024 (UTC+1): before 07:30 Sunday was the last; from 07:30 on, Monday
        (utc(2024, 1, 15, 6, 29), time(7, 30), 0, date(2024, 1, 14)),
        (utc(2024, 1, 15, 6, 30), time(7, 30), 0, date(2024, 1, 15)),
        (utc(2024, 1, 15, 15, 0), time(7, 30), 0, date(2024, 1, 15)),
        # a 01:00 reminder with a 04:00 day start is the night of the habit day before: at 00:30 on Tuesday
        # Monday's has not come yet; at 02:00 it has
        (utc(2024, 1, 15, 23, 30), time(1, 0), 4, date(2024, 1, 14)),
        (utc(2024, 1, 16, 1, 0), time(1, 0), 4, date(2024, 1, 15)),
    ],
)
def test_last_passed_day(now: datetime, at: time, hour: int, expected: date) -> None:
    assert last_passed_day(at, BERLIN, hour, now) == expected


@given(st.datetimes(min_value=datetime(2020, 1, 1), max_value=datetime(2030, 1, 1), timezones=st.just(UTC)),
       st.times(), st.integers(0, 23), st.sampled_from([BERLIN, NEW_YORK, LORD_HOWE]))
@settings(max_examples=100)
def test_the_last_passed_days_time_had_come_and_the_next_days_had_not(now: datetime, at: time, hour: int,
                                                                       tz: ZoneInfo) -> None:
    at = at.replace(second=0, microsecond=0, tzinfo=None)
    day = last_passed_day(at, tz, hour, now)
    assert occurrence(day, at, tz, hour) <= now < occurrence(day + timedelta(days=1), at, tz, hour)


@pytest.mark.parametrize(
    ("weekdays", "problem"),
    [
        ([1], None),
        ([7, 1, 3], None),
        ([], "give at least one weekday, or leave weekdays out for the habit's days"),
        ([0], "weekdays are distinct ISO weekdays from 1 (Monday) to 7 (Sunday)"),
        ([8], "weekdays are distinct ISO weekdays from 1 (Monday) to 7 (Sunday)"),
        ([2, 2], "weekdays are distinct ISO weekdays from 1 (Monday) to 7 (Sunday)"),
    ],
)
def test_weekdays_problem(weekdays: list[int], problem: str | None) -> None:
    assert weekdays_problem(weekdays) == problem
