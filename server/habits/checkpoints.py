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
from dataclasses import dataclass, field
from datetime import date, timedelta
from itertools import pairwise

from server.habits.days import date_range
from server.habits.intervals import longest_interval
from server.habits.model import DayStatus, HabitLog, HabitRules, Kind, Period
from server.habits.strength import strength_scores, window_days
from server.habits.tally import EMPTY, Tally, fold
from server.habits.timeline import START, Timeline, WalkState, walk

_ONE_DAY = timedelta(days=1)
# Checkpoints are kept only for days at least this many days before the recompute's today. The
# recompute's today is at most one day past a check-in's (a job crossing midnight), so a change to
# the check-in's own today never reaches a checkpoint, stored or being computed: the common check-in
# needs no invalidation (and takes no lock on its habit row; see needs_invalidation).
SETTLE_DAYS = 2


@dataclass(frozen=True, slots=True)
class DaySlice:
    """What a read returns of each day from `first` through a checkpoint's day (its status, its
    quantity, its raw strength): kept with the checkpoint, so that a long window (a year's heatmap,
    1,000 days of strength) reads these instead of walking every day of the log again."""

    first: date
    statuses: tuple[DayStatus, ...]
    quantities: tuple[float, ...]
    strengths: tuple[float, ...]  # the raw score, 0 to 1 (strength is 100 s)

    @property
    def last(self) -> date:
        return self.first + timedelta(days=len(self.statuses) - 1)


def joined(slices: Sequence[DaySlice], start: date) -> DaySlice | None:
    """Consecutive slices as one, from `start` on (None: they leave a gap, or begin after `start`)."""
    if not slices or slices[0].first > start:
        return None
    for before, after in pairwise(slices):
        if after.first != before.last + _ONE_DAY:
            return None
    skip = (start - slices[0].first).days
    statuses = [s for piece in slices for s in piece.statuses][skip:]
    if not statuses:
        return None
    return DaySlice(start, tuple(statuses), tuple(q for piece in slices for q in piece.quantities)[skip:],
                    tuple(v for piece in slices for v in piece.strengths)[skip:])


@dataclass(frozen=True, slots=True)
class Checkpoint:
    day: date  # the state after this day
    strength: float  # the raw score s, from 0 to 1 (strength is 100 s): resuming needs it exactly
    streak: int
    longest: int
    freezes: int
    run: int
    # What the achievement rules read of the days through this one (server.habits.tally); None on a
    # checkpoint stored before tallies were: reads resume from it, the recompute does not.
    tally: Tally | None = None
    # Its days since the checkpoint before it (DaySlice), or as stored, unpacked when a read needs them
    # (server.habits.day_slices); None on a checkpoint stored before they were kept.
    days: DaySlice | str | None = field(default=None, compare=False)

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
    return _anchored(rules, log, today, base, None, until_today=False)[0]


@dataclass(frozen=True, slots=True)
class Advanced:
    """A habit carried through today from checkpoints (see advance)."""

    checkpoints: list[Checkpoint]  # made on the way: extend(rules, log, today, base)
    timeline: Timeline  # the walk after the last of them (or base) through today, in its state after today
    tally: Tally  # through today
    strength_from: date  # the day of strength[0]
    strength: list[float]  # the raw score (0 to 1) on each day from strength_from through today


def advance(rules: HabitRules, log: HabitLog, today: date, base: Checkpoint | None,
            strength_base: Checkpoint | None) -> Advanced:
    """Walk a habit through today from `base` (a checkpoint with its tally; None: from start_date)
    making the checkpoints after it, and its strength from `strength_base` (a checkpoint on or before
    base's day, so None without a base; None: from start_date): what the recompute reads of every
    habit. The log must hold the days log_needed_from(rules, strength_base) reads. Equal to a replay
    from start_date, as extend's checkpoints and read's reads are."""
    if strength_base is not None and (base is None or strength_base.day > base.day):
        raise ValueError("strength resumes from a checkpoint on or before the walk's")
    made, timeline, tally, raw, since = _anchored(rules, log, today, base, strength_base, until_today=True)
    assert timeline is not None
    return Advanced(made, timeline, tally, since, raw)


def _anchored(rules: HabitRules, log: HabitLog, today: date, base: Checkpoint | None,
              strength_base: Checkpoint | None, until_today: bool,
              ) -> tuple[list[Checkpoint], Timeline | None, Tally, list[float], date]:
    if base is not None and base.tally is None:
        raise ValueError("checkpoints are made and walks resumed only from a checkpoint with its tally")
    after = base.day if base is not None else rules.start_date - _ONE_DAY
    anchors = anchor_days(rules, after, settled_before(today))
    since = after + _ONE_DAY
    s_base = strength_base if until_today else base
    s_since = s_base.day + _ONE_DAY if s_base is not None else rules.start_date
    last = today if until_today else anchors[-1] if anchors else None
    raw = [] if last is None else strength_scores(rules, log, last, since=s_since,
                                                   s=s_base.strength if s_base else 0.0, scale=1.0)
    s_first = max(s_since, rules.start_date)
    state = base.walk_state if base is not None else START
    tally = base.tally if base is not None and base.tally is not None else EMPTY
    made: list[Checkpoint] = []
    begin = since
    for day in anchors:
        timeline = walk(rules, log, today, since=begin, state=state, until=day)
        state = timeline.state
        tally = fold(rules, log, tally, begin, timeline.statuses, today)
        get = log.quantities.get
        span = list(date_range(timeline.start, day))
        days = DaySlice(timeline.start, timeline.statuses, tuple(float(get(d, 0.0)) for d in span),
                        tuple(raw[(d - s_first).days] for d in span))
        made.append(Checkpoint(day, raw[(day - s_first).days], state.streak, state.longest, state.freezes,
                               state.run, tally, days))
        begin = day + _ONE_DAY
    if not until_today:
        return made, None, tally, raw, s_first
    timeline = walk(rules, log, today, since=begin, state=state)
    tally = fold(rules, log, tally, timeline.start, timeline.statuses, today)
    return made, timeline, tally, raw, s_first


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
