"""Stored checkpoints (issue 13): reading from one gives exactly what a replay from start_date gives."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from server.habits.checkpoints import (
    Checkpoint,
    anchor_days,
    extend,
    fingerprint,
    joined,
    log_needed_from,
    resume_point,
    settled_before,
)
from server.habits.day_slices import days_of, pack, unpack
from server.habits.model import HabitLog, HabitRules, Kind, Period, Schedule
from server.habits.summary import read
from server.habits.timeline import walk
from tests.unit.habits.runs import DAY_KINDS, lay_out

ONE_DAY = timedelta(days=1)
BASE = date(2023, 11, 20)

schedules = st.one_of(
    st.just(Schedule(Period.DAILY)),
    st.sets(st.integers(1, 7), min_size=1).map(lambda days: Schedule(Period.WEEKDAYS, tuple(sorted(days)))),
    st.integers(1, 7).map(lambda n: Schedule(Period.WEEKLY, times_per_week=n)),
    st.tuples(st.sampled_from([1, 2, 3, 7, 20, 30, 31]), st.integers(1, 5), st.booleans()).map(
        lambda t: Schedule(Period.INTERVAL, times=min(t[1], t[0]), days=t[0], total=t[2])),
)



@st.composite
def histories(draw: st.DrawFn) -> tuple[HabitRules, HabitLog, date]:
    kind = draw(st.sampled_from([Kind.BUILD, Kind.BUILD, Kind.BUILD, Kind.QUIT]))
    schedule = draw(schedules)
    target = draw(st.sampled_from([1.0, 2.0, 2.5]))
    limit = draw(st.sampled_from([0.0, 1.0])) if kind is Kind.QUIT else 0.0
    start = BASE + timedelta(days=draw(st.integers(0, 40)))
    runs = draw(st.lists(st.tuples(st.sampled_from(DAY_KINDS), st.integers(1, 30)), min_size=1, max_size=12))
    day = start - timedelta(days=draw(st.integers(0, 3)))
    quantities, skips, day = lay_out(runs, day, target)
    today = day + timedelta(days=draw(st.integers(-3, 40)))
    return HabitRules(kind, schedule, target, start, limit), HabitLog(quantities, frozenset(skips)), today


def _same_reads(rules: HabitRules, log: HabitLog, today: date, base: Checkpoint) -> None:
    replayed, resumed = read(rules, log, today), read(rules, log, today, base)
    assert resumed.timeline.start == base.day + ONE_DAY  # it did resume
    assert resumed.summary() == replayed.summary()
    window = (base.day + ONE_DAY, today + timedelta(days=3))
    assert resumed.days(*window) == replayed.days(*window)
    # Bit for bit: the same recurrence over the same windows, not merely close.
    assert resumed.strengths(base.day + ONE_DAY, today) == replayed.strengths(base.day + ONE_DAY, today)


@settings(max_examples=100, deadline=None)
@given(histories())
def test_reads_from_any_checkpoint_equal_a_replay_from_the_start(history: tuple[HabitRules, HabitLog, date]) -> None:
    rules, log, today = history
    checkpoints = extend(rules, log, today, None)
    assert [c.day for c in checkpoints] == anchor_days(rules, rules.start_date - ONE_DAY, settled_before(today))
    for base in checkpoints:
        assert rules.start_date <= base.day < today
        _same_reads(rules, log, today, base)


@settings(max_examples=100, deadline=None)
@given(histories(), st.data())
def test_extending_from_a_checkpoint_gives_the_checkpoints_a_replay_gives(
        history: tuple[HabitRules, HabitLog, date], data: st.DataObject) -> None:
    rules, log, today = history
    checkpoints = extend(rules, log, today, None)
    if not checkpoints:
        return
    k = data.draw(st.integers(0, len(checkpoints) - 1))
    assert extend(rules, log, today, checkpoints[k]) == checkpoints[k + 1:]
    # A later today only adds checkpoints after the ones there are.
    later = extend(rules, log, today + timedelta(days=45), checkpoints[-1])
    assert [c.day for c in later] == anchor_days(rules, checkpoints[-1].day, settled_before(today + timedelta(days=45)))


@settings(max_examples=100, deadline=None)
@given(histories(), st.data())
def test_a_change_on_a_day_leaves_the_checkpoints_before_it_right(
        history: tuple[HabitRules, HabitLog, date], data: st.DataObject) -> None:
    """What repository.invalidate_from relies on: a checkpoint before the changed day still holds.
    Not for INTERVAL habits without a total, whose invalidation drops every checkpoint (a check-in can
    slide Loop's intervals back through a whole chain of them)."""
    rules, log, today = history
    if rules.schedule.period is Period.INTERVAL and not rules.schedule.total and rules.kind is Kind.BUILD:
        return
    checkpoints = extend(rules, log, today, None)
    changed = rules.start_date + timedelta(days=data.draw(st.integers(0, max(0, (today - rules.start_date).days))))
    what = data.draw(st.sampled_from(["check-in", "undo", "skip", "unskip"]))
    quantities, skips = dict(log.quantities), set(log.skips)
    if what == "check-in":
        quantities[changed] = quantities.get(changed, 0.0) + rules.target
    elif what == "undo":
        quantities.pop(changed, None)
    elif what == "skip":
        skips.add(changed)
    else:
        skips.discard(changed)
    after = HabitLog(quantities, frozenset(skips))
    kept = [c for c in checkpoints if c.day < changed]
    for base in kept:
        _same_reads(rules, after, today, base)
    replayed = extend(rules, after, today, None)
    # the days they keep are those of the new log's replay too (a read serves them in its place)
    assert [c.days for c in kept] == [c.days for c in replayed[:len(kept)]]
    # ...and the recompute carries on from the last one kept to what a replay of the new log gives.
    assert extend(rules, after, today, kept[-1] if kept else None) == replayed[len(kept):]


@given(histories())
def test_the_resume_point_is_the_latest_checkpoint_before_the_day(history: tuple[HabitRules, HabitLog, date]) -> None:
    rules, log, today = history
    checkpoints = extend(rules, log, today, None)
    for checkpoint in checkpoints:
        assert resume_point(checkpoints, checkpoint.day + ONE_DAY) == checkpoint
        assert resume_point(checkpoints, checkpoint.day) != checkpoint
    assert resume_point(checkpoints, rules.start_date) is None


def test_checkpoints_sit_on_month_ends_and_weekly_habits_on_the_sunday_before() -> None:
    daily = HabitRules(Kind.BUILD, Schedule(Period.DAILY), 1.0, date(2024, 1, 15))
    assert anchor_days(daily, date(2024, 1, 14), date(2024, 4, 30)) == [
        date(2024, 1, 31), date(2024, 2, 29), date(2024, 3, 31)]
    weekly = HabitRules(Kind.BUILD, Schedule(Period.WEEKLY, times_per_week=3), 1.0, date(2024, 1, 15))
    days = anchor_days(weekly, date(2024, 1, 14), date(2024, 4, 30))
    assert days == [date(2024, 1, 28), date(2024, 2, 25), date(2024, 3, 31), date(2024, 4, 28)]
    assert all(d.isoweekday() == 7 for d in days)
    # Before today only: today's own status can still change.
    assert anchor_days(daily, date(2024, 1, 14), date(2024, 3, 31)) == [date(2024, 1, 31), date(2024, 2, 29)]


def test_a_resumed_walk_keeps_the_freezes_and_the_run_towards_the_next_one() -> None:
    rules = HabitRules(Kind.BUILD, Schedule(Period.DAILY), 1.0, date(2024, 1, 25))
    # 10 done days to Feb 3: one freeze earned on the 7th, 3 towards the next; then two misses.
    log = HabitLog({date(2024, 1, 25) + timedelta(days=i): 1.0 for i in range(10)} |
                   {date(2024, 2, 6) + timedelta(days=i): 1.0 for i in range(4)})
    [january] = extend(rules, log, date(2024, 2, 10), None)
    assert (january.day, january.streak, january.freezes, january.run) == (date(2024, 1, 31), 7, 1, 7)
    resumed = walk(rules, log, date(2024, 2, 10), since=date(2024, 2, 1), state=january.walk_state)
    assert resumed.state == walk(rules, log, date(2024, 2, 10)).state


def test_the_fingerprint_changes_with_every_rule() -> None:
    base = HabitRules(Kind.BUILD, Schedule(Period.DAILY), 1.0, date(2024, 1, 1))
    others = [
        HabitRules(Kind.QUIT, Schedule(Period.DAILY), 1.0, date(2024, 1, 1)),
        HabitRules(Kind.BUILD, Schedule(Period.WEEKDAYS, (1, 2)), 1.0, date(2024, 1, 1)),
        HabitRules(Kind.BUILD, Schedule(Period.INTERVAL, times=2, days=3), 1.0, date(2024, 1, 1)),
        HabitRules(Kind.BUILD, Schedule(Period.INTERVAL, times=2, days=3, total=True), 1.0, date(2024, 1, 1)),
        HabitRules(Kind.BUILD, Schedule(Period.DAILY), 2.0, date(2024, 1, 1)),
        HabitRules(Kind.BUILD, Schedule(Period.DAILY), 1.0, date(2024, 1, 2)),
        HabitRules(Kind.BUILD, Schedule(Period.DAILY), 1.0, date(2024, 1, 1), 1.0),
    ]
    assert len({fingerprint(r) for r in [base, *others]}) == len(others) + 1


@settings(max_examples=100, deadline=None)
@given(histories(), st.sampled_from(["done", "over", "partial", "skip", "clear"]), st.integers(0, 1), st.booleans())
def test_a_change_to_today_reaches_no_checkpoint_unless_needs_invalidation_says_so(
        history: tuple[HabitRules, HabitLog, date], change: str, late: int, month_end: bool) -> None:
    """Why a check-in for today voids nothing: every checkpoint the recompute keeps, computed on the
    check-in's today or a day later (a job crossing midnight), is the same whatever today holds."""
    from server.habits.checkpoints import needs_invalidation

    rules, log, today = history
    if month_end:  # today on an anchor day, where a checkpoint kept one day too close would show it
        today = date(today.year + today.month // 12, today.month % 12 + 1, 1) - ONE_DAY
    quantities, skips = dict(log.quantities), set(log.skips)
    quantities.pop(today, None)
    skips.discard(today)
    if change == "done":
        quantities[today] = rules.target
    elif change == "over":
        quantities[today] = rules.target * 4
    elif change == "partial":
        quantities[today] = rules.target / 2
    elif change == "skip":
        skips.add(today)
    changed = HabitLog(quantities, frozenset(skips))
    recompute_today = today + timedelta(days=late)
    before, after = extend(rules, log, recompute_today, None), extend(rules, changed, recompute_today, None)
    if not needs_invalidation(rules, today, today):
        assert before == after
    assert needs_invalidation(rules, today - ONE_DAY, today)  # a back-dated change always may


@settings(max_examples=100, deadline=None)
@given(histories(), st.integers(-10, 60), st.integers(0, 90))
def test_a_series_is_the_days_as_two_lists(history: tuple[HabitRules, HabitLog, date], back: int,
                                           length: int) -> None:
    rules, log, today = history
    reading = read(rules, log, today)
    start = max(reading.timeline.start, today - timedelta(days=back))
    end = start + timedelta(days=length)
    days = reading.days(start, end)
    assert reading.series(start, end) == ([d.status for d in days], [d.quantity for d in days])


@settings(max_examples=100, deadline=None)
@given(histories(), st.data())
def test_reads_from_the_days_checkpoints_keep_equal_a_replay(history: tuple[HabitRules, HabitLog, date],
                                                           data: st.DataObject) -> None:
    """What queries.readings relies on for long windows: the walk resumes from the latest checkpoint,
    with the log from there on only, and the days before come as the checkpoints kept them (stored
    and read back), float for float what a replay from start_date gives."""
    rules, log, today = history
    checkpoints = [Checkpoint(c.day, c.strength, c.streak, c.longest, c.freezes, c.run, c.tally,
                              pack(c.days) if c.days is not None and not isinstance(c.days, str) else None)
                   for c in extend(rules, log, today, None)]
    latest = resume_point(checkpoints, today)
    if latest is None:
        return
    start = rules.start_date + timedelta(days=data.draw(st.integers(0, (latest.day - rules.start_date).days)))
    slices = [days_of(c) for c in checkpoints if c.day <= latest.day]
    stored = joined([d for d in slices if d is not None], start)
    assert stored is not None and stored.first == start and stored.last == latest.day
    reach = log_needed_from(rules, latest)
    assert reach is not None
    tail = HabitLog({d: q for d, q in log.quantities.items() if d >= reach},
                    frozenset(d for d in log.skips if d >= reach))
    resumed, replayed = read(rules, tail, today, latest, stored), read(rules, log, today)
    end = today + timedelta(days=data.draw(st.integers(0, 3)))
    assert resumed.days(start, end) == replayed.days(start, end)
    assert resumed.series(start, end) == replayed.series(start, end)
    assert resumed.strengths(start, today) == replayed.strengths(start, today)
    assert resumed.summary() == replayed.summary()


def test_kept_days_read_back_exactly() -> None:
    rules = HabitRules(Kind.BUILD, Schedule(Period.DAILY), 2.0, date(2026, 1, 1), 0.0)
    log = HabitLog({date(2026, 1, 1) + timedelta(days=d): float(d % 3) for d in range(40)},
                   frozenset({date(2026, 1, 9)}))
    [first, *_] = extend(rules, log, date(2026, 3, 10), None)
    assert first.days is not None and not isinstance(first.days, str)
    assert unpack(pack(first.days)) == first.days
    assert len(first.days.statuses) == len(first.days.quantities) == len(first.days.strengths) == 31
