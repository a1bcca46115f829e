"""Everything the recompute's rules read of a user's habits, continued from checkpoints (issue 13).

One pass per habit (checkpoints.advance) gives its achievement facts, its standing for the program's
requirements, its strength over the confidence window and the checkpoints to store next, whatever
the history's length: the walk resumes from the habit's latest checkpoint, strength from one before
the first day the recompute computes confidence for (the stale mark's day:
server/progress/window.py). Without checkpoints (`bases` empty) it is a replay from start_date; with
them it gives the same answers (tests/unit/progress/test_derive.py), so a missing or voided
checkpoint only costs time. Pure: the recompute loads the activity and the checkpoints, this derives
from them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from uuid import UUID

from server.achievements.rules import Facts, HabitFacts, facts_of, habit_facts
from server.activity import Activity
from server.confidence.score import StrengthSeries
from server.habits.checkpoints import Checkpoint, advance
from server.habits.model import Kind, Period, StreakUnit
from server.program.requirements import Standing


@dataclass(frozen=True, slots=True)
class Bases:
    """Where a habit's pass resumes: the walk from `walk` (a checkpoint with its tally), strength from
    `strength` (one on or before it, before the first day strength is asked for). None: start_date."""

    walk: Checkpoint | None = None
    strength: Checkpoint | None = None


FROM_START = Bases()


@dataclass(frozen=True, slots=True)
class Derived:
    facts: Facts
    strengths: dict[UUID, StrengthSeries]  # 0 to 100, from each habit's strength base through today
    standings: dict[UUID, Standing]
    checkpoints: dict[UUID, list[Checkpoint]]  # made after each habit's walk base


def derive(activity: Activity, bases: Mapping[UUID, Bases] | None = None) -> Derived:
    """Facts, strengths, standings and new checkpoints of every habit of `activity`, each habit resumed
    from its `bases` (its log must hold the days checkpoints.log_needed_from(rules, strength base) reads)."""
    today = activity.today
    facts: dict[UUID, HabitFacts] = {}
    strengths: dict[UUID, StrengthSeries] = {}
    standings: dict[UUID, Standing] = {}
    checkpoints: dict[UUID, list[Checkpoint]] = {}
    for habit in activity.habits:
        base = (bases or {}).get(habit.id, FROM_START)
        rules = habit.rules
        carried = advance(rules, habit.log, today, base.walk, base.strength)
        facts[habit.id] = habit_facts(habit, carried.timeline, carried.tally)
        values = [100.0 * s for s in carried.strength]  # as strength_scores gives them at scale 100
        strengths[habit.id] = StrengthSeries(carried.strength_from, values)
        current = carried.timeline.current_streak
        if rules.kind is Kind.BUILD and rules.schedule.period is Period.INTERVAL:
            current = carried.tally.done_streak  # check-in days in a row, as the requirements count
        unit = StreakUnit.DAYS if rules.kind is Kind.QUIT else rules.schedule.streak_unit
        standings[habit.id] = Standing(current, unit, values[-1] if values else 0.0)
        checkpoints[habit.id] = carried.checkpoints
    return Derived(facts_of(activity, facts), strengths, standings, checkpoints)
