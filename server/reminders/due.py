"""Whether a reminder should fire: is the habit due on this local day and still open?

It reads the same day statuses as streaks and the dashboard (server.habits.timeline), so a day that
counts as done, skipped or covered there never gets a reminder here.
"""

from __future__ import annotations

from datetime import date, timedelta

from server.habits.days import week_start
from server.habits.model import DayStatus, HabitLog, HabitRules, Kind, Period
from server.habits.timeline import walk

# BUILD statuses of a day that a check-in can still change for the better.
_OPEN = frozenset({DayStatus.PENDING, DayStatus.PARTIAL})


def habit_open_on(rules: HabitRules, log: HabitLog, day: date) -> bool:
    """True when the habit is due on `day` and nothing settles it yet (not done, skipped, covered by an
    interval, a WEEKLY quota already met or excused). A QUIT habit is open every day it is not skipped:
    its reminder is a nudge to hold on, and no check-in "completes" the day before it ends.

    Pauses (another change) are skip-like days: a paused day must answer False here, like a skip."""
    if day < rules.start_date:
        return False
    status = walk(rules, log, day).status(day)
    if status is DayStatus.SKIPPED:
        return False
    if rules.kind is Kind.QUIT:
        return True
    if rules.schedule.period is Period.WEEKLY:
        # Days of a WEEKLY habit are NOT_DUE until the week is judged; the week's quota decides.
        return status in (DayStatus.NOT_DUE, DayStatus.PARTIAL) and _week_open(rules, log, day)
    # A day off the schedule with something logged is PARTIAL too, but nothing is due on it.
    return rules.schedule.is_due(day) and status in _OPEN


def _week_open(rules: HabitRules, log: HabitLog, day: date) -> bool:
    times = rules.schedule.times_per_week or 0
    first = max(week_start(day), rules.start_date)
    settled = 0
    current = first
    while current < day:  # earlier days of this calendar week: done or skipped ones count toward the quota
        if log.quantities.get(current, 0.0) >= rules.target or current in log.skips:
            settled += 1
        current += timedelta(days=1)
    return settled < times
