"""Pause use cases: take a break, call it off, list them. One use case, one transaction.

A pause changes what every derived number is computed from (its days become skips), so creating or
deleting one marks the owner stale; the recompute then moves streaks, strength and confidence, and,
as always, takes no award or unlocked step away.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from uuid import UUID

from server import clock
from server.accounts.model import Viewer
from server.engine.unit_of_work import write_transaction
from server.errors import DomainError, ErrorCode, invalid, not_found
from server.habits import repository
from server.habits.pauses import REASON_MAX, range_problem
from server.habits.records import PauseRecord
from server.habits.service import HABITS_MAX

# Pauses per user, past ones included: each is read with every habit's history.
PAUSES_MAX = 100


async def create_pause(viewer: Viewer, habit_ids: Sequence[UUID] | None, start: date, end: date,
                       reason: str | None) -> PauseRecord:
    """Pause these habits (None: every habit, also those created later) from `start` to `end`."""
    now = clock.now()
    problem = range_problem(start, end, viewer.account.today(now))
    if problem is not None:
        code = ErrorCode.OUT_OF_RANGE if problem.out_of_range else ErrorCode.INVALID_INPUT
        raise DomainError(code, problem.message, problem.field)
    if reason is not None:
        reason = reason.strip() or None
        if reason and len(reason) > REASON_MAX:
            raise invalid("reason", f"reason must be at most {REASON_MAX} characters")
    wanted: list[UUID] | None = None
    if habit_ids is not None:
        wanted = list(dict.fromkeys(habit_ids))  # a repeated id pauses its habit once
        if not wanted:
            raise invalid("habitIds", "name at least one habit, or leave habitIds out (null) to pause them all")
        if len(wanted) > HABITS_MAX:
            raise invalid("habitIds", f"at most {HABITS_MAX} habits")
    owner = viewer.account.id
    async with write_transaction() as uow:
        if wanted is not None:
            found = await repository.habits_by_ids(owner, wanted)
            if len(found) != len(wanted):
                # Someone else's habit reads exactly like one that does not exist.
                raise DomainError(ErrorCode.NOT_FOUND, "habit not found", "habitIds")
        if await repository.count_pauses(owner) >= PAUSES_MAX:
            raise DomainError(ErrorCode.OUT_OF_RANGE, f"you can have at most {PAUSES_MAX} pauses; delete old ones "
                                                      "first", "input")
        pause = await repository.insert_pause(owner, start, end, reason, wanted, now)
        uow.mark_stale(owner, from_day=pause.start)  # its days count as skipped
    return pause


async def delete_pause(viewer: Viewer, pause_id: UUID) -> PauseRecord:
    """Call a pause off (its days count as they were logged again); returns what was deleted."""
    async with write_transaction() as uow:
        found = await repository.pauses_of(viewer.account.id, pause_id)
        if not found:
            raise not_found("pause")
        await repository.delete_pause(pause_id)
        uow.mark_stale(viewer.account.id, from_day=found[0].start)
    return found[0]


async def pauses(viewer: Viewer) -> list[PauseRecord]:
    return await repository.pauses_of(viewer.account.id)
