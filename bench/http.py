"""HTTP figures: the GraphQL path against hand-written routes served by the SAME process.

    .venv/bin/python -m bench.http [--seconds 8] [--runs 3] [--connections 32]
    COMEBACK_BENCH_DATABASE_URL=postgresql://... COMEBACK_BENCH_REDIS_URL=redis://... \
        .venv/bin/python -m bench.http [--scale-out]     (PostgreSQL: EMPTIES that database)

Figures (requests/s, min/median/max over runs, ratio GraphQL / baseline):
 1. `{ __typename }` over POST /graphql vs a bare Litestar JSON route;
 2. habitCheckIn (auth, idempotency, stale mark, enqueue) vs a route that authenticates the same
    token and inserts the same row with raw SQL;
 3. the dashboard query (20 habits: streaks, strength, today, 30 days) vs a hand-written route
    returning the same JSON, plus the SQL statements each issues;
 5. (--scale-out, PostgreSQL + Redis) the check-in figure with 2 servers + 2 workers vs 1 + 1.
Load comes from wrk (Debian package `wrk`) in a separate process on loopback, bounded in time.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

os.environ.pop("DATABASE_URL", None)
os.environ.pop("REDIS_URL", None)
if os.environ.get("COMEBACK_BENCH_DATABASE_URL"):
    os.environ["DATABASE_URL"] = os.environ["COMEBACK_BENCH_DATABASE_URL"]
if os.environ.get("COMEBACK_BENCH_REDIS_URL"):
    os.environ["REDIS_URL"] = os.environ["COMEBACK_BENCH_REDIS_URL"]
os.environ.setdefault("COMEBACK_DATA_DIR", tempfile.mkdtemp(prefix="comeback-bench-http-"))
os.environ["PICCOLO_CONF"] = "server.database"
os.environ["COMEBACK_LOG_LEVEL"] = "WARNING"
# Rate limits would refuse a load test, and the baseline routes are not limited: measured without
# them unless --rate-limits asks (then both sides of the check-in figure pay one Redis round trip).
if "--rate-limits" not in sys.argv:
    os.environ["COMEBACK_RATE_LIMIT_PER_MINUTE"] = "0"
    os.environ["COMEBACK_AUTH_RATE_LIMIT_PER_MINUTE"] = "0"
    os.environ["COMEBACK_ANONYMOUS_RATE_LIMIT_PER_MINUTE"] = "0"
else:
    os.environ["COMEBACK_RATE_LIMIT_PER_MINUTE"] = "100000000"
    os.environ["COMEBACK_AUTH_RATE_LIMIT_PER_MINUTE"] = "100000000"
    os.environ["COMEBACK_ANONYMOUS_RATE_LIMIT_PER_MINUTE"] = "100000000"

import httpx

from bench.machine import describe
from server import database
from server.accounts import service as accounts
from server.accounts.model import Scope
from server.database import count_queries
from server.habits import service as habits
from server.habits.model import Category, Kind, Period, Schedule
from server.migrations import migrate

ROOT = Path(__file__).resolve().parents[1]
RESULTS = Path(__file__).parent / "results"
DASHBOARD = ("query($f: Date!, $t: Date!) { habits { id name currentStreak longestStreak strength doneToday "
             "days(from: $f, to: $t) { date status quantity } } }")
TABLES = ("check_in", "habit_skip", "habit", "journal_entry", "confidence_day", "achievement_award", "step_unlock",
          "access_token", "app_user")


async def seed() -> tuple[str, str]:
    """A user with 20 daily habits and 30 days of check-ins; returns (token, a habit id)."""
    await migrate()
    await database.start()
    try:
        for table in TABLES:
            await database.DB.run_ddl(f"DELETE FROM {table}")
        session = await accounts.sign_up("bench@example.com", "bench password", "UTC", None)
        viewer = await accounts.authenticate(session.token)
        assert viewer is not None
        created = await accounts.create_api_token(viewer, "bench", [Scope.WRITE])
        start = datetime.now(UTC).date() - timedelta(days=30)
        first = None
        for i in range(20):
            h = await habits.create_habit(viewer, habits.HabitInput(
                name=f"Habit {i}", category=Category.WORKOUT, kind=Kind.BUILD,
                schedule=Schedule(Period.DAILY), start_date=start))
            first = first or h
            for d in range(30):
                if (d + i) % 5:
                    day = start + timedelta(days=d)
                    await habits.check_in(viewer, h.id, datetime(day.year, day.month, day.day, 12, tzinfo=UTC))
        assert first is not None
        return created.secret, str(first.id)
    finally:
        await database.stop()


async def count_dashboard(token: str) -> tuple[int, int]:
    """SQL statements for the GraphQL dashboard and for the hand-written one (in-process)."""
    from bench.app import app

    await database.start()
    today = datetime.now(UTC).date()
    variables = {"f": (today - timedelta(days=29)).isoformat(), "t": today.isoformat()}
    headers = {"Authorization": f"Bearer {token}"}
    try:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://b") as client:
            with count_queries() as graphql:
                r = await client.post("/graphql", json={"query": DASHBOARD, "variables": variables}, headers=headers)
                assert "errors" not in r.json(), r.text
            with count_queries() as baseline:
                await client.get("/bench/dashboard", headers=headers)
        return graphql.count, baseline.count
    finally:
        await database.stop()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Processes:
    def __init__(self) -> None:
        self.procs: list[subprocess.Popen[bytes]] = []

    def start(self, args: list[str], env: dict[str, str]) -> None:
        self.procs.append(subprocess.Popen(args, env=env, cwd=ROOT, start_new_session=True,
                                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))

    def stop(self) -> None:
        for p in self.procs:
            os.killpg(p.pid, signal.SIGTERM)
        for p in self.procs:
            try:
                p.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(p.pid, signal.SIGKILL)
        self.procs.clear()


def start_servers(ports: list[int], workers: int) -> Processes:
    env = {**os.environ}
    procs = Processes()
    for port in ports:
        procs.start([sys.executable, "-m", "uvicorn", "bench.app:app", "--port", str(port), "--log-level",
                     "warning", "--no-access-log"], env)
    if os.environ.get("REDIS_URL"):
        for _ in range(workers):
            procs.start([sys.executable, "-m", "server.cli", "worker"], env)
    for port in ports:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"http://127.0.0.1:{port}/health", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.2)
        else:
            procs.stop()
            raise RuntimeError(f"server on {port} did not start")
    return procs


def cpu_seconds(pid: int) -> float:
    """The process's own CPU time so far (user + system), from /proc."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def wrk(url: str, seconds: int, connections: int, script: str | None, server_pid: int | None = None
        ) -> tuple[float, float]:
    """(requests/s, server CPU microseconds per request). The second holds on a busy machine, where
    requests/s also measures the neighbours."""
    args = ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency", url]
    if script:
        args[1:1] = ["-s", script]
    before = cpu_seconds(server_pid) if server_pid else 0.0
    out = subprocess.run(args, capture_output=True, text=True, check=True).stdout
    spent = cpu_seconds(server_pid) - before if server_pid else 0.0
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    if errors:
        raise RuntimeError(f"{url}: {errors.group(1)} failed responses\n{out}")
    match = re.search(r"Requests/sec:\s+([\d.]+)", out)
    done = re.search(r"(\d+) requests in", out)
    assert match and done, out
    return float(match.group(1)), 1e6 * spent / max(1, int(done.group(1)))


def lua(path: Path, method: str, body: dict | None, token: str | None) -> str:
    lines = [f'wrk.method = "{method}"', 'wrk.headers["Content-Type"] = "application/json"']
    if token:
        lines.append(f'wrk.headers["Authorization"] = "Bearer {token}"')
    if body is not None:
        lines.append(f"wrk.body = {json.dumps(json.dumps(body))}")
    path.write_text("\n".join(lines) + "\n")
    return str(path)


def stats(values: list[float]) -> dict[str, float]:
    return {"min": min(values), "median": statistics.median(values), "max": max(values)}


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def measure(port: int, token: str, habit: str, seconds: int, runs: int, connections: int,
            tmp: Path, only: set[str], server_pid: int) -> dict[str, dict]:
    base = f"http://127.0.0.1:{port}"
    today = datetime.now(UTC).date()
    variables = {"f": (today - timedelta(days=29)).isoformat(), "t": today.isoformat()}
    figures = {
        "trivial": ((f"{base}/graphql", lua(tmp / "t.lua", "POST", {"query": "{ __typename }"}, None)),
                    (f"{base}/bench/bare", None)),
        "check_in": ((f"{base}/graphql", lua(tmp / "c.lua", "POST", {
            "query": "mutation($h: ID!) { habitCheckIn(input: {habitId: $h}) { __typename ... on CheckIn { id day "
                     "quantity } } }", "variables": {"h": habit}}, token)),
                     (f"{base}/bench/check-in", lua(tmp / "cb.lua", "POST", {"habitId": habit}, token))),
        "dashboard": ((f"{base}/graphql", lua(tmp / "d.lua", "POST", {"query": DASHBOARD, "variables": variables},
                                              token)),
                      (f"{base}/bench/dashboard", lua(tmp / "db.lua", "GET", None, token))),
    }
    report = {}
    for name, ((g_url, g_script), (b_url, b_script)) in figures.items():
        if name not in only:
            continue
        wrk(g_url, 2, connections, g_script)  # warm-up
        wrk(b_url, 2, connections, b_script)
        g, b, g_cpu, b_cpu, rss = [], [], [], [], []
        for _ in range(runs):
            rps, cpu = wrk(g_url, seconds, connections, g_script, server_pid)
            g.append(rps)
            g_cpu.append(cpu)
            rps, cpu = wrk(b_url, seconds, connections, b_script, server_pid)
            b.append(rps)
            b_cpu.append(cpu)
            rss.append(rss_kib(server_pid))
        report[name] = {"graphql_rps": stats(g), "baseline_rps": stats(b),
                        "ratio": stats([x / y for x, y in zip(g, b, strict=True)]),
                        "graphql_cpu_us": stats(g_cpu), "baseline_cpu_us": stats(b_cpu),
                        "cpu_ratio": stats([y / x for x, y in zip(g_cpu, b_cpu, strict=True)]),
                        "server_rss_kib_after_each_run": rss}
        print(f"  {name}: graphql {statistics.median(g):.0f} rps, baseline {statistics.median(b):.0f} rps, "
              f"ratio {report[name]['ratio']['median']:.3f}; server CPU per request {statistics.median(g_cpu):.0f} "
              f"vs {statistics.median(b_cpu):.0f} us, ratio {report[name]['cpu_ratio']['median']:.3f}",
              file=sys.stderr)
    return report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=int, default=8)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--scale-out", action="store_true")
    parser.add_argument("--rate-limits", action="store_true", help="keep per-token rate limiting on (very high limit)")
    args = parser.parse_args()
    token, habit = asyncio.run(seed())
    graphql_queries, baseline_queries = asyncio.run(count_dashboard(token))
    tmp = Path(tempfile.mkdtemp())
    port = free_port()
    procs = start_servers([port], workers=1)
    try:
        server_pid = procs.procs[0].pid
        rss_rest = rss_kib(server_pid)
        report: dict = measure(port, token, habit, args.seconds, args.runs, args.connections, tmp,
                               {"trivial", "check_in", "dashboard"}, server_pid)
        report["dashboard"]["sql_statements"] = {"graphql": graphql_queries, "baseline": baseline_queries}
        report["memory_kib"] = {"server_rss_at_rest": rss_rest, "server_rss_after": rss_kib(server_pid)}
    finally:
        procs.stop()
    if args.scale_out:
        if not os.environ.get("REDIS_URL"):
            raise SystemExit("--scale-out needs COMEBACK_BENCH_DATABASE_URL and COMEBACK_BENCH_REDIS_URL")
        ports = [free_port(), free_port()]
        procs = start_servers(ports, workers=2)
        try:
            # one wrk per server, at the same time, half the connections each
            single = report["check_in"]["graphql_rps"]["median"]
            script = lua(tmp / "c2.lua", "POST", {
                "query": "mutation($h: ID!) { habitCheckIn(input: {habitId: $h}) { __typename } }",
                "variables": {"h": habit}}, token)
            totals = []
            for _ in range(args.runs):
                outs = [subprocess.Popen(["wrk", "-t1", f"-c{args.connections // 2}", f"-d{args.seconds}s", "-s",
                                          script, f"http://127.0.0.1:{p}/graphql"], stdout=subprocess.PIPE, text=True)
                        for p in ports]
                rps = 0.0
                for o in outs:
                    text = o.communicate()[0]
                    rps += float(re.search(r"Requests/sec:\s+([\d.]+)", text).group(1))  # type: ignore[union-attr]
                totals.append(rps)
            report["scale_out"] = {"two_plus_two_rps": stats(totals), "one_plus_one_rps": single,
                                   "ratio": stats([t / single for t in totals])}
        finally:
            procs.stop()
    report["machine"] = {**describe(), "engine": "postgres" if os.environ.get("DATABASE_URL") else "sqlite",
                         "redis": "configured" if os.environ.get("REDIS_URL") else "embedded",
                         "connections": args.connections, "seconds": args.seconds, "runs": args.runs}
    report["date"] = date.today().isoformat()
    RESULTS.mkdir(exist_ok=True)
    name = f"http-{report['machine']['engine']}"
    (RESULTS / f"{name}.json").write_text(json.dumps(report, indent=2))
    lines = [f"# HTTP figures ({report['machine']['engine']}, redis {report['machine']['redis']}, "
             f"wrk -c{args.connections}, {args.seconds}s x {args.runs})", "",
             "| figure | GraphQL rps (median) | baseline rps (median) | ratio min / median / max | "
             "server CPU per request, GraphQL / baseline (us) | CPU ratio min / median / max |",
             "|---|---|---|---|---|---|"]
    for key in ("trivial", "check_in", "dashboard"):
        f = report[key]
        lines.append(f"| {key} | {f['graphql_rps']['median']:.0f} | {f['baseline_rps']['median']:.0f} | "
                     f"{f['ratio']['min']:.3f} / {f['ratio']['median']:.3f} / {f['ratio']['max']:.3f} | "
                     f"{f['graphql_cpu_us']['median']:.0f} / {f['baseline_cpu_us']['median']:.0f} | "
                     f"{f['cpu_ratio']['min']:.3f} / {f['cpu_ratio']['median']:.3f} / {f['cpu_ratio']['max']:.3f} |")
    lines.append("")
    lines.append(f"Dashboard SQL statements: GraphQL {graphql_queries}, hand-written {baseline_queries}. "
                 f"Server RSS: {report['memory_kib']['server_rss_at_rest'] // 1024} MiB at rest, "
                 f"{report['memory_kib']['server_rss_after'] // 1024} MiB after; after each dashboard run: "
                 + ", ".join(f"{k // 1024}" for k in report["dashboard"]["server_rss_kib_after_each_run"])
                 + " MiB.")
    if "scale_out" in report:
        s = report["scale_out"]
        lines.append(f"Scale-out check-in: 2+2 {s['two_plus_two_rps']['median']:.0f} rps vs 1+1 "
                     f"{s['one_plus_one_rps']:.0f} rps (ratio {s['ratio']['median']:.2f}).")
    (RESULTS / f"{name}.md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
