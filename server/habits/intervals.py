"""Loop Habit Tracker's rolling intervals: which days a "`times` in any `days` days" habit covers.

The rules, as Loop's EntryList applies them (learned from its source, written here anew):

1. Every run of `times` consecutive done days (in the order they happened) whose first and last
   day lie fewer than `days` days apart opens an interval of `days` days starting on its first
   day. (`days` of 30 or 31 means "a month": the interval is as long as the month of its first
   day, or of the next month when it starts on a month's last day.)
2. From the newest interval back, each older interval that overlaps or touches the one after it
   slides back, so that it ends the day before that one begins, but never so far that it ends
   before its own last done day ("snapping": gaps close, streaks grow).
3. Every day inside an interval is covered; a covered day without a check-in is Loop's YES_AUTO.

Days are ordinals (date.toordinal()) so the walk is plain integer arithmetic.

For stored checkpoints (issue 13): strength and the streak count resume from a day's state
(`s`, the window, `interval_streaks(..., current, longest)`), but covered days do not: a new
check-in can slide older intervals back (rule 2), through the whole chain of intervals that touch
each other, so statuses are final only before the first day of that chain.
"""

from __future__ import annotations

import calendar
from collections.abc import Sequence
from datetime import date

# Loop reads a denominator of 30 or 31 as "per month" when it sizes an interval.
_MONTH_DENOMINATORS = (30, 31)


def normalized(times: int, days: int) -> tuple[int, int]:
    """`times` equal to `days` is every day, as Loop's Frequency stores it (1/1)."""
    return (1, 1) if times == days else (times, days)


_MONTH_DAYS = (31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


def _month_length(year: int, month: int) -> int:
    return 29 if month == 2 and calendar.isleap(year) else _MONTH_DAYS[month - 1]


def longest_interval(days: int) -> int:
    """The most days one interval of a `days`-day schedule can last (30 and 31: a month, at most 31)."""
    return 31 if days in _MONTH_DENOMINATORS else days


def interval_length(begin: int, days: int) -> int:
    """An interval lasts `days` days; 30 or 31 mean the month of `begin` (the next one from a month's last day)."""
    if days not in _MONTH_DENOMINATORS:
        return days
    first = date.fromordinal(begin)
    length = _month_length(first.year, first.month)
    if first.day < length:
        return length
    return _month_length(first.year + first.month // 12, first.month % 12 + 1)


Interval = tuple[int, int, int]  # (begin, center, end): first day, last done day, last day


def build_intervals(done: Sequence[int], times: int, days: int) -> list[Interval]:
    """Rule 1: an interval per `times` consecutive done days spanning fewer than `days` days, newest first."""
    times, days = normalized(times, days)
    monthly = days in _MONTH_DENOMINATORS
    built: list[Interval] = []
    for index in range(len(done) - times, -1, -1):
        begin, center = done[index], done[index + times - 1]
        length = interval_length(begin, days) if monthly else days
        if center - begin < length:
            built.append((begin, center, begin + length - 1))
    return built


def snap(built: Sequence[Interval]) -> list[Interval]:
    """Rule 2: newest first, each older interval touching the next slides back, ending no earlier than its center."""
    out: list[Interval] = []
    next_begin: int | None = None
    for begin, center, end in built:
        if next_begin is not None and end >= next_begin:
            shift = min(end - center, end - next_begin + 1)
            begin, end = begin - shift, end - shift
        out.append((begin, center, end))
        next_begin = begin
    return out


def intervals(done: Sequence[int], times: int, days: int) -> list[Interval]:
    """Loop's intervals for these done days (ascending, distinct), newest first."""
    return snap(build_intervals(done, times, days))


def cover(spans: Sequence[Interval], first: int, last: int) -> bytearray:
    """Rule 3: one flag per day from `first` to `last`, 1 when some interval holds it."""
    size = last - first + 1
    if size <= 0:
        return bytearray()
    # Starts and ends as +1/-1 marks, summed once: linear in days plus intervals however long they are.
    marks = [0] * (size + 1)
    for begin, _, end in spans:
        if end < first or begin > last:
            continue
        marks[max(begin, first) - first] += 1
        marks[min(end, last) - first + 1] -= 1
    flags = bytearray(size)
    depth = 0
    for offset in range(size):
        depth += marks[offset]
        if depth:
            flags[offset] = 1
    return flags


def covered(done: Sequence[int], times: int, days: int, first: int, last: int) -> bytearray:
    """One flag per day from `first` to `last`: 1 when one of Loop's intervals for these done days covers it."""
    return cover(intervals(done, times, days), first, last)


# Rolling totals are summed in millionths as integers: exact however long the window, and for
# Loop's amounts (kept in thousandths) the same number Loop's own integer sum gives.
_MICRO = 1_000_000


def rolling_totals(quantities: Sequence[float], window: int) -> list[float]:
    """For each day, the sum of its own and the previous `window - 1` days' quantities (negatives as 0)."""
    micro = [round(q * _MICRO) if q > 0 else 0 for q in quantities]
    totals: list[float] = []
    append = totals.append
    running = 0
    for index, amount in enumerate(micro):
        running += amount
        if index >= window:
            running -= micro[index - window]
        append(running / _MICRO)
    return totals
