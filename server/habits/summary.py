"""Public entry points of the habit math: a habit's summary, its days, and its strength series."""

import math
from datetime import date

from server.habits.days import date_range
from server.habits.model import DayStatus, HabitDay, HabitLog, HabitRules, HabitSummary, Kind, StreakUnit
from server.habits.strength import strength_on, strength_scores
from server.habits.timeline import walk


def summarize(rules: HabitRules, log: HabitLog, today: date) -> HabitSummary:
    """A habit's summary is the state of its streak walk after today plus its strength today."""
    _check(rules)
    timeline = walk(rules, log, today)
    if today < rules.start_date:
        done_today = False
    elif rules.kind is Kind.QUIT:
        done_today = log.quantities.get(today, 0.0) <= rules.limit
    else:
        done_today = timeline.status(today) is DayStatus.DONE
    return HabitSummary(
        current_streak=timeline.current_streak,
        longest_streak=timeline.longest_streak,
        # QUIT habits are judged daily whatever their schedule says.
        streak_unit=StreakUnit.DAYS if rules.kind is Kind.QUIT else rules.schedule.streak_unit,
        strength=strength_on(rules, log, today),
        done_today=done_today,
        freezes_held=timeline.freezes_held,
    )


def habit_days(rules: HabitRules, log: HabitLog, today: date, start: date, end: date) -> list[HabitDay]:
    """Every date in [start, end] with its quantity and the status the streak walk gave it."""
    if end < start:
        raise ValueError("end must not be before start")
    _check(rules)
    timeline = walk(rules, log, today)
    return [
        HabitDay(day, float(log.quantities.get(day, 0.0)), timeline.status(day))
        for day in date_range(start, end)
    ]


def strength_series(rules: HabitRules, log: HabitLog, today: date) -> list[tuple[date, float]]:
    """Strength from 0 to 100 on each day from start_date to today."""
    _check(rules)
    scores = strength_scores(rules, log, today)
    return list(zip(date_range(rules.start_date, today), scores, strict=True))


def _check(rules: HabitRules) -> None:
    error = rules.schedule.validation_error()
    if error is not None:
        raise ValueError(error)
    if not (math.isfinite(rules.target) and rules.target > 0):
        raise ValueError("target must be a positive number")
    if not (math.isfinite(rules.limit) and rules.limit >= 0):
        raise ValueError("limit must be a number from 0")
