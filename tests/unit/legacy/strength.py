"""Habit strength: Loop Habit Tracker's exponentially smoothed score, from 0 to 100."""

import math
from datetime import date

from server.habits.days import date_range
from server.habits.model import HabitLog, HabitRules, Kind

# The score halves its distance to a habit's recent performance in 13 periods.
_HALF_LIFE_PERIODS = 13


def decay(num: int, den: int) -> float:
    """Each day the previous score keeps the weight m = 0.5 ** (sqrt(num / den) / 13)."""
    return math.pow(0.5, math.sqrt(num / den) / _HALF_LIFE_PERIODS)


def strength_scores(rules: HabitRules, log: HabitLog, today: date) -> list[float]:
    """Strength on each day from start_date to today: s = s*m + v*(1 - m), skipped days leave s unchanged."""
    if rules.kind is Kind.QUIT:
        return _quit_scores(rules, log, today)
    return _build_scores(rules, log, today)


def strength_on(rules: HabitRules, log: HabitLog, today: date) -> float:
    """Strength today; before start_date it is 0 for BUILD and 100 for QUIT habits."""
    scores = strength_scores(rules, log, today)
    if scores:
        return scores[-1]
    return 100.0 if rules.kind is Kind.QUIT else 0.0


def _build_scores(rules: HabitRules, log: HabitLog, today: date) -> list[float]:
    num, den = rules.schedule.frequency()
    m = decay(num, den)
    if num < den:
        # Loop judges sparse habits over two periods so that one well-placed check-in
        # is not the difference between a perfect and a failed window.
        num, den = 2 * num, 2 * den
    target, skips, keep = rules.target, log.skips, 1 - m
    days = list(date_range(rules.start_date, today))
    quantities = [log.quantities.get(day, 0.0) for day in days]
    # Negative totals would be a data error; they count as nothing rather than as debt.
    shares = [0.0 if q <= 0 else 1.0 if q >= target else q / target for q in quantities]
    scores: list[float] = []
    s = 0.0
    for index, day in enumerate(days):
        if not (day in skips and quantities[index] < target):
            # Summed afresh each day (at most 14 terms) rather than as a running total, which
            # would drift off exact values like 1.0 once partial shares have left the window.
            # Days before start_date fall outside the slice and so count as 0.
            ratio = sum(shares[index - den + 1 if index >= den else 0 : index + 1]) / num
            s = s * m + (1.0 if ratio >= 1 else ratio) * keep
        scores.append(100 * s)
    return scores


def _quit_scores(rules: HabitRules, log: HabitLog, today: date) -> list[float]:
    m = decay(1, 1)
    scores: list[float] = []
    s = 1.0
    for day in date_range(rules.start_date, today):
        slipped = log.quantities.get(day, 0.0) > 0
        if slipped or day not in log.skips:
            v = 0.0 if slipped else 1.0
            s = s * m + v * (1 - m)
        scores.append(100 * s)
    return scores


def strength_series(rules: HabitRules, log: HabitLog, today: date) -> list[tuple[date, float]]:
    """summary.strength_series as it was (its validation left out: the tests draw valid habits)."""
    return list(zip(date_range(rules.start_date, today), strength_scores(rules, log, today), strict=True))
