"""The webhook jobs on arq: deliver one outbox row, and the sweep that re-enqueues due ones.

Each attempt is its own job, `webhook:<delivery>:<attempts made>`: a retry is enqueued deferred to
its due time under the next number, and a second enqueue of the same attempt (the after-commit
handler and the sweep both finding a new row) is a no-op. Two jobs reaching one row anyway
(a retry and the sweep) race on the row's claim, and one makes the attempt. A worker that dies
mid-attempt leaves the row claimed until its lease runs out; then the sweep enqueues it again.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime
from typing import Any
from uuid import UUID

from arq.connections import ArqRedis

from server.engine.queue import WAKE_CHANNEL
from server.webhooks import service

log = logging.getLogger(__name__)

DELIVER = "deliver_webhook"
MAX_TRIES = 3  # arq's retries of a job that raised (a database error); the sweep covers the rest


def delivery_job_id(delivery_id: UUID, attempts_made: int) -> str:
    return f"webhook:{delivery_id}:{attempts_made}"


async def enqueue_delivery(pool: ArqRedis, delivery_id: UUID, attempts_made: int = 0,
                           at: datetime | None = None) -> bool:
    """Queue an attempt at a delivery, now or at `at`; False if that attempt was already queued."""
    job_id = delivery_job_id(delivery_id, attempts_made)
    if await pool.enqueue_job(DELIVER, str(delivery_id), _job_id=job_id, _defer_until=at) is None:
        return False
    if at is None:
        try:
            await pool.publish(WAKE_CHANNEL, job_id)  # a worker starts it at once (server.engine.worker)
        except Exception:
            log.debug("could not announce %s", job_id, exc_info=True)
    return True


async def enqueue_deliveries(pool: ArqRedis, delivery_ids: Sequence[UUID]) -> None:
    """After a commit: the first attempt at each new outbox row."""
    for delivery_id in delivery_ids:
        await enqueue_delivery(pool, delivery_id)


async def deliver_webhook(ctx: dict[str, Any], delivery_id: str) -> str:
    """One attempt at a delivery; a failure queues the retry at its due time."""
    uid = UUID(delivery_id)
    outcome = await service.attempt_delivery(uid)
    if outcome.retry_at is not None:
        await enqueue_delivery(ctx["redis"], uid, outcome.attempt, outcome.retry_at)
    return outcome.status.value if outcome.status else "skipped"


async def sweep_webhooks(ctx: dict[str, Any]) -> int:
    """Enqueue every delivery due and not under way: a lost job or a dead worker costs latency only."""
    due = await service.due_deliveries()
    for delivery_id, attempts_made in due:
        await enqueue_delivery(ctx["redis"], delivery_id, attempts_made)
    return len(due)
