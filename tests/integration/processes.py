"""Real `comeback serve` / `comeback worker` processes for tests that need a socket or a crash."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

import httpx

from tests import clients
from tests.ports import free_port

__all__ = ["Process", "Server", "free_port", "running_server", "sqlite_env", "suite_env"]

BIN = Path(sys.executable).with_name("comeback")


def sqlite_env(data_dir: Path, **extra: str) -> dict[str, str]:
    """A zero-configuration server (SQLite + embedded Redis) in its own data dir."""
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
    env.update({"COMEBACK_DATA_DIR": str(data_dir), "COMEBACK_LOG_LEVEL": "WARNING", **extra})
    return env


def suite_env(data_dir: Path, **extra: str) -> dict[str, str]:
    """The services the suite runs on (PostgreSQL and Redis in CI's second run, else SQLite + embedded)."""
    env = dict(os.environ)
    env.update({"COMEBACK_DATA_DIR": str(data_dir), "COMEBACK_LOG_LEVEL": "WARNING", **extra})
    return env


class Process:
    def __init__(self, args: list[str], env: Mapping[str, str], log: Path) -> None:
        self.args, self.env, self.log_path = args, dict(env), log
        self.popen: subprocess.Popen[bytes] | None = None

    def start(self) -> Process:
        log = self.log_path.open("ab")
        self.popen = subprocess.Popen([str(BIN), *self.args], env=self.env, stdout=log, stderr=subprocess.STDOUT,
                                      start_new_session=True)
        log.close()
        return self

    def signal(self, sig: int) -> None:
        if self.popen is not None and self.popen.poll() is None:
            os.killpg(self.popen.pid, sig)

    def stop(self, timeout: float = 20) -> int | None:
        if self.popen is None:
            return None
        self.signal(signal.SIGTERM)
        try:
            return self.popen.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.signal(signal.SIGKILL)
            return self.popen.wait(timeout=5)

    def kill(self) -> None:
        if self.popen is not None:
            self.signal(signal.SIGKILL)
            self.popen.wait(timeout=5)

    def output(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""


class Server(Process):
    def __init__(self, env: Mapping[str, str], log: Path, port: int | None = None) -> None:
        self.port = port or free_port()
        super().__init__(["serve", "--port", str(self.port)], env, log)
        self.url = f"http://127.0.0.1:{self.port}"

    def wait_healthy(self, timeout: float = 40) -> Server:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.popen is not None and self.popen.poll() is not None:
                raise RuntimeError(f"comeback serve exited with {self.popen.returncode}:\n{self.output()}")
            try:
                if clients.get(self.url + "/health", timeout=1).status_code == 200:
                    return self
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        raise RuntimeError(f"comeback serve did not answer /health within {timeout} s:\n{self.output()}")


@contextmanager
def running_server(env: Mapping[str, str], log: Path) -> Iterator[Server]:
    server = Server(env, log).start()
    try:
        yield server.wait_healthy()
    finally:
        server.stop()
