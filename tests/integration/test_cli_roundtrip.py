"""The done-when script of issue 6, run with bash against two real servers with separate databases.

The source server uses the suite's database (PostgreSQL in CI's second run), the target a fresh
SQLite file: the export moves across engines too.
"""

from __future__ import annotations

import csv
import json
import os
import shutil
import subprocess
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest

from tests.integration import servers
from tests.integration.servers import Server

SCRIPT = Path(__file__).with_name("cli_roundtrip.sh")
WEEK = 7


@pytest.fixture(scope="module")
def two_servers(tmp_path_factory: pytest.TempPathFactory, migrated: None) -> Iterator[tuple[Server, Server]]:
    base = tmp_path_factory.mktemp("roundtrip")
    # the suite's database and Redis of this worker (tests/conftest.py); the target is always SQLite
    source = servers.start(base / "source", os.environ.get("DATABASE_URL"), os.environ.get("REDIS_URL"))
    target = servers.start(base / "target")
    try:
        servers.wait(source, target)
        yield source, target
    finally:
        servers.stop(source, target)


def without_ids(habits: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{k: v for k, v in h.items() if k != "id"} for h in habits]


@pytest.mark.skipif(shutil.which("bash") is None, reason="needs bash")
def test_log_a_week_replay_export_and_restore_elsewhere_with_identical_numbers(
        two_servers: tuple[Server, Server], tmp_path: Path) -> None:
    source, target = two_servers
    token = source.account("roundtrip@example.com", timezone="America/Los_Angeles")
    source.graphql("mutation { profileUpdate(input: {dayStartHour: 3}) { __typename } }", token=token)
    today = date.fromisoformat(source.graphql("{ me { today } }", token=token)["me"]["today"])
    days = [today - timedelta(days=n) for n in range(WEEK - 1, -1, -1)]
    for name, extra in (("Walk", ""), ("Read", ", targetQuantity: 20, unit: \"pages\"")):
        source.graphql(f"""mutation($d: Date!) {{ habitCreate(input: {{name: "{name}", category: CUSTOM,
            schedule: {{period: DAILY}}, startDate: $d{extra}}}) {{ __typename }} }}""", {"d": days[0].isoformat()},
                       token)
    fresh = target.account("fresh@example.com")
    env = {**servers.environment(tmp_path), "COMEBACK_URL": source.url, "COMEBACK_TOKEN": token,
           "TARGET_URL": target.url, "TARGET_TOKEN": fresh, "DAYS": " ".join(d.isoformat() for d in days),
           "SKIP_DAY": days[2].isoformat(), "WORK": str(tmp_path), "COMEBACK_CONFIG": str(tmp_path / "cfg.json")}

    run = subprocess.run(["bash", str(SCRIPT)], env=env, capture_output=True, text=True, timeout=180)

    assert run.returncode == 0, run.stderr
    first, replayed = (json.loads((tmp_path / f).read_text()) for f in ("first-run.json", "replayed.json"))
    source_habits, target_habits = (json.loads((tmp_path / f).read_text()) for f in ("source.json", "target.json"))
    exported = json.loads((tmp_path / "export.json").read_text())
    rows = list(csv.DictReader((tmp_path / "check-ins.csv").open()))
    again = json.loads((tmp_path / "restore-again.json").read_text())
    # nothing doubled: one Walk a day but the skipped one, one Read a day
    assert replayed == first
    assert len(exported["checkIns"]) == len(rows) == 2 * WEEK - 1
    assert sorted(c["day"] for c in exported["checkIns"]) == sorted(
        [d.isoformat() for d in days] + [d.isoformat() for d in days if d != days[2]])
    assert [s["day"] for s in exported["skips"]] == [days[2].isoformat()]
    # the restored account is the same account, streaks and strengths included
    assert without_ids(target_habits) == without_ids(source_habits)
    walk = next(h for h in source_habits if h["name"] == "Walk")
    read = next(h for h in source_habits if h["name"] == "Read")
    assert (walk["currentStreak"], walk["longestStreak"], walk["doneToday"]) == (WEEK - 1, WEEK - 1, True)
    assert (read["currentStreak"], read["longestStreak"]) == (2, 2)  # 12 pages (short of 20) on every third day
    assert walk["strength"] > 0 and read["strength"] > 0
    assert (tmp_path / "restore.txt").read_text() == (
        f"Created 2 habits, {2 * WEEK - 1} check-ins, 1 skip, 0 pauses, 0 reminders, 0 journal entries; "
        "0 already there.\n")
    assert (again["habitsCreated"], again["checkInsCreated"], again["unchanged"]) == (0, 0, 2 + 2 * WEEK - 1 + 1)
    assert run.stdout.splitlines()[0].endswith("1 of 2 habits done today")  # today's Read is 12 of 20 pages
