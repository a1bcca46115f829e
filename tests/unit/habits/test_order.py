"""habitsReorder's rule: the habits named take their places in the order given; the rest stay put."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from server.habits.order import reordered


def test_the_named_habits_swap_places_and_the_others_stay() -> None:
    assert reordered("abcde", "eb") == list("aecdb")
    assert reordered("abcde", "") == list("abcde")
    assert reordered("abc", "cba") == list("cba")


@pytest.mark.parametrize("wanted", ["aa", "ax"])
def test_a_repeated_or_unknown_habit_is_refused(wanted: str) -> None:
    with pytest.raises(ValueError):
        reordered("abc", wanted)


@given(st.lists(st.integers(0, 50), unique=True).flatmap(
    lambda current: st.tuples(st.just(current), st.permutations(current).flatmap(
        lambda shuffled: st.integers(0, len(shuffled)).map(lambda n: shuffled[:n])))))
def test_a_reorder_is_a_permutation_that_moves_only_what_it_names(case: tuple[list[int], list[int]]) -> None:
    current, wanted = case
    out = reordered(current, wanted)
    assert sorted(out) == sorted(current)
    assert [x for x in out if x in wanted] == list(wanted)
    assert all(out[i] == x for i, x in enumerate(current) if x not in wanted)
    assert {i for i, x in enumerate(out) if x in wanted} == {i for i, x in enumerate(current) if x in wanted}
