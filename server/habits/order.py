"""The owner's order of habits: what habitsReorder does to it, as a pure function."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TypeVar

T = TypeVar("T")


def reordered(current: Sequence[T], wanted: Sequence[T]) -> list[T]:
    """`current` with the items of `wanted` put in that order, in the places they held: every other
    item keeps its place (a list of the active habits leaves the archived ones where they are).
    `wanted` names each item at most once, and only items of `current`."""
    listed = set(wanted)
    if len(listed) != len(wanted) or not listed <= set(current):
        raise ValueError("wanted must name items of current, each once")
    moving = iter(wanted)
    return [next(moving) if item in listed else item for item in current]
