"""Enqueueing background jobs over arq, after commit, coalesced per user."""

from __future__ import annotations

import logging
from typing import Any
from uuid import UUID
from weakref import WeakKeyDictionary

from arq.connections import ArqRedis
from arq.constants import job_key_prefix, result_key_prefix
from arq.jobs import serialize_job
from arq.utils import timestamp_ms

log = logging.getLogger(__name__)

RECOMPUTE = "recompute_user"

# arq's enqueue_job (WATCH, EXISTS, MULTI/EXEC: three round trips) as one atomic script: the same
# keys, job encoding and expiry, so arq workers run these jobs like any other. Every check-in pays it.
_ENQUEUE_UNLESS_PRESENT = """
if redis.call('EXISTS', KEYS[1], KEYS[2]) > 0 then return 0 end
redis.call('PSETEX', KEYS[1], ARGV[1], ARGV[2])
redis.call('ZADD', KEYS[3], ARGV[3], ARGV[4])
return 1
"""


_scripts: WeakKeyDictionary[ArqRedis, Any] = WeakKeyDictionary()  # the script's handle, per pool


def recompute_job_id(user_id: UUID, follow_up: bool = False) -> str:
    # One queued recompute per user: a burst of check-ins costs one job. A running job still
    # holds its id, so a change made meanwhile is picked up by a follow-up under a second id.
    return f"recompute:{user_id}:{'again' if follow_up else 'first'}"


async def enqueue_recompute(pool: ArqRedis, user_id: UUID, follow_up: bool = False) -> bool:
    """True when a job was queued, False when one was already waiting or running (coalesced)."""
    job_id = recompute_job_id(user_id, follow_up)
    now = timestamp_ms()
    job = serialize_job(RECOMPUTE, (str(user_id),), {}, None, now, serializer=pool.job_serializer)
    script = _scripts.get(pool)
    if script is None:
        script = _scripts[pool] = pool.register_script(_ENQUEUE_UNLESS_PRESENT)
    queued = await script(keys=[job_key_prefix + job_id, result_key_prefix + job_id, pool.default_queue_name],
                          args=[pool.expires_extra_ms, job, now, job_id])
    return bool(queued)
