"""Faults against real PostgreSQL and Redis: private instances this module starts, stops and kills.

- the database restarts under a running server: requests fail fast with UNAVAILABLE (never a hang,
  never a traceback), /ready says 503, and the same process serves again once it is back;
- Redis restarts: every acknowledged check-in is stored, the worker survives and the derived state
  catches up;
- a worker is killed with SIGKILL in the middle of a job: the job runs again elsewhere and awards
  nothing twice;
- a worker is killed with SIGKILL in the middle of a webhook delivery: another delivers it;
- SIGTERM lets the in-flight request finish before the server exits.

Runs in CI's PostgreSQL pass (COMEBACK_TEST_DATABASE_URL set); the shared services are never touched.
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import signal
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest
from arq import create_pool
from arq.connections import RedisSettings
from arq.jobs import Job, JobStatus
from standardwebhooks.webhooks import Webhook

from server.engine.queue import recompute_job_id
from tests import clients
from tests.integration.processes import Process, Server, suite_env
from tests.integration.receiver import receiving
from tests.integration.throwaway import ThrowawayPostgres, ThrowawayRedis

pytestmark = [
    pytest.mark.faults,
    pytest.mark.skipif(not os.environ.get("COMEBACK_TEST_DATABASE_URL"),
                       reason="fault tests run in the PostgreSQL + Redis pass (they start private instances)"),
]

GRAPHQL_RESPONSE = "application/graphql-response+json"


@dataclass
class Stack:
    root: Path
    pg: ThrowawayPostgres
    redis: ThrowawayRedis

    def env(self, **extra: str) -> dict[str, str]:
        return suite_env(self.root, DATABASE_URL=self.pg.url, REDIS_URL=self.redis.url, **extra)

    async def sql(self, query: str, *args: Any) -> list[asyncpg.Record]:
        connection = await asyncpg.connect(self.pg.url)
        try:
            return list(await connection.fetch(query, *args))
        finally:
            await connection.close()


class JobWatcher:
    """arq's own view of a job (its public `Job.status()`), from this synchronous test."""

    def __init__(self, url: str) -> None:
        self.loop = asyncio.new_event_loop()
        self.pool = self.loop.run_until_complete(create_pool(RedisSettings.from_dsn(url)))

    def running(self, job_id: str) -> bool:
        return self.loop.run_until_complete(Job(job_id, self.pool).status()) is JobStatus.in_progress

    def close(self) -> None:
        self.loop.run_until_complete(self.pool.aclose())
        self.loop.close()


@pytest.fixture(scope="module")
def stack() -> Iterator[Stack]:
    # Not pytest's tmp dir: the `postgres` user running the cluster must be able to reach it.
    root = Path(tempfile.mkdtemp(prefix="comeback-faults-"))
    root.chmod(0o777)
    pg = ThrowawayPostgres(root).init()
    cache = ThrowawayRedis(root).start()
    try:
        yield Stack(root, pg, cache)
    finally:
        cache.stop()
        pg.stop("immediate")
        shutil.rmtree(root, ignore_errors=True)


class Client:
    def __init__(self, url: str) -> None:
        self.url = url + "/graphql"
        self.token: str | None = None

    def post(self, query: str, timeout: float = 20, **variables: Any) -> httpx.Response:
        headers = {"accept": GRAPHQL_RESPONSE}
        if self.token:
            headers["authorization"] = f"Bearer {self.token}"
        return clients.post(self.url, json={"query": query, "variables": variables}, headers=headers, timeout=timeout)

    def data(self, query: str, **variables: Any) -> dict[str, Any]:
        response = self.post(query, **variables)
        doc: dict[str, Any] = response.json()
        assert response.status_code == 200 and not doc.get("errors"), doc
        return doc["data"]

    def sign_up(self) -> str:
        email = f"fault-{uuid.uuid4().hex[:10]}@example.com"
        out = self.data('mutation($e: String!) { signUp(input: {email: $e, password: "long enough pw"}) '
                        "{ ... on AuthPayload { token user { id } } } }", e=email)["signUp"]
        self.token = out["token"]
        return str(out["user"]["id"])

    def habit(self, start: str | None = None) -> str:
        start_arg = f', startDate: "{start}"' if start else ""
        out = self.data(f'mutation {{ habitCreate(input: {{name: "Walk", category: WORKOUT, schedule: {{period: DAILY}}'
                        f'{start_arg}}}) {{ ... on Habit {{ id }} }} }}')
        return str(out["habitCreate"]["id"])

    def check_in(self, habit: str, key: str | None = None, timeout: float = 20) -> httpx.Response:
        return self.post("mutation($h: ID!, $k: String) { habitCheckIn(input: {habitId: $h, idempotencyKey: $k}) "
                         "{ __typename ... on CheckIn { id } } }", timeout, h=habit, k=key)

    def awarded(self, key: str, within: float) -> bool:
        deadline = time.monotonic() + within
        while time.monotonic() < deadline:
            response = self.post("{ achievements { key unlocked } }")
            if response.status_code == 200:
                data = response.json().get("data") or {}
                if any(a["key"] == key and a["unlocked"] for a in data.get("achievements", [])):
                    return True
            time.sleep(0.25)
        return False


def started(server: Server) -> Server:
    return server.start().wait_healthy(timeout=60)


def test_database_restart_fails_cleanly_and_the_same_process_recovers(stack: Stack) -> None:
    server = started(Server(stack.env(COMEBACK_EMBEDDED_WORKER="1"), stack.root / "db-restart.log"))
    try:
        client = Client(server.url)
        client.sign_up()
        habit = client.habit()
        first = client.check_in(habit)
        assert first.status_code == 200
        stack.pg.stop("immediate")  # a crash, not a polite shutdown
        # a request that hangs while the database is down fails the test with httpx's ReadTimeout
        outcomes = [client.post(query, timeout=10) for query in ("{ me { id } }", "{ habits { id currentStreak } }")]
        outcomes.append(client.check_in(habit, key="during-outage", timeout=10))
        ready = clients.get(server.url + "/ready", timeout=20)
        for response in outcomes:
            status, doc = response.status_code, response.json()
            assert status == 503 and "data" not in doc, doc
            assert [e["extensions"]["code"] for e in doc["errors"]] == ["UNAVAILABLE"], doc
            assert "Traceback" not in json.dumps(doc) and "asyncpg" not in json.dumps(doc)
        assert (ready.status_code, ready.json()["checks"]["database"]) == (503, False)
        stack.pg.start()
        deadline = time.monotonic() + 20
        while client.post("{ me { id } }").status_code != 200:
            assert time.monotonic() < deadline, "the server did not recover after the database came back"
            time.sleep(0.2)
        retried = client.check_in(habit, key="during-outage")  # the client retries its refused check-in
        assert retried.status_code == 200 and retried.json()["data"]["habitCheckIn"]["__typename"] == "CheckIn"
        assert clients.get(server.url + "/ready", timeout=10).status_code == 200
        count = client.data('query($h: ID!) { habit(id: $h) { checkIns(first: 10) { edges { cursor } } } }', h=habit)
        assert len(count["habit"]["checkIns"]["edges"]) == 2, (count, retried.json(), first.json())
        assert server.popen is not None and server.popen.poll() is None  # never restarted
    finally:
        server.stop()
        if not _pg_up(stack):
            stack.pg.start()


def _pg_up(stack: Stack) -> bool:
    try:
        asyncio.run(stack.sql("SELECT 1"))
        return True
    except Exception:
        return False


def test_redis_restart_loses_no_check_in_and_jobs_resume(stack: Stack) -> None:
    server = started(Server(stack.env(), stack.root / "redis-restart-serve.log"))
    worker = Process(["worker"], stack.env(), stack.root / "redis-restart-worker.log").start()
    try:
        client = Client(server.url)
        user = client.sign_up()
        habit = client.habit(start=(datetime.now(UTC).date() - timedelta(days=2)).isoformat())
        assert client.awarded("first-habit", within=20)
        stack.redis.kill()
        acknowledged = []
        for i in range(5):
            response = client.check_in(habit, key=f"while-redis-is-down-{i}")
            assert response.status_code == 200, response.text
            acknowledged.append(response.json()["data"]["habitCheckIn"]["id"])
        time.sleep(1)
        assert worker.popen is not None and worker.popen.poll() is None, "the worker died with Redis"
        stack.redis.start()
        # the sweep re-enqueues the stale user; the surviving worker recomputes
        assert client.awarded("first-check-in", within=40), worker.output()[-3000:]
        rows = asyncio.run(stack.sql("SELECT id::text FROM check_in WHERE owner = $1::uuid", user))
        assert sorted(r["id"] for r in rows) == sorted(acknowledged)
        deadline = time.monotonic() + 20
        while asyncio.run(stack.sql("SELECT stale_since FROM app_user WHERE id = $1::uuid", user))[0][0] is not None:
            assert time.monotonic() < deadline, "the user stayed stale"
            time.sleep(0.25)
        assert worker.popen.poll() is None
    finally:
        worker.stop()
        server.stop()
        if stack.redis.popen is None or stack.redis.popen.poll() is not None:
            stack.redis.start()


def test_a_server_started_before_its_redis_gets_its_engine_when_redis_comes(stack: Stack) -> None:
    """Started while Redis is down (a common order under compose or systemd): it serves and stores at
    once, and its jobs and live events start once Redis answers, without a restart."""
    stack.redis.kill()
    server = None
    try:
        server = started(Server(stack.env(COMEBACK_EMBEDDED_WORKER="1"), stack.root / "late-redis.log"))
        client = Client(server.url)
        client.sign_up()
        habit = client.habit(start=(datetime.now(UTC).date() - timedelta(days=2)).isoformat())
        assert client.check_in(habit, key="before-redis").status_code == 200
        stack.redis.start()
        assert client.awarded("first-check-in", within=40), server.output()[-3000:]
    finally:
        if server is not None:
            server.stop()
        if stack.redis.popen is None or stack.redis.popen.poll() is not None:
            stack.redis.start()


def test_a_hung_redis_never_hangs_a_write(stack: Stack) -> None:
    """Redis frozen (SIGSTOP: connections open, nothing answers), as a stuck or partitioned Redis is:
    check-ins are still answered, each stored once, and the user is recomputed once Redis thaws."""
    server = started(Server(stack.env(COMEBACK_EMBEDDED_WORKER="1"), stack.root / "redis-frozen.log"))
    assert stack.redis.popen is not None
    try:
        client = Client(server.url)
        user = client.sign_up()
        habit = client.habit(start=(datetime.now(UTC).date() - timedelta(days=2)).isoformat())
        assert client.awarded("first-habit", within=20)
        os.kill(stack.redis.popen.pid, signal.SIGSTOP)
        try:
            # Each answer within 10 s (a bound on a hang, not a timing): Redis would never answer.
            answers = [client.check_in(habit, key=f"while-redis-hangs-{i}", timeout=10) for i in range(4)]
        finally:
            os.kill(stack.redis.popen.pid, signal.SIGCONT)
        assert [r.status_code for r in answers] == [200] * 4, [r.text for r in answers]
        acknowledged = [r.json()["data"]["habitCheckIn"]["id"] for r in answers]
        rows = asyncio.run(stack.sql("SELECT id::text FROM check_in WHERE owner = $1::uuid", user))
        assert sorted(r["id"] for r in rows) == sorted(acknowledged)
        assert client.awarded("first-check-in", within=40), server.output()[-3000:]
    finally:
        server.stop()


def test_a_worker_killed_mid_job_is_replaced_and_nothing_is_awarded_twice(stack: Stack) -> None:
    env = stack.env(COMEBACK_JOB_TIMEOUT_SECONDS="3")  # a dead worker's job is free again after ~13 s
    server = started(Server(env, stack.root / "kill-serve.log"))
    first = Process(["worker"], env, stack.root / "kill-worker-1.log")
    second = Process(["worker"], env, stack.root / "kill-worker-2.log")
    jobs = JobWatcher(stack.redis.url)
    try:
        client = Client(server.url)
        user = client.sign_up()
        start = datetime.now(UTC).date() - timedelta(days=700)
        habits = [client.habit(start=start.isoformat()) for _ in range(3)]
        job_id = recompute_job_id(uuid.UUID(user))
        first.start()
        killed_mid_job = False
        for attempt in range(6):
            # a long history makes the recompute slow enough to be caught running
            rows = [{"habitId": h, "occurredAt": datetime.combine(start + timedelta(days=d), datetime.min.time(),
                                                                   UTC).replace(hour=12).isoformat()}
                    for h in habits for d in range(attempt * 100, attempt * 100 + 100)]
            imported = client.data("mutation($rows: [CheckInImportRow!]!) { checkInsImport(input: {rows: $rows}) "
                                   "{ __typename ... on CheckInsImportReport { created } } }", rows=rows)
            assert imported["checkInsImport"]["__typename"] == "CheckInsImportReport", imported
            deadline = time.monotonic() + 15
            while time.monotonic() < deadline and not jobs.running(job_id):
                time.sleep(0.001)
            if jobs.running(job_id):
                first.kill()
                killed_mid_job = True
                break
        assert killed_mid_job, "never caught the recompute running"
        assert jobs.running(job_id)  # claimed by a dead worker
        second.start()
        deadline = time.monotonic() + 60
        while asyncio.run(stack.sql("SELECT stale_since FROM app_user WHERE id = $1::uuid", user))[0][0] is not None:
            assert time.monotonic() < deadline, second.output()[-3000:]
            time.sleep(0.5)
        assert client.awarded("first-check-in", within=5)
        duplicates = asyncio.run(stack.sql(
            "SELECT owner, key, count(*) FROM achievement_award GROUP BY owner, key HAVING count(*) > 1 "
            "UNION ALL SELECT owner, step_key, count(*) FROM step_unlock GROUP BY owner, step_key HAVING count(*) > 1"))
        assert duplicates == []
        awards = asyncio.run(stack.sql("SELECT count(*) FROM achievement_award WHERE owner = $1::uuid", user))[0][0]
        assert awards >= 2
    finally:
        jobs.close()
        first.kill()
        second.stop()
        server.stop()


def test_sigterm_lets_the_in_flight_request_finish(stack: Stack) -> None:
    server = started(Server(stack.env(COMEBACK_EMBEDDED_WORKER="1"), stack.root / "shutdown.log"))
    client = Client(server.url)
    user = client.sign_up()
    start = datetime.now(UTC).date() - timedelta(days=1500)
    habits = [client.habit(start=start.isoformat()) for _ in range(3)]
    rows = [{"habitId": h, "occurredAt": f"{start + timedelta(days=d)}T12:00:00+00:00"}
            for h in habits for d in range(1500)]
    result: dict[str, Any] = {}
    signalled = threading.Event()

    def long_import() -> None:
        response = client.post("mutation($rows: [CheckInImportRow!]!) { checkInsImport(input: {rows: $rows}) "
                               "{ __typename ... on CheckInsImportReport { created } } }", timeout=60, rows=rows)
        result.update(status=response.status_code, doc=response.json(), answered_after_signal=signalled.is_set())

    thread = threading.Thread(target=long_import)
    thread.start()
    time.sleep(0.3)  # the request is being processed
    server.signal(signal.SIGTERM)
    signalled.set()
    thread.join(timeout=90)
    assert server.popen is not None
    exit_code = server.popen.wait(timeout=60)
    assert result["status"] == 200, result
    assert result["doc"]["data"]["checkInsImport"] == {"__typename": "CheckInsImportReport", "created": 4500}
    assert result["answered_after_signal"]  # it really was in flight when the signal came
    # uvicorn shuts down gracefully, then re-raises the signal it caught (so supervisors see why it stopped)
    assert exit_code in (0, -signal.SIGTERM), server.output()[-2000:]
    assert "Traceback" not in server.output()
    stored = asyncio.run(stack.sql("SELECT count(*) FROM check_in WHERE owner = $1::uuid", user))[0][0]
    assert stored == 4500


def test_a_worker_killed_mid_delivery_loses_no_webhook_delivery(stack: Stack) -> None:
    # The receiver holds the first request open; its worker is SIGKILLed meanwhile. Once the dead
    # attempt's lease has run out (a 1 s request deadline: ~11 s), another worker delivers it.
    env = stack.env(COMEBACK_JOB_TIMEOUT_SECONDS="3", COMEBACK_WEBHOOK_ALLOW_PRIVATE="1",
                    COMEBACK_WEBHOOK_TIMEOUT_SECONDS="1")
    server = started(Server(env, stack.root / "hook-serve.log"))
    first = Process(["worker"], env, stack.root / "hook-worker-1.log")
    second = Process(["worker"], env, stack.root / "hook-worker-2.log")
    with receiving(hold_first=True) as receiver:
        try:
            client = Client(server.url)
            client.sign_up()
            habit = client.habit()
            created = client.data('mutation($u: String!) { webhookCreate(input: {url: $u, events: [CHECK_IN_CREATED]}) '
                                  "{ ... on WebhookCreated { secret } } }", u=receiver.url())["webhookCreate"]
            first.start()
            assert client.check_in(habit).status_code == 200
            deadline = time.monotonic() + 30
            while not receiver.requests:
                assert time.monotonic() < deadline, first.output()[-3000:]
                time.sleep(0.05)
            first.kill()  # mid-delivery: the request is in flight, nothing recorded
            receiver.release.set()
            second.start()
            deadline = time.monotonic() + 60
            while len(receiver.requests) < 2:  # the first was never answered: its worker was gone
                assert time.monotonic() < deadline, second.output()[-3000:]
                time.sleep(0.25)
            first_request, again = receiver.requests[:2]
            assert again.headers["webhook-id"] == first_request.headers["webhook-id"]  # the same delivery
            assert again.body == first_request.body
            assert Webhook(created["secret"]).verify(again.body, again.headers)["type"] == "check_in.created"
            deadline = time.monotonic() + 10
            while asyncio.run(stack.sql("SELECT status FROM webhook_delivery"))[0][0] != "DELIVERED":
                assert time.monotonic() < deadline
                time.sleep(0.25)
        finally:
            first.kill()
            second.stop()
            server.stop()
