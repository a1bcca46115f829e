"""Confidence score: components, weights, bounds, decay with neglect, archiving, history.

Expected strengths come from the closed form of the contract's rule for a daily habit:
done on each of n days from the start, s = 1 - m**n with m = 0.5 ** (1 / 13); then k days
of nothing multiply it by m**k. A QUIT habit clean for n days (today included) is at the same
1 - m**n: it starts from 0 like every habit (contract v2).
"""

import random
from datetime import date, timedelta
from uuid import uuid4

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from server.activity import Activity, HabitActivity, JournalActivity
from server.confidence import score as score_module
from server.confidence.score import Component, ConfidenceResult, confidence_history, confidence_on
from server.habits.model import Category, HabitLog, HabitRules, Kind, Period, Schedule
from server.habits.summary import strength_series

TODAY = date(2024, 6, 30)
DAILY = Schedule(Period.DAILY)
M = 0.5 ** (1 / 13)


def _habit(
    done_days: int,
    category: Category = Category.WORKOUT,
    kind: Kind = Kind.BUILD,
    start: date | None = None,
    archived_on: date | None = None,
) -> HabitActivity:
    """A daily habit started `done_days` days ago (today included) and done on each of them."""
    first = start if start is not None else TODAY - timedelta(days=done_days - 1)
    quantities = {first + timedelta(days=i): 1.0 for i in range(done_days)}
    return HabitActivity(
        id=uuid4(),
        name=f"{category} {kind}",
        category=category,
        rules=HabitRules(kind, DAILY, 1.0, first),
        log=HabitLog(quantities),
        created_on=first,
        archived_on=archived_on,
    )


def _idle(days: int, category: Category = Category.WORKOUT, archived_on: date | None = None) -> HabitActivity:
    """A daily BUILD habit started `days` days ago (today included) and never done."""
    start = TODAY - timedelta(days=days - 1)
    return HabitActivity(
        uuid4(), "idle", category, HabitRules(Kind.BUILD, DAILY, 1.0, start), HabitLog({}), start, archived_on
    )


def _quit(days: int) -> HabitActivity:
    """A QUIT habit started `days` days ago (today included) without a slip."""
    start = TODAY - timedelta(days=days - 1)
    return HabitActivity(
        uuid4(), "no contact", Category.CUSTOM, HabitRules(Kind.QUIT, DAILY, 1.0, start), HabitLog({}), start
    )


def _activity(*habits: HabitActivity, journal: tuple[date, ...] = (), today: date = TODAY) -> Activity:
    return Activity(
        today=today,
        signed_up_on=date(2024, 1, 1),
        habits=habits,
        journal=tuple(JournalActivity(day) for day in journal),
    )


def _by_key(result: ConfidenceResult) -> dict[str, Component]:
    return {c.key: c for c in result.components}


# --- the formula, with exact numbers -------------------------------------------------------------


def test_score_is_the_weighted_sum_of_strengths_and_reflection() -> None:
    # Given a workout habit done for 10 days, a clean QUIT habit and 2 journal entries this fortnight
    activity = _activity(_habit(10), _quit(20), journal=(TODAY, TODAY - timedelta(days=5)))

    # When
    result = confidence_on(activity, TODAY)

    # Then base weights 3, 3, 1 over 7 give 0.4286, 0.4286, 0.1428 (adding up to exactly 1)
    workout = round(100 * (1 - M**10), 2)
    no_contact = round(100 * (1 - M**20), 2)
    assert result.components == (
        Component("WORKOUT", "Workout", 0.4286, workout),
        Component("NO_CONTACT", "No contact", 0.4286, no_contact),
        Component("REFLECTION", "Reflection", 0.1428, 50.0),
    )
    assert result.day == TODAY
    assert result.score == round(0.4286 * workout + 0.4286 * no_contact + 0.1428 * 50, 2)


def test_the_documented_example_scores_65() -> None:
    # Given the example of docs/confidence.md: workout at 80, reading at 50, reflection at 50
    values = {"WORKOUT": 80.0, "READING": 50.0, "REFLECTION": 50.0}

    # When
    result = score_module.combine(TODAY, values)

    # Then
    assert [(c.key, c.weight, c.value) for c in result.components] == [
        ("WORKOUT", 0.5, 80.0),
        ("READING", 0.3333, 50.0),
        ("REFLECTION", 0.1667, 50.0),
    ]
    assert result.score == 65.0


def test_all_components_in_use_are_shown_in_a_fixed_order_with_their_labels() -> None:
    # Given one habit of every kind of component
    habits = (
        _quit(3),
        _habit(3, Category.CUSTOM),
        _habit(3, Category.FRIENDS),
        _habit(3, Category.HYGIENE),
        _habit(3, Category.READING),
        _habit(3, Category.WORKOUT),
    )

    # When
    result = confidence_on(_activity(*habits), TODAY)

    # Then the weights are 3, 2, 2, 2, 1, 3, 1 over 14, rounded to add up to exactly 1
    assert [(c.key, c.label, c.weight) for c in result.components] == [
        ("WORKOUT", "Workout", 0.2143),
        ("READING", "Reading", 0.1429),
        ("HYGIENE", "Hygiene", 0.1429),
        ("FRIENDS", "Friends & family", 0.1428),
        ("OTHER", "Other habits", 0.0714),
        ("NO_CONTACT", "No contact", 0.2143),
        ("REFLECTION", "Reflection", 0.0714),
    ]
    assert sum(c.weight for c in result.components) == pytest.approx(1.0, abs=1e-12)


def test_a_quit_habit_counts_as_no_contact_whatever_its_category() -> None:
    # Given a QUIT habit filed under WORKOUT
    habit = _habit(0, Category.WORKOUT, Kind.QUIT, start=TODAY - timedelta(days=4))

    # When
    result = confidence_on(_activity(habit), TODAY)

    # Then it feeds NO_CONTACT (clean for 5 days), not WORKOUT; reflection is in use at 0
    no_contact = round(100 * (1 - M**5), 2)
    assert [(c.key, c.value) for c in result.components] == [("NO_CONTACT", no_contact), ("REFLECTION", 0.0)]
    assert result.score == round(0.75 * no_contact, 2)


def test_a_new_account_scores_only_what_its_first_day_earned() -> None:
    # Given a user who just created one QUIT and one BUILD habit, with no check-in and no entry
    activity = _activity(_quit(1), _idle(1))

    # When
    result = confidence_on(activity, TODAY)

    # Then the quit habit has one clean day (5.19), the build habit nothing: not 60 as under the old
    # rule that started quit habits at 100
    assert [(c.key, c.weight, c.value) for c in result.components] == [
        ("WORKOUT", 0.4286, 0.0), ("NO_CONTACT", 0.4286, 5.19), ("REFLECTION", 0.1428, 0.0)]
    assert result.score == round(0.4286 * 5.19, 2) == 2.22


def test_a_component_is_the_mean_strength_of_its_habits() -> None:
    # Given two reading habits: one done for 20 days, one never done in 20 days
    activity = _activity(_habit(20, Category.READING), _idle(20, Category.READING))

    # When
    reading = _by_key(confidence_on(activity, TODAY))["READING"]

    # Then
    assert reading.value == round((100 * (1 - M**20) + 0.0) / 2, 2)
    assert reading.weight == 0.6667


def test_nothing_in_use_scores_zero() -> None:
    # Given a user with no habit and no journal entry
    # When
    result = confidence_on(_activity(), TODAY)

    # Then
    assert result == ConfidenceResult(TODAY, 0.0, ())


def test_reflection_counts_entries_of_the_14_days_ending_that_day() -> None:
    # Given entries today, 13 days ago (inside the window), 14 days ago (outside) and tomorrow (future)
    journal = (TODAY, TODAY - timedelta(days=13), TODAY - timedelta(days=14), TODAY + timedelta(days=1))

    # When
    result = confidence_on(_activity(journal=journal), TODAY)

    # Then only the two inside count: 2 x 25
    assert result.components == (Component("REFLECTION", "Reflection", 1.0, 50.0),)
    assert result.score == 50.0


def test_reflection_is_capped_at_100() -> None:
    # Given six entries in the last 14 days
    journal = tuple(TODAY - timedelta(days=2 * i) for i in range(6))

    # When
    result = confidence_on(_activity(journal=journal), TODAY)

    # Then
    assert result.score == 100.0


def test_reflection_is_not_in_use_before_the_first_habit_or_entry() -> None:
    # Given a habit started today and an entry written today
    activity = _activity(_habit(1), journal=(TODAY,))

    # When asked about yesterday
    result = confidence_on(activity, TODAY - timedelta(days=1))

    # Then nothing was in use yet
    assert result == ConfidenceResult(TODAY - timedelta(days=1), 0.0, ())


# --- rises with work, decays with neglect ---------------------------------------------------------


def test_thirty_days_without_a_check_in_lower_the_score() -> None:
    # Given a user who checked in daily for 30 days, the last check-in being today
    habit = _habit(30)
    before = confidence_on(_activity(habit), TODAY)

    # When 30 days pass with the same logs
    later = TODAY + timedelta(days=30)
    after = confidence_on(_activity(habit, today=later), later)

    # Then workout strength fell from 1 - m**30 to (1 - m**30) * m**30 (weights 0.75 / 0.25, reflection 0)
    assert before.score == round(0.75 * round(100 * (1 - M**30), 2), 2)
    assert after.score == round(0.75 * round(100 * (1 - M**30) * M**30, 2), 2)
    assert after.score < before.score


def test_each_check_in_day_raises_the_score() -> None:
    # Given a habit done every day for 10 days
    habit = _habit(10)

    # When
    history = confidence_history(_activity(habit), 10)

    # Then the score rises every day
    scores = [r.score for r in history]
    assert scores == sorted(scores) and len(set(scores)) == 10


# --- archiving ------------------------------------------------------------------------------------


def test_archiving_a_failing_habit_does_not_raise_that_days_score() -> None:
    # Given a strong workout habit and a failing reading habit
    strong = _habit(30)
    failing = _idle(30, Category.READING)
    archived = HabitActivity(
        failing.id, failing.name, failing.category, failing.rules, failing.log, failing.created_on, archived_on=TODAY
    )

    # When
    kept = confidence_on(_activity(strong, failing), TODAY)
    after_archiving = confidence_on(_activity(strong, archived), TODAY)

    # Then the archived habit still counts on the day it was archived
    assert after_archiving.score <= kept.score
    assert after_archiving == kept


def test_an_archived_habit_stops_counting_the_next_day() -> None:
    # Given a failing reading habit archived yesterday, next to a workout habit
    activity = _activity(_habit(30), _idle(30, Category.READING, archived_on=TODAY - timedelta(days=1)))

    # When
    yesterday = confidence_on(activity, TODAY - timedelta(days=1))
    today = confidence_on(activity, TODAY)

    # Then
    assert "READING" in _by_key(yesterday)
    assert "READING" not in _by_key(today)


# --- determinism and history ----------------------------------------------------------------------


def test_history_is_oldest_first_and_ends_today() -> None:
    # Given
    activity = _activity(_habit(5))

    # When
    history = confidence_history(activity, 7)

    # Then
    assert [r.day for r in history] == [TODAY - timedelta(days=6 - i) for i in range(7)]


def test_history_needs_at_least_one_day() -> None:
    with pytest.raises(ValueError, match="at least 1"):
        confidence_history(_activity(), 0)


def test_history_computes_each_strength_series_once(monkeypatch: pytest.MonkeyPatch) -> None:
    # Given three habits and a counting strength_series
    calls: list[HabitRules] = []
    real = strength_series

    def counting(rules: HabitRules, log: HabitLog, today: date) -> list[tuple[date, float]]:
        calls.append(rules)
        return real(rules, log, today)

    monkeypatch.setattr(score_module, "strength_series", counting)

    # When 90 days of history are computed
    confidence_history(_activity(_habit(100), _quit(50), _idle(10)), 90)

    # Then each habit's series was computed once, not once per day
    assert len(calls) == 3


# --- properties over random activity --------------------------------------------------------------

_SCHEDULES = st.one_of(
    st.just(DAILY),
    st.sets(st.integers(1, 7), min_size=1).map(lambda days: Schedule(Period.WEEKDAYS, tuple(sorted(days)))),
    st.integers(1, 7).map(lambda n: Schedule(Period.WEEKLY, times_per_week=n)),
)


@st.composite
def _random_habit(draw: st.DrawFn) -> HabitActivity:
    start = TODAY - timedelta(days=draw(st.integers(0, 60)))
    span = (TODAY - start).days
    offsets = st.integers(0, span)
    quantities = draw(st.dictionaries(offsets, st.sampled_from([0.5, 1.0, 2.0, 3.0]), max_size=span + 1))
    skips = draw(st.frozensets(offsets, max_size=5))
    archived = draw(st.none() | offsets)
    return HabitActivity(
        id=uuid4(),
        name="h",
        category=draw(st.sampled_from(list(Category))),
        rules=HabitRules(draw(st.sampled_from(list(Kind))), draw(_SCHEDULES), draw(st.sampled_from([1.0, 2.0])), start),
        log=HabitLog(
            {start + timedelta(days=o): q for o, q in quantities.items()},
            frozenset(start + timedelta(days=o) for o in skips),
        ),
        created_on=start,
        archived_on=None if archived is None else start + timedelta(days=archived),
    )


_ACTIVITIES = st.builds(
    lambda habits, journal: _activity(*habits, journal=tuple(journal)),
    st.lists(_random_habit(), max_size=5),
    st.lists(st.integers(0, 70).map(lambda back: TODAY - timedelta(days=back)), max_size=8),
)

_DAYS = st.integers(0, 70).map(lambda back: TODAY - timedelta(days=back))


@settings(max_examples=150, deadline=None)
@given(_ACTIVITIES, _DAYS)
def test_score_is_bounded_and_reproduced_by_its_rounded_components(activity: Activity, day: date) -> None:
    # When
    result = confidence_on(activity, day)

    # Then
    assert 0.0 <= result.score <= 100.0
    assert all(0.0 <= c.value <= 100.0 and 0.0 < c.weight <= 1.0 for c in result.components)
    assert all(c.value == round(c.value, 2) and c.weight == round(c.weight, 4) for c in result.components)
    if result.components:
        assert sum(c.weight for c in result.components) == pytest.approx(1.0, abs=1e-9)
        assert abs(sum(c.weight * c.value for c in result.components) - result.score) <= 0.01
    else:
        assert result.score == 0.0


@settings(max_examples=60, deadline=None)
@given(_ACTIVITIES)
def test_history_agrees_with_each_day_computed_alone(activity: Activity) -> None:
    # When
    history = confidence_history(activity, 75)

    # Then
    assert history == [confidence_on(activity, r.day) for r in history]


@settings(max_examples=100, deadline=None)
@given(_ACTIVITIES, _DAYS, st.randoms(use_true_random=False))
def test_score_is_deterministic_whatever_the_order_of_habits(activity: Activity, day: date, rng: random.Random) -> None:
    # Given the same activity with its habits shuffled
    habits = list(activity.habits)
    rng.shuffle(habits)
    shuffled = Activity(activity.today, activity.signed_up_on, tuple(habits), activity.journal)

    # When / Then
    assert confidence_on(activity, day) == confidence_on(activity, day)
    assert confidence_on(shuffled, day) == confidence_on(activity, day)


@settings(max_examples=100, deadline=None)
@given(_ACTIVITIES, st.integers(1, 30))
def test_data_after_the_day_does_not_change_it(activity: Activity, back: int) -> None:
    # Given a day in the past and a check-in on every habit after it
    day = TODAY - timedelta(days=back)
    later = tuple(
        HabitActivity(
            h.id,
            h.name,
            h.category,
            h.rules,
            HabitLog({**h.log.quantities, day + timedelta(days=1): 5.0}, h.log.skips),
            h.created_on,
            h.archived_on,
        )
        for h in activity.habits
    )
    changed = Activity(
        activity.today, activity.signed_up_on, later, (*activity.journal, JournalActivity(day + timedelta(days=1)))
    )

    # When / Then
    assert confidence_on(changed, day) == confidence_on(activity, day)


@settings(max_examples=100, deadline=None)
@given(_ACTIVITIES)
def test_archiving_any_habit_on_a_day_leaves_that_days_score_unchanged(activity: Activity) -> None:
    # Given every habit archived today
    archived = tuple(
        HabitActivity(h.id, h.name, h.category, h.rules, h.log, h.created_on, archived_on=TODAY)
        for h in activity.habits
        if h.archived_on is None
    )
    kept = tuple(h for h in activity.habits if h.archived_on is None)

    journal = tuple(entry.day for entry in activity.journal)

    # When / Then
    assert confidence_on(_activity(*archived, journal=journal), TODAY) == confidence_on(
        _activity(*kept, journal=journal), TODAY
    )
