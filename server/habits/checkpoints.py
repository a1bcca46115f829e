"""Stored progress (issue 13): a habit's state at the end of some past days, to read from instead of
replaying its whole history.

A checkpoint holds what the streak walk and the strength recurrence carry from one day to the next
(the raw score, the streak, the longest streak, freezes held and the freeze run). Every other input a
day needs is in the log itself and is read again on resuming: the days a strength window reaches
back to, the rolling totals of INTERVAL totals, the done days whose intervals can cover a day (see
`timeline.interval_statuses`). So resuming from a checkpoint gives exactly what a replay from
start_date gives, provided the log up to the checkpoint's day is what it was when the checkpoint
was made: a change to a day invalidates the checkpoints from that day on (repository.invalidate_from),
and a change of the habit's rules all of them (the fingerprint below). A missing checkpoint only
costs a longer walk.

Checkpoints sit at the end of each calendar month (WEEKLY habits: the Sunday on or before it, since
their days are judged a whole week at a time), always before today: today's own status is not final.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from server.habits.intervals import longest_interval
from server.habits.model import HabitLog, HabitRules, Kind, Period
from server.habits.strength import strength_scores, window_days
from server.habits.timeline import START, WalkState, walk

_ONE_DAY = timedelta(days=1)
# Checkpoints are kept only for days at least this many days before the recompute's today. The
# recompute's today is at most one day past a check-in's (a job crossing midnight), so a change to
# the check-in's own today never reaches a checkpoint, stored or being computed: the common check-in
# needs no invalidation (and takes no lock on its habit row; see needs_invalidation).
SETTLE_DAYS = 2


@dataclass(frozen=True, slots=True)
class Checkpoint:
    day: date  # the state after this day
    strength: float  # the raw score s, from 0 to 1 (strength is 100 s): resuming needs it exactly
    streak: int
    longest: int
    freezes: int
    run: int

    @property
    def walk_state(self) -> WalkState:
        return WalkState(self.streak, self.longest, self.freezes, self.run)


def fingerprint(rules: HabitRules) -> str:
    """A digest (16 hex digits) of everything of a habit's rules its checkpoints depend on: stored with
    them, so that a checkpoint made under other rules (a changed schedule, target, start date...) is
    void whichever path changed them."""
    s = rules.schedule
    text = "|".join(str(part) for part in (
        rules.kind.value, s.period.value, ",".join(map(str, s.weekdays)), s.times_per_week, s.times, s.days,
        int(s.total), repr(rules.target), rules.start_date.isoformat(), repr(rules.limit)))
    return hashlib.blake2b(text.encode(), digest_size=8).hexdigest()


def anchor_days(rules: HabitRules, after: date, before: date) -> list[date]:
    """The days a checkpoint is kept for, after `after` and before `before`, from start_date on."""
    weekly = rules.schedule.period is Period.WEEKLY and rules.kind is Kind.BUILD
    low = max(after + _ONE_DAY, rules.start_date)
    days: list[date] = []
    year, month = low.year, low.month
    while True:
        end = date(year + month // 12, month % 12 + 1, 1) - _ONE_DAY
        if weekly:
            end -= timedelta(days=(end.weekday() + 1) % 7)  # back to a Sunday
        if end >= before:
            return days
        if end >= low:
            days.append(end)
        year, month = year + month // 12, month % 12 + 1


def settled_before(today: date) -> date:
    """Checkpoints are kept for anchor days before this day (SETTLE_DAYS before today at least)."""
    return today - timedelta(days=SETTLE_DAYS - 1)


def needs_invalidation(rules: HabitRules, day: date, today: date) -> bool:
    """Whether a change to `day`, made on the owner's `today`, can reach a checkpoint: a day before
    today can; today cannot (SETTLE_DAYS), except on an INTERVAL habit without a total, where a new
    check-in can slide Loop's intervals back through a whole chain of them."""
    schedule = rules.schedule
    if rules.kind is Kind.BUILD and schedule.period is Period.INTERVAL and not schedule.total:
        return True
    return day < today


def extend(rules: HabitRules, log: HabitLog, today: date, base: Checkpoint | None) -> list[Checkpoint]:
    """The checkpoints after `base` (None: from start_date) up to the last anchor day at least
    SETTLE_DAYS before today."""
    after = base.day if base is not None else rules.start_date - _ONE_DAY
    anchors = anchor_days(rules, after, settled_before(today))
    if not anchors:
        return []
    since = after + _ONE_DAY
    raw = strength_scores(rules, log, anchors[-1], since=since, s=base.strength if base else 0.0, scale=1.0)
    state = base.walk_state if base is not None else START
    made: list[Checkpoint] = []
    begin = since
    for day in anchors:
        timeline = walk(rules, log, today, since=begin, state=state, until=day)
        state = timeline.state
        made.append(Checkpoint(day, raw[(day - since).days], state.streak, state.longest, state.freezes, state.run))
        begin = day + _ONE_DAY
    return made


def log_needed_from(rules: HabitRules, base: Checkpoint | None) -> date | None:
    """The first day of the log a walk resuming after `base` reads (None: all of it): the day after
    the checkpoint, less what one day's strength window, rolling total or interval reaches back to."""
    if base is None:
        return None
    reach = window_days(rules)
    schedule = rules.schedule
    if rules.kind is Kind.BUILD and schedule.period is Period.INTERVAL and schedule.days is not None:
        reach = max(reach, longest_interval(schedule.days))
    return max(rules.start_date, base.day + _ONE_DAY - timedelta(days=reach - 1))


def resume_point(checkpoints: Sequence[Checkpoint], before: date) -> Checkpoint | None:
    """The latest checkpoint before `before` (checkpoints in day order), if any."""
    found = None
    for checkpoint in checkpoints:
        if checkpoint.day >= before:
            break
        found = checkpoint
    return found
