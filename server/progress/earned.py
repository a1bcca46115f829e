"""What a user's history earns: the achievements and program steps its activity entitles them to.

The recompute job awards and unlocks from this; a restore keeps only the exported awards and
unlocks that the restored history earns here, so a forged export cannot unlock the program.
"""

from __future__ import annotations

from dataclasses import dataclass

from server.achievements import catalogue
from server.activity import Activity
from server.confidence.score import ConfidenceResult, confidence_history
from server.program.content import Program
from server.program.unlocking import next_unlocks

HISTORY_DAYS = 90  # days of confidence kept exact (backfill can change past days)


@dataclass(frozen=True, slots=True)
class Earned:
    achievements: frozenset[str]  # every achievement the history meets (held or not)
    steps: tuple[str, ...]  # steps that open now, given the ones already open, in order
    history: list[ConfidenceResult]  # confidence on each of the last HISTORY_DAYS days, oldest first


def earned(activity: Activity, program: Program, unlocked: frozenset[str]) -> Earned:
    """Achievements met by the activity; steps opening on top of `unlocked` (confidence-aware)."""
    history = confidence_history(activity, HISTORY_DAYS)
    met = frozenset(key for key, p in catalogue.progress(activity).items() if p.met)
    steps = next_unlocks(program, activity, {r.day: r.score for r in history}, unlocked)
    return Earned(met, tuple(steps), history)
