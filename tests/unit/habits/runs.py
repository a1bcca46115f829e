"""Histories for property tests: runs of one kind of day, laid out from a first day."""

from __future__ import annotations

from datetime import date, timedelta

# Runs of one kind of day: done, empty, partial, well over, skipped, skipped with something.
DAY_KINDS = ["x", ".", "p", "X", "s", "ps", "xs"]


def lay_out(runs: list[tuple[str, int]], first: date, target: float) -> tuple[dict[date, float], set[date], date]:
    """Per-day quantities and skipped days for `runs` from `first` on, and the day after the last."""
    quantities: dict[date, float] = {}
    skips: set[date] = set()
    day = first
    for mark, length in runs:
        for _ in range(length):
            if "x" in mark:
                quantities[day] = target
            elif "X" in mark:
                quantities[day] = target * 3
            elif "p" in mark:
                quantities[day] = target / 2
            if "s" in mark:
                skips.add(day)
            day += timedelta(days=1)
    return quantities, skips, day
