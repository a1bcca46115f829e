"""The job entry points: thin, idempotent, each recomputes from the database alone.

Why a recompute goes round again, and when it hands over: see `server.engine.queue`.
"""

from __future__ import annotations

import logging
from typing import Any
from uuid import UUID

from arq import Retry
from arq.connections import ArqRedis

from server.engine import live
from server.engine.queue import enqueue_recompute, ensure_recomputes, follow_up
from server.progress import service

log = logging.getLogger(__name__)

MAX_TRIES = 5
# Rounds one job makes while changes keep landing under it; then a follow-up job takes over, so a
# user who never stops changing things cannot hold one worker slot forever.
ROUNDS = 3


async def recompute_user(ctx: dict[str, Any], user_id: str) -> int:
    """Recompute until the user is up to date; returns the rounds made (0: nothing was stale)."""
    uid = UUID(user_id)
    redis: ArqRedis = ctx["redis"]
    for round_ in range(1, ROUNDS + 1):
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
    await follow_up(redis, uid, outcome.stale_version)
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
