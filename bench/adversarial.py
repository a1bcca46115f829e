"""What an attacker's traffic costs everyone else: a real `comeback serve` (embedded) under hostile load.

    .venv/bin/python -m bench.adversarial [--seconds 8] [--runs 3]

Figures, each run measured against a baseline taken in the same run:
 1. server CPU per refused oversized document (a field repeated 498 times, 1,110 fields through a
    fragment, 60 chained fragment spreads, 10 habits x 30 aliases x 1,000 days): the server
    process's own CPU time (/proc/PID/stat) over N refusals, divided by N;
 2. /health latency (p50 / p99 / max) while four clients loop on the worst documents the limits
    still allow (20 repeats of each root field, 50 spreads, a full-cost dashboard), against
    /health with the server idle;
 3. /health latency while 20 log-ins (production argon2 parameters) run at once, against idle.
Rate limits are set high enough not to refuse the load: the point is what admitted work costs.
Results: bench/results/adversarial.{json,md}.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

from bench.machine import describe

BIN = Path(sys.executable).parent / "comeback"
RESULTS = Path(__file__).parent / "results"
HEALTH_EVERY = 0.01  # seconds between /health probes

REFUSED = {
    "498 repeats of one field": "{" + " me { id }" * 498 + "}",
    "1,110 fields via a fragment": "{ " + " ".join(f"a{i}: habits {{ ...F }}" for i in range(30)) + " } "
    "fragment F on Habit { id name category kind targetQuantity unit startDate archived currentStreak "
    "longestStreak streakUnit strength doneToday freezesHeld schedule { period weekdays timesPerWeek } "
    "checkIns { edges { cursor node { id day quantity note source undone occurredAt } } "
    'pageInfo { hasNextPage endCursor } } days(from: "2026-03-01", to: "2026-03-02") { date status quantity } }',
    "60 chained fragment spreads": "{ habits { ...F0 } }" + "".join(
        f" fragment F{i} on Habit {{ {('id', 'name', 'kind', 'unit', 'strength')[i % 5]} ...F{i + 1} }}"
        for i in range(60)) + " fragment F60 on Habit { id }",
    "30 aliases x 1,000 days": "{ habits { " + " ".join(
        f'd{i}: days(from: "2024-01-01", to: "2026-09-26") {{ date status quantity }}' for i in range(30)) + " } }",
}
ROOTS = ("me { id }", "habits { id }", "achievements { key }", "program { key }", "confidence { score }",
         "apiTokens { id }")
ALLOWED = {
    "20 repeats of each root field": "{" + " ".join(root for root in ROOTS for _ in range(20)) + "}",
    "50 fragment spreads": "{ habits { " + " ".join(f"...F{i}" for i in range(50)) + " } }" + "".join(
        f" fragment F{i} on Habit {{ {('id', 'name', 'kind', 'unit', 'strength', 'archived')[i % 6]} }}"
        for i in range(50)),
    "dashboard, 20 habits x 90 days": '{ habits { id name currentStreak longestStreak strength doneToday '
    'days(from: "2026-06-01", to: "2026-08-29") { date status quantity } } }',
    "near maxCost: 20 habits x 2 x 1,000 days": "{ habits { " + " ".join(
        f'd{i}: days(from: "2024-01-01", to: "2026-09-26") {{ date status quantity }}' for i in range(2)) + " } }",
}


def _cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _percentiles(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    return {"p50": ordered[len(ordered) // 2] * 1000, "p99": ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
            * 1000, "max": ordered[-1] * 1000, "n": len(ordered)}


class Server:
    def __init__(self, data: Path, port: int) -> None:
        env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
        env.update({"COMEBACK_DATA_DIR": str(data), "COMEBACK_LOG_LEVEL": "WARNING",
                    "COMEBACK_RATE_LIMIT_PER_MINUTE": "100000000",
                    "COMEBACK_ANONYMOUS_RATE_LIMIT_PER_MINUTE": "100000000",
                    "COMEBACK_AUTH_RATE_LIMIT_PER_MINUTE": "100000000"})
        self.url = f"http://127.0.0.1:{port}"
        self.process = subprocess.Popen([str(BIN), "serve", "--port", str(port)], env=env,
                                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)

    def wait(self) -> None:
        for _ in range(200):
            try:
                if httpx.get(self.url + "/health", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        raise RuntimeError("comeback serve did not start")

    def stop(self) -> None:
        os.killpg(self.process.pid, signal.SIGTERM)
        self.process.wait(timeout=30)


async def _health_while(server: Server, seconds: float, load: Any) -> list[float]:
    """/health latencies sampled every HEALTH_EVERY s while `load` (a coroutine factory, or None) runs."""
    stop = asyncio.Event()
    tasks = [asyncio.create_task(load(stop)) for _ in range(4)] if load else []
    samples: list[float] = []
    async with httpx.AsyncClient(timeout=30) as client:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            started = time.perf_counter()
            await client.get(server.url + "/health")
            samples.append(time.perf_counter() - started)
            await asyncio.sleep(HEALTH_EVERY)
    stop.set()
    await asyncio.gather(*tasks, return_exceptions=True)
    return samples


async def run(seconds: float) -> dict[str, Any]:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = Server(Path(tempfile.mkdtemp(prefix="comeback-bench-adv-")), port)
    server.wait()
    try:
        async with httpx.AsyncClient(base_url=server.url, timeout=30) as client:
            signed = await client.post("/graphql", json={"query": 'mutation { signUp(input: {email: '
                                                                  '"bench@example.com", password: "long enough pw"}) '
                                                                  "{ ... on AuthPayload { token } } }"})
            token = signed.json()["data"]["signUp"]["token"]
            auth = {"Authorization": f"Bearer {token}"}
            for i in range(20):
                await client.post("/graphql", headers=auth, json={"query": f'mutation {{ habitCreate(input: {{name: '
                                  f'"H{i}", category: CUSTOM, schedule: {{period: DAILY}}, startDate: "2026-01-01"}})'
                                  " { __typename } }"})
            refused: dict[str, float] = {}
            for name, query in REFUSED.items():
                before = _cpu_seconds(server.process.pid)
                for _ in range(50):
                    answer = await client.post("/graphql", headers=auth, json={"query": query})
                    assert answer.json()["errors"][0]["extensions"]["code"] == "QUERY_TOO_COMPLEX", answer.text
                refused[name] = (_cpu_seconds(server.process.pid) - before) / 50 * 1000

        idle = await _health_while(server, seconds, None)
        under: dict[str, list[float]] = {}
        for name, query in ALLOWED.items():
            async def load(stop: asyncio.Event, query: str = query) -> None:
                async with httpx.AsyncClient(base_url=server.url, timeout=60) as c:
                    while not stop.is_set():
                        answer = await c.post("/graphql", headers=auth, json={"query": query})
                        assert "QUERY_TOO_COMPLEX" not in answer.text, answer.text[:300]
            under[name] = await _health_while(server, seconds, load)

        async def log_ins(stop: asyncio.Event) -> None:
            async with httpx.AsyncClient(base_url=server.url, timeout=60) as c:
                while not stop.is_set():  # 4 loaders x 5 at once = 20 log-ins in flight
                    await asyncio.gather(*(c.post("/graphql", json={"query": 'mutation { logIn(input: {email: '
                                                                    '"bench@example.com", password: "wrong words"}) '
                                                                    "{ __typename } }"}) for _ in range(5)))
        logins = await _health_while(server, seconds, log_ins)
    finally:
        server.stop()
    return {"refused_cpu_ms": refused, "health_idle": _percentiles(idle),
            "health_under_allowed": {k: _percentiles(v) for k, v in under.items()},
            "health_under_20_logins": _percentiles(logins)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=8)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    runs = [asyncio.run(run(args.seconds)) for _ in range(args.runs)]
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "adversarial.json").write_text(json.dumps({"machine": describe(), "runs": runs}, indent=2))

    def spread(values: list[float]) -> str:
        return f"{min(values):.1f} / {statistics.median(values):.1f} / {max(values):.1f}"

    lines = ["# Hostile load (embedded server)", "",
             f"{args.runs} runs of {args.seconds:g} s; min / median / max over runs.", "",
             "| refused document | server CPU per refusal (ms) |", "|---|---|"]
    lines += [f"| {name} | {spread([r['refused_cpu_ms'][name] for r in runs])} |" for name in REFUSED]
    lines += ["", "| /health while ... | p50 (ms) | p99 (ms) | max (ms) |", "|---|---|---|---|"]
    cases = [("idle (baseline)", "health_idle")] + [(f"4 clients send: {n}", n) for n in ALLOWED] + [
        ("20 log-ins at once (argon2)", "health_under_20_logins")]
    for label, key in cases:
        stats = [r[key] if key in r else r["health_under_allowed"][key] for r in runs]
        lines.append(f"| {label} | {spread([s['p50'] for s in stats])} | {spread([s['p99'] for s in stats])} | "
                     f"{spread([s['max'] for s in stats])} |")
    (RESULTS / "adversarial.md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
