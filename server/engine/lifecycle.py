"""Start and stop the background engine: Redis (configured or embedded), enqueue hook, live hub, worker.

`comeback serve` without REDIS_URL runs the arq worker inside the server process; with
REDIS_URL the server only enqueues and `comeback worker` processes do the work.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from uuid import UUID

from arq import create_pool
from arq.connections import RedisSettings

from server import database
from server.engine import broker, live, unit_of_work
from server.engine.queue import ensure_recomputes
from server.engine.worker import REDIS_DOWN, SupervisedWorker
from server.settings import Settings
from server.webhooks.jobs import enqueue_deliveries

log = logging.getLogger(__name__)


@dataclass
class Engine:
    broker: broker.Broker | None
    hub: live.Hub | None = None
    worker: SupervisedWorker | None = None
    task: asyncio.Task[None] | None = None
    starter: asyncio.Task[None] | None = None  # waiting for a Redis that was down at start

    async def stop(self) -> None:
        if self.starter is not None:
            self.starter.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self.starter
        if self.worker is not None:
            # Let in-flight jobs finish (the worker waits for them), then stop polling.
            await self.worker.stop()
        if self.task is not None:
            self.task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self.task
        unit_of_work.set_stale_handler(None)
        unit_of_work.set_outbox_handler(None)
        if self.hub is not None:
            await self.hub.close()
            live.set_hub(None)
        if self.broker is not None:
            await self.broker.close()
        broker.set_current(None)


def freeze_start_up_objects() -> None:
    """Leave the objects made at start-up (schema, tables, content, modules: about 120,000) out of
    Python's full garbage collections: otherwise each one walks them all, a 30-90 ms pause that lands
    in the middle of a request or a job now and then (bench/README.md: latency tails)."""
    gc.collect()
    gc.freeze()


async def start_engine(settings: Settings, run_worker: bool | None = None) -> Engine:
    try:
        current = await broker.open_broker(settings)
    except Exception:
        # The API still serves and stores; stale marks wait, and the engine starts when Redis comes.
        log.exception("Redis is unreachable: jobs and live events wait for it (retrying every %g s)",
                      REDIS_RETRY_SECONDS)
        engine = Engine(broker=None)
        engine.starter = asyncio.create_task(_start_when_redis_comes(engine, settings, run_worker),
                                             name="comeback-engine-start")
        return engine
    _wire(engine := Engine(broker=None), current, settings, run_worker)
    return engine


REDIS_RETRY_SECONDS = 2.0


async def _start_when_redis_comes(engine: Engine, settings: Settings, run_worker: bool | None) -> None:
    """A server started before its Redis (a common order under docker compose or systemd) gets its
    engine once Redis answers, without a restart."""
    while True:
        await asyncio.sleep(REDIS_RETRY_SECONDS)
        try:
            current = await broker.open_broker(settings)
        except Exception:
            continue
        log.info("Redis is reachable: jobs and live events start")
        _wire(engine, current, settings, run_worker)
        return


def _wire(engine: Engine, current: broker.Broker, settings: Settings, run_worker: bool | None) -> None:
    broker.set_current(current)
    # A hung Redis must not hang the write that has just committed: its enqueue gives up after a
    # second (the stale mark stays for the sweep) and later ones skip Redis while it is broken.
    enqueues = broker.Breaker("recompute enqueue", timeout=1.0)

    async def enqueue(marks: Sequence[unit_of_work.StaleMark]) -> None:
        await enqueues.call(lambda: ensure_recomputes(current.pool, marks))

    deliveries = broker.Breaker("webhook enqueue", timeout=1.0)  # the outbox sweep catches up the same way

    async def deliver(delivery_ids: Sequence[UUID]) -> None:
        await deliveries.call(lambda: enqueue_deliveries(current.pool, delivery_ids))

    unit_of_work.set_stale_handler(enqueue)
    unit_of_work.set_outbox_handler(deliver)
    engine.broker = current
    engine.hub = live.Hub(current.pool)
    live.set_hub(engine.hub)
    if settings.runs_embedded_worker if run_worker is None else run_worker:
        engine.worker = SupervisedWorker(current.settings)
        engine.task = asyncio.create_task(engine.worker.run(), name="comeback-worker")


async def run_worker_process(redis: RedisSettings) -> None:
    """`comeback worker`: own database pool, signal handling for a graceful stop, survives Redis restarts."""
    await database.start()
    # The recompute's unit of work writes webhook outbox rows here too: enqueue their delivery at
    # once (redis-py reconnects by itself; while Redis is away the sweep catches up afterwards).
    try:
        pool = await create_pool(redis, retry=0)
    except REDIS_DOWN:
        pool = None  # the supervised worker waits for Redis; the webhooks sweep enqueues the rows written meanwhile
    if pool is not None:
        async def deliver(delivery_ids: Sequence[UUID]) -> None:
            await enqueue_deliveries(pool, delivery_ids)

        unit_of_work.set_outbox_handler(deliver)
    freeze_start_up_objects()
    try:
        await SupervisedWorker(redis, handle_signals=True).run()  # returns on SIGTERM/SIGINT, jobs finished
    finally:
        unit_of_work.set_outbox_handler(None)
        if pool is not None:
            await pool.aclose()
        await database.stop()
