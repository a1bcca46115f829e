"""What the achievement rules and the program's requirements read of a habit's whole history, carried
from one day to the next (issue 13): so that a checkpoint can hold it and the recompute continue from
there instead of walking every day since start_date.

A tally is a fold over the days' statuses (as the streak walk gives them) and quantities, in day
order. Each of its parts is what one rule used to recompute from every status:

- the check-in days in a row (`timeline.done_day_streaks`: INTERVAL habits' "N days in a row");
- COMEBACK: for a streak of k done due days rebuilt after one of k was lost, it is enough to know the
  best min(longest run lost so far, current run) over the done due days: the rule holds iff it is >= k;
- the days with something logged and the sum of what was logged (READING_TOTAL), in day order;
- the calendar weeks with a DONE day, as bits from the week of start_date (FRIENDS_WEEKS and
  BALANCED_WEEK compare weeks across habits, so the weeks themselves are kept, not a count).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta

from server.habits.days import date_range, week_start
from server.habits.model import DayStatus, HabitLog, HabitRules, Period


@dataclass(frozen=True, slots=True)
class Tally:
    done_streak: int = 0  # DONE days in a row now (done_day_streaks' current)
    done_longest: int = 0  # ...and the most ever
    comeback_run: int = 0  # done due days since the last break (COMEBACK's run)
    comeback_lost: int = 0  # the longest such run a break ended
    comeback_best: int = 0  # the best min(comeback_lost, comeback_run) on a done due day
    check_in_days: int = 0  # days with a positive quantity logged
    logged: float = 0.0  # the sum of those quantities, added in day order
    done_weeks: int = 0  # bit i: the calendar week starting week_start(start_date) + 7 i has a DONE day


EMPTY = Tally()


def fold(rules: HabitRules, log: HabitLog, tally: Tally, first: date, statuses: Sequence[DayStatus],
         today: date) -> Tally:
    """The tally after the days from `first` on whose statuses these are, from `tally` (the one after
    the day before `first`; EMPTY before start_date). `today`'s status is not final: it breaks
    nothing."""
    if not statuses:
        return tally
    schedule, get = rules.schedule, log.quantities.get
    every_day = schedule.period is not Period.WEEKDAYS  # Schedule.is_due is True on every day then
    weekdays = schedule.weekdays
    done, longest = tally.done_streak, tally.done_longest
    run, lost, best = tally.comeback_run, tally.comeback_lost, tally.comeback_best
    days, logged = tally.check_in_days, tally.logged
    weeks = tally.done_weeks
    week_zero = week_start(rules.start_date).toordinal()
    for day, status in zip(date_range(first, first + timedelta(days=len(statuses) - 1)), statuses, strict=True):
        quantity = get(day, 0.0)
        if quantity > 0:
            days += 1
            logged += float(quantity)
        due = every_day or day.isoweekday() in weekdays
        if status is DayStatus.DONE:
            done += 1
            if done > longest:
                longest = done
            weeks |= 1 << ((day.toordinal() - week_zero) // 7)
            if due:
                run += 1
                if lost and min(lost, run) > best:
                    best = min(lost, run)
            continue
        past = day != today
        if status is DayStatus.MISSED or (status is DayStatus.PARTIAL and past):
            done = 0
        # COMEBACK's break: a miss, or something short of the target on a due day before today.
        if status is DayStatus.MISSED or (status is DayStatus.PARTIAL and due and past):
            lost = max(lost, run)
            run = 0
    return Tally(done, longest, run, lost, best, days, logged, weeks)


def to_json(tally: Tally) -> str:
    """A tally as stored with a checkpoint (floats as Python writes them: they read back exactly)."""
    return json.dumps([tally.done_streak, tally.done_longest, tally.comeback_run, tally.comeback_lost,
                       tally.comeback_best, tally.check_in_days, tally.logged, format(tally.done_weeks, "x")],
                      separators=(",", ":"))


def from_json(text: str | None) -> Tally | None:
    """The tally stored with a checkpoint; None when there is none (a checkpoint made before tallies)."""
    if not text:
        return None
    parts = json.loads(text)
    return replace(EMPTY, done_streak=int(parts[0]), done_longest=int(parts[1]), comeback_run=int(parts[2]),
                   comeback_lost=int(parts[3]), comeback_best=int(parts[4]), check_in_days=int(parts[5]),
                   logged=float(parts[6]), done_weeks=int(parts[7], 16))
