"""A bounded soak: concurrent users checking in, replaying, undoing and reading against real servers
and workers on PostgreSQL + Redis (loopback only), then an audit of what was acknowledged.

    .venv/bin/python -m tests.soak.soak --seconds 45 --users 24

By default it starts a private PostgreSQL cluster and Redis (tests/integration/throwaway.py) and
throws them away afterwards; --database-url/--redis-url use existing (empty, disposable) ones.
Two `comeback serve` processes share the load; two `comeback worker` processes do the jobs.

Afterwards, with the workers drained:
- every acknowledged check-in is stored exactly once, and nothing else is stored;
- every replay of an idempotency key answered with the original check-in;
- every acknowledged undo is stored as undone, and nothing else is;
- every user's derived state equals a from-scratch recompute (recompute_user changes nothing and
  reports no event), and no achievement or step was awarded twice.
Prints a JSON report; exits 1 if any check fails.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import shutil
import statistics
import sys
import tempfile
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx

from tests.integration.processes import Process, Server, suite_env
from tests.integration.throwaway import ThrowawayPostgres, ThrowawayRedis

CHECK_IN = ("mutation($h: ID!, $at: DateTime, $k: String, $q: Float) { habitCheckIn(input: {habitId: $h, "
            "occurredAt: $at, idempotencyKey: $k, quantity: $q}) { __typename ... on CheckIn { id } "
            "... on Error { code message } } }")
UNDO = "mutation($id: ID!) { checkInUndo(id: $id) { __typename ... on CheckIn { id undone } } }"
READ = ("{ habits { id currentStreak longestStreak strength doneToday freezesHeld "
        "checkIns(first: 30) { edges { node { id quantity day } } } } confidence { score } }")
SKIP = "mutation($h: ID!, $d: Date!) { habitSkip(habitId: $h, day: $d) { __typename } }"
JOURNAL = 'mutation { journalEntryCreate(input: {body: "a soak test entry"}) { __typename } }'


@dataclass
class User:
    token: str
    id: str
    habits: list[str]
    start: datetime
    acknowledged: dict[str, str] = field(default_factory=dict)   # check-in id -> idempotency key
    sent: dict[str, dict[str, Any]] = field(default_factory=dict)  # key -> variables, for replays
    undone: set[str] = field(default_factory=set)
    unacknowledged_keys: set[str] = field(default_factory=set)


@dataclass
class Stats:
    counts: Counter[str] = field(default_factory=Counter)
    latencies: list[float] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


async def gql(client: httpx.AsyncClient, url: str, stats: Stats, kind: str, query: str, token: str | None = None,
              **variables: Any) -> dict[str, Any] | None:
    headers = {"authorization": f"Bearer {token}"} if token else {}
    began = time.perf_counter()
    try:
        response = await client.post(url + "/graphql", json={"query": query, "variables": variables},
                                     headers=headers)
    except httpx.HTTPError as error:
        stats.counts[f"{kind}:transport-error"] += 1
        stats.problems.append(f"{kind}: {error!r}")
        return None
    stats.latencies.append(time.perf_counter() - began)
    doc: dict[str, Any] = response.json()
    if response.status_code != 200 or doc.get("errors"):
        stats.counts[f"{kind}:error"] += 1
        stats.problems.append(f"{kind}: {response.status_code} {str(doc)[:300]}")
        return None
    stats.counts[kind] += 1
    return doc["data"]


async def new_user(client: httpx.AsyncClient, url: str, stats: Stats) -> User:
    email = f"soak-{uuid.uuid4().hex[:12]}@example.com"
    signed = await gql(client, url, stats, "signUp", 'mutation($e: String!) { signUp(input: {email: $e, '
                       'password: "soak test password"}) { ... on AuthPayload { token user { id } } } }', e=email)
    assert signed is not None
    token, user_id = signed["signUp"]["token"], signed["signUp"]["user"]["id"]
    start = datetime.now(UTC) - timedelta(days=40)
    habits = []
    for name, kind, schedule in (("Walk", "BUILD", "{period: DAILY}"), ("Read", "BUILD", "{period: WEEKLY, "
                                 "timesPerWeek: 3}"), ("No contact", "QUIT", "{period: DAILY}")):
        made = await gql(client, url, stats, "habitCreate",
                         f'mutation {{ habitCreate(input: {{name: "{name}", category: WORKOUT, kind: {kind}, '
                         f'schedule: {schedule}, startDate: "{start.date()}"}}) {{ ... on Habit {{ id }} }} }}', token)
        assert made is not None
        habits.append(made["habitCreate"]["id"])
    return User(token, user_id, habits, start)


async def act(client: httpx.AsyncClient, urls: list[str], user: User, stats: Stats, rng: random.Random) -> None:
    url = rng.choice(urls)
    roll = rng.random()
    if roll < 0.45:  # a check-in, now or backfilled
        key = uuid.uuid4().hex
        at = None if rng.random() < 0.5 else (datetime.now(UTC) - timedelta(days=rng.randint(0, 35),
                                                                             minutes=rng.randint(0, 600)))
        variables = {"h": rng.choice(user.habits[:2] if rng.random() < 0.9 else user.habits), "k": key,
                     "at": at.isoformat() if at else None, "q": rng.choice([None, 1.0, 2.5])}
        user.sent[key] = variables
        data = await gql(client, url, stats, "checkIn", CHECK_IN, user.token, **variables)
        result = data["habitCheckIn"] if data else None
        if result and result["__typename"] == "CheckIn":
            user.acknowledged[result["id"]] = key
        else:
            user.unacknowledged_keys.add(key)
            if result:
                stats.problems.append(f"check-in refused: {result}")
    elif roll < 0.55 and user.sent:  # a client retry: the same key and content
        key = rng.choice(list(user.sent))
        variables = user.sent[key]
        if variables["at"] is None:
            return  # "now" differs on a retry: only fixed instants are true replays
        data = await gql(client, url, stats, "replay", CHECK_IN, user.token, **variables)
        result = data["habitCheckIn"] if data else None
        if result and result["__typename"] == "CheckIn":
            if user.acknowledged.get(result["id"]) != key and key not in user.unacknowledged_keys:
                stats.problems.append(f"replay of {key} answered {result['id']}, not the original")
            user.acknowledged.setdefault(result["id"], key)
            user.unacknowledged_keys.discard(key)
    elif roll < 0.70:  # undo one of mine
        live = [i for i in user.acknowledged if i not in user.undone]
        if live:
            target = rng.choice(live)
            data = await gql(client, url, stats, "undo", UNDO, user.token, id=target)
            if data and data["checkInUndo"].get("undone"):
                user.undone.add(target)
    elif roll < 0.95:
        await gql(client, url, stats, "read", READ, user.token)
    elif roll < 0.98:
        day = (datetime.now(UTC) - timedelta(days=rng.randint(1, 30))).date().isoformat()
        await gql(client, url, stats, "skip", SKIP, user.token, h=user.habits[0], d=day)
    else:
        await gql(client, url, stats, "journal", JOURNAL, user.token)


async def drive(urls: list[str], users: int, seconds: float, seed: int) -> tuple[list[User], Stats, float]:
    stats = Stats()
    limits = httpx.Limits(max_connections=users * 2, max_keepalive_connections=users * 2)
    async with httpx.AsyncClient(timeout=30, limits=limits) as client:
        people = await asyncio.gather(*(new_user(client, urls[i % len(urls)], stats) for i in range(users)))
        deadline = time.monotonic() + seconds
        began = time.monotonic()

        async def run(user: User, rng: random.Random) -> None:
            while time.monotonic() < deadline:
                await act(client, urls, user, stats, rng)

        await asyncio.gather(*(run(u, random.Random(seed + i)) for i, u in enumerate(people)))
        return people, stats, time.monotonic() - began


async def audit(database_url: str, people: list[User], drain_seconds: float) -> dict[str, Any]:
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("PICCOLO_CONF", "server.database")
    import asyncpg

    from server import database
    from server.progress import service

    connection = await asyncpg.connect(database_url)
    report: dict[str, Any] = {"problems": []}
    try:
        began = time.monotonic()
        while (stale := await connection.fetchval(
                "SELECT count(*) FROM app_user WHERE stale_version > derived_version OR stale_since IS NOT NULL")):
            if time.monotonic() - began > drain_seconds:
                report["problems"].append(f"{stale} users still stale after {drain_seconds} s")
                break
            await asyncio.sleep(0.5)
        report["drain_seconds"] = round(time.monotonic() - began, 1)
        stored_total = undone_total = 0
        for user in people:
            rows = await connection.fetch("SELECT id::text, idempotency_key, undone_at FROM check_in "
                                          "WHERE owner = $1::uuid", user.id)
            stored = {r["id"]: r for r in rows}
            stored_total += len(stored)
            keys = Counter(r["idempotency_key"] for r in rows)
            if duplicated := [k for k, n in keys.items() if n > 1]:
                report["problems"].append(f"{user.id}: idempotency keys stored twice: {duplicated[:3]}")
            missing = set(user.acknowledged) - set(stored)
            unexpected = {i for i, r in stored.items()
                          if i not in user.acknowledged and r["idempotency_key"] not in user.unacknowledged_keys}
            if missing:
                report["problems"].append(f"{user.id}: {len(missing)} acknowledged check-ins not stored")
            if unexpected:
                report["problems"].append(f"{user.id}: {len(unexpected)} stored check-ins never acknowledged")
            undone = {i for i, r in stored.items() if r["undone_at"] is not None}
            undone_total += len(undone)
            if undone != user.undone:
                report["problems"].append(f"{user.id}: undone {len(undone)} stored vs {len(user.undone)} acknowledged")
        report["stored_check_ins"] = stored_total
        report["stored_undone"] = undone_total
        duplicates = await connection.fetch(
            "SELECT owner, key FROM achievement_award GROUP BY owner, key HAVING count(*) > 1 UNION ALL "
            "SELECT owner, step_key FROM step_unlock GROUP BY owner, step_key HAVING count(*) > 1")
        if duplicates:
            report["problems"].append(f"{len(duplicates)} awards or unlocks stored twice")

        async def snapshot(user_id: str) -> list[Any]:
            return [list(await connection.fetch(q, user_id)) for q in (
                "SELECT day, score, components FROM confidence_day WHERE owner = $1::uuid ORDER BY day",
                "SELECT key FROM achievement_award WHERE owner = $1::uuid ORDER BY key",
                "SELECT step_key FROM step_unlock WHERE owner = $1::uuid ORDER BY step_key")]

        await database.start()
        mismatched = 0
        for user in people:
            before = await snapshot(user.id)
            outcome = await service.recompute_user(uuid.UUID(user.id))
            after = await snapshot(user.id)
            if outcome.events or before != after:
                mismatched += 1
                report["problems"].append(f"{user.id}: a from-scratch recompute changed the derived state "
                                          f"({[e['type'] for e in outcome.events]})")
        await database.stop()
        report["recompute_mismatches"] = mismatched
        report["achievements_awarded"] = await connection.fetchval("SELECT count(*) FROM achievement_award")
        report["steps_unlocked"] = await connection.fetchval("SELECT count(*) FROM step_unlock")
    finally:
        await connection.close()
    return report


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=45)
    parser.add_argument("--users", type=int, default=24)
    parser.add_argument("--servers", type=int, default=2)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--database-url", help="an empty, disposable PostgreSQL database (default: a private one)")
    parser.add_argument("--redis-url", help="a disposable Redis (default: a private one)")
    parser.add_argument("--report", type=Path, help="also write the JSON report here")
    args = parser.parse_args()

    root = Path(tempfile.mkdtemp(prefix="comeback-soak-"))
    root.chmod(0o777)
    pg = cache = None
    processes: list[Process] = []
    try:
        if args.database_url is None:
            pg = ThrowawayPostgres(root).init()
        if args.redis_url is None:
            cache = ThrowawayRedis(root).start()
        database_url = args.database_url or pg.url  # type: ignore[union-attr]
        env = suite_env(root, DATABASE_URL=database_url, REDIS_URL=args.redis_url or cache.url,  # type: ignore[union-attr]
                        COMEBACK_RATE_LIMIT_PER_MINUTE="0", COMEBACK_AUTH_RATE_LIMIT_PER_MINUTE="0")
        servers = [Server(env, root / f"serve-{i}.log") for i in range(args.servers)]
        servers[0].start().wait_healthy(timeout=60)  # the first one migrates alone
        for server in servers[1:]:
            server.start().wait_healthy(timeout=60)
        workers = [Process(["worker"], env, root / f"worker-{i}.log").start() for i in range(args.workers)]
        processes = [*servers, *workers]
        people, stats, elapsed = asyncio.run(drive([s.url for s in servers], args.users, args.seconds, args.seed))
        report = asyncio.run(audit(database_url, people, drain_seconds=60))
        latencies = sorted(stats.latencies)
        report.update({
            "users": args.users, "servers": args.servers, "workers": args.workers, "seconds": round(elapsed, 1),
            "requests": sum(stats.counts.values()), "by_kind": dict(sorted(stats.counts.items())),
            "acknowledged_check_ins": sum(len(u.acknowledged) for u in people),
            "acknowledged_undos": sum(len(u.undone) for u in people),
            "unacknowledged_check_ins": sum(len(u.unacknowledged_keys) for u in people),
            "latency_ms": {"p50": round(1000 * statistics.median(latencies), 1),
                           "p95": round(1000 * latencies[int(len(latencies) * 0.95)], 1),
                           "max": round(1000 * latencies[-1], 1)},
            "request_problems": stats.problems[:20],
            "workers_alive": all(w.popen is not None and w.popen.poll() is None for w in workers),
        })
        if stats.problems:
            report["problems"].append(f"{len(stats.problems)} requests failed")
        text = json.dumps(report, indent=2, default=str)
        print(text)
        if args.report:
            args.report.write_text(text)
        return 1 if report["problems"] else 0
    finally:
        for process in processes:
            process.stop()
        if cache is not None:
            cache.stop()
        if pg is not None:
            pg.stop("immediate")
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
