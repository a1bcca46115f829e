"""A recompute from the stale mark's day stores what a recompute of the whole window stores (issue 13):
after random sequences of changes (back-dated check-ins, undos, skips, pauses, journal entries, changes
of everything, days passing), each marked from its own day and merged as the user row merges them,
recomputing from the merged day with strength continued from a checkpoint before it, and only that
much of each log, keeps exactly the scores a from-scratch confidence_history gives, and hands the
program's rules the same score for every day of the window. Pure: the real-database counterpart is
tests/integration/test_recompute_from_day.py."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

from hypothesis import event, given, settings
from hypothesis import strategies as st

from server.activity import Activity, HabitActivity, JournalActivity
from server.confidence.score import confidence_history
from server.habits.checkpoints import extend, resume_point
from server.habits.model import Category, HabitLog
from server.progress.derive import Bases, derive
from server.progress.service import HISTORY_DAYS, changed_days, components_json
from server.progress.window import compute_from, marked_start, scores_by_day, window_start
from tests.unit.progress.test_derive import _trimmed, activities

ONE_DAY = timedelta(days=1)
FRESH = "fresh"  # no change pending: the next mark's day replaces whatever stale_from held

Stored = dict[date, tuple[float, str]]

CHANGES = st.one_of(
    st.tuples(st.just("check-in"), st.integers(0, 4), st.integers(0, 130), st.sampled_from([1.0, 0.5, 3.0])),
    st.tuples(st.just("undo"), st.integers(0, 4), st.integers(0, 130), st.just(0.0)),
    st.tuples(st.just("skip"), st.integers(0, 4), st.integers(0, 130), st.just(0.0)),
    st.tuples(st.just("unskip"), st.integers(0, 4), st.integers(0, 130), st.just(0.0)),
    st.tuples(st.just("pause"), st.integers(0, 4), st.integers(0, 130), st.integers(1, 20).map(float)),
    st.tuples(st.just("journal"), st.just(0), st.integers(0, 130), st.just(0.0)),
    st.tuples(st.just("unjournal"), st.just(0), st.integers(0, 7), st.just(0.0)),
    st.tuples(st.just("category"), st.integers(0, 4), st.just(0), st.just(0.0)),
    st.tuples(st.just("next day"), st.just(0), st.just(0), st.just(0.0)),
)


def _with_log(activity: Activity, index: int, log: HabitLog) -> Activity:
    habits = list(activity.habits)
    habits[index] = replace(habits[index], log=log)
    return replace(activity, habits=tuple(habits))


def _apply(activity: Activity, change: tuple[str, int, int, float]) -> tuple[Activity, date | None]:
    """The activity after the change, and the day its stale mark carries (None: everything), as the
    services mark it."""
    kind, index, back, amount = change
    index %= len(activity.habits)
    habit: HabitActivity = activity.habits[index]
    day = activity.today - timedelta(days=back)
    log = habit.log
    if kind == "check-in":
        return _with_log(activity, index, HabitLog({**log.quantities, day: amount}, log.skips)), day
    if kind == "undo":
        return _with_log(activity, index, HabitLog({d: q for d, q in log.quantities.items() if d != day},
                                                   log.skips)), day
    if kind == "skip":
        return _with_log(activity, index, HabitLog(log.quantities, log.skips | {day})), day
    if kind == "unskip":
        return _with_log(activity, index, HabitLog(log.quantities, log.skips - {day})), day
    if kind == "pause":  # paused days join the skips where a habit's history is loaded
        paused = {day + timedelta(days=n) for n in range(int(amount))}
        return _with_log(activity, index, HabitLog(log.quantities, log.skips | paused)), day
    if kind == "journal":
        return replace(activity, journal=(*activity.journal, JournalActivity(day, None))), day
    if kind == "unjournal":
        if not activity.journal:
            return activity, activity.today
        gone = activity.journal[back % len(activity.journal)]
        return replace(activity, journal=tuple(e for e in activity.journal if e is not gone)), gone.day
    if kind == "category":  # a change the services mark as everything
        habits = list(activity.habits)
        habits[index] = replace(habit, category=Category.CUSTOM if habit.category is not Category.CUSTOM
                                else Category.READING)
        return replace(activity, habits=tuple(habits)), None
    assert kind == "next day"  # the roll-over marks from the new today
    today = activity.today + ONE_DAY
    return replace(activity, today=today), today


def _merged(pending: date | str | None, day: date | None) -> date | None:
    """stale_from after a mark, as accounts.STALE_FROM_MERGE and the unit of work merge it."""
    if pending == FRESH:
        return day
    if pending is None or day is None:
        return None
    assert isinstance(pending, date)
    return min(pending, day)


def _recompute(activity: Activity, stored: Stored, stale_from: date | None) -> tuple[dict[date, float], date]:
    """What recompute_user does with a stale_from: compute from window.compute_from, each habit's
    strength continued from its latest checkpoint before that day and its log loaded from there; store
    the changed days. Returns the scores the program's rules read, and the first day computed."""
    today = activity.today
    start = compute_from(today, HISTORY_DAYS, stale_from, stored)
    bases = {}
    for habit in activity.habits:
        base = resume_point([c for c in extend(habit.rules, habit.log, today, None) if c.tally is not None], start)
        bases[habit.id] = Bases(base, base)
    loaded = replace(activity, habits=tuple(_trimmed(h, bases[h.id]) for h in activity.habits))
    carried = derive(loaded, bases)
    computed = confidence_history(loaded, (today - start).days + 1, carried.strengths)
    read = {d: v for d, v in stored.items() if d >= window_start(today, HISTORY_DAYS)}  # scores_since(first)
    by_day = scores_by_day(computed, read, start)
    stored.update({day: (score, text) for day, score, text in changed_days(computed, stored)})
    return by_day, start


def _from_scratch(activity: Activity) -> Stored:
    return {r.day: (r.score, components_json(r)) for r in confidence_history(activity, HISTORY_DAYS)}


@settings(max_examples=60, deadline=None)
@given(activities(), st.lists(st.tuples(CHANGES, st.booleans()), min_size=1, max_size=6),
       st.sets(st.integers(0, HISTORY_DAYS - 1), max_size=3))
def test_recomputing_from_the_marked_day_keeps_what_a_whole_window_recompute_stores(
        activity: Activity, changes: list[tuple[tuple[str, int, int, float], bool]], never_stored: set[int]) -> None:
    # given the scores of a whole-window recompute, some days of them never stored
    stored = _from_scratch(activity)
    first = window_start(activity.today, HISTORY_DAYS)
    for offset in never_stored:
        stored.pop(first + timedelta(days=offset))
    pending: date | str | None = FRESH
    changes[-1] = (changes[-1][0], True)  # the last change is recomputed
    for change, recompute_now in changes:
        # when a change is marked from its day (merged with those pending), now and then recomputed
        activity, day = _apply(activity, change)
        pending = _merged(pending, day)
        if not recompute_now:
            continue
        assert pending != FRESH
        stale_from = None if pending == FRESH else pending
        assert not isinstance(stale_from, str)
        by_day, start = _recompute(activity, stored, stale_from)
        pending = FRESH
        event("computed " + ("the whole window" if start == window_start(activity.today, HISTORY_DAYS) else
                             "from the mark" if start == marked_start(activity.today, HISTORY_DAYS, stale_from)
                             else "from a day never stored"))
        # then every day of the window is stored as a whole-window recompute stores it
        expected = _from_scratch(activity)
        assert {d: stored[d] for d in expected} == expected
        # and the program's rules read every day's score as a whole-window recompute gives it
        assert by_day == {d: score for d, (score, _) in expected.items()}
