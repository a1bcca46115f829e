"""Which steps of the program a user has unlocked, from their activity and the unlocks already recorded."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date

from server.activity import Activity
from server.program.content import Program, StepDef
from server.program.requirements import RequirementProgress, Standings, evaluate, standings_of


@dataclass(frozen=True, slots=True)
class StepState:
    key: str
    position: int
    unlocked: bool
    requirements: tuple[RequirementProgress, ...]  # what unlocks the next step
    complete: bool


def next_unlocks(
    program: Program, activity: Activity, confidence_by_day: Mapping[date, float], unlocked: frozenset[str],
    standings: Standings | None = None,
) -> list[str]:
    """Step 1 is always open; step k+1 opens once step k is open and all its requirements are met; none
    ever closes. `standings`: the habits', if known (else walked once here)."""
    known = standings if standings is not None else standings_of(activity)
    return _opening(program, unlocked, lambda step: all(
        evaluate(req, activity, confidence_by_day, known).met for req in step.requirements))


def step_states(
    program: Program, activity: Activity, confidence_by_day: Mapping[date, float], unlocked: frozenset[str]
) -> list[StepState]:
    """A step is unlocked when recorded or opened by the rule now; complete when unlocked with every requirement met."""
    standings = standings_of(activity)
    progress = {step.key: tuple(evaluate(req, activity, confidence_by_day, standings) for req in step.requirements)
                for step in program.steps}
    is_met = {key: all(p.met for p in reqs) for key, reqs in progress.items()}
    now_open = unlocked | set(_opening(program, unlocked, lambda step: is_met[step.key]))
    return [
        StepState(step.key, step.position, step.key in now_open, progress[step.key],
                  step.key in now_open and is_met[step.key])
        for step in program.steps
    ]


def _opening(program: Program, unlocked: frozenset[str], met: Callable[[StepDef], bool]) -> list[str]:
    """Walks the steps in order and returns those that open now, asking `met` only where it can open a step."""
    opened: list[str] = []
    previous_met = True  # nothing comes before step 1
    for step, following in zip(program.steps, [*program.steps[1:], None], strict=True):
        is_open = step.key in unlocked or previous_met
        if is_open and step.key not in unlocked:
            opened.append(step.key)
        previous_met = is_open and following is not None and following.key not in unlocked and met(step)
    return opened
