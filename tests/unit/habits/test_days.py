from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from server.habits.days import date_range, day_start, local_day, week_start
from server.habits.model import Period, Schedule, StreakUnit

BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")
LORD_HOWE = ZoneInfo("Australia/Lord_Howe")


def test_night_owl_check_in_at_half_past_one_belongs_to_the_day_before() -> None:
    # given a Berlin user whose day starts at 04:00, checking in at 01:30 on Tuesday 12 March 2024
    at = datetime(2024, 3, 12, 1, 30, tzinfo=BERLIN)

    # when
    day = local_day(at, BERLIN, 4)

    # then it counts for Monday
    assert day == date(2024, 3, 11)
    assert day.isoweekday() == 1


@pytest.mark.parametrize(
    ("at", "tz", "hour", "expected"),
    [
        # the boundary itself belongs to the new day, the microsecond before to the old one
        (datetime(2024, 3, 12, 4, 0, tzinfo=BERLIN), BERLIN, 4, date(2024, 3, 12)),
        (datetime(2024, 3, 12, 3, 59, 59, 999999, tzinfo=BERLIN), BERLIN, 4, date(2024, 3, 11)),
        # midnight start is the plain calendar date
        (datetime(2024, 3, 12, 0, 0, tzinfo=BERLIN), BERLIN, 0, date(2024, 3, 12)),
        (datetime(2024, 3, 11, 23, 59, tzinfo=BERLIN), BERLIN, 0, date(2024, 3, 11)),
        # an instant given in UTC is judged on the user's wall clock: 02:30 UTC is 03:30 CET
        (datetime(2024, 3, 12, 2, 30, tzinfo=UTC), BERLIN, 4, date(2024, 3, 11)),
        (datetime(2024, 3, 12, 3, 0, tzinfo=UTC), BERLIN, 4, date(2024, 3, 12)),
        # spring forward in Berlin (02:00 -> 03:00 on 31 March): the day still starts at 04:00 local,
        # although only 3 hours have elapsed since midnight
        (datetime(2024, 3, 31, 3, 59, tzinfo=BERLIN), BERLIN, 4, date(2024, 3, 30)),
        (datetime(2024, 3, 31, 4, 0, tzinfo=BERLIN), BERLIN, 4, date(2024, 3, 31)),
        # fall back in Berlin (03:00 -> 02:00 on 27 October): both 02:30s belong to the 27th
        (datetime(2024, 10, 27, 2, 30, fold=0, tzinfo=BERLIN), BERLIN, 2, date(2024, 10, 27)),
        (datetime(2024, 10, 27, 2, 30, fold=1, tzinfo=BERLIN), BERLIN, 2, date(2024, 10, 27)),
        (datetime(2024, 10, 27, 1, 59, tzinfo=BERLIN), BERLIN, 2, date(2024, 10, 26)),
        # a late day start crosses midnight backwards across the month boundary
        (datetime(2024, 3, 1, 22, 0, tzinfo=NEW_YORK), NEW_YORK, 23, date(2024, 2, 29)),
    ],
)
def test_local_day(at: datetime, tz: ZoneInfo, hour: int, expected: date) -> None:
    # when / then
    assert local_day(at, tz, hour) == expected


def test_falling_back_across_the_day_start_hour_does_not_reopen_the_old_day() -> None:
    # given Chatham falling back 03:45 -> 02:45 on 7 April 2024, days starting at 03:00:
    # 03:00 (first pass) opened the 7th, then the wall clock replays 02:45..02:59
    chatham = ZoneInfo("Pacific/Chatham")
    replayed = datetime(2024, 4, 6, 14, 0, tzinfo=UTC)  # 02:45 local, second pass

    # when
    day = local_day(replayed, chatham, 3)

    # then the instant stays in the day already begun
    assert replayed.astimezone(chatham).fold == 1
    assert day == date(2024, 4, 7)
    assert local_day(datetime(2024, 4, 6, 13, 0, tzinfo=UTC), chatham, 3) == date(2024, 4, 6)
    assert day_start(date(2024, 4, 7), chatham, 3) == datetime(2024, 4, 6, 13, 15, tzinfo=UTC)


def test_local_day_rejects_a_naive_datetime() -> None:
    # given an instant without a time zone
    at = datetime(2024, 3, 12, 1, 30)

    # when / then
    with pytest.raises(ValueError, match="aware"):
        local_day(at, BERLIN, 4)


@pytest.mark.parametrize("hour", [-1, 24])
def test_day_start_hour_outside_0_to_23_is_rejected(hour: int) -> None:
    # when / then
    with pytest.raises(ValueError, match="day_start_hour"):
        local_day(datetime(2024, 3, 12, tzinfo=UTC), BERLIN, hour)
    with pytest.raises(ValueError, match="day_start_hour"):
        day_start(date(2024, 3, 12), BERLIN, hour)


@pytest.mark.parametrize(
    ("day", "tz", "hour", "expected_utc"),
    [
        # ordinary winter and summer days in Berlin
        (date(2024, 1, 15), BERLIN, 4, datetime(2024, 1, 15, 3, 0, tzinfo=UTC)),
        (date(2024, 7, 15), BERLIN, 4, datetime(2024, 7, 15, 2, 0, tzinfo=UTC)),
        # the DST days themselves, at an hour clear of the transition
        (date(2024, 3, 31), BERLIN, 4, datetime(2024, 3, 31, 2, 0, tzinfo=UTC)),
        (date(2024, 10, 27), BERLIN, 4, datetime(2024, 10, 27, 3, 0, tzinfo=UTC)),
        # 02:00 does not exist in Berlin on 31 March: the day starts when the clock jumps to 03:00 CEST
        (date(2024, 3, 31), BERLIN, 2, datetime(2024, 3, 31, 1, 0, tzinfo=UTC)),
        # 02:00 does not exist in New York on 10 March: the day starts at 03:00 EDT
        (date(2024, 3, 10), NEW_YORK, 2, datetime(2024, 3, 10, 7, 0, tzinfo=UTC)),
        # 01:00 happens twice in New York on 3 November: the first one (EDT) wins
        (date(2024, 11, 3), NEW_YORK, 1, datetime(2024, 11, 3, 5, 0, tzinfo=UTC)),
        # 02:00 in Berlin on 27 October happens twice: the first one (CEST) wins
        (date(2024, 10, 27), BERLIN, 2, datetime(2024, 10, 27, 0, 0, tzinfo=UTC)),
        # Lord Howe jumps 02:00 -> 02:30 on 6 October 2024: the day starts at 02:00 +10:30
        (date(2024, 10, 6), LORD_HOWE, 2, datetime(2024, 10, 5, 15, 30, tzinfo=UTC)),
        # Lord Howe falls back 02:00 -> 01:30 on 7 April 2024; 01:00 happens once, at +11
        (date(2024, 4, 7), LORD_HOWE, 1, datetime(2024, 4, 6, 14, 0, tzinfo=UTC)),
    ],
)
def test_day_start(day: date, tz: ZoneInfo, hour: int, expected_utc: datetime) -> None:
    # when
    start = day_start(day, tz, hour)

    # then it is that instant, in UTC, and it opens exactly that local day
    assert start == expected_utc
    assert start.utcoffset() == timedelta(0)
    assert local_day(start, tz, hour) == day
    assert local_day(start - timedelta(microseconds=1), tz, hour) == day - timedelta(days=1)


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(2024, 1, 1), date(2024, 1, 1)),  # a Monday is its own week start
        (date(2024, 1, 7), date(2024, 1, 1)),  # Sunday belongs to the week before it
        (date(2024, 1, 8), date(2024, 1, 8)),
        (date(2024, 3, 1), date(2024, 2, 26)),  # across a month (and leap day) boundary
        (date(2025, 1, 1), date(2024, 12, 30)),  # across a year boundary
    ],
)
def test_week_start_is_the_monday_of_the_calendar_week(day: date, expected: date) -> None:
    # when / then
    assert week_start(day) == expected


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        (date(2024, 2, 28), date(2024, 3, 1), [date(2024, 2, 28), date(2024, 2, 29), date(2024, 3, 1)]),
        (date(2024, 2, 28), date(2024, 2, 28), [date(2024, 2, 28)]),
        (date(2024, 2, 28), date(2024, 2, 27), []),
    ],
)
def test_date_range_is_inclusive(start: date, end: date, expected: list[date]) -> None:
    # when / then
    assert list(date_range(start, end)) == expected


@pytest.mark.parametrize(
    ("schedule", "day", "due"),
    [
        (Schedule(Period.DAILY), date(2024, 1, 6), True),
        (Schedule(Period.WEEKDAYS, weekdays=(1, 3, 5)), date(2024, 1, 1), True),  # Monday
        (Schedule(Period.WEEKDAYS, weekdays=(1, 3, 5)), date(2024, 1, 2), False),  # Tuesday
        (Schedule(Period.WEEKDAYS, weekdays=(7,)), date(2024, 1, 7), True),  # Sunday is 7
        (Schedule(Period.WEEKDAYS, weekdays=(7,)), date(2024, 1, 1), False),
        (Schedule(Period.WEEKLY, times_per_week=2), date(2024, 1, 3), True),
    ],
)
def test_schedule_is_due(schedule: Schedule, day: date, due: bool) -> None:
    # when / then
    assert schedule.is_due(day) is due


@pytest.mark.parametrize(
    ("schedule", "frequency", "unit"),
    [
        (Schedule(Period.DAILY), (1, 1), StreakUnit.DAYS),
        (Schedule(Period.WEEKDAYS, weekdays=(1, 3, 5)), (3, 7), StreakUnit.DAYS),
        (Schedule(Period.WEEKDAYS, weekdays=(1, 2, 3, 4, 5, 6, 7)), (7, 7), StreakUnit.DAYS),
        (Schedule(Period.WEEKLY, times_per_week=3), (3, 7), StreakUnit.WEEKS),
        (Schedule(Period.WEEKLY, times_per_week=7), (7, 7), StreakUnit.WEEKS),
    ],
)
def test_schedule_frequency_and_streak_unit(
    schedule: Schedule, frequency: tuple[int, int], unit: StreakUnit
) -> None:
    # when / then
    assert schedule.frequency() == frequency
    assert schedule.streak_unit is unit


@pytest.mark.parametrize(
    ("schedule", "error"),
    [
        (Schedule(Period.DAILY), None),
        (Schedule(Period.WEEKDAYS, weekdays=(1, 2, 3, 4, 5)), None),
        (Schedule(Period.WEEKDAYS, weekdays=(7,)), None),
        (Schedule(Period.WEEKLY, times_per_week=1), None),
        (Schedule(Period.WEEKLY, times_per_week=7), None),
        (Schedule(Period.DAILY, weekdays=(1,)), "a daily schedule takes neither weekdays nor times_per_week"),
        (
            Schedule(Period.DAILY, times_per_week=3),
            "a daily schedule takes neither weekdays nor times_per_week",
        ),
        (Schedule(Period.WEEKDAYS), "a weekdays schedule needs at least one weekday"),
        (
            Schedule(Period.WEEKDAYS, weekdays=(0, 1)),
            "weekdays must be ISO weekdays from 1 (Monday) to 7 (Sunday)",
        ),
        (
            Schedule(Period.WEEKDAYS, weekdays=(8,)),
            "weekdays must be ISO weekdays from 1 (Monday) to 7 (Sunday)",
        ),
        (Schedule(Period.WEEKDAYS, weekdays=(2, 2)), "weekdays must not repeat"),
        (
            Schedule(Period.WEEKDAYS, weekdays=(1,), times_per_week=1),
            "a weekdays schedule does not take times_per_week",
        ),
        (Schedule(Period.WEEKLY), "a weekly schedule needs times_per_week from 1 to 7"),
        (Schedule(Period.WEEKLY, times_per_week=0), "a weekly schedule needs times_per_week from 1 to 7"),
        (Schedule(Period.WEEKLY, times_per_week=8), "a weekly schedule needs times_per_week from 1 to 7"),
        (
            Schedule(Period.WEEKLY, weekdays=(1,), times_per_week=1),
            "a weekly schedule does not take weekdays",
        ),
    ],
)
def test_schedule_validation_error(schedule: Schedule, error: str | None) -> None:
    # when / then
    assert schedule.validation_error() == error
