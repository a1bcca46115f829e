"""Our strength against Loop's score after the Loop mapping: equal where docs/loop-import.md says so,
and within the differences it documents elsewhere (the table there comes from this file)."""

from __future__ import annotations

import math
import random
from datetime import date, timedelta

import pytest

from server.habits.model import HabitLog, HabitRules, Kind
from server.habits.strength import strength_scores
from server.portability.loop import LoopHabit, schedule_for, target_for

DAYS = 365


def loop_scores(values: list[float], num: int, den: int, numerical: bool, target: float) -> list[float]:
    """Loop's ScoreList.recompute on per-day amounts (yes/no: 1 for YES_MANUAL), 0-100."""
    freq = num / den
    if not numerical and freq < 1:
        num, den = 2 * num, 2 * den
    m = 0.5 ** (math.sqrt(freq) / 13.0)
    s, out = 0.0, []
    for i in range(len(values)):
        window = sum(values[max(0, i - den + 1):i + 1])
        v = min(1.0, window / target) if numerical else min(1.0, window / num)
        s = s * m + v * (1 - m)
        out.append(100 * s)
    return out


def our_scores(values: list[float], num: int, den: int, numerical: bool, target: float) -> list[float]:
    habit = LoopHabit(1, "x", numerical, num, den, target_value=target)
    schedule, _ = schedule_for(num, den, numerical)
    start = date(2025, 1, 1)
    quantities = {start + timedelta(days=i): v for i, v in enumerate(values) if v > 0}
    rules = HabitRules(Kind.BUILD, schedule, target_for(habit), start)
    return strength_scores(rules, HabitLog(quantities), start + timedelta(days=len(values) - 1))


def weekly(rng: random.Random, days_per_week: int, amount: float) -> list[float]:
    out: list[float] = []
    while len(out) < DAYS:
        chosen = set(rng.sample(range(7), days_per_week))
        out += [amount if d in chosen else 0.0 for d in range(7)]
    return out[:DAYS]


def monthly(rng: random.Random, days_per_month: int) -> list[float]:
    out: list[float] = []
    while len(out) < DAYS:
        chosen = set(rng.sample(range(30), days_per_month))
        out += [1.0 if d in chosen else 0.0 for d in range(30)]
    return out[:DAYS]


@pytest.mark.parametrize(("num", "den", "numerical", "target"), [(1, 1, False, 1), (3, 7, False, 1),
                                                                  (5, 7, False, 1), (1, 1, True, 20)])
def test_exact_where_the_frequency_maps_exactly(num: int, den: int, numerical: bool, target: float) -> None:
    rng = random.Random(num * 100 + den)
    for _ in range(5):
        if numerical:
            values = [rng.choice([0.0, 5.0, 12.5, 20.0, 31.0]) for _ in range(DAYS)]
        else:
            values = [float(rng.random() < 0.6) for _ in range(DAYS)]
        ours = our_scores(values, num, den, numerical, target)
        assert max(abs(a - b) for a, b in zip(loop_scores(values, num, den, numerical, target), ours,
                                               strict=True)) < 1e-9


# (case, values, num, den, numerical, target, documented max difference, documented mean difference after 8 weeks)
def cases() -> list[tuple[str, list[float], int, int, bool, float, float, float]]:
    rng = random.Random(7)
    return [
        ("20 km a week: 5 km on 4 days", weekly(rng, 4, 5), 1, 7, True, 20, 7, 3),
        ("20 km a week: one 20 km run", weekly(rng, 1, 20), 1, 7, True, 20, 21, 10),
        ("20 km a week: 0-6 km every day", [rng.uniform(0, 6) for _ in range(DAYS)], 1, 7, True, 20, 6, 2),
        ("20 km a week: two weeks on, two off", [3.0 if (i // 14) % 2 == 0 else 0.0 for i in range(DAYS)],
         1, 7, True, 20, 6, 3),
        ("100 pages a month: 5 on 5 days a week", weekly(rng, 5, 5), 1, 30, True, 100, 30, 14),
        ("every other day, kept", [float(i % 2 == 0) for i in range(DAYS)], 1, 2, False, 1, 14, 1),
        ("every other day, 70% of days", [float(rng.random() < 0.7) for _ in range(DAYS)], 1, 2, False, 1, 12, 3),
        ("10 times a month, random days", monthly(rng, 10), 10, 30, False, 1, 29, 7),
    ]


def test_documented_differences_elsewhere() -> None:
    for name, values, num, den, numerical, target, max_documented, mean_documented in cases():
        diffs = [abs(a - b) for a, b in zip(loop_scores(values, num, den, numerical, target),
                                            our_scores(values, num, den, numerical, target), strict=True)]
        settled = diffs[56:]
        assert max(diffs) <= max_documented, (name, max(diffs))
        assert sum(settled) / len(settled) <= mean_documented, (name, sum(settled) / len(settled))
