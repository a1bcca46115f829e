"""Moving in from Loop Habit Tracker: the fixture export imports with Loop's strengths and streaks.

Loop's numbers are computed here, independently of server.habits: the score with Loop's own
algorithm (ScoreList.recompute: a rolling window over integer entries, numerator and denominator
doubled for non-daily yes/no habits, skipped days leaving the score unchanged), the streaks with
Loop's StreakList (a run of days whose value counts, a skipped day inside included), then the
documented differences applied (docs/loop-import.md): a skipped day keeps a Comeback streak
without adding to it, and a WEEKLY habit counts its streak in calendar weeks.
"""

from __future__ import annotations

import asyncio
import csv
import io
import math
import zipfile
from datetime import date, timedelta
from pathlib import Path

import httpx

from server.client.api import Api
from server.client.transfer import import_loop
from tests.integration.api import Api as GraphQLApi
from tests.integration.bridge import bridge

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "loop" / "export"
LAST_DAY = date(2026, 3, 1)
YES_MANUAL, YES_AUTO, NO, UNKNOWN, SKIP = 2, 1, 0, -1, -3
CODES = {"YES_MANUAL": YES_MANUAL, "YES_AUTO": YES_AUTO, "NO": NO, "UNKNOWN": UNKNOWN, "SKIP": SKIP}
HABITS = """query($f: Date!, $t: Date!) { me { today } habits(includeArchived: true) { id name archived
  schedule { period timesPerWeek } targetQuantity unit startDate currentStreak longestStreak streakUnit strength
  freezesHeld checkIns(first: 100) { edges { node { day quantity note source } } }
  days(from: $f, to: $t) { date status } } }"""


def fixture_zip(today: date) -> bytes:
    """The fixture folder as Loop's ZIP, every date moved so that the last day is today."""
    shift = today - LAST_DAY
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for path in sorted(FIXTURE.rglob("*.csv")):
            name = path.relative_to(FIXTURE).as_posix()
            rows = list(csv.reader(io.StringIO(path.read_text())))
            if name != "Habits.csv":
                rows = [rows[0], *([(date.fromisoformat(r[0]) + shift).isoformat(), *r[1:]] for r in rows[1:])]
            text = io.StringIO()
            csv.writer(text, lineterminator="\n").writerows(rows)
            archive.writestr(name, text.getvalue())
        archive.writestr("Scores.csv", "Date,Meditate,Gym,Read,Old habit,Sugar,\n")  # ignored
    return out.getvalue()


def entries(folder: str, today: date, numerical: bool) -> dict[date, int]:
    """Loop's stored integers per day: codes for yes/no habits, thousandths for numeric ones."""
    shift = today - LAST_DAY
    values = {}
    for row in list(csv.reader(io.StringIO((FIXTURE / folder / "Checkmarks.csv").read_text())))[1:]:
        raw = row[1]
        values[date.fromisoformat(row[0]) + shift] = CODES[raw] if raw in CODES else int(raw)
        if numerical and raw == "NO":
            values[date.fromisoformat(row[0]) + shift] = 0
    return values


def loop_score(values: dict[date, int], today: date, num: int, den: int, numerical: bool, target: float) -> float:
    """Loop's ScoreList.recompute, from the oldest entry to today."""
    start = min(values)
    series = [values.get(start + timedelta(days=n), UNKNOWN) for n in range((today - start).days + 1)]
    freq = num / den
    if not numerical and freq < 1:
        num, den = num * 2, den * 2
    multiplier = 0.5 ** (math.sqrt(freq) / 13.0)
    score, rolling = 0.0, 0.0
    for i, value in enumerate(series):
        if numerical:
            rolling += max(0, value)
            if i - den >= 0:
                rolling -= max(0, series[i - den])
            completed = min(1.0, rolling / 1000 / target)
        else:
            rolling += value == YES_MANUAL
            if i - den >= 0:
                rolling -= series[i - den] == YES_MANUAL
            completed = min(1.0, rolling / num)
        if value != SKIP:
            score = score * multiplier + completed * (1 - multiplier)
    return score


def loop_streaks(values: dict[date, int], today: date, counts) -> list[list[date]]:  # type: ignore[no-untyped-def]
    """Loop's StreakList: maximal runs of consecutive days whose value counts (a skip counts in Loop 2)."""
    runs: list[list[date]] = []
    day = min(values)
    while day <= today:
        if counts(values.get(day, UNKNOWN)):
            if runs and runs[-1][-1] == day - timedelta(days=1):
                runs[-1].append(day)
            else:
                runs.append([day])
        day += timedelta(days=1)
    return runs


def comeback_streaks(values: dict[date, int], today: date, counts) -> tuple[int, int]:  # type: ignore[no-untyped-def]
    """Loop's runs with the skipped days taken out of their length: (current, longest)."""
    runs = loop_streaks(values, today, counts)
    lengths = [sum(values.get(d) != SKIP for d in run) for run in runs]
    current = lengths[-1] if runs and runs[-1][-1] == today else 0
    return current, max(lengths, default=0)


def weekly_streaks(values: dict[date, int], today: date, times: int) -> tuple[int, int]:
    """Calendar weeks (Monday first) with `times` YES_MANUAL days; skips excuse, first/current week never break."""
    start = min(values)
    first, current_week = start - timedelta(days=start.weekday()), today - timedelta(days=today.weekday())
    streak = longest = 0
    week = first
    while week <= current_week:
        days = [week + timedelta(days=n) for n in range(7) if start <= week + timedelta(days=n) <= today]
        done = sum(values.get(d) == YES_MANUAL for d in days)
        skipped = sum(values.get(d) == SKIP for d in days)
        if done >= times:
            streak += 1
        elif done + skipped < times and week not in (first, current_week):
            streak = 0
        longest = max(longest, streak)
        week += timedelta(days=7)
    return streak, longest


async def test_the_loop_fixture_imports_with_loops_strengths_and_streaks(http: httpx.AsyncClient,
                                                                         api: GraphQLApi) -> None:
    await api.sign_up(timezone="Europe/Berlin")
    today = date.fromisoformat((await api.data("{ me { today } }"))["me"]["today"])
    client = Api("http://test", api.token, transport=bridge(http))
    report = await asyncio.to_thread(import_loop, client, fixture_zip(today), False)
    again = await asyncio.to_thread(import_loop, client, fixture_zip(today), False)
    data = await api.data(HABITS, {"f": (today - timedelta(days=60)).isoformat(), "t": today.isoformat()})
    habits = {h["name"]: h for h in data["habits"]}

    meditate = entries("001 Meditate", today, False)
    gym = entries("002 Gym", today, False)
    read = entries("003 Read", today, True)
    # strength: Loop's score to the last digit we report
    assert habits["Meditate"]["strength"] == round(100 * loop_score(meditate, today, 1, 1, False, 1), 4)
    assert habits["Gym"]["strength"] == round(100 * loop_score(gym, today, 3, 7, False, 1), 4)
    assert habits["Read"]["strength"] == round(100 * loop_score(read, today, 1, 1, True, 20), 4)
    # streaks: Loop's runs, skipped days not counted; weeks for the weekly habit
    assert (habits["Meditate"]["currentStreak"], habits["Meditate"]["longestStreak"]) == comeback_streaks(
        meditate, today, lambda v: v in (YES_MANUAL, YES_AUTO, SKIP))
    assert (habits["Read"]["currentStreak"], habits["Read"]["longestStreak"]) == comeback_streaks(
        read, today, lambda v: v == SKIP or v / 1000 >= 20)
    assert (habits["Gym"]["currentStreak"], habits["Gym"]["longestStreak"]) == weekly_streaks(gym, today, 3)
    assert (habits["Meditate"]["currentStreak"], habits["Read"]["currentStreak"]) == (14, 10)
    assert habits["Gym"]["streakUnit"] == "WEEKS" and habits["Gym"]["currentStreak"] >= 1

    # the mapping itself
    assert habits["Meditate"]["schedule"] == {"period": "DAILY", "timesPerWeek": None}
    assert habits["Gym"]["schedule"] == {"period": "WEEKLY", "timesPerWeek": 3}
    assert (habits["Read"]["targetQuantity"], habits["Read"]["unit"]) == (20.0, "pages")
    assert habits["Meditate"]["startDate"] == (today - timedelta(days=55)).isoformat()
    assert habits["Read"]["startDate"] == (today - timedelta(days=52)).isoformat()
    assert habits["Old habit"]["archived"] is True
    assert "Sugar" not in habits
    gym_days = {c["node"]["day"] for c in habits["Gym"]["checkIns"]["edges"]}
    assert gym_days == {d.isoformat() for d, v in gym.items() if v == YES_MANUAL}  # YES_AUTO is not a check-in
    notes = {c["node"]["note"] for h in habits.values() for c in h["checkIns"]["edges"]} - {None}
    assert notes == {"first session, 10 min", "felt calm, 15 min", "legs, 45 min", "finished the novel"}
    assert {c["node"]["source"] for h in habits.values() for c in h["checkIns"]["edges"]} == {"IMPORT"}
    statuses = {d["date"]: d["status"] for d in habits["Meditate"]["days"]}
    assert [statuses[(today - timedelta(days=n)).isoformat()] for n in (8, 23, 44)] == ["SKIPPED"] * 3
    assert statuses[(today - timedelta(days=42)).isoformat()] == "MISSED"  # a note alone is not a check-in

    # the report, and a second run adds nothing
    by_name = {h["name"]: h for h in report["habits"]}
    assert by_name["Meditate"]["created"] == sum(v == YES_MANUAL for v in meditate.values())
    assert by_name["Read"]["skipsCreated"] == 2 and by_name["Gym"]["skipsCreated"] == 2
    assert report["warnings"] == ["'Sugar' is an 'at most' numeric habit, which Comeback cannot represent: "
                                  "not imported"]
    assert {h["action"] for h in again["habits"]} == {"reuse"}
    assert sum(h["created"] + h["skipsCreated"] for h in again["habits"]) == 0
    assert [h["duplicates"] for h in again["habits"]] == [h["created"] for h in report["habits"]]


async def test_a_dry_run_changes_nothing(http: httpx.AsyncClient, api: GraphQLApi) -> None:
    await api.sign_up()
    today = date.fromisoformat((await api.data("{ me { today } }"))["me"]["today"])
    client = Api("http://test", api.token, transport=bridge(http))
    report = await asyncio.to_thread(import_loop, client, fixture_zip(today), True)
    assert [h["action"] for h in report["habits"]] == ["create"] * 4
    assert (await api.data("{ habits(includeArchived: true) { id } }"))["habits"] == []


async def test_a_quit_habit_of_the_same_name_is_never_reused(http: httpx.AsyncClient, api: GraphQLApi) -> None:
    await api.sign_up()
    today = date.fromisoformat((await api.data("{ me { today } }"))["me"]["today"])
    quit_ = await api.create_habit(name="meditate", kind="QUIT", category="CUSTOM")
    client = Api("http://test", api.token, transport=bridge(http))
    report = await asyncio.to_thread(import_loop, client, fixture_zip(today), False)
    slips = await api.habit(quit_["id"], "checkIns { edges { node { id } } }")
    assert report["habits"][0]["name"] == "Meditate (Loop)"
    assert slips == {"checkIns": {"edges": []}}
