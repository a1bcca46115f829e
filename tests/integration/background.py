"""The background engine in tests: a real Redis (embedded, or COMEBACK_TEST_REDIS_URL) and arq's burst
worker to run what was queued, instead of a worker polling beside the test and sleeps waiting for it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from uuid import UUID

from arq import create_pool
from arq.connections import ArqRedis

from server.accounts import tables as accounts
from server.engine.lifecycle import Engine, start_engine
from server.engine.worker import make_worker
from server.settings import get_settings


@asynccontextmanager
async def engine_without_worker() -> AsyncIterator[Engine]:
    """Redis, the enqueue-after-commit handler and the live hub, on an empty Redis database; no worker."""
    running = await start_engine(get_settings(), run_worker=False)
    assert running.broker is not None
    await running.broker.pool.flushdb()
    try:
        yield running
    finally:
        await running.stop()


def pool_of(engine: Engine) -> ArqRedis:
    assert engine.broker is not None
    return engine.broker.pool


async def run_queued(engine: Engine) -> int:
    """Run every queued job (and the jobs those queue) to the end with arq's burst worker, without
    the periodic sweep and roll-over; returns the number of jobs completed (a failed one raises)."""
    assert engine.broker is not None
    worker = make_worker(await create_pool(engine.broker.settings), burst=True, cron=False, poll_seconds=0.01)
    try:
        return await worker.run_check()
    finally:
        await worker.close()


async def versions(user_id: UUID) -> tuple[int, int, bool]:
    """(stale_version, derived_version, stale_since is set) of a user."""
    u = accounts.User
    row = await u.select(u.stale_version, u.derived_version, u.stale_since).where(u.id == user_id).first()
    assert row is not None
    return row["stale_version"], row["derived_version"], row["stale_since"] is not None
