"""Real `comeback serve` processes for tests that go through the network like a user would."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from tests import clients
from tests.ports import free_port

BIN_DIR = Path(sys.executable).parent


@dataclass
class Server:
    url: str
    process: subprocess.Popen[bytes]
    data_dir: Path

    def graphql(self, query: str, variables: dict[str, Any] | None = None, token: str | None = None) -> Any:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        response = clients.post(self.url + "/graphql", json={"query": query, "variables": variables or {}},
                              headers=headers, timeout=30)
        document = response.json()
        assert not document.get("errors"), document
        return document["data"]

    def account(self, email: str, timezone: str = "UTC") -> str:
        """Sign up and return a personal access token (WRITE) of the new account."""
        session = self.graphql("""mutation($e: String!, $z: String!) { signUp(input: {email: $e,
            password: "a long passphrase", timezone: $z}) { ... on AuthPayload { token } } }""",
                               {"e": email, "z": timezone})["signUp"]["token"]
        created = self.graphql("""mutation { apiTokenCreate(input: {name: "script", scopes: [WRITE]}) {
            ... on ApiTokenCreated { secret } } }""", token=session)
        return str(created["apiTokenCreate"]["secret"])


def environment(data_dir: Path, database_url: str | None = None, redis_url: str | None = None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
    env.update({"COMEBACK_DATA_DIR": str(data_dir), "COMEBACK_LOG_LEVEL": "WARNING",
                "PATH": f"{BIN_DIR}{os.pathsep}{env.get('PATH', '')}"})
    if database_url:
        env["DATABASE_URL"] = database_url
    if redis_url:
        env["REDIS_URL"] = redis_url
    return env


def start(data_dir: Path, database_url: str | None = None, redis_url: str | None = None,
          extra_env: dict[str, str] | None = None) -> Server:
    data_dir.mkdir(parents=True, exist_ok=True)
    port = free_port()
    with open(data_dir / "server.log", "wb") as log:  # the child keeps its own copy of the handle
        process = subprocess.Popen([str(BIN_DIR / "comeback"), "serve", "--port", str(port)],
                                   env={**environment(data_dir, database_url, redis_url), **(extra_env or {})},
                                   start_new_session=True,
                                   stdout=subprocess.DEVNULL, stderr=log)
    return Server(f"http://127.0.0.1:{port}", process, data_dir)


def wait(*servers: Server, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    for server in servers:
        while True:
            if server.process.poll() is not None:
                raise RuntimeError(f"{server.url} exited: {(server.data_dir / 'server.log').read_text()[-2000:]}")
            try:
                if clients.get(server.url + "/health", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"{server.url} did not start")
            time.sleep(0.1)


def stop(*servers: Server) -> None:
    for server in servers:
        if server.process.poll() is None:
            os.killpg(server.process.pid, signal.SIGTERM)
    for server in servers:
        try:
            server.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(server.process.pid, signal.SIGKILL)
