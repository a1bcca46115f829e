"""Subscriptions against a real `comeback serve` (SQLite + embedded Redis and worker): only the owner's
events arrive, and a token revoked (or expired) while the socket is open gets no further event."""

from __future__ import annotations

import asyncio
import json
import sqlite3
import time
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest
from websockets.asyncio.client import ClientConnection, connect

from tests import clients
from tests.integration.processes import Server, running_server, sqlite_env

EVENTS = ("subscription { events { __typename ... on AchievementUnlocked { key } "
          "... on ConfidenceChanged { score } ... on StepUnlocked { key } } }")


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    data = tmp_path_factory.mktemp("live")
    with running_server(sqlite_env(data), data / "serve.log") as running:
        running.data_dir = data  # type: ignore[attr-defined]
        yield running


async def gql(server: Server, query: str, token: str | None = None, **variables: Any) -> dict[str, Any]:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    async with clients.async_client(timeout=10) as client:
        response = await client.post(server.url + "/graphql", json={"query": query, "variables": variables},
                                     headers=headers)
    doc: dict[str, Any] = response.json()
    assert not doc.get("errors"), doc
    return doc["data"]


async def user(server: Server) -> tuple[str, str, str]:
    """A new user with one daily habit: (email, session token, habit id)."""
    email = f"live-{uuid.uuid4().hex[:8]}@example.com"
    signed = await gql(server, 'mutation($e: String!) { signUp(input: {email: $e, password: "long enough pw"}) '
                               "{ ... on AuthPayload { token } } }", e=email)
    token = signed["signUp"]["token"]
    habit = await gql(server, 'mutation { habitCreate(input: {name: "Walk", category: WORKOUT, '
                              "schedule: {period: DAILY}}) { ... on Habit { id } } }", token)
    await awarded(server, token, "first-habit")  # its events are out before anyone subscribes
    return email, token, habit["habitCreate"]["id"]


async def check_in(server: Server, token: str, habit_id: str) -> None:
    out = await gql(server, "mutation($h: ID!) { habitCheckIn(input: {habitId: $h}) { __typename } }", token,
                    h=habit_id)
    assert out["habitCheckIn"]["__typename"] == "CheckIn"


async def awarded(server: Server, token: str, key: str, within: float = 10) -> None:
    """Wait until the background recompute has awarded `key` (and so published its events)."""
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        data = await gql(server, "{ achievements { key unlocked } }", token)
        if any(a["key"] == key and a["unlocked"] for a in data["achievements"]):
            return
        await asyncio.sleep(0.1)
    raise AssertionError(f"the recompute did not award {key}")


@asynccontextmanager
async def subscribed(server: Server, token: str) -> AsyncIterator[ClientConnection]:
    async with connect(server.url.replace("http", "ws") + "/graphql",
                       subprotocols=["graphql-transport-ws"]) as ws:  # type: ignore[list-item]
        await ws.send(json.dumps({"type": "connection_init", "payload": {"authorization": f"Bearer {token}"}}))
        assert json.loads(await ws.recv())["type"] == "connection_ack"
        await ws.send(json.dumps({"id": "1", "type": "subscribe", "payload": {"query": EVENTS}}))
        await asyncio.sleep(0.5)  # the Redis subscription is registered
        yield ws


async def messages(ws: ClientConnection, within: float,
                   until: Callable[[list[dict[str, Any]]], bool] = lambda seen: False) -> list[dict[str, Any]]:
    """Every message until `until(seen)` holds, the operation completes, or `within` seconds pass."""
    seen: list[dict[str, Any]] = []
    deadline = time.monotonic() + within
    while (left := deadline - time.monotonic()) > 0 and not until(seen):
        try:
            message = json.loads(await asyncio.wait_for(ws.recv(), timeout=left))
        except TimeoutError:
            break
        seen.append(message)
        if message["type"] in ("complete", "error"):
            break
    return seen


def keys(seen: list[dict[str, Any]]) -> list[str | None]:
    return [m["payload"]["data"]["events"].get("key") for m in seen if m["type"] == "next"]


async def test_a_subscription_hears_only_its_owners_events(server: Server) -> None:
    _, owner, owner_habit = await user(server)
    _, stranger, stranger_habit = await user(server)
    async with subscribed(server, owner) as ws:
        # the stranger's first check-in and first journal entry are recomputed and published (on the
        # stranger's channel) before the owner does anything
        await check_in(server, stranger, stranger_habit)
        await gql(server, 'mutation { journalEntryCreate(input: {body: "mine only"}) { __typename } }', stranger)
        await awarded(server, stranger, "first-check-in")
        await awarded(server, stranger, "first-journal")
        # then the owner's own check-in: its event comes after any of the stranger's that leaked
        await check_in(server, owner, owner_habit)
        seen = await messages(ws, within=10.0, until=lambda seen: "first-check-in" in keys(seen))
        seen += await messages(ws, within=0.5)  # and nothing else is on its way
    assert "first-journal" not in keys(seen), seen
    assert keys(seen).count("first-check-in") == 1, seen


async def test_a_revoked_token_gets_no_further_event_on_an_open_socket(server: Server) -> None:
    _, session, habit = await user(server)
    created = await gql(server, 'mutation { apiTokenCreate(input: {name: "phone", scopes: [READ]}) '
                                "{ ... on ApiTokenCreated { secret apiToken { id } } } }", session)
    pat = created["apiTokenCreate"]
    async with subscribed(server, pat["secret"]) as ws:
        revoked = await gql(server, "mutation($id: ID!) { apiTokenRevoke(id: $id) { __typename } }", session,
                            id=pat["apiToken"]["id"])
        assert revoked["apiTokenRevoke"]["__typename"] == "ApiToken"
        await check_in(server, session, habit)  # publishes events for this user
        seen = await messages(ws, within=5.0)
        # a new operation on the same socket is refused too
        await ws.send(json.dumps({"id": "2", "type": "subscribe", "payload": {"query": "{ me { id } }"}}))
        again = await messages(ws, within=3.0)
    assert not [m for m in seen if m["type"] == "next" and m["payload"].get("data")], seen
    assert seen[0]["type"] == "next" and seen[0]["payload"]["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    assert seen[-1]["type"] == "complete"
    assert [e["extensions"]["code"] for m in again for e in (m["payload"] if m["type"] == "error"
                                                              else m["payload"].get("errors", []))
            ] == ["UNAUTHENTICATED"], again


async def test_a_logged_out_or_expired_session_gets_no_further_event(server: Server) -> None:
    email, session, habit = await user(server)
    _, other_session, _ = await user(server)
    second = await gql(server, 'mutation($e: String!) { logIn(input: {email: $e, password: "long enough pw"}) '
                               "{ ... on AuthPayload { token } } }", e=email)
    async with subscribed(server, session) as logged_out, subscribed(server, second["logIn"]["token"]) as expired:
        assert (await gql(server, "mutation { logOut }", session))["logOut"] is True
        # expire the second session in the server's own database (its clock cannot be moved from here)
        with sqlite3.connect(Path(server.data_dir) / "comeback.sqlite3") as db:  # type: ignore[attr-defined]
            changed = db.execute("UPDATE access_token SET expires_at = created_at WHERE kind = 'SESSION' AND owner = "
                                 "(SELECT id FROM app_user WHERE email = ?) AND revoked_at IS NULL", (email,)).rowcount
        assert changed == 1
        third = await gql(server, 'mutation($e: String!) { logIn(input: {email: $e, password: "long enough pw"}) '
                                  "{ ... on AuthPayload { token } } }", e=email)
        await check_in(server, third["logIn"]["token"], habit)
        for ws in (logged_out, expired):
            seen = await messages(ws, within=5.0)
            assert seen and seen[0]["payload"]["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED", seen
            assert seen[-1]["type"] == "complete", seen
    assert other_session


async def test_a_password_change_and_an_account_deletion_end_open_subscriptions_at_once(server: Server) -> None:
    email, session, _ = await user(server)
    second = await gql(server, 'mutation($e: String!) { logIn(input: {email: $e, password: "long enough pw"}) '
                               "{ ... on AuthPayload { token } } }", e=email)
    async with subscribed(server, session) as mine, subscribed(server, second["logIn"]["token"]) as other:
        changed = await gql(server, 'mutation { passwordChange(input: {currentPassword: "long enough pw", '
                                    'newPassword: "a new long one"}) { __typename } }', session)
        assert changed["passwordChange"]["__typename"] == "PasswordChanged"
        # no event is published: the other session's subscription ends well before its 30 s re-check
        ended = await messages(other, within=5.0)
        assert ended and ended[0]["payload"]["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED", ended
        assert ended[-1]["type"] == "complete", ended
        assert await messages(mine, within=0.5) == []  # this session's goes on
        deleted = await gql(server, 'mutation { accountDelete(input: {password: "a new long one"}) { __typename } }',
                            session)
        assert deleted["accountDelete"]["__typename"] == "AccountDeleted"
        gone = await messages(mine, within=5.0)
        assert gone and gone[0]["payload"]["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED", gone
