"""Scale-out: a subscriber on one server process hears events caused through another.

Runs real `comeback serve` and `comeback worker` processes sharing PostgreSQL and Redis,
so it needs COMEBACK_TEST_DATABASE_URL and COMEBACK_TEST_REDIS_URL (CI's second run).
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests import clients
from tests.ports import free_port

pytestmark = pytest.mark.skipif(not os.environ.get("COMEBACK_TEST_DATABASE_URL"),
                                reason="needs PostgreSQL + Redis shared between processes")

BIN = Path(sys.executable).with_name("comeback")


@pytest.fixture
def cluster(tmp_path: Path, migrated: None) -> Iterator[tuple[str, str]]:
    # this worker's database and Redis db (tests/conftest.py), shared by the processes and the suite
    env = {**os.environ, "COMEBACK_DATA_DIR": str(tmp_path), "COMEBACK_LOG_LEVEL": "WARNING"}
    ports = [free_port(), free_port()]
    procs = [subprocess.Popen([str(BIN), "serve", "--port", str(p)], env=env, start_new_session=True)
             for p in ports]
    procs.append(subprocess.Popen([str(BIN), "worker"], env=env, start_new_session=True))
    urls = [f"http://127.0.0.1:{p}" for p in ports]
    try:
        deadline = time.monotonic() + 30
        for url in urls:
            while True:
                try:
                    if clients.get(url + "/health", timeout=1).status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                if time.monotonic() > deadline:
                    raise RuntimeError(f"{url} did not start")
                time.sleep(0.2)
        yield urls[0], urls[1]
    finally:
        for p in procs:
            os.killpg(p.pid, signal.SIGTERM)
        for p in procs:
            try:
                p.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(p.pid, signal.SIGKILL)


async def gql(client: httpx.AsyncClient, url: str, query: str, token: str | None = None,
              variables: dict | None = None) -> dict:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    response = await client.post(url + "/graphql", json={"query": query, "variables": variables or {}},
                                 headers=headers)
    return response.json()["data"]


async def test_subscriber_on_process_b_hears_a_check_in_made_on_process_a(cluster: tuple[str, str]) -> None:
    from websockets.asyncio.client import connect

    a, b = cluster
    async with clients.async_client(timeout=10) as client:
        signed = await gql(client, a, 'mutation { signUp(input: {email: "live@example.com", password: '
                                      '"long enough pw"}) { ... on AuthPayload { token } } }')
        token = signed["signUp"]["token"]
        habit = await gql(client, a, 'mutation { habitCreate(input: {name: "Walk", category: WORKOUT, '
                                     'schedule: {period: DAILY}}) { ... on Habit { id } } }', token)
        ws_url = b.replace("http", "ws") + "/graphql"
        async with connect(ws_url, subprotocols=["graphql-transport-ws"]) as ws:  # type: ignore[list-item]
            await ws.send(json.dumps({"type": "connection_init", "payload": {"authorization": f"Bearer {token}"}}))
            assert json.loads(await ws.recv())["type"] == "connection_ack"
            await ws.send(json.dumps({"id": "1", "type": "subscribe", "payload": {"query": (
                "subscription { events { __typename ... on AchievementUnlocked { key title } "
                "... on ConfidenceChanged { score } } }")}}))
            await asyncio.sleep(0.5)  # the subscription is registered on B's Redis connection
            await gql(client, a, "mutation($h: ID!) { habitCheckIn(input: {habitId: $h}) { __typename } }", token,
                      {"h": habit["habitCreate"]["id"]})
            seen: list[dict] = []
            deadline = time.monotonic() + 10
            while time.monotonic() < deadline and not any(e.get("key") == "first-check-in" for e in seen):
                message = json.loads(await asyncio.wait_for(ws.recv(), timeout=deadline - time.monotonic()))
                assert message["type"] == "next", message
                seen.append(message["payload"]["data"]["events"])
    assert {"__typename": "AchievementUnlocked", "key": "first-check-in", "title": "Showed up"} in seen
