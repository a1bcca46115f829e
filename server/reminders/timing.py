"""When a reminder is due: pure functions of its local time, its weekdays and the user's *current* profile.

A reminder belongs to a habit day. Its wall-clock time falls on that day's date when it is at or after
the day start hour, else on the next date (a 01:00 reminder with a 04:00 day start is the late evening
of the habit day before), so the weekdays and the "done today?" check speak of the same day the
check-ins count for. A time that does not exist (spring forward) is due at the gap's end, a repeated
time (fall back) at its first occurrence only: exactly one instant per habit day.

Instants are recomputed from the profile each time (never shifted by a stored offset), so travel and
DST follow the user.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from server.habits.days import local_day, wall_instant

ALL_WEEKDAYS = frozenset(range(1, 8))
_HHMM = re.compile(r"([01][0-9]|2[0-3]):([0-5][0-9])")  # ASCII digits only: \d takes any script's
_ONE_DAY = timedelta(days=1)


@dataclass(frozen=True, slots=True)
class Occurrence:
    """One firing of a reminder: the habit day it is for, and its instant (UTC)."""

    day: date
    at: datetime


def parse_time(text: str) -> time:
    """A local wall-clock "HH:MM" (24-hour, two digits each); ValueError otherwise."""
    match = _HHMM.fullmatch(text)
    if match is None:
        raise ValueError("a reminder time is \"HH:MM\", 00:00 to 23:59")
    return time(int(match[1]), int(match[2]))


def weekdays_problem(weekdays: Collection[int]) -> str | None:
    """What is wrong with a reminder's own weekdays (None: nothing): distinct ISO weekdays, at least one."""
    if not weekdays:
        return "give at least one weekday, or leave weekdays out for the habit's days"
    if not set(weekdays) <= ALL_WEEKDAYS or len(set(weekdays)) != len(weekdays):
        return "weekdays are distinct ISO weekdays from 1 (Monday) to 7 (Sunday)"
    return None


def format_time(value: time) -> str:
    return f"{value.hour:02d}:{value.minute:02d}"


def occurrence(day: date, at: time, tz: ZoneInfo, day_start_hour: int) -> datetime:
    """The instant the reminder at `at` fires for habit day `day`."""
    wall_date = day if at.hour >= day_start_hour else day + _ONE_DAY
    return wall_instant(datetime.combine(wall_date, at), tz)


def next_due(at: time, weekdays: Collection[int], tz: ZoneInfo, day_start_hour: int, after: datetime,
             after_day: date | None = None) -> Occurrence:
    """The first occurrence strictly after the instant `after` on a habit day whose ISO weekday is in
    `weekdays` and which comes after `after_day` (the day last fired, so a move west never fires a day twice)."""
    if not weekdays or not set(weekdays) <= ALL_WEEKDAYS:
        raise ValueError("weekdays must be a non-empty set of ISO weekdays 1-7")
    # The habit day holding `after` may still have its reminder ahead; the day before it too, when
    # the reminder sits before the day start (on the next date). Eight more days meet every weekday.
    day = local_day(after, tz, day_start_hour) - _ONE_DAY
    if after_day is not None and day <= after_day:
        day = after_day + _ONE_DAY
    for _ in range(10):
        if day.isoweekday() in weekdays:
            instant = occurrence(day, at, tz, day_start_hour)
            if instant > after:
                return Occurrence(day, instant)
        day += _ONE_DAY
    raise AssertionError("a weekday repeats within a week")  # pragma: no cover


def between(at: time, weekdays: Collection[int], tz: ZoneInfo, day_start_hour: int, start: datetime,
            end: datetime) -> list[Occurrence]:
    """Every occurrence in (start, end], in order."""
    found: list[Occurrence] = []
    after, after_day = start, None
    while True:
        nxt = next_due(at, weekdays, tz, day_start_hour, after, after_day)
        if nxt.at > end:
            return found
        found.append(nxt)
        after, after_day = nxt.at, nxt.day


def last_passed_day(at: time, tz: ZoneInfo, day_start_hour: int, now: datetime) -> date:
    """The latest habit day whose time `at` had come by `now` (the time of every earlier day had come too)."""
    return next_due(at, ALL_WEEKDAYS, tz, day_start_hour, now).day - _ONE_DAY
