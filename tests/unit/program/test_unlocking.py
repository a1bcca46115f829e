"""The unlock rule: step 1 is always open, each next step opens on its predecessor's requirements, none ever closes."""

from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from server.activity import Activity, JournalActivity
from server.program.content import Program, StepDef
from server.program.requirements import ConfidenceAtLeast, JournalEntries, RequirementDef
from server.program.unlocking import StepState, next_unlocks, step_states

TODAY = date(2024, 5, 15)


def _step(key: str, position: int, *requirements: RequirementDef) -> StepDef:
    return StepDef(
        key=key, position=position, version=1, title=key.title(), summary=f"About {key}.",
        prompts=("Why?",), suggested_habits=(), requirements=requirements, body="Text.", source=f"{key}.md",
    )


# a: one entry for step a; b: three entries in all; c: confidence 50 today; d: the end.
PROGRAM = Program("comeback", "The Comeback path", (
    _step("a", 1, JournalEntries(1, "a")),
    _step("b", 2, JournalEntries(3)),
    _step("c", 3, ConfidenceAtLeast(50, 1)),
    _step("d", 4),
))
KEYS = [step.key for step in PROGRAM.steps]


def _activity(*step_keys: str | None) -> Activity:
    journal = tuple(JournalActivity(TODAY, key) for key in step_keys)
    return Activity(today=TODAY, signed_up_on=TODAY - timedelta(days=30), journal=journal)


CONFIDENT = {TODAY: 80.0}


def test_a_new_user_unlocks_step_one_only() -> None:
    # when
    opened = next_unlocks(PROGRAM, _activity(), {}, frozenset())

    # then
    assert opened == ["a"]


def test_a_user_with_no_activity_stays_at_step_one() -> None:
    # when
    opened = next_unlocks(PROGRAM, _activity(), {}, frozenset({"a"}))

    # then
    assert opened == []


def test_met_requirements_unlock_the_next_step() -> None:
    # given an entry written for step a
    activity = _activity("a")

    # when
    opened = next_unlocks(PROGRAM, activity, {}, frozenset({"a"}))

    # then
    assert opened == ["b"]


def test_a_chain_of_met_requirements_unlocks_several_steps_at_once() -> None:
    # given everything done already, and nothing recorded yet
    activity = _activity("a", None, None)

    # when
    opened = next_unlocks(PROGRAM, activity, CONFIDENT, frozenset())

    # then
    assert opened == ["a", "b", "c", "d"]


def test_the_chain_stops_at_the_first_unmet_step() -> None:
    # given steps a and b done but no confidence score
    activity = _activity("a", "a", "a")

    # when
    opened = next_unlocks(PROGRAM, activity, {}, frozenset({"a"}))

    # then
    assert opened == ["b", "c"]


def test_requirements_of_a_locked_step_open_nothing() -> None:
    # given the confidence requirement of step c met while b is still locked
    activity = _activity()

    # when
    opened = next_unlocks(PROGRAM, activity, CONFIDENT, frozenset({"a"}))

    # then
    assert opened == []


def test_unlocks_are_never_revoked_when_progress_drops() -> None:
    # given steps a to c recorded, and no activity any more (entries deleted, confidence gone)
    unlocked = frozenset({"a", "b", "c"})

    # when
    opened = next_unlocks(PROGRAM, _activity(), {}, unlocked)
    states = step_states(PROGRAM, _activity(), {}, unlocked)

    # then
    assert opened == []
    assert [(s.key, s.unlocked, s.complete) for s in states] == [
        ("a", True, False), ("b", True, False), ("c", True, False), ("d", False, False),
    ]


def test_a_recorded_step_stays_open_and_can_open_its_successor_after_a_content_reorder() -> None:
    # given only step c recorded (as if steps were reordered after it unlocked) and c's requirement met
    opened = next_unlocks(PROGRAM, _activity(), CONFIDENT, frozenset({"c"}))

    # then step 1 opens as always, and d follows c
    assert opened == ["a", "d"]


def test_step_states_report_progress_and_completion() -> None:
    # given step a recorded, one entry for a and one more entry
    activity = _activity("a", None)

    # when
    states = step_states(PROGRAM, activity, {}, frozenset({"a"}))

    # then a is complete, b is unlocked by the rule (not yet recorded) with 2 of 3 entries
    a, b, c, d = states
    assert a == StepState("a", 1, True, a.requirements, True)
    assert [(r.current, r.target, r.met) for r in a.requirements] == [(1.0, 1.0, True)]
    assert (b.unlocked, b.complete) == (True, False)
    assert [(r.kind, r.current, r.target, r.met) for r in b.requirements] == [("JOURNAL_ENTRIES", 2.0, 3.0, False)]
    assert (c.unlocked, d.unlocked) == (False, False)
    assert [r.description for r in c.requirements] == ["Hold a confidence score of 50 for 1 day"]
    assert d.requirements == ()


def test_the_last_step_is_complete_once_unlocked() -> None:
    # when
    states = step_states(PROGRAM, _activity("a", None, None), CONFIDENT, frozenset())

    # then
    assert [(s.unlocked, s.complete) for s in states] == [(True, True)] * 4


# A day of a user's life: how many entries they have for step a and in all, and today's confidence.
days = st.lists(
    st.tuples(st.integers(0, 2), st.integers(0, 4), st.sampled_from([0.0, 49.0, 50.0, 90.0])),
    min_size=1, max_size=12,
)


@given(days)
def test_the_unlocked_set_only_grows_and_is_always_a_prefix(history: list[tuple[int, int, float]]) -> None:
    # given a user whose progress goes up and down over several recomputes
    unlocked: frozenset[str] = frozenset()
    for for_a, others, score in history:
        activity = _activity(*["a"] * for_a, *[None] * others)

        # when
        opened = next_unlocks(PROGRAM, activity, {TODAY: score}, unlocked)

        # then new keys come in order, are really new, and extend a prefix into a longer prefix
        assert not set(opened) & unlocked
        assert opened == [key for key in KEYS if key in opened]
        grown = unlocked | set(opened)
        assert set(KEYS[: len(grown)]) == grown
        assert len(grown) >= 1
        # the states agree with the rule, and a second pass opens nothing more
        states = step_states(PROGRAM, activity, {TODAY: score}, unlocked)
        assert {s.key for s in states if s.unlocked} == grown
        assert next_unlocks(PROGRAM, activity, {TODAY: score}, grown) == []
        unlocked = grown
