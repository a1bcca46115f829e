"""The job entry points: thin, idempotent, each recomputes from the database alone."""

from __future__ import annotations

import logging
from typing import Any
from uuid import UUID

from arq import Retry

from server.engine import live
from server.engine.queue import enqueue_recompute
from server.progress import service

log = logging.getLogger(__name__)

MAX_TRIES = 5


async def recompute_user(ctx: dict[str, Any], user_id: str) -> None:
    uid = UUID(user_id)
    try:
        outcome = await service.recompute_user(uid)
    except Exception as error:
        # Nothing was written (one transaction) and the stale mark stays: retry with back-off.
        tries = int(ctx.get("job_try", 1))
        log.warning("recompute of %s failed (try %d): %r", uid, tries, error)
        if tries < MAX_TRIES:
            raise Retry(defer=tries * 2) from error
        raise
    for event in outcome.events:
        await live.publish(ctx["redis"], uid, event)
    if await service.still_stale(uid):
        await enqueue_recompute(ctx["redis"], uid, follow_up=ctx.get("job_id", "").endswith(":first"))


async def sweep(ctx: dict[str, Any]) -> int:
    """Re-enqueue every user still marked stale: a lost job costs latency, never data."""
    users = await service.stale_users()
    for uid in users:
        await enqueue_recompute(ctx["redis"], uid)
    return len(users)


async def roll_over(ctx: dict[str, Any]) -> int:
    """Users whose local day changed become stale (their strength and confidence decay)."""
    zones = await service.roll_over()
    await sweep(ctx)
    return zones
