"""The arq worker: which jobs it runs and when, and a supervisor that outlives Redis restarts."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal

from arq import create_pool, cron, func
from arq.connections import ArqRedis, RedisSettings
from arq.worker import Worker
from redis.exceptions import RedisError

from server.engine.jobs import MAX_TRIES, fire_reminders, recompute_user, roll_over, sweep
from server.engine.queue import RECOMPUTE, WAKE_CHANNEL
from server.settings import get_settings
from server.webhooks import jobs as webhook_jobs

log = logging.getLogger(__name__)

# What a lost Redis looks like: redis-py's errors, or the socket's.
REDIS_DOWN = (RedisError, OSError)

SWEEP_SECONDS = {0, 10, 20, 30, 40, 50}
# Reminders are due on the minute; looking every 10 s fires each within 10 s of it (the contract says 60).
REMINDER_SECONDS = {2, 12, 22, 32, 42, 52}


FUNCTIONS = [
    func(recompute_user, name=RECOMPUTE, keep_result=0, max_tries=MAX_TRIES),
    func(webhook_jobs.deliver_webhook, name=webhook_jobs.DELIVER, keep_result=0, max_tries=webhook_jobs.MAX_TRIES),
]
CRON_JOBS = [
    cron(sweep, second=SWEEP_SECONDS, run_at_startup=True, keep_result=0, unique=True),
    cron(webhook_jobs.sweep_webhooks, second=SWEEP_SECONDS, run_at_startup=True, keep_result=0, unique=True),
    # Every quarter hour: zones with 30- and 45-minute offsets roll over on the quarter.
    cron(roll_over, minute={0, 15, 30, 45}, second=5, run_at_startup=True, keep_result=0, unique=True),
    # unique: one worker runs each tick; the delivery rows keep "at most once" even if two did.
    cron(fire_reminders, second=REMINDER_SECONDS, run_at_startup=True, keep_result=0, unique=True),
]


def make_worker(pool: ArqRedis, *, burst: bool = False, handle_signals: bool = False,
                max_jobs: int = 10, cron: bool = True, poll_seconds: float | None = None) -> Worker:
    """A worker on `pool` (which it closes when it stops); `cron=False` leaves out the periodic jobs."""
    # job_timeout bounds how long a job killed with its worker (SIGKILL, a crash) stays claimed:
    # arq lets another worker take it once its in-progress mark (job_timeout + 10 s) expires.
    settings = get_settings()
    return Worker(functions=FUNCTIONS, cron_jobs=CRON_JOBS if cron else [], redis_pool=pool, burst=burst,
                  handle_signals=handle_signals, max_jobs=max_jobs, keep_result=0,
                  poll_delay=poll_seconds or settings.worker_poll_seconds,
                  job_completion_wait=10, job_timeout=settings.job_timeout_seconds)


async def start_when_queued(worker: Worker) -> None:
    """Start each job announced on WAKE_CHANNEL at once (arq's public `Worker.start_jobs`), instead of
    at the worker's next poll of the queue; the poll stays, for anything announced while this was
    not listening. Runs until cancelled, listening again after a lost connection."""
    while True:
        pubsub = worker.pool.pubsub()
        try:
            await pubsub.subscribe(WAKE_CHANNEL)
            while True:
                message = await pubsub.get_message(ignore_subscribe_messages=True, timeout=None)
                if message is not None and message.get("type") == "message" and worker.allow_pick_jobs:
                    # Waits for a free job slot when the worker is busy, as the poll would; and
                    # stops with the poll when the worker is stopping (allow_pick_jobs).
                    await worker.start_jobs([message["data"]])
        except REDIS_DOWN as error:
            log.info("not woken on enqueue until Redis answers again (%r); polling meanwhile", error)
        finally:
            with contextlib.suppress(Exception):
                await pubsub.aclose()  # type: ignore[no-untyped-call]
        await asyncio.sleep(1.0)




class SupervisedWorker:
    """An arq worker, woken when a job is queued, that outlives Redis restarts: when Redis goes away
    it waits for it to answer again and starts anew. Nothing is lost meanwhile: check-ins are in the
    database, their users stay marked stale, and the sweep re-enqueues them once Redis is back."""

    def __init__(self, redis: RedisSettings, *, handle_signals: bool = False,
                 poll_seconds: float | None = None) -> None:
        self.redis = redis
        self.handle_signals = handle_signals
        self.poll_seconds = poll_seconds
        self.worker: Worker | None = None
        self._stopping = False
        self._running = False
        self._stopped = asyncio.Event()

    async def run(self) -> None:
        """Run until stopped (`stop()`, or a signal with `handle_signals`)."""
        self._running = True
        try:
            await self._supervise()
        finally:
            self._stopped.set()

    async def _supervise(self) -> None:
        delay = 0.5
        while not self._stopping:
            try:
                worker = make_worker(await create_pool(self.redis, retry=0), handle_signals=self.handle_signals,
                                     poll_seconds=self.poll_seconds)
            except REDIS_DOWN as error:
                log.warning("Redis unreachable (%r); the worker retries in %.1f s", error, delay)
                await asyncio.sleep(delay)
                delay = min(delay * 2, 5.0)
                continue
            self.worker, delay = worker, 0.5
            waker = asyncio.create_task(start_when_queued(worker), name="comeback-worker-wake")
            try:
                await worker.async_run()
                return  # burst mode: the queue is empty
            except asyncio.CancelledError:
                # arq cancels its main task when it stops on a signal (or on stop()), once the running
                # jobs finished or its job_completion_wait ran out; anything else cancelling us goes on.
                if self._stopping or not worker.allow_pick_jobs:
                    return
                raise
            except REDIS_DOWN as error:
                log.warning("lost Redis (%r); jobs pause until it is back", error)
            except Exception:
                # Not a job's failure (arq handles those) but the polling loop's: a worker that
                # silently stayed dead would leave every user stale, so it starts again.
                if self._stopping:
                    return
                log.exception("the worker stopped unexpectedly; it starts again in %.1f s", delay)
                await asyncio.sleep(delay)
            finally:
                waker.cancel()
                with contextlib.suppress(BaseException):
                    await waker
                # A job still running is cancelled here, and arq runs it again later (its stale mark
                # stays); its cancellation is the job's, not ours.
                with contextlib.suppress(Exception, asyncio.CancelledError):
                    await asyncio.wait_for(worker.close(), timeout=15)

    async def stop(self) -> None:
        """Stop taking jobs, let running ones finish (up to the worker's job_completion_wait), stop."""
        self._stopping = True
        worker = self.worker
        if worker is not None and worker.allow_pick_jobs:
            worker.handle_sig_wait_for_completion(signal.SIGTERM)  # arq's own graceful stop
        if self._running:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stopped.wait(), timeout=30)
