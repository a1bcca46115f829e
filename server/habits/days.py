"""Local days: which day an instant belongs to, when a day starts, and calendar helpers."""

from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

_ONE_DAY = timedelta(days=1)
_ONE_MICROSECOND = timedelta(microseconds=1)


def local_day(at: datetime, tz: ZoneInfo, day_start_hour: int) -> date:
    """An instant belongs to the date of its local wall-clock time minus day_start_hour hours."""
    _check_hour(day_start_hour)
    if at.tzinfo is None or at.utcoffset() is None:
        raise ValueError("local_day needs an aware datetime")
    local = at.astimezone(tz)
    # Subtracting on the naive wall clock, not in elapsed time, keeps the boundary at
    # day_start_hour:00 local even on days that are 23 or 25 hours long.
    day = (local.replace(tzinfo=None, fold=0) - timedelta(hours=day_start_hour)).date()
    if local.fold == 1 and at >= day_start(day + _ONE_DAY, tz, day_start_hour):
        # When clocks fall back across day_start_hour (e.g. Chatham, 03:45 -> 02:45 with a
        # 03:00 start) the wall clock replays the end of the old day; the day already begun
        # keeps those instants, so days never repeat.
        day += _ONE_DAY
    return day


def day_start(day: date, tz: ZoneInfo, day_start_hour: int) -> datetime:
    """A day starts at day_start_hour:00 local; at a DST gap's end if skipped, first time if repeated."""
    _check_hour(day_start_hour)
    return wall_instant(datetime.combine(day, time(hour=day_start_hour)), tz)


def wall_instant(wall: datetime, tz: ZoneInfo) -> datetime:
    """The UTC instant a naive local wall-clock time names in `tz`: the first of a repeated (fall-back)
    time, the gap's end for a time that does not exist (spring-forward)."""
    # fold=0 is the first occurrence of a repeated wall time.
    instant = wall.replace(tzinfo=tz, fold=0).astimezone(UTC)
    if _wall(instant, tz) == wall:
        return instant
    return _end_of_gap(wall, tz)


def week_start(day: date) -> date:
    """Weeks are calendar weeks starting on Monday."""
    return day - timedelta(days=day.weekday())


def date_range(start: date, end: date) -> Iterator[date]:
    """Every date from start to end, both included; none when end is before start."""
    # Ordinals are several times faster than adding timedeltas, and this runs once per day of history.
    return map(date.fromordinal, range(start.toordinal(), end.toordinal() + 1))


def _wall(at: datetime, tz: ZoneInfo) -> datetime:
    return at.astimezone(tz).replace(tzinfo=None, fold=0)


def _end_of_gap(wall: datetime, tz: ZoneInfo) -> datetime:
    # For a wall time inside a gap, fold=1 maps with the offset after the transition and
    # lands before it, fold=0 with the offset before and lands at or after it; the first
    # instant whose wall clock reaches `wall` is the transition itself, found by bisection
    # because tzinfo offers no way to ask for the transition instant.
    before = wall.replace(tzinfo=tz, fold=1).astimezone(UTC)
    after = wall.replace(tzinfo=tz, fold=0).astimezone(UTC)
    while after - before > _ONE_MICROSECOND:
        middle = before + (after - before) / 2
        if _wall(middle, tz) >= wall:
            after = middle
        else:
            before = middle
    return after


def _check_hour(day_start_hour: int) -> None:
    if not 0 <= day_start_hour <= 23:
        raise ValueError("day_start_hour must be from 0 to 23")
