"""Enqueueing background jobs over arq, after commit, coalesced per user."""

from __future__ import annotations

import logging
from typing import Any
from uuid import UUID
from weakref import WeakKeyDictionary

from arq.connections import ArqRedis
from arq.constants import in_progress_key_prefix, job_key_prefix, result_key_prefix
from arq.jobs import serialize_job
from arq.utils import timestamp_ms

log = logging.getLogger(__name__)

RECOMPUTE = "recompute_user"

# arq's enqueue_job (WATCH, EXISTS, MULTI/EXEC: three round trips) as one atomic script, with the
# same keys, job encoding and expiry, so arq workers run these jobs like any other. Two slots per
# user: the preferred one is queued when free; when it is taken by a job that is already running
# (which may have read the data before this change committed), the other slot gets a job, so the
# change is always recomputed. A job still waiting will read it anyway: nothing is queued then.
_ENQUEUE = """
local function queue(job_key, job_id)
  redis.call('PSETEX', job_key, ARGV[1], ARGV[2])
  redis.call('ZADD', KEYS[7], ARGV[3], job_id)
end
if redis.call('EXISTS', KEYS[1], KEYS[2]) == 0 then
  queue(KEYS[1], ARGV[4])
  return 1
end
if redis.call('EXISTS', KEYS[3]) == 1 and redis.call('EXISTS', KEYS[4], KEYS[5]) == 0 then
  queue(KEYS[4], ARGV[5])
  return 2
end
return 0
"""


_scripts: WeakKeyDictionary[ArqRedis, Any] = WeakKeyDictionary()  # the script's handle, per pool


def recompute_job_id(user_id: UUID, follow_up: bool = False) -> str:
    # One queued recompute per user: a burst of check-ins costs one job. A running job still
    # holds its id, so a change made meanwhile is picked up by a follow-up under a second id.
    return f"recompute:{user_id}:{'again' if follow_up else 'first'}"


async def enqueue_recompute(pool: ArqRedis, user_id: UUID, follow_up: bool = False) -> bool:
    """True when a job was queued, False when a waiting job will see the change anyway (coalesced).

    `follow_up` prefers the second slot: a finishing job asks for its successor in the other one."""
    slots = [recompute_job_id(user_id, follow_up), recompute_job_id(user_id, not follow_up)]
    now = timestamp_ms()
    job = serialize_job(RECOMPUTE, (str(user_id),), {}, None, now, serializer=pool.job_serializer)
    script = _scripts.get(pool)
    if script is None:
        script = _scripts[pool] = pool.register_script(_ENQUEUE)
    first, second = slots
    queued = await script(
        keys=[job_key_prefix + first, result_key_prefix + first, in_progress_key_prefix + first,
              job_key_prefix + second, result_key_prefix + second, in_progress_key_prefix + second,
              pool.default_queue_name],
        args=[pool.expires_extra_ms, job, now, first, second])
    return bool(queued)
