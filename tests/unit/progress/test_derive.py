"""The recompute continued from checkpoints reads exactly what a replay from start_date reads (issue 13):
achievement facts and progress, the confidence window, the program's requirement measures and the
checkpoints it stores next, on random histories of every kind of habit, from any checkpoints a replay
makes, and after a back-dated change has voided those from its day on (repository.invalidate_from)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from datetime import date, timedelta
from uuid import UUID, uuid4

from hypothesis import event, given, settings
from hypothesis import strategies as st

from server.achievements import catalogue
from server.achievements.rules import (
    FIXED_TARGETS,
    FOCUS_CATEGORIES,
    PARAMS,
    Facts,
    Rule,
    RuleKind,
    balanced_week,
    evaluate,
    facts_of,
    friends_weeks,
)
from server.activity import Activity, HabitActivity, JournalActivity
from server.confidence.score import confidence_history
from server.habits.checkpoints import Checkpoint, extend, log_needed_from
from server.habits.model import Category, DayStatus, HabitLog, HabitRules, Kind, Period, Schedule
from server.habits.timeline import walk
from server.program import requirements as req
from server.progress.derive import Bases, derive
from server.progress.service import HISTORY_DAYS
from tests.unit.habits.runs import DAY_KINDS, lay_out

TODAY = date(2025, 3, 12)  # a Wednesday
ONE_DAY = timedelta(days=1)

SCHEDULES = st.one_of(
    st.just(Schedule(Period.DAILY)),
    st.sets(st.integers(1, 7), min_size=1).map(lambda days: Schedule(Period.WEEKDAYS, tuple(sorted(days)))),
    st.integers(1, 7).map(lambda n: Schedule(Period.WEEKLY, times_per_week=n)),
    st.tuples(st.sampled_from([1, 2, 3, 7, 30]), st.integers(1, 4), st.booleans()).map(
        lambda t: Schedule(Period.INTERVAL, times=min(t[1], t[0]), days=t[0], total=t[2])),
)


@st.composite
def habits(draw: st.DrawFn) -> HabitActivity:
    kind = draw(st.sampled_from([Kind.BUILD, Kind.BUILD, Kind.BUILD, Kind.QUIT]))
    target = draw(st.sampled_from([1.0, 2.0, 2.5]))
    limit = draw(st.sampled_from([0.0, 1.0])) if kind is Kind.QUIT else 0.0
    start = TODAY - timedelta(days=draw(st.integers(-3, 420)))
    runs = draw(st.lists(st.tuples(st.sampled_from(DAY_KINDS), st.integers(1, 40)), min_size=1, max_size=16))
    quantities, skips, _ = lay_out(runs, start - timedelta(days=draw(st.integers(0, 3))), target)
    archived = draw(st.none() | st.integers(-3, 420))
    return HabitActivity(
        id=uuid4(), name="h", category=draw(st.sampled_from(list(Category))),
        rules=HabitRules(kind, draw(SCHEDULES), target, start, limit), log=HabitLog(quantities, frozenset(skips)),
        created_on=start, archived_on=None if archived is None else TODAY - timedelta(days=archived),
        unit=draw(st.sampled_from([None, "pages", " Page ", "minutes"])))


@st.composite
def activities(draw: st.DrawFn) -> Activity:
    today = TODAY + timedelta(days=draw(st.integers(-30, 0)))
    journal = draw(st.lists(st.tuples(st.integers(-3, 200), st.sampled_from([None, "step-1"])), max_size=8))
    return Activity(today=today, signed_up_on=TODAY - timedelta(days=500), habits=tuple(draw(st.lists(habits(),
                    min_size=1, max_size=5))),
                    journal=tuple(JournalActivity(TODAY - timedelta(days=back), key) for back, key in journal))


def _window_first(today: date) -> date:
    return today - timedelta(days=HISTORY_DAYS - 1)


def _pick(checkpoints: list[Checkpoint], today: date, data: st.DataObject) -> Bases:
    """A walk base among the checkpoints (or none), and a strength base on or before it and before the
    confidence window (or none), as the recompute picks them when it finds them stored."""
    walk_base = data.draw(st.sampled_from([None, *checkpoints]))
    early = [c for c in checkpoints if walk_base is not None and c.day <= walk_base.day
             and c.day < _window_first(today)]
    bases = Bases(walk_base, data.draw(st.sampled_from([None, *early])))
    event("resumed: " + ("walk and strength" if bases.strength else "walk" if bases.walk else "none"))
    return bases


def _trimmed(habit: HabitActivity, bases: Bases) -> HabitActivity:
    """The habit with only the log the recompute loads for these bases (from log_needed_from on)."""
    low = log_needed_from(habit.rules, bases.strength)
    if low is None:
        return habit  # strength from start_date: the whole log
    log = habit.log
    return replace(habit, log=HabitLog({d: q for d, q in log.quantities.items() if d >= low},
                                       frozenset(d for d in log.skips if d >= low)))


def _requirements() -> list[req.RequirementDef]:
    found: list[req.RequirementDef] = [req.QuitStreak(days=10_000)]
    for category in Category:
        found += [req.CategoryStreak(category, 10_000), req.HabitStrength(category, 1000.0)]
    return found


def _same_answers(full: Activity, resumed: Activity, bases: Mapping[UUID, Bases]) -> None:
    replayed = derive(full)
    carried = derive(resumed, bases)
    # Facts as the rules' old walk over every status gave them, and as a replay of derive gives them.
    assert carried.facts == facts_of(full) == replayed.facts
    assert catalogue.progress(resumed, carried.facts) == catalogue.progress(full)
    for kind in RuleKind:
        params = {name: k for name in PARAMS[kind] for k in (3,)}
        for target in ([FIXED_TARGETS[kind]] if kind in FIXED_TARGETS else [1, 7, 10_000]):
            rule = Rule(kind, params, target)
            assert evaluate(rule, carried.facts) == evaluate(rule, full)
    history = confidence_history(resumed, HISTORY_DAYS, carried.strengths)
    assert history == confidence_history(full, HISTORY_DAYS)
    by_day = {r.day: r.score for r in history}
    replayed_standings = req.standings_of(full)
    for requirement in _requirements():
        assert req.evaluate(requirement, resumed, by_day, carried.standings) == req.evaluate(
            requirement, full, by_day, replayed_standings)
    for habit in full.habits:
        walk_base = bases.get(habit.id, Bases()).walk
        assert carried.checkpoints[habit.id] == extend(habit.rules, habit.log, full.today, walk_base)


@settings(max_examples=50, deadline=None)
@given(activities(), st.data())
def test_a_recompute_from_any_checkpoints_reads_what_a_replay_reads(activity: Activity, data: st.DataObject) -> None:
    bases = {h.id: _pick(extend(h.rules, h.log, activity.today, None), activity.today, data) for h in activity.habits}
    resumed = replace(activity, habits=tuple(_trimmed(h, bases[h.id]) for h in activity.habits))
    _same_answers(activity, resumed, bases)


@settings(max_examples=50, deadline=None)
@given(activities(), st.data())
def test_after_a_back_dated_change_the_checkpoints_kept_give_a_replays_answers(
        activity: Activity, data: st.DataObject) -> None:
    """A check-in, an undo, a skip (a pause is skips) or an unskip on a past day voids the checkpoints
    from that day on (an INTERVAL habit's without a total: all of them); from those kept, the recompute
    reads what a replay of the changed log reads."""
    changed_habits = []
    bases = {}
    for habit in activity.habits:
        rules, log = habit.rules, habit.log
        made = extend(rules, log, activity.today, None)
        span = max(0, (activity.today - rules.start_date).days)
        day = rules.start_date + timedelta(days=data.draw(st.integers(0, span)))
        what = data.draw(st.sampled_from(["check-in", "undo", "skip", "unskip"]))
        quantities, skips = dict(log.quantities), set(log.skips)
        if what == "check-in":
            quantities[day] = quantities.get(day, 0.0) + rules.target
        elif what == "undo":
            quantities.pop(day, None)
        elif what == "skip":
            skips.add(day)
        else:
            skips.discard(day)
        interval = rules.kind is Kind.BUILD and rules.schedule.period is Period.INTERVAL and not rules.schedule.total
        kept = [] if interval else [c for c in made if c.day < day]
        changed = replace(habit, log=HabitLog(quantities, frozenset(skips)))
        changed_habits.append(changed)
        bases[habit.id] = _pick(kept, activity.today, data)
    full = replace(activity, habits=tuple(changed_habits))
    resumed = replace(full, habits=tuple(_trimmed(h, bases[h.id]) for h in full.habits))
    _same_answers(full, resumed, bases)


def _old_rebuilt(statuses: tuple[DayStatus, ...], start: date, schedule: Schedule, streak: int, today: date) -> bool:
    """COMEBACK as the rule walked it before tallies: over every status since start_date."""
    run, lost_one = 0, False
    for index, status in enumerate(statuses):
        day = start + timedelta(days=index)
        due = schedule.is_due(day)
        if status is DayStatus.DONE and due:
            run += 1
            if lost_one and run >= streak:
                return True
        elif status is DayStatus.MISSED or (status is DayStatus.PARTIAL and due and day < today):
            lost_one = lost_one or run >= streak
            run = 0
    return False


@settings(max_examples=100, deadline=None)
@given(habits(), st.integers(1, 12))
def test_comeback_from_the_tally_is_the_old_walk_over_every_status(habit: HabitActivity, streak: int) -> None:
    timeline = walk(habit.rules, habit.log, TODAY)
    facts = facts_of(Activity(TODAY, TODAY, (habit,))).habits[0]
    assert (facts.comeback >= streak) == _old_rebuilt(timeline.statuses, habit.rules.start_date,
                                                      habit.rules.schedule, streak, TODAY)


def _old_friends_weeks(facts: Facts) -> int:
    """FRIENDS_WEEKS as the rule counted it over sets of Mondays before week bits."""
    weeks = sorted(set().union(*(h.done_weeks for h in facts.habits
                                 if h.category is Category.FRIENDS and h.kind is Kind.BUILD)))
    best = run = 0
    for index, week in enumerate(weeks):
        run = run + 1 if index > 0 and week - weeks[index - 1] == timedelta(days=7) else 1
        best = max(best, run)
    return best


def _old_balanced_week(facts: Facts) -> int:
    covered: dict[date, set[Category]] = {}
    for h in facts.habits:
        if h.kind is Kind.BUILD and h.category in FOCUS_CATEGORIES:
            for week in h.done_weeks:
                covered.setdefault(week, set()).add(h.category)
    return max((len(categories) for categories in covered.values()), default=0)


@settings(max_examples=80, deadline=None)
@given(activities())
def test_week_rules_on_week_bits_count_what_they_counted_on_sets_of_mondays(activity: Activity) -> None:
    facts = facts_of(activity)
    for habit, h in zip(activity.habits, facts.habits, strict=True):
        timeline = walk(habit.rules, habit.log, activity.today)
        first = timeline.start.toordinal()
        assert h.done_weeks == {date.fromordinal(o - (o + 6) % 7) for o in (
            first + i for i, status in enumerate(timeline.statuses) if status is DayStatus.DONE)}
    assert friends_weeks(facts, {}) == _old_friends_weeks(facts)
    assert balanced_week(facts, {}) == _old_balanced_week(facts)
