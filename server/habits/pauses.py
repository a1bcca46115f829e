"""Pauses (holidays, illness), as the habit math sees them: a paused day is a skipped day.

The rule lives here and only here. Every reader of a habit's history (statuses, streaks, freezes,
strength, INTERVAL schedules, achievements, program requirements, confidence) gets its HabitLog from
the repository, which adds the paused days to the log's skips with `with_pauses`; so each of them
treats a paused day exactly as it treats a skip (kept streaks and freezes, strength unchanged, a
check-in that day still counting as done) without knowing pauses exist.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from server.habits.days import date_range
from server.habits.model import HabitLog

# A pause covers at most this many days, and starts at most this many days ahead of today.
RANGE_MAX_DAYS = 366
AHEAD_MAX_DAYS = 366
EARLIEST_DAY = date(1970, 1, 1)
REASON_MAX = 200


@dataclass(frozen=True, slots=True)
class PauseProblem:
    field: str
    message: str
    # True: a bound was crossed (OUT_OF_RANGE); False: the input makes no sense (INVALID_INPUT).
    out_of_range: bool


def range_problem(start: date, end: date, today: date) -> PauseProblem | None:
    """Why [start, end] cannot be a pause declared on `today`, or None when it can. The past is
    allowed (a break declared after the fact), the future up to AHEAD_MAX_DAYS ahead."""
    if end < start:
        return PauseProblem("to", "to must be on or after from", False)
    if start < EARLIEST_DAY:
        return PauseProblem("from", f"from must be on or after {EARLIEST_DAY.isoformat()}", True)
    if start > today + timedelta(days=AHEAD_MAX_DAYS):
        return PauseProblem("from", f"a pause can start at most {AHEAD_MAX_DAYS} days ahead", True)
    if (end - start).days + 1 > RANGE_MAX_DAYS:
        return PauseProblem("to", f"a pause covers at most {RANGE_MAX_DAYS} days", True)
    return None


def paused_days(spans: Iterable[tuple[date, date]], until: date | None = None) -> frozenset[date]:
    """Every day of the inclusive spans (overlaps counted once), none after `until` when given: the
    habit math never looks past today, so the days of a planned break need not be materialised."""
    days: set[date] = set()
    for start, end in spans:
        last = end if until is None else min(end, until)
        if last >= start:
            days.update(date_range(start, last))
    return frozenset(days)


def with_pauses(log: HabitLog, spans: Iterable[tuple[date, date]], until: date | None = None) -> HabitLog:
    """The log with its paused days added to its skips: from here on a paused day is a skipped day."""
    days = paused_days(spans, until)
    if not days:
        return log
    return HabitLog(log.quantities, log.skips | days)
