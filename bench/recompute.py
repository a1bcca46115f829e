"""Recompute throughput: users per second for users with 5 habits x 365 days of history,
against a baseline measured in the same run: one set-based SQL scan of the same rows.

    .venv/bin/python -m bench.recompute [--users 40] [--runs 3]      (SQLite in a temp dir)
    COMEBACK_BENCH_DATABASE_URL=postgresql://... .venv/bin/python -m bench.recompute
        (PostgreSQL: the benchmark EMPTIES that database's Comeback tables, hence its own variable)

Writes bench/results/recompute.{json,md}. Not a test: run it by hand (see bench/README.md).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from uuid import uuid4

os.environ.pop("DATABASE_URL", None)
if os.environ.get("COMEBACK_BENCH_DATABASE_URL"):
    os.environ["DATABASE_URL"] = os.environ["COMEBACK_BENCH_DATABASE_URL"]
else:
    os.environ["COMEBACK_DATA_DIR"] = tempfile.mkdtemp(prefix="comeback-bench-")
os.environ["PICCOLO_CONF"] = "server.database"

from server import database
from server.accounts import tables as accounts
from server.database import count_queries
from server.habits import tables as habits
from server.migrations import migrate
from server.progress import service

RESULTS = Path(__file__).parent / "results"
CATEGORIES = ["WORKOUT", "READING", "HYGIENE", "FRIENDS", "CUSTOM"]


async def seed(users: int, days: int) -> list:
    """Users with 5 daily habits each and ~80% of the days done (random gaps break streaks)."""
    rng = random.Random(7)
    now = datetime.now(UTC)
    today = now.date()
    start = today - timedelta(days=days - 1)
    ids = []
    for u in range(users):
        uid = uuid4()
        ids.append(uid)
        await accounts.User(id=uid, email=f"bench-{uid.hex[:12]}@example.com", password_hash="x", timezone="UTC",
                            day_start_hour=0, created_at=now - timedelta(days=days)).save()
        rows = []
        for h in range(5):
            hid = uuid4()
            await habits.Habit(id=hid, owner=uid, name=f"habit {h}", category=CATEGORIES[h], kind="BUILD",
                               period="DAILY", weekdays="", target_quantity=1.0, start_date=start,
                               created_at=now - timedelta(days=days)).save()
            for d in range(days):
                if rng.random() < 0.8:
                    day = start + timedelta(days=d)
                    at = datetime(day.year, day.month, day.day, 12, tzinfo=UTC)
                    rows.append(habits.CheckIn(id=uuid4(), owner=uid, habit=hid, occurred_at=at, day=day,
                                               quantity=1.0, source="IMPORT", created_at=at))
        for i in range(0, len(rows), 500):
            await habits.CheckIn.insert(*rows[i:i + 500])
        print(f"  seeded user {u + 1}/{users}", end="\r", file=sys.stderr)
    print(file=sys.stderr)
    return ids


async def timed_recompute(ids: list) -> float:
    started = time.perf_counter()
    for uid in ids:
        await service.recompute_user(uid)
    return time.perf_counter() - started


async def timed_scan() -> tuple[float, int]:
    started = time.perf_counter()
    rows = await habits.CheckIn.raw(
        "SELECT owner, habit, day, SUM(quantity) AS total FROM check_in WHERE undone_at IS NULL "
        "GROUP BY owner, habit, day")
    return time.perf_counter() - started, len(rows)


def summary(values: list[float]) -> dict[str, float]:
    return {"min": min(values), "median": statistics.median(values), "max": max(values)}


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--users", type=int, default=40)
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    await migrate()
    await database.start()
    try:
        for table in ("check_in", "habit_skip", "habit", "journal_entry", "confidence_day", "achievement_award",
                      "step_unlock", "access_token", "app_user"):
            await database.DB.run_ddl(f"DELETE FROM {table}")
        ids = await seed(args.users, args.days)
        with count_queries() as counter:
            await service.recompute_user(ids[0])
        first_queries = counter.count
        with count_queries() as counter:
            await service.recompute_user(ids[0])
        steady_queries = counter.count
        recompute, scan, scanned_rows = [], [], 0
        for _ in range(args.runs):
            recompute.append(args.users / await timed_recompute(ids))
            seconds, scanned_rows = await timed_scan()
            scan.append(args.users / seconds)
    finally:
        await database.stop()
    ratio = [r / s for r, s in zip(recompute, scan, strict=True)]
    report = {
        "figure": f"background recompute, users per second (5 habits x {args.days} days each)",
        "engine": database.DB.engine_type,
        "users": args.users,
        "check_ins": scanned_rows,
        "recompute_users_per_s": summary(recompute),
        "baseline_sql_scan_users_per_s": summary(scan),
        "ratio": summary(ratio),
        "queries_per_recompute": {"first": first_queries, "steady": steady_queries},
        "machine": {"python": platform.python_version(), "platform": platform.platform(),
                    "cpus": os.cpu_count()},
        "date": date.today().isoformat(),
    }
    RESULTS.mkdir(exist_ok=True)
    name = f"recompute-{report['engine']}"
    (RESULTS / f"{name}.json").write_text(json.dumps(report, indent=2))
    r, b, q = report["recompute_users_per_s"], report["baseline_sql_scan_users_per_s"], report["ratio"]
    md = (f"# {report['figure']}\n\nengine {report['engine']}, {args.users} users, {scanned_rows} check-in day rows, "
          f"{args.runs} runs, {report['machine']['platform']}, Python {report['machine']['python']}\n\n"
          "| | min | median | max |\n|---|---|---|---|\n"
          f"| recompute (users/s) | {r['min']:.1f} | {r['median']:.1f} | {r['max']:.1f} |\n"
          f"| baseline: one SQL scan (users/s) | {b['min']:.1f} | {b['median']:.1f} | {b['max']:.1f} |\n"
          f"| ratio | {q['min']:.3f} | {q['median']:.3f} | {q['max']:.3f} |\n\n"
          f"Queries per recompute: {first_queries} (first), {steady_queries} (nothing changed).\n")
    (RESULTS / f"{name}.md").write_text(md)
    print(md)


if __name__ == "__main__":
    asyncio.run(main())
