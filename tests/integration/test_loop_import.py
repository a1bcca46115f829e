"""Moving in from (and back to) Loop Habit Tracker through the API, as `comeback import --loop` does it.

Loop's own reference export (uhabits-core/assets/test/csv_export at iSoron/uhabits
5aa8744ef4c8e391c875bbb482e3e79740b5fd81, read from the local mirror by tests/loop_reference.py;
the test skips, saying so, without it) must come in with Loop's numbers on every day and go back
out byte for byte where Loop's format allows. The hand-made fixture under tests/fixtures/loop/export
covers every kind of Loop habit; its numbers are checked by the import itself (`exact`).
"""

from __future__ import annotations

import asyncio
import base64
import csv
import io
import zipfile
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from server import clock
from server.client.api import Api
from server.client.transfer import export_loop, import_loop
from server.habits import tables
from tests import factories
from tests.integration.api import Api as GraphQLApi
from tests.integration.bridge import bridge
from tests.loop_reference import FILES, reference_files, reference_zip
from tests.loop_vectors import LOOP_CASES

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "loop" / "export"
LAST_DAY = date(2026, 3, 1)
HABITS = """query($f: Date!, $t: Date!) { habits(includeArchived: true) { id name kind archived
  schedule { period times days total } targetQuantity dailyLimit unit startDate strength currentStreak
  description question color checkIns(first: 100) { edges { node { day quantity note source } } }
  days(from: $f, to: $t) { date status quantity } } }"""
IMPORT = """mutation($input: LoopImportInput!) { loopImport(input: $input) { __typename
  ... on Error { code message field }
  ... on LoopImportReport { habitsCreated checkInsCreated habits { name exact created duplicates } } } }"""


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
    return out.getvalue()


def _client(http: httpx.AsyncClient, api: GraphQLApi) -> Api:
    return Api("http://test", api.token, transport=bridge(http))


@pytest.fixture
def on_loops_export_day():  # type: ignore[no-untyped-def]
    clock.travel(datetime(2015, 1, 25, 18, tzinfo=UTC) - datetime.now(UTC))
    yield
    clock.travel(timedelta(0))


async def test_loops_reference_export_comes_in_exactly_and_goes_back_out(
        http: httpx.AsyncClient, api: GraphQLApi, on_loops_export_day: None) -> None:
    # given Loop's reference export, on the day Loop wrote it
    reference = reference_files()
    api.as_user(await factories.user(timezone="UTC"))
    client = _client(http, api)

    # when it is imported (after a dry run), and exported again
    dry = await asyncio.to_thread(import_loop, client, reference_zip(), True)
    stored_after_dry_run = await tables.Habit.count()
    report = await asyncio.to_thread(import_loop, client, reference_zip(), False)
    data = await api.data(HABITS, {"f": "2015-01-16", "t": "2015-01-25"})
    name, exported = await asyncio.to_thread(export_loop, client)

    # then every habit is reproduced exactly, and says so
    assert stored_after_dry_run == 0 and [h["action"] for h in dry["habits"]] == ["CREATE", "CREATE"]
    assert [(h["name"], h["exact"], h["mismatches"]) for h in report["habits"]] == [
        ("Meditate", True, []), ("Wake up early", True, [])]
    assert all(h["maxScoreDifference"] <= 0.005 for h in report["habits"])
    meditate, wake = sorted(data["habits"], key=lambda h: h["name"])
    assert (wake["schedule"], wake["startDate"], round(wake["strength"], 2), wake["question"], wake["color"]) == (
        {"period": "INTERVAL", "times": 2, "days": 3, "total": False}, "2015-01-16", 25.57,
        "Did you wake up before 6am?", "#00897B")
    assert [d["status"] for d in reversed(wake["days"])] == [
        "DONE", "MISSED", "COVERED", "DONE", "DONE", "DONE", "COVERED", "COVERED", "DONE", "DONE"]
    assert (meditate["startDate"], meditate["strength"], meditate["color"]) == ("2015-01-25", 0.0, "#FF8F00")
    # and the export is Loop's, file for file, but for what Comeback does not keep (an explicit NO, and
    # notes on days without a check-in: named in the report's warnings)
    files = _files(exported)
    assert name == "Loop Habits CSV 2015-01-25.zip" and list(files) == list(FILES)
    assert [n for n in FILES if files[n] != reference[n]] == ["002 Wake up early/Checkmarks.csv", "Checkmarks.csv"]
    assert len(report["habits"][1]["warnings"]) == 1 and "'Sick'" in report["habits"][1]["warnings"][0]


def _files(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {n: archive.read(n) for n in archive.namelist()}


async def test_every_kind_of_loop_habit_comes_in(http: httpx.AsyncClient, api: GraphQLApi) -> None:
    # given the fixture export, its last day moved to today
    api.as_user(await factories.user(timezone="Europe/Berlin"))
    today = date.fromisoformat((await api.data("{ me { today } }"))["me"]["today"])
    client = _client(http, api)

    # when it is imported twice
    report = await asyncio.to_thread(import_loop, client, fixture_zip(today), False)
    again = await asyncio.to_thread(import_loop, client, fixture_zip(today), False)
    data = await api.data(HABITS, {"f": (today - timedelta(days=60)).isoformat(), "t": today.isoformat()})
    habits = {h["name"]: h for h in data["habits"]}

    # then every habit has its Loop meaning here
    assert list(habits) == ["Meditate", "Gym", "Read", "Old habit", "Sugar"]
    assert [(h["name"], h["exact"]) for h in report["habits"]] == [
        ("Meditate", True), ("Gym", True), ("Read", True), ("Old habit", True), ("Sugar", False)]
    assert habits["Gym"]["schedule"] == {"period": "INTERVAL", "times": 3, "days": 7, "total": False}
    assert "COVERED" in {d["status"] for d in habits["Gym"]["days"]}
    assert (habits["Read"]["targetQuantity"], habits["Read"]["unit"], habits["Read"]["schedule"]["period"]) == (
        20.0, "pages", "DAILY")
    assert (habits["Sugar"]["kind"], habits["Sugar"]["dailyLimit"]) == ("QUIT", 1.0)
    sugar = {d["date"]: (d["status"], d["quantity"]) for d in habits["Sugar"]["days"]}
    assert sugar[today.isoformat()] == ("SLIP", 3.0) and sugar[(today - timedelta(days=2)).isoformat()] == (
        "CLEAN", 1.0)
    assert habits["Old habit"]["archived"] is True
    assert (habits["Meditate"]["description"], habits["Meditate"]["color"]) == ("Ten quiet minutes", "#FF8F00")
    notes = {c["node"]["note"] for h in habits.values() for c in h["checkIns"]["edges"]} - {None}
    assert notes == {"first session, 10 min", "felt calm, 15 min", "legs, 45 min", "finished the novel"}
    assert {c["node"]["source"] for h in habits.values() for c in h["checkIns"]["edges"]} == {"IMPORT"}
    assert "'forgot to log'" in report["habits"][0]["warnings"][0]  # a note without a check-in is named
    # and the second run found everything already there
    assert {h["action"] for h in again["habits"]} == {"REUSE"}
    assert again["checkInsCreated"] == again["skipsCreated"] == 0
    assert [h["duplicates"] for h in again["habits"]] == [h["created"] for h in report["habits"]]


async def test_the_import_is_all_or_nothing(http: httpx.AsyncClient, api: GraphQLApi) -> None:
    # given the fixture imported once, then changed in Loop: a new habit, and another amount on one day
    api.as_user(await factories.user())
    today = date.fromisoformat((await api.data("{ me { today } }"))["me"]["today"])
    await api.data(IMPORT, {"input": {"archive": _b64(fixture_zip(today))}})
    check_ins = await tables.CheckIn.count()
    changed = _edit(fixture_zip(today), "003 Read/Checkmarks.csv", lambda text: text.replace(",25000,", ",26000,", 1))
    changed = _edit(changed, "Habits.csv", lambda text: text + "006,Stretch,YES_NO,,,1,1,#000000,,,,false\n")

    # when
    out = (await api.data(IMPORT, {"input": {"archive": _b64(changed)}}))["loopImport"]

    # then nothing of it is stored, and the error says which habit, line and day
    assert (out["__typename"], out["code"], out["field"]) == ("DuplicateError", "DUPLICATE", "archive")
    line = next(n for n, row in enumerate(
        (FIXTURE / "003 Read" / "Checkmarks.csv").read_text().splitlines(), start=1) if ",25000," in row)
    assert out["message"].startswith(f"003 Read/Checkmarks.csv line {line} (")
    assert "an earlier import stored 25 for this day and Loop now says 26" in out["message"]
    assert await tables.CheckIn.count() == check_ins
    assert "Stretch" not in {h["name"] for h in (await api.data("{ habits { name } }"))["habits"]}


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def _edit(data: bytes, name: str, change: Any) -> bytes:
    files = _files(data)
    files[name] = change(files[name].decode()).encode()
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for member, content in files.items():
            archive.writestr(member, content)
    return out.getvalue()


@pytest.mark.parametrize(("archive", "message"), [
    ("not base64!", "expected the ZIP as base64"),
    (_b64(b"PK\x03\x04 this is no zip"), "not a ZIP file"),
    (_b64(b"\x00\x01\x02 binary garbage"), "not a ZIP file"),
])
async def test_a_broken_file_stores_nothing(api: GraphQLApi, archive: str, message: str) -> None:
    api.as_user(await factories.user())
    out = (await api.data(IMPORT, {"input": {"archive": archive}}))["loopImport"]
    assert (out["__typename"], out["field"]) == ("InvalidInputError", "archive")
    assert message in out["message"]
    assert await tables.Habit.count() == 0


def _many_habits_zip(positions: range, today: date) -> bytes:
    header = ("Position,Name,Type,Question,Description,FrequencyNumerator,FrequencyDenominator,Color,Unit,"
              "Target Type,Target Value,Archived?\n")
    files = {"Habits.csv": (header + "".join(f"{n:03d},Réveil {n},YES_NO,,,1,1,#00897B,,,,false\n"
                                             for n in positions)).encode("latin-1")}
    for n in positions:
        files[f"{n:03d} Rveil {n}/Checkmarks.csv"] = f"Date,Value,Notes\n{today.isoformat()},YES_MANUAL,\n".encode()
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, content in files.items():
            archive.writestr(name, content)
    return out.getvalue()


async def test_habits_past_the_thousandth_and_latin_1_names_come_in(api: GraphQLApi) -> None:
    # given an export whose habits sit in folders "1000 ..." and on (Loop numbers them by position),
    # written in Latin-1; as many as one account may have (tests/unit/portability/test_loop.py reads 1,002)
    from server.habits.service import HABITS_MAX

    api.as_user(await factories.user())
    today = date.fromisoformat((await api.data("{ me { today } }"))["me"]["today"])
    archive = _many_habits_zip(range(990, 990 + HABITS_MAX), today)

    # when
    report = (await api.data(IMPORT, {"input": {"archive": _b64(archive)}}))["loopImport"]

    # then
    assert (report["habitsCreated"], report["checkInsCreated"]) == (HABITS_MAX, HABITS_MAX)
    names = {h["name"] for h in (await api.data("{ habits { name } }"))["habits"]}
    assert {"Réveil 990", "Réveil 999", "Réveil 1000", "Réveil 1289"} <= names and len(names) == HABITS_MAX


async def test_an_export_with_more_habits_than_an_account_may_have_is_refused_whole(api: GraphQLApi) -> None:
    from server.habits.service import HABITS_MAX

    api.as_user(await factories.user())
    today = date.fromisoformat((await api.data("{ me { today } }"))["me"]["today"])
    out = (await api.data(IMPORT, {"input": {"archive": _b64(_many_habits_zip(range(1, HABITS_MAX + 2), today))}})
           )["loopImport"]
    assert (out["__typename"], out["code"], out["field"]) == ("OutOfRangeError", "OUT_OF_RANGE", "archive")
    assert f"at most {HABITS_MAX} habits" in out["message"]
    assert await tables.Habit.count() == 0


async def test_a_zip_larger_than_the_server_takes_is_a_clear_error(http: httpx.AsyncClient, api: GraphQLApi) -> None:
    # given a file whose base64 form is over the 1 MiB request limit
    api.as_user(await factories.user())
    client = _client(http, api)

    # when / then the command says so (exit code 2), and nothing is stored
    from server.client.api import ClientError

    with pytest.raises(ClientError) as refused:
        await asyncio.to_thread(import_loop, client, bytes(range(256)) * 3600, False)
    assert (refused.value.exit_code, refused.value.code) == (2, "PAYLOAD_TOO_LARGE")
    assert "is larger than http://test accepts (its COMEBACK_MAX_BODY_BYTES)" in refused.value.message
    assert await tables.Habit.count() == 0


def _as_loop_zip(habit: Any) -> bytes:
    """One habit of Loop's own test vectors (tests/loop_vectors.py) as Loop's ZIP."""
    kind = "NUMERICAL" if habit.numerical else "YES_NO"
    numeric = f"miles,AT_LEAST,{habit.target_value}" if habit.numerical else ",,"
    files = {
        "Habits.csv": "Position,Name,Type,Question,Description,FrequencyNumerator,FrequencyDenominator,Color,Unit,"
                      f"Target Type,Target Value,Archived?\n001,Case,{kind},,,{habit.numerator},{habit.denominator},"
                      f"#00897B,{numeric},false\n",
        "001 Case/Checkmarks.csv": "Date,Value,Notes\n" + "".join(
            f"{e.day},{round(e.amount * 1000) if e.mark.value == 'AMOUNT' else e.mark.value},\n"
            for e in reversed(habit.entries)),
        "001 Case/Scores.csv": "Date,Score\n" + "".join(f"{d},{s:.4f}\n" for d, s in reversed(habit.scores)),
    }
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, text in files.items():
            archive.writestr(name, text)
    return out.getvalue()


@pytest.mark.parametrize("case", ["daily", "daily with skips", "every other day", "3 a week", "4 a week",
                                  "every 3 days", "numeric daily", "numeric every other day", "numeric with skips"])
async def test_loops_own_test_vectors_come_in_with_loops_numbers(
        http: httpx.AsyncClient, api: GraphQLApi, on_loops_export_day: None, case: str) -> None:
    # given one of Loop's test fixtures as Loop's export, with the scores Loop's tests expect
    habit = LOOP_CASES[case]
    api.as_user(await factories.user(timezone="UTC"))

    # when it is imported through the API
    report = await asyncio.to_thread(import_loop, _client(http, api), _as_loop_zip(habit), False)
    stored = await api.data("{ habits { strength days(from: \"2015-01-13\", to: \"2015-01-25\") { status } } }")

    # then the import says it is exact, and the stored habit's strength today is Loop's
    assert (report["habits"][0]["exact"], report["habits"][0]["mismatches"]) == (True, [])
    loop_today = dict(habit.scores).get(date(2015, 1, 25))
    if loop_today is not None:
        assert abs(stored["habits"][0]["strength"] - 100 * loop_today) <= 0.05
    if case == "every 3 days":  # EntryListTest.testComputeBoolean's YES_AUTO days, as stored statuses
        statuses = [d["status"] for d in stored["habits"][0]["days"]]
        assert [12 - i for i, s in enumerate(statuses) if s == "COVERED"] == [12, 11, 8, 7, 3, 2]
