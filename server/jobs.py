"""Enqueueing background jobs over arq, after commit, coalesced per user."""

from __future__ import annotations

import logging
from uuid import UUID

from arq.connections import ArqRedis

log = logging.getLogger(__name__)

RECOMPUTE = "recompute_user"


def recompute_job_id(user_id: UUID, follow_up: bool = False) -> str:
    # One queued recompute per user: a burst of check-ins costs one job. A running job still
    # holds its id, so a change made meanwhile is picked up by a follow-up under a second id.
    return f"recompute:{user_id}:{'again' if follow_up else 'first'}"


async def enqueue_recompute(pool: ArqRedis, user_id: UUID, follow_up: bool = False) -> bool:
    """True when a job was queued, False when one was already waiting (coalesced)."""
    job = await pool.enqueue_job(RECOMPUTE, str(user_id), _job_id=recompute_job_id(user_id, follow_up))
    return job is not None
