"""Which days of the confidence window a recompute computes (issue 13): Loop's approach, from the
earliest changed day.

Confidence on a day reads the data of that day and the days before it only (strength is a recurrence
over past days; reflection counts the entries of the 14 days ending that day; a habit counts from its
start date until it is archived). So a change that may alter confidence from some day on leaves every
earlier day's score as stored, and the recompute computes the days from the stale mark's day on:
the stored ones before it are what a from-scratch recompute would store again
(tests/unit/progress/test_window.py, tests/integration/test_recompute_from_day.py).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from datetime import date, timedelta

from server.confidence.score import ConfidenceResult

_ONE_DAY = timedelta(days=1)


def window_start(today: date, days: int) -> date:
    """The first day of the `days`-day window ending today."""
    return today - timedelta(days=days - 1)


def marked_start(today: date, days: int, stale_from: date | None) -> date:
    """Where a stale mark asks confidence to be computed from: its day, within the window (None: the
    window's first day); never after today, whose score is always computed (it announces changes)."""
    first = window_start(today, days)
    return first if stale_from is None else min(today, max(first, stale_from))


def compute_from(today: date, days: int, stale_from: date | None, stored: Collection[date]) -> date:
    """The first day a recompute computes: the mark's (marked_start), or the window's earliest day
    without a stored score before it (a user never recomputed, or not on some days): a day kept is
    only ever one a recompute stored."""
    start = marked_start(today, days, stale_from)
    day = window_start(today, days)
    while day < start:
        if day not in stored:
            return day
        day += _ONE_DAY
    return start


def scores_by_day(computed: Sequence[ConfidenceResult],
                  stored: Mapping[date, tuple[float, str]], start: date) -> dict[date, float]:
    """Confidence on every day the program's rules may read: as stored before `start`, as computed
    from it on."""
    by_day = {day: score for day, (score, _) in stored.items() if day < start}
    by_day.update((r.day, r.score) for r in computed)
    return by_day
