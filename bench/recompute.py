"""Recompute throughput: users per second for users with 5 habits x 365 days of history,
against a baseline measured in the same run: one set-based SQL scan of the same rows.
Then the end-to-end latency from a check-in to its confidence being visible (bench/latency.py).

    .venv/bin/python -m bench.recompute [--users 40] [--runs 3]      (SQLite in a temp dir)
    COMEBACK_BENCH_DATABASE_URL=postgresql://... [COMEBACK_BENCH_REDIS_URL=redis://.../5] \
        .venv/bin/python -m bench.recompute
        (PostgreSQL: the benchmark EMPTIES that database's Comeback tables, hence its own variable;
         with both variables the latency runs against `comeback serve` + `comeback worker`)

Each run times three passes over the same users, then the SQL scan:
- first:  derived state deleted, so every recompute writes 90 days, awards and unlocks;
- one day: today's stored score deleted, so every recompute writes one day (what a check-in or the
  daily roll-over costs: the usual job) -- the headline figure;
- steady: nothing changed, nothing written but the bookkeeping.

Writes bench/results/recompute-<engine>.{json,md}. Not a test: run it by hand (see bench/README.md).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
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

from bench.machine import describe
from server import database
from server.accounts import tables as accounts
from server.confidence import tables as confidence
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


PASSES = ("first", "one_day", "steady")


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--users", type=int, default=40)
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--latency-checkins", type=int, default=200,
                        help="check-ins for the end-to-end latency figure (0 skips it)")
    args = parser.parse_args()
    await migrate()
    await database.start()
    try:
        await empty_tables()
        ids = await seed(args.users, args.days)
        if database.DB.engine_type == "postgres":
            await database.DB.run_ddl("ANALYZE")  # a live database has statistics; a fresh seed has none
        with count_queries() as counter:
            await service.recompute_user(ids[0])
        first_queries = counter.count
        with count_queries() as counter:
            await service.recompute_user(ids[0])
        steady_queries = counter.count
        today = datetime.now(UTC).date()
        await confidence.ConfidenceDay.delete().where(confidence.ConfidenceDay.day == today)
        with count_queries() as counter:
            await service.recompute_user(ids[0])
        one_day_queries = counter.count
        rates: dict[str, list[float]] = {name: [] for name in PASSES}
        scan, scanned_rows = [], 0
        for run in range(args.runs):
            for table in ("confidence_day", "achievement_award", "step_unlock"):
                await database.DB.run_ddl(f"DELETE FROM {table}")
            rates["first"].append(args.users / await timed_recompute(ids))
            await confidence.ConfidenceDay.delete().where(confidence.ConfidenceDay.day == today)
            rates["one_day"].append(args.users / await timed_recompute(ids))
            rates["steady"].append(args.users / await timed_recompute(ids))
            seconds, scanned_rows = await timed_scan()
            scan.append(args.users / seconds)
            print(f"  run {run + 1}/{args.runs}", end="\r", file=sys.stderr)
        print(file=sys.stderr)
        server_version = None
        if database.DB.engine_type == "postgres":
            server_version = (await database.DB.run_ddl("SHOW server_version"))[0]["server_version"]
        await empty_tables()
    finally:
        await database.stop()
    latency = None
    if args.latency_checkins:
        from bench.latency import measure

        redis_url = os.environ.get("COMEBACK_BENCH_REDIS_URL")
        external = bool(redis_url and os.environ.get("COMEBACK_BENCH_DATABASE_URL"))
        latency = await measure(args.latency_checkins, os.environ.get("DATABASE_URL") if external else None,
                                redis_url if external else None)
    report = {
        "figure": f"background recompute, users per second (5 habits x {args.days} days each)",
        "engine": database.DB.engine_type,
        "users": args.users,
        "check_ins": scanned_rows,
        "baseline_sql_scan_users_per_s": summary(scan),
        "passes": {name: {"recompute_users_per_s": summary(rates[name]),
                          "ratio": summary([r / b for r, b in zip(rates[name], scan, strict=True)])}
                   for name in PASSES},
        "queries_per_recompute": {"first": first_queries, "one_day": one_day_queries, "steady": steady_queries},
        "latency": latency,
        "machine": describe(server_version),
        "date": date.today().isoformat(),
    }
    RESULTS.mkdir(exist_ok=True)
    name = f"recompute-{report['engine']}"
    (RESULTS / f"{name}.json").write_text(json.dumps(report, indent=2))
    b = report["baseline_sql_scan_users_per_s"]
    lines = [f"# {report['figure']}\n",
             f"engine {report['engine']} {server_version or ''}, {args.users} users, {scanned_rows} check-in day rows, "
             f"{args.runs} runs, {report['machine']['cpus']} CPUs ({report['machine']['cpu']}), "
             f"Python {report['machine']['python']}\n",
             "| pass | recompute users/s (min / median / max) | ratio to the SQL scan (min / median / max) "
             "| queries per recompute |",
             "|---|---|---|---|"]
    for pass_name in PASSES:
        r, q = report["passes"][pass_name]["recompute_users_per_s"], report["passes"][pass_name]["ratio"]
        lines.append(f"| {pass_name} | {r['min']:.1f} / {r['median']:.1f} / {r['max']:.1f} "
                     f"| {q['min']:.3f} / {q['median']:.3f} / {q['max']:.3f} "
                     f"| {report['queries_per_recompute'][pass_name]} |")
    lines.append(f"| baseline: one SQL scan | {b['min']:.1f} / {b['median']:.1f} / {b['max']:.1f} | | 1 |")
    if latency:
        c, u = latency["check_in_to_confidence_ms"], latency["undo_to_confidence_ms"]
        lines += ["", f"## Check-in to confidence visible, {latency['mode']}", "",
                  f"{latency['check_ins']} check-ins, each followed by its undo; ms from the mutation's response to "
                  "the ConfidenceChanged event (the query agreed with the event "
                  f"{latency['check_ins'] - latency['query_disagreed_with_event']}/{latency['check_ins']} times)", "",
                  "| | min | p50 | p90 | p99 | max |", "|---|---|---|---|---|---|",
                  *(f"| {label} | " + " | ".join(f"{ms[k]:.0f}" for k in ("min", "p50", "p90", "p99", "max")) + " |"
                    for label, ms in (("habitCheckIn", c), ("checkInUndo", u)))]
    md = "\n".join(lines) + "\n"
    (RESULTS / f"{name}.md").write_text(md)
    print(md)


async def empty_tables() -> None:
    for table in ("check_in", "habit_skip", "habit", "journal_entry", "confidence_day", "achievement_award",
                  "step_unlock", "access_token", "app_user"):
        await database.DB.run_ddl(f"DELETE FROM {table}")


if __name__ == "__main__":
    asyncio.run(main())
