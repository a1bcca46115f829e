"""Reads that don't grow with history (issue 13): the same queries for a user with three years of
history and for one with thirty days, each against a baseline measured in the same run.

    .venv/bin/python -m bench.reads [--runs 5] [--requests 15]            (SQLite in a temp dir)
    COMEBACK_BENCH_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/bench .venv/bin/python -m bench.reads
        (PostgreSQL: the benchmark EMPTIES that database's Comeback tables, hence its own variable)

In-process, through the real app (httpx's ASGI transport, no sockets, rate limits off), so the
figures are the server's own cost per request, which a busy machine disturbs less than a load
generator would. Seeded set-based: a "3-year" user and a "30-day" user, each with 20 daily habits
and ~80 % of the days done; the recompute job then runs once for each (it stores the checkpoints,
as it does after every change and each night). Per run, the requests alternate between the kinds
(`--requests` of each, interleaved), and each kind's median is taken; ratios are of those medians
within one run, reported as min/median/max over the runs:

- dashboard: `habits { ...streaks, strength, doneToday, daySeries(30 days) }` (the phone's), 3-year
  user vs 30-day user (target <= 1.25) and vs `{ __typename }` (target <= 10);
- habit page: one 3-year habit with a year's heatmap (`daySeries`), `strengthSeries` over 1,000 days
  and 15 check-ins, as server/web/view-habit.js asks (target <= 5x `{ __typename }`), and the same
  page for a 30-day habit (the contract: a habit's reads cost the same whatever its history);
- recompute: users/s of the recompute job (one changed day: today's stored score deleted and the
  user marked stale from today, as after a check-in) for 3-year users vs 30-day users (target >= 0.9),
  5 daily habits each: `--requests` rounds per run, the two alternating, and each one's median rate;
- checkpoint storage per habit-year, and the process's RSS (this process serves and recomputes, as
  `comeback serve` does with its embedded worker).

Writes bench/results/reads-<engine>.{json,md}. Not a test: run it by hand (see bench/README.md).
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
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from uuid import UUID, uuid4

os.environ.pop("DATABASE_URL", None)
if os.environ.get("COMEBACK_BENCH_DATABASE_URL"):
    os.environ["DATABASE_URL"] = os.environ["COMEBACK_BENCH_DATABASE_URL"]
else:
    os.environ["COMEBACK_DATA_DIR"] = tempfile.mkdtemp(prefix="comeback-bench-")
os.environ["PICCOLO_CONF"] = "server.database"
os.environ["COMEBACK_RATE_LIMIT_PER_MINUTE"] = "0"
os.environ["COMEBACK_ANONYMOUS_RATE_LIMIT_PER_MINUTE"] = "0"
os.environ.setdefault("COMEBACK_LOG_LEVEL", "WARNING")

import httpx

from bench import graphql_floor
from bench.machine import describe
from server import database
from server.accounts import repository as account_store
from server.accounts import service as accounts
from server.accounts import tables as account_tables
from server.app import create_app
from server.confidence import tables as confidence
from server.habits import tables as habits
from server.migrations import migrate
from server.progress import service as progress

RESULTS = Path(__file__).parent / "results"
TABLES = ("habit_checkpoint", "check_in", "habit_skip", "habit", "journal_entry", "confidence_day",
          "achievement_award", "step_unlock", "access_token", "app_user")
TRIVIAL = "{ __typename }"
DASHBOARD = ("query($f: Date!, $t: Date!) { habits { id name currentStreak longestStreak strength doneToday "
             "freezesHeld daySeries(from: $f, to: $t) { statuses quantities } } }")
HABIT_MIN = "query($id: ID!) { habit(id: $id) { id name } }"
PAGE = ("query($id: ID!, $heat: Date!, $from: Date!, $to: Date!) { habit(id: $id) { id name currentStreak "
        "longestStreak strength doneToday freezesHeld daySeries(from: $heat, to: $to) { start statuses quantities } "
        "strengthSeries(from: $from, to: $to) { from to values } "
        "checkIns(first: 15) { edges { node { id day occurredAt quantity note source } } "
        "pageInfo { hasNextPage endCursor } } } }")


async def seed_user(name: str, days: int, habit_count: int, rng: random.Random) -> tuple[UUID, list[UUID]]:
    """A user (signed up through the service) with `habit_count` daily habits over `days` days, in bulk."""
    session = await accounts.sign_up(f"{name}-{uuid4().hex[:6]}@example.com", "bench password", "UTC", None)
    viewer = await accounts.authenticate(session.token)
    assert viewer is not None
    now = datetime.now(UTC)
    start = now.date() - timedelta(days=days)
    ids = []
    rows = []
    for h in range(habit_count):
        hid = uuid4()
        ids.append(hid)
        await habits.Habit(id=hid, owner=viewer.account.id, name=f"habit {h}", category="WORKOUT", kind="BUILD",
                           period="DAILY", weekdays="", target_quantity=1.0, start_date=start,
                           created_at=now - timedelta(days=days)).save()
        for d in range(days):
            if rng.random() < 0.8:
                day = start + timedelta(days=d)
                at = datetime(day.year, day.month, day.day, 12, tzinfo=UTC)
                rows.append(habits.CheckIn(id=uuid4(), owner=viewer.account.id, habit=hid, occurred_at=at, day=day,
                                           quantity=1.0, source="IMPORT", created_at=at))
    for i in range(0, len(rows), 500):
        await habits.CheckIn.insert(*rows[i:i + 500])
    return viewer.account.id, ids


async def token_of(user_id: UUID) -> str:
    account = await account_tables.User.select(account_tables.User.email).where(
        account_tables.User.id == user_id).first()
    assert account is not None
    session = await accounts.log_in(account["email"], "bench password")
    return session.token


def stats(values: list[float]) -> dict[str, float]:
    return {"min": min(values), "median": statistics.median(values), "max": max(values)}


def rss_kib() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


async def timed(client: httpx.AsyncClient, body: dict[str, Any], token: str | None) -> float:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    started = time.perf_counter()
    response = await client.post("/graphql", json=body, headers=headers)
    elapsed = time.perf_counter() - started
    doc = response.json()
    assert response.status_code == 200 and not doc.get("errors"), response.text[:500]
    return elapsed


async def timed_floor(query: str) -> float:
    started = time.perf_counter()
    await graphql_floor.execute(query)
    return time.perf_counter() - started


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--requests", type=int, default=15, help="requests of each kind per run")
    parser.add_argument("--recompute-users", type=int, default=3)
    args = parser.parse_args()
    engine = "postgres" if os.environ.get("COMEBACK_BENCH_DATABASE_URL") else "sqlite"
    await migrate()
    await database.start()
    rss: dict[str, int] = {"started": rss_kib()}
    try:
        for table in TABLES:
            await database.DB.run_ddl(f"DELETE FROM {table}")
        rng = random.Random(13)
        print("seeding...", file=sys.stderr)
        old, old_habits = await seed_user("three-years", 3 * 365, 20, rng)
        new, new_habits = await seed_user("thirty-days", 30, 20, rng)
        recompute_old = [(await seed_user("r-three-years", 3 * 365, 5, rng))[0] for _ in range(args.recompute_users)]
        recompute_new = [(await seed_user("r-thirty-days", 30, 5, rng))[0] for _ in range(args.recompute_users)]
        if engine == "postgres":
            await database.DB.run_ddl("ANALYZE")  # a live database has statistics; a fresh seed has none
        for uid in [old, new, *recompute_old, *recompute_new]:
            await progress.recompute_user(uid)  # stores the checkpoints, as the job does
        rss["seeded"] = rss_kib()
        old_token, new_token = await token_of(old), await token_of(new)
        today = datetime.now(UTC).date()
        window = {"f": (today - timedelta(days=29)).isoformat(), "t": today.isoformat()}
        heat = today - timedelta(days=364)
        heat -= timedelta(days=heat.weekday())
        page_vars = {"id": str(old_habits[0]), "heat": heat.isoformat(),
                     "from": (today - timedelta(days=999)).isoformat(), "to": today.isoformat()}
        kinds: dict[str, tuple[dict[str, Any], str | None]] = {
            "trivial": ({"query": TRIVIAL}, None),
            "dashboard_30d": ({"query": DASHBOARD, "variables": window}, new_token),
            "dashboard_3y": ({"query": DASHBOARD, "variables": window}, old_token),
            "page_3y": ({"query": PAGE, "variables": page_vars}, old_token),
            "page_30d": ({"query": PAGE, "variables": {**page_vars, "id": str(new_habits[0])}}, new_token),
            # the fixed part of the habit page: the token and the habit, nothing computed
            "habit_min": ({"query": HABIT_MIN, "variables": {"id": page_vars["id"]}}, old_token),
        }
        checkpoint_rows = await habits.HabitCheckpoint.count().where(habits.HabitCheckpoint.habit.is_in(old_habits))
        storage: dict[str, Any] = {"rows_per_habit_year": checkpoint_rows / (len(old_habits) * 3)}
        if engine == "postgres":
            # The rows' own size (the table's file also holds earlier runs' dead rows until a VACUUM),
            # plus a (habit, day) index entry: a UUID, a date and the entry's header.
            size = await habits.HabitCheckpoint.raw("SELECT AVG(pg_column_size(c.*)) AS b FROM habit_checkpoint c")
            storage["bytes_per_row_with_index"] = float(size[0]["b"] or 0) + 16 + 4 + 8
        else:
            try:
                size = await habits.HabitCheckpoint.raw(
                    "SELECT SUM(pgsize) AS b FROM dbstat "
                    "WHERE name IN ('habit_checkpoint', 'habit_checkpoint_habit_day')")
                total = await habits.HabitCheckpoint.count()
                storage["bytes_per_row_with_index"] = (size[0]["b"] or 0) / max(1, total)
            except Exception:  # dbstat is a compile-time option of SQLite
                pass
        storage["bytes_per_habit_year"] = storage.get("bytes_per_row_with_index", 0) * storage["rows_per_habit_year"]

        app = create_app()
        runs: list[dict[str, float]] = []
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://bench") as client:
            for body, token in kinds.values():  # warm-up
                for _ in range(3):
                    await timed(client, body, token)
            for query in (graphql_floor.DASHBOARD, graphql_floor.PAGE):
                await timed_floor(query)
            for run in range(args.runs):
                samples: dict[str, list[float]] = {k: [] for k in kinds}
                for _ in range(args.requests):
                    for kind, (body, token) in kinds.items():
                        samples[kind].append(await timed(client, body, token))
                    samples.setdefault("floor_dashboard", []).append(await timed_floor(graphql_floor.DASHBOARD))
                    samples.setdefault("floor_page", []).append(await timed_floor(graphql_floor.PAGE))
                runs.append({k: statistics.median(v) for k, v in samples.items()})
                print(f"  run {run + 1}: " + ", ".join(f"{k} {v * 1000:.1f} ms" for k, v in runs[-1].items()),
                      file=sys.stderr)
        rss["after_reads"] = rss_kib()

        recompute_runs = []
        for _ in range(args.runs):
            # `--requests` rounds per run, the two kinds of users alternating (as the requests above), and
            # each kind's median rate: one round of a few recomputes alone is at the mercy of one hiccup.
            samples = {"3y": [], "30d": []}
            for _ in range(args.requests):
                for label, ids in (("3y", recompute_old), ("30d", recompute_new)):
                    for uid in ids:  # one changed day: today's score goes, as after a check-in
                        async with database.transaction():
                            await confidence.ConfidenceDay.delete().where(
                                (confidence.ConfidenceDay.owner == uid) & (confidence.ConfidenceDay.day == today))
                            # ...and the user is marked stale from today, as a check-in's unit of work
                            # marks them (the same statement), so the job computes what it would then.
                            await account_store.mark_stale(uid, datetime.now(UTC), today)
                    started = time.perf_counter()
                    for uid in ids:
                        await progress.recompute_user(uid)
                    samples[label].append(len(ids) / (time.perf_counter() - started))
            recompute_runs.append({label: statistics.median(rates) for label, rates in samples.items()})
        rss["after_recompute"] = rss_kib()
    finally:
        await database.stop()

    figures = {
        "dashboard 3y / 30d (<= 1.25)": stats([r["dashboard_3y"] / r["dashboard_30d"] for r in runs]),
        "dashboard 3y / trivial (<= 10)": stats([r["dashboard_3y"] / r["trivial"] for r in runs]),
        "dashboard 30d / trivial": stats([r["dashboard_30d"] / r["trivial"] for r in runs]),
        "habit page 3y / trivial (<= 5)": stats([r["page_3y"] / r["trivial"] for r in runs]),
        "habit page 3y / 30d (the contract: the same)": stats([r["page_3y"] / r["page_30d"] for r in runs]),
        "habit(id) { id name } / trivial (the page's fixed part)": stats([r["habit_min"] / r["trivial"] for r in runs]),
        "dashboard's shape alone, in memory / trivial": stats([r["floor_dashboard"] / r["trivial"] for r in runs]),
        "habit page's shape alone, in memory / trivial": stats([r["floor_page"] / r["trivial"] for r in runs]),
        "recompute users/s 3y / 30d (>= 0.9)": stats([r["3y"] / r["30d"] for r in recompute_runs]),
    }
    absolute = {k: stats([r[k] * 1000 for r in runs]) for k in runs[0]}
    rates = {k: stats([r[k] for r in recompute_runs]) for k in ("3y", "30d")}
    report = {"engine": engine, "machine": describe(), "load_before": os.getloadavg(), "args": vars(args),
              "ratios": figures, "ms_per_request": absolute, "recompute_users_per_s": rates,
              "checkpoint_storage": storage, "rss_kib": rss}
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / f"reads-{engine}.json").write_text(json.dumps(report, indent=2, default=str))
    lines = [f"# Reads ({engine}), load {os.getloadavg()[0]:.1f}", "", "| figure | min | median | max |",
             "|---|---|---|---|"]
    lines += [f"| {k} | {v['min']:.2f} | {v['median']:.2f} | {v['max']:.2f} |" for k, v in figures.items()]
    lines += [f"| {k} ms | {v['min']:.2f} | {v['median']:.2f} | {v['max']:.2f} |" for k, v in absolute.items()]
    lines += [f"| recompute {k} users/s | {v['min']:.1f} | {v['median']:.1f} | {v['max']:.1f} |"
              for k, v in rates.items()]
    lines += ["", f"checkpoints: {json.dumps(storage)}", f"RSS KiB: {json.dumps(rss)}"]
    (RESULTS / f"reads-{engine}.md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    asyncio.run(main())
