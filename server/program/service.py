"""Program use cases: the validated content, each user's path through it, and starter kits."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache

from server import clock
from server.accounts.model import Viewer
from server.confidence.score import confidence_history
from server.errors import DomainError, ErrorCode, not_found
from server.habits import service as habits
from server.habits.records import HabitRecord
from server.habits.service import HabitInput
from server.program import repository
from server.program.content import Program, StepDef, load_program
from server.program.unlocking import StepState, step_states

CONFIDENCE_WINDOW = 60  # days of confidence the CONFIDENCE_AT_LEAST requirements may look at


@lru_cache(maxsize=1)
def get_program() -> Program:
    """The program content, loaded and validated once (at start-up: a broken file stops the start)."""
    return load_program()


def find_step(key: str) -> StepDef | None:
    try:
        return get_program().step(key)
    except KeyError:
        return None


@dataclass(frozen=True, slots=True)
class StepView:
    step: StepDef
    state: StepState
    unlocked_at: datetime | None


async def user_program(viewer: Viewer) -> list[StepView]:
    """Every step with this user's lock state and requirement progress (read-only)."""
    from server.progress.repository import load_activity

    program = get_program()
    now = clock.now()
    activity = await load_activity(viewer.account, viewer.account.today(now))
    confidence = {r.day: r.score for r in confidence_history(activity, CONFIDENCE_WINDOW)}
    unlocked = await repository.unlocked(viewer.account.id)
    states = step_states(program, activity, confidence, frozenset(unlocked))
    views = []
    for step, state in zip(program.steps, states, strict=True):
        at = unlocked.get(step.key)
        if at is None and state.unlocked:
            # Open by the rules but not yet recorded by the engine (or step 1 before the first run).
            at = viewer.account.created_at if step.position == 1 else now
        views.append(StepView(step, state, at))
    return views


async def adopt_starter_kit(viewer: Viewer, step_key: str) -> list[HabitRecord]:
    """Adopt a step's suggested habits in one go (idempotent); only for steps you have unlocked."""
    step = find_step(step_key)
    if step is None:
        raise not_found("step")
    if not await is_unlocked(viewer, step_key):
        raise DomainError(ErrorCode.STEP_LOCKED, "this step is still locked", "stepKey")
    kit = [(f"{step.key}/{h.name}", HabitInput(name=h.name, category=h.category, kind=h.kind, schedule=h.schedule,
                                               target_quantity=h.target_quantity, unit=h.unit))
           for h in step.suggested_habits]
    return await habits.adopt_kit(viewer, kit)


async def is_unlocked(viewer: Viewer, key: str) -> bool:
    if find_step(key) is None:
        return False
    return any(v.state.unlocked for v in await user_program(viewer) if v.step.key == key)
