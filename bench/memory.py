"""Worker memory: the RSS of a `comeback worker` process while it recomputes many users, twice.

    COMEBACK_BENCH_DATABASE_URL=postgresql://... COMEBACK_BENCH_REDIS_URL=redis://127.0.0.1:6379/5 \\
        .venv/bin/python -m bench.memory [--users 10000] [--habits 3] [--days 28] [--passes 2]

PostgreSQL + Redis only (a separate worker process is the scaled-out setup; the embedded worker
lives inside `serve`). The benchmark EMPTIES that database's Comeback tables. Users are seeded
set-based (INSERT ... SELECT over generate_series): each with `--habits` daily habits and
`--days` days of history, ~80 % of the days done. Each pass marks every user stale and enqueues
one recompute job per user (as check-ins would); the pass ends when no user is stale any more.
The worker's VmRSS is sampled from /proc every 0.5 s: before the first pass (idle, started),
during each pass (samples, peak), and after it (idle again). Unbounded growth would show as a
second pass peaking higher than the first, or an idle RSS that keeps climbing.

Writes bench/results/memory.{json,md}. Not a test: run it by hand (see bench/README.md).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path
from typing import Any

if not (os.environ.get("COMEBACK_BENCH_DATABASE_URL") and os.environ.get("COMEBACK_BENCH_REDIS_URL")):
    sys.exit("bench.memory needs COMEBACK_BENCH_DATABASE_URL (PostgreSQL, emptied) and COMEBACK_BENCH_REDIS_URL")
os.environ["DATABASE_URL"] = os.environ["COMEBACK_BENCH_DATABASE_URL"]
os.environ["REDIS_URL"] = os.environ["COMEBACK_BENCH_REDIS_URL"]
os.environ["PICCOLO_CONF"] = "server.database"

from arq import create_pool
from arq.connections import RedisSettings

from bench.latency import _env, start_processes, stop_processes
from bench.machine import describe
from server import database
from server.engine.queue import enqueue_recompute
from server.migrations import migrate

RESULTS = Path(__file__).parent / "results"
CATEGORIES = ["WORKOUT", "READING", "HYGIENE", "FRIENDS", "CUSTOM"]
TABLES = ("check_in", "habit_skip", "habit", "journal_entry", "confidence_day", "achievement_award",
          "step_unlock", "access_token", "app_user")


def rss_mib(pid: int) -> float:
    with open(f"/proc/{pid}/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS")


async def seed(users: int, habits: int, days: int) -> None:
    """Set-based: three statements whatever the number of users."""
    run = database.DB.run_ddl
    await run(f"""INSERT INTO app_user (id, email, password_hash, timezone, day_start_hour, created_at)
        SELECT gen_random_uuid(), 'memory-' || g || '@example.com', 'x', 'UTC', 0, now() - interval '{days} days'
        FROM generate_series(1, {users}) AS g""")
    categories = ", ".join(f"'{c}'" for c in CATEGORIES)
    await run(f"""INSERT INTO habit (id, owner, name, category, kind, period, weekdays, target_quantity, start_date,
            created_at)
        SELECT gen_random_uuid(), u.id, 'habit ' || h, (ARRAY[{categories}])[1 + (h - 1) % 5], 'BUILD', 'DAILY', '',
            1.0, (now() AT TIME ZONE 'UTC')::date - {days - 1}, now() - interval '{days} days'
        FROM app_user u CROSS JOIN generate_series(1, {habits}) AS h""")
    await run(f"""INSERT INTO check_in (id, owner, habit, occurred_at, day, quantity, source, created_at)
        SELECT gen_random_uuid(), h.owner, h.id, d + time '12:00', d::date, 1.0, 'IMPORT', d + time '12:00'
        FROM habit h CROSS JOIN generate_series((now() AT TIME ZONE 'UTC')::date - {days - 1},
            (now() AT TIME ZONE 'UTC')::date, interval '1 day') AS d
        WHERE random() < 0.8""")
    await run("ANALYZE")


async def count(sql: str) -> int:
    return int((await database.DB.run_ddl(sql))[0]["n"])


async def one_pass(pool: Any, pid: int, ids: list[Any], samples: list[tuple[float, float]], t0: float) -> float:
    """Mark everyone stale, enqueue everyone, sample the worker until nobody is stale; returns seconds."""
    started = time.perf_counter()
    await database.DB.run_ddl("UPDATE app_user SET stale_version = stale_version + 1, "
                              "stale_since = COALESCE(stale_since, now())")
    for uid in ids:
        await enqueue_recompute(pool, uid)
    while True:
        samples.append((time.perf_counter() - t0, rss_mib(pid)))
        left = await count("SELECT count(*) AS n FROM app_user WHERE stale_since IS NOT NULL")
        print(f"  {left} users left, worker RSS {samples[-1][1]:.0f} MiB   ", end="\r", file=sys.stderr)
        if left == 0:
            break
        await asyncio.sleep(0.5)
    return time.perf_counter() - started


async def idle(pid: int, seconds: float, samples: list[tuple[float, float]], t0: float) -> float:
    end = time.perf_counter() + seconds
    while time.perf_counter() < end:
        samples.append((time.perf_counter() - t0, rss_mib(pid)))
        await asyncio.sleep(0.5)
    return samples[-1][1]


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--users", type=int, default=10_000)
    parser.add_argument("--habits", type=int, default=3)
    parser.add_argument("--days", type=int, default=28)
    parser.add_argument("--passes", type=int, default=2)
    args = parser.parse_args()
    await migrate()
    await database.start()
    data_dir = Path(tempfile.mkdtemp(prefix="comeback-bench-memory-"))
    pool = await create_pool(RedisSettings.from_dsn(os.environ["REDIS_URL"]))
    processes: list[Any] = []
    try:
        for table in TABLES:
            await database.DB.run_ddl(f"DELETE FROM {table}")
        seeded = time.perf_counter()
        await seed(args.users, args.habits, args.days)
        seed_seconds = time.perf_counter() - seeded
        rows = await count("SELECT count(*) AS n FROM check_in")
        ids = [r["id"] for r in await database.DB.run_ddl("SELECT id FROM app_user ORDER BY id")]
        print(f"  seeded {len(ids)} users, {rows} check-ins in {seed_seconds:.1f} s", file=sys.stderr)
        env = _env(data_dir, os.environ["DATABASE_URL"], os.environ["REDIS_URL"])
        processes = start_processes(env, None, data_dir / "worker.log", with_worker=True)
        pid = processes[0].pid
        t0 = time.perf_counter()
        samples: list[tuple[float, float]] = []
        # Started and idle: its start-up sweep and roll-over run first (they find seeded users stale).
        await asyncio.sleep(3)
        before = await idle(pid, 5, samples, t0)
        passes = []
        for number in range(args.passes):
            during: list[tuple[float, float]] = []
            seconds = await one_pass(pool, pid, ids, during, t0)
            after = await idle(pid, 5, during, t0)
            samples += during
            values = [v for _, v in during]
            passes.append({"pass": number + 1, "seconds": seconds, "users_per_s": len(ids) / seconds,
                           "rss_mib": {"min": min(values), "median": statistics.median(values), "peak": max(values),
                                       "after": after}})
            print(f"  pass {number + 1}: {seconds:.0f} s, peak RSS {max(values):.0f} MiB, after {after:.0f} MiB",
                  file=sys.stderr)
        server_version = (await database.DB.run_ddl("SHOW server_version"))[0]["server_version"]
        for table in TABLES:
            await database.DB.run_ddl(f"DELETE FROM {table}")
    finally:
        stop_processes(processes)
        await pool.aclose()
        await database.stop()
    report = {
        "figure": "worker RSS while recomputing users (one `comeback worker`, max_jobs 10)",
        "users": len(ids), "habits_per_user": args.habits, "days": args.days, "check_ins": rows,
        "seed_seconds": seed_seconds, "rss_mib_before": before, "passes": passes,
        "samples": [[round(t, 1), round(v, 1)] for t, v in samples],
        "machine": describe(server_version), "date": date.today().isoformat(),
    }
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "memory.json").write_text(json.dumps(report, indent=2))
    lines = [f"# {report['figure']}\n",
             f"{len(ids)} users x {args.habits} daily habits x {args.days} days ({rows} check-ins, seeded in "
             f"{seed_seconds:.1f} s), PostgreSQL {server_version}, {report['machine']['cpus']} CPUs\n",
             f"Worker RSS before the first pass (started, idle): {before:.0f} MiB\n",
             "| pass | seconds | users/s | RSS median during (MiB) | RSS peak (MiB) | RSS after, idle (MiB) |",
             "|---|---|---|---|---|---|"]
    for p in passes:
        r = p["rss_mib"]
        lines.append(f"| {p['pass']} | {p['seconds']:.0f} | {p['users_per_s']:.0f} | {r['median']:.0f} "
                     f"| {r['peak']:.0f} | {r['after']:.0f} |")
    md = "\n".join(lines) + "\n"
    (RESULTS / "memory.md").write_text(md)
    print(md)


if __name__ == "__main__":
    asyncio.run(main())
