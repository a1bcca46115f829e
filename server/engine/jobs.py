"""The job entry points: thin, idempotent, each recomputes from the database alone.

Why a recompute goes round again, and when it hands over: see `server.engine.queue`.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any
from uuid import UUID

from arq import Retry
from arq.connections import ArqRedis

from server import clock
from server.engine import live
from server.engine.events import LiveEvent
from server.engine.queue import enqueue_recompute, ensure_recomputes, follow_up
from server.progress import service
from server.reminders import firing

log = logging.getLogger(__name__)

MAX_TRIES = 5
# Rounds one job makes while changes keep landing under it, with a pause before each further round
# so that a burst of changes is recomputed once, not once per change; then a follow-up job takes
# over a little later, so a user who never stops changing things neither holds a worker slot nor
# keeps a worker recomputing back to back (bench/README.md: what a burst of check-ins costs).
ROUNDS = 3
SETTLE_SECONDS = 0.1
HAND_OVER_SECONDS = 0.5


async def recompute_user(ctx: dict[str, Any], user_id: str) -> int:
    """Recompute until the user is up to date; returns the rounds made (0: nothing was stale)."""
    uid = UUID(user_id)
    redis: ArqRedis = ctx["redis"]
    for round_ in range(1, ROUNDS + 1):
        if round_ > 1:
            await asyncio.sleep(SETTLE_SECONDS)
        try:
            outcome = await service.recompute_user(uid, only_if_stale=True)
        except Exception as error:
            # Nothing was written (one transaction) and the stale mark stays: retry with back-off.
            tries = int(ctx.get("job_try", 1))
            log.warning("recompute of %s failed (try %d): %r", uid, tries, error)
            if tries < MAX_TRIES:
                raise Retry(defer=tries * 2) from error
            raise
        for event in outcome.events:
            await live.publish(redis, uid, event)
        if outcome.skipped:
            return round_ - 1
        if not outcome.still_stale:
            return round_
    assert outcome.stale_version is not None  # still stale: it was recorded, and moved on since
    await follow_up(redis, uid, outcome.stale_version, defer=HAND_OVER_SECONDS)
    return ROUNDS


async def sweep(ctx: dict[str, Any]) -> int:
    """Re-enqueue every user still marked stale: a lost job costs latency, never data."""
    users = await service.stale_users()
    for uid in users:
        await enqueue_recompute(ctx["redis"], uid)
    return len(users)


async def roll_over(ctx: dict[str, Any]) -> int:
    """Users whose local day changed become stale (their strength and confidence decay)."""
    zones, marks = await service.roll_over()
    await ensure_recomputes(ctx["redis"], marks)
    return zones


async def fire_reminders(ctx: dict[str, Any]) -> int:
    """Deliver the reminders due now (server.reminders.firing); returns how many fired."""
    redis: ArqRedis = ctx["redis"]

    async def publish(user_id: UUID, event: LiveEvent) -> None:
        await live.publish(redis, user_id, event)

    report = await firing.fire_due(clock.now(), publish)
    return report.fired
