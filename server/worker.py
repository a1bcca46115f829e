"""The arq worker: recompute jobs and the periodic sweep and roll-over. Jobs stay thin."""

from __future__ import annotations

import logging
from typing import Any
from uuid import UUID

from arq import Retry, cron, func
from arq.connections import ArqRedis
from arq.worker import Worker

from server import database, live
from server.jobs import RECOMPUTE, enqueue_recompute
from server.progress import service

log = logging.getLogger(__name__)

MAX_TRIES = 5
SWEEP_SECONDS = {0, 10, 20, 30, 40, 50}


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


FUNCTIONS = [func(recompute_user, name=RECOMPUTE, keep_result=0, max_tries=MAX_TRIES)]
CRON_JOBS = [
    cron(sweep, second=SWEEP_SECONDS, run_at_startup=True, keep_result=0, unique=True),
    # Every quarter hour: zones with 30- and 45-minute offsets roll over on the quarter.
    cron(roll_over, minute={0, 15, 30, 45}, second=5, run_at_startup=True, keep_result=0, unique=True),
]


def make_worker(pool: ArqRedis, *, burst: bool = False, handle_signals: bool = False,
                max_jobs: int = 10) -> Worker:
    return Worker(functions=FUNCTIONS, cron_jobs=CRON_JOBS, redis_pool=pool, burst=burst,
                  handle_signals=handle_signals, max_jobs=max_jobs, keep_result=0, poll_delay=0.2,
                  job_completion_wait=10)


async def run_worker_process(pool: ArqRedis) -> None:
    """`comeback worker`: own database pool, signal handling for a graceful stop."""
    await database.start()
    worker = make_worker(pool, handle_signals=True)
    try:
        await worker.async_run()
    finally:
        await worker.close()
        await database.stop()
