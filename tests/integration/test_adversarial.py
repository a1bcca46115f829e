"""An attacker's afternoon against a real `comeback serve` on loopback (issue 11), bounded in time.

One server with tight limits (3 sign-in attempts and 30 anonymous requests a minute per IP) on the
suite's database, so this runs on SQLite and on PostgreSQL + Redis alike. Every probe checks what
the attacker gets back, never how long it took (figures: bench/adversarial.py).
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
import pytest
from websockets.asyncio.client import ClientConnection, connect

from tests import clients
from tests.integration.processes import Server, running_server, suite_env

LOG_IN = 'mutation { logIn(input: {email: "victim@example.com", password: "guess %d"}) { __typename } }'
SIGN_IN_LIMIT = 3


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    data = tmp_path_factory.mktemp("adversary")
    env = suite_env(data, COMEBACK_AUTH_RATE_LIMIT_PER_MINUTE=str(SIGN_IN_LIMIT),
                    COMEBACK_ANONYMOUS_RATE_LIMIT_PER_MINUTE="1000", COMEBACK_RATE_LIMIT_PER_MINUTE="1000")
    with running_server(env, data / "serve.log") as running:
        yield running


async def post(server: Server, body: Any, headers: dict[str, str] | None = None) -> httpx.Response:
    async with clients.async_client(timeout=10) as client:
        if isinstance(body, bytes):
            return await client.post(server.url + "/graphql", content=body,
                                     headers={"content-type": "application/json", **(headers or {})})
        return await client.post(server.url + "/graphql", json=body, headers=headers or {})


@asynccontextmanager
async def socket(server: Server, token: str | None = None) -> AsyncIterator[ClientConnection]:
    async with connect(server.url.replace("http", "ws") + "/graphql",
                       subprotocols=["graphql-transport-ws"]) as ws:  # type: ignore[list-item]
        payload = {"authorization": f"Bearer {token}"} if token else {}
        await ws.send(json.dumps({"type": "connection_init", "payload": payload}))
        assert json.loads(await ws.recv())["type"] == "connection_ack"
        yield ws


async def operation(ws: ClientConnection, op_id: str, query: str) -> list[dict[str, Any]]:
    """Send one operation and collect its messages until it completes or fails."""
    await ws.send(json.dumps({"id": op_id, "type": "subscribe", "payload": {"query": query}}))
    seen: list[dict[str, Any]] = []
    while True:
        message = json.loads(await asyncio.wait_for(ws.recv(), timeout=10))
        if message.get("id") != op_id:
            continue
        seen.append(message)
        if message["type"] in ("complete", "error"):
            return seen


def codes(messages: list[dict[str, Any]]) -> list[str]:
    found = []
    for m in messages:
        errors = m["payload"] if m["type"] == "error" else m.get("payload", {}).get("errors") or []
        found += [e.get("extensions", {}).get("code") for e in errors]
        data = (m.get("payload") or {}).get("data") if m["type"] == "next" else None
        if data and "logIn" in data:
            found.append(data["logIn"]["__typename"])
    return found


async def test_guesses_over_one_websocket_share_the_sign_in_limit_with_http(server: Server) -> None:
    """Reproduces finding 2 of issue 11: 40 logIn operations on one graphql-transport-ws connection were
    not limited at all (the last one got a session)."""
    async with socket(server) as ws:
        answers = [codes(await operation(ws, str(n), LOG_IN % n)) for n in range(SIGN_IN_LIMIT + 2)]
    over_http = await post(server, {"query": LOG_IN % 99})
    assert answers[:SIGN_IN_LIMIT] == [["InvalidCredentialsError"]] * SIGN_IN_LIMIT
    assert answers[SIGN_IN_LIMIT:] == [["RATE_LIMITED"], ["RATE_LIMITED"]]
    assert over_http.status_code == 429  # one budget per client IP, whichever door


async def test_forwarded_for_from_a_loopback_peer_changes_nothing(server: Server) -> None:
    """Reproduces finding 5 of issue 11: uvicorn believed X-Forwarded-For from any loopback peer."""
    answers = [await post(server, {"query": LOG_IN % n}, {"X-Forwarded-For": f"203.0.113.{n}"})
               for n in range(SIGN_IN_LIMIT + 1)]
    # every guess claims another address, yet all count against this one IP: inventing addresses buys
    # nothing (its attempts may already be spent by the test above, on the SQLite pass's own Redis)
    assert answers[-1].status_code == 429


async def test_documents_that_cost_too_much_are_refused_and_the_server_stays_up(server: Server) -> None:
    """Finding 1 and 6 of issue 11, over a real socket: refusals, not slow answers."""
    repeated = await post(server, {"query": "{" + " me { id }" * 498 + "}"})
    fields = await post(server, {"query": "{ " + " ".join(f"a{i}: habits {{ ...F }}" for i in range(30)) +
                                 " } fragment F on Habit { " + "id name kind unit strength " * 8 + "}"})
    async with socket(server) as ws:
        over_ws = codes(await operation(ws, "1", "{" + " __typename" * 600 + "}"))
    async with clients.async_client(timeout=5) as client:
        health = await client.get(server.url + "/health")
    assert repeated.json()["errors"][0]["extensions"]["limit"] == "maxRepeats"
    assert fields.json()["errors"][0]["extensions"]["limit"] in ("maxFields", "maxRepeats")
    assert over_ws == ["QUERY_TOO_COMPLEX"]
    assert health.status_code == 200


async def test_malformed_bodies_get_a_400_from_the_real_server(server: Server) -> None:
    """Finding 7 of issue 11: invalid UTF-8 and deep nesting got Litestar's plain 500."""
    invalid_utf8 = await post(server, b'{"query": "{ __typename \xff }"}')
    deep = await post(server, b'{"query": "{ __typename }", "variables": {"x": ' + b"[" * 100_000 + b"]" * 100_000
                      + b"}}")
    nan = await post(server, b'{"query": "{ __typename }", "variables": {"x": NaN}}', {"Authorization": "Bearer x"})
    subscription = await post(server, {"query": "subscription { events { __typename } }"})
    for response in (invalid_utf8, deep, nan, subscription):
        assert response.status_code == 400
        assert response.json()["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


async def test_a_websocket_message_over_the_body_limit_closes_the_socket(server: Server) -> None:
    """uvicorn accepts 16 MiB WebSocket messages by default; one is held to the HTTP body limit (1 MiB)."""
    from websockets.exceptions import ConnectionClosed

    async with socket(server) as ws:
        padding = "x" * (2 * 1024 * 1024)
        await ws.send(json.dumps({"id": "1", "type": "subscribe",
                                  "payload": {"query": "{ __typename }", "variables": {"pad": padding}}}))
        with pytest.raises(ConnectionClosed) as closed:
            await asyncio.wait_for(ws.recv(), timeout=10)
    assert closed.value.rcvd is not None and closed.value.rcvd.code == 1009  # "message too big"
    async with socket(server) as ws:  # the server itself is fine
        assert codes(await operation(ws, "2", "{ __typename }")) == []


@pytest.fixture(scope="module")
def roomy_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """A server whose sign-in budget the other probes have not spent."""
    data = tmp_path_factory.mktemp("roomy")
    with running_server(suite_env(data), data / "serve.log") as running:
        yield running


async def test_at_most_ten_subscriptions_per_user_and_a_closed_one_frees_its_place(roomy_server: Server) -> None:
    """Finding 6 of issue 11: subscriptions per user are capped (over every server process: the places
    are leases in Redis)."""
    from contextlib import AsyncExitStack

    from server.graphql.progress import SUBSCRIPTIONS_MAX

    server = roomy_server
    events = "subscription { events { __typename } }"
    token = (await post(server, {"query": 'mutation { signUp(input: {email: "subs@example.com", password: '
                                          '"long enough pw"}) { ... on AuthPayload { token } } }'}
                        )).json()["data"]["signUp"]["token"]
    async with AsyncExitStack() as stack:
        sockets = [await stack.enter_async_context(socket(server, token)) for _ in range(SUBSCRIPTIONS_MAX + 1)]
        for n, ws in enumerate(sockets[:SUBSCRIPTIONS_MAX]):
            await ws.send(json.dumps({"id": str(n), "type": "subscribe", "payload": {"query": events}}))
        await asyncio.sleep(0.5)  # each subscription has taken its place
        refused = await operation(sockets[-1], "extra", events)
        await sockets[0].send(json.dumps({"id": "0", "type": "complete"}))
        await asyncio.sleep(0.5)  # the completed one has given its place back
        await sockets[-1].send(json.dumps({"id": "again", "type": "subscribe", "payload": {"query": events}}))
        quiet = True
        try:
            message = json.loads(await asyncio.wait_for(sockets[-1].recv(), timeout=1.5))
            quiet = False
        except TimeoutError:
            message = None
    errors = [e for m in refused for e in (m["payload"] if m["type"] == "error"
                                           else (m.get("payload") or {}).get("errors") or [])]
    assert [e["extensions"] for e in errors] == [{"code": "RATE_LIMITED", "limit": "maxSubscriptions",
                                                  "max": SUBSCRIPTIONS_MAX}]
    assert quiet, message  # the new one runs: a running subscription sends nothing until an event
