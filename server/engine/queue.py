"""Enqueueing recompute jobs on arq, coalesced per user, through arq's public API only.

How a change reaches a recompute, and why no change is left behind (the races, written down):

- A change bumps the user's `stale_version` in its own transaction. The recompute job reads the
  version first, then the data, and records the version it read as `derived_version` with a
  compare-and-set (`server/progress/repository.py: finish`): the stale mark is cleared only if the
  version is unchanged. So a change committed after the job's first read leaves the user stale,
  and the job sees that in the same statement; it then goes round again (at most `ROUNDS` times,
  then hands over to a follow-up job). A job that read an older version than one already recorded
  writes nothing at all (its results are older than the stored ones).
- So while a user is stale, some job is responsible for them: queued (it will read later), or
  running and bound to go round again. Only the change that makes a fresh user stale must see to
  a job (`UnitOfWork` reports it as `became_stale`): a burst of check-ins costs one enqueue, and
  the check-ins behind it no Redis round trip at all.
- That change calls `ensure_recompute`: arq's `enqueue_job(_job_id="recompute:<user>")`. If that id
  is taken, `Job.status()` tells why. Queued (or deferred for a retry): it has not read yet and will
  see the change. In progress: it may have finished its last round before this change committed,
  and arq keeps the id until the job returns, so one more job is queued under an id that includes
  the new version, which no other change shares. Gone meanwhile: the id is tried once more.
- `keep_result=0`, so an id is free again as soon as its job ends.
- Every job queued here is announced on `WAKE_CHANNEL` (Redis pub/sub), and each worker starts it at
  once through arq's public `Worker.start_jobs` instead of waiting for its next poll of the queue
  (`server.engine.worker`). A missed announcement costs one poll delay; two workers woken for one job
  race on arq's own in-progress mark, and one runs it.
- Anything lost on the way (Redis down, a process killed between commit and enqueue, a job out of
  retries) leaves the stale mark in the database, and the sweep re-enqueues the user within
  seconds: a lost job costs latency, never data.
"""

from __future__ import annotations

import enum
import logging
from collections.abc import Sequence
from uuid import UUID

from arq.connections import ArqRedis
from arq.constants import in_progress_key_prefix, job_key_prefix, retry_key_prefix
from arq.jobs import Job, JobStatus

from server.engine.unit_of_work import StaleMark

log = logging.getLogger(__name__)

RECOMPUTE = "recompute_user"
WAKE_CHANNEL = "comeback:jobs:queued"


class Enqueued(enum.Enum):
    QUEUED = "queued"  # a new job under the user's id
    COALESCED = "coalesced"  # a job that has not started yet will read the change
    FOLLOW_UP = "follow-up"  # a job was running: one more, under the change's version


def recompute_job_id(user_id: UUID, version: int | None = None) -> str:
    """The user's one coalescing id, or a follow-up's id, unique to the version it must reach."""
    return f"recompute:{user_id}" if version is None else f"recompute:{user_id}:v{version}"


async def enqueue_recompute(pool: ArqRedis, user_id: UUID) -> Enqueued:
    """Queue the user's recompute unless one is already queued or running (the sweep's call)."""
    queued = await _enqueue(pool, recompute_job_id(user_id), user_id)
    return Enqueued.QUEUED if queued else Enqueued.COALESCED


async def ensure_recompute(pool: ArqRedis, user_id: UUID, version: int) -> Enqueued:
    """See that a job reads the user's data after the change that made them stale at `version`."""
    for _ in range(2):
        if await enqueue_recompute(pool, user_id) is Enqueued.QUEUED:
            return Enqueued.QUEUED
        status = await Job(recompute_job_id(user_id), pool).status()
        if status in (JobStatus.queued, JobStatus.deferred):
            return Enqueued.COALESCED
        if status is JobStatus.in_progress:
            break
        # not_found (or complete): the job ended between the two calls; its id is free again
    return await follow_up(pool, user_id, version)


async def follow_up(pool: ArqRedis, user_id: UUID, version: int, *, defer: float | None = None) -> Enqueued:
    """One more job, under an id of its own: no other change or job shares the version."""
    queued = await _enqueue(pool, recompute_job_id(user_id, version), user_id, defer)
    return Enqueued.FOLLOW_UP if queued else Enqueued.COALESCED


async def _enqueue(pool: ArqRedis, job_id: str, user_id: UUID, defer: float | None = None) -> bool:
    if await pool.enqueue_job(RECOMPUTE, str(user_id), _job_id=job_id, _defer_by=defer) is None:
        return False
    if defer:
        return True  # not due yet: a worker's poll starts it when it is
    try:
        await pool.publish(WAKE_CHANNEL, job_id)
    except Exception:  # queued all the same: a worker's next poll finds it
        log.debug("could not announce %s", job_id, exc_info=True)
    return True


async def ensure_recomputes(pool: ArqRedis, marks: Sequence[StaleMark]) -> None:
    """After a commit: a job for each user the change made stale (the others already have one)."""
    for mark in marks:
        if mark.became_stale:
            await ensure_recompute(pool, mark.user_id, mark.version)


async def drop_recomputes(pool: ArqRedis, user_id: UUID) -> int:
    """Take the user's queued recomputes off the queue (their account is gone); returns how many.

    arq has no public call to withdraw a queued job that was not enqueued abortable, so this removes
    its queue entry and job key under arq's own published key names (`arq.constants`). A job already
    running is left alone: its first read finds no user, and it writes nothing."""
    dropped = 0
    async for raw, _ in pool.zscan_iter(pool.default_queue_name, match=f"{recompute_job_id(user_id)}*"):
        job_id = raw.decode() if isinstance(raw, bytes) else str(raw)
        if await pool.exists(in_progress_key_prefix + job_id):
            continue
        if await pool.zrem(pool.default_queue_name, job_id):
            await pool.delete(job_key_prefix + job_id, retry_key_prefix + job_id)
            dropped += 1
    return dropped
