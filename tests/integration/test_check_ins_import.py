"""checkInsImport through the API: all or nothing, dry runs, duplicates, skips, limits and cost."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from server import clock
from server.database import count_queries
from server.habits import tables
from tests import factories
from tests.integration.api import ERROR, Api

IMPORT = f"""mutation($input: CheckInsImportInput!) {{ checkInsImport(input: $input) {{ {ERROR}
  ... on InvalidInputError {{ field }}
  ... on CheckInsImportReport {{ ...Report }}
  ... on ImportRejectedError {{ field report {{ ...Report }} }} }} }}
fragment Report on CheckInsImportReport {{ dryRun created skippedDuplicates rejected skipsCreated
  rows {{ index status code field message checkIn {{ id day quantity source }} }}
  skips {{ index status code field }} }}"""
NOW = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def frozen_now():  # type: ignore[no-untyped-def]
    clock.travel(NOW - datetime.now(UTC))
    yield NOW
    clock.travel(timedelta(0))


async def run(api: Api, rows: list[dict], skips: list[dict] | None = None, dry_run: bool = False) -> dict:
    result: dict = (await api.data(IMPORT, {"input": {"rows": rows, "skips": skips, "dryRun": dry_run}}))[
        "checkInsImport"]
    return result


def at(day: int, hour: int = 9) -> str:
    return datetime(2026, 3, day, hour, tzinfo=UTC).isoformat()


def statuses(report: dict, of: str = "rows") -> list[tuple]:
    return [(r["status"], r["code"], r["field"]) for r in report[of]]


async def test_import_creates_every_row_and_a_replay_creates_nothing(api: Api) -> None:
    api.as_user(await factories.user())
    walk = await api.create_habit(startDate="2026-03-01")
    rows = [{"habitId": walk["id"], "occurredAt": at(d), "idempotencyKey": f"walk-{d}", "note": f"day {d}"}
            for d in range(1, 8)]
    first = await run(api, rows)
    replay = await run(api, rows)
    habit = await api.habit(walk["id"], "currentStreak longestStreak")
    assert (first["__typename"], first["created"], first["skippedDuplicates"], first["rejected"]) == (
        "CheckInsImportReport", 7, 0, 0)
    assert [r["checkIn"]["day"] for r in first["rows"]] == [f"2026-03-0{d}" for d in range(1, 8)]
    assert {r["checkIn"]["source"] for r in first["rows"]} == {"IMPORT"}
    assert (replay["created"], replay["skippedDuplicates"]) == (0, 7)
    assert [r["checkIn"]["id"] for r in replay["rows"]] == [r["checkIn"]["id"] for r in first["rows"]]
    assert habit == {"currentStreak": 0, "longestStreak": 7}  # 8 and 9 March missed
    assert await tables.CheckIn.count() == 7


async def test_one_rejected_row_stores_nothing_and_the_error_reports_every_row(api: Api) -> None:
    api.as_user(await factories.user())
    walk = await api.create_habit(startDate="2026-03-05")
    rows = [{"habitId": walk["id"], "occurredAt": at(6)},
            {"habitId": walk["id"], "occurredAt": at(4)},  # before the start
            {"habitId": walk["id"], "occurredAt": at(7)}]
    out = await run(api, rows)
    assert (out["__typename"], out["code"], out["field"]) == ("ImportRejectedError", "INVALID_INPUT", "rows")
    assert out["message"] == "1 of 3 rows were rejected; nothing was imported"
    assert statuses(out["report"]) == [("WOULD_CREATE", None, None), ("REJECTED", "OUT_OF_RANGE", "occurredAt"),
                                       ("WOULD_CREATE", None, None)]
    assert (out["report"]["created"], out["report"]["rejected"]) == (0, 1)
    assert await tables.CheckIn.count() == 0


async def test_dry_run_judges_each_row_like_habit_check_in_and_stores_nothing(api: Api) -> None:
    api.as_user(await factories.user())
    walk = await api.create_habit(startDate="2026-03-01")
    old = await api.create_habit(name="Old", startDate="2026-03-01")
    await api.data("mutation($id: ID!) { habitArchive(id: $id) { __typename } }", {"id": old["id"]})
    stored = await api.check_in(walk["id"], occurredAt=at(2), idempotencyKey="k-stored", quantity=2)
    api.as_user(await factories.user())
    theirs = await api.create_habit()
    api.token = None
    api.as_user(await factories.user())
    mine = await api.create_habit(startDate="2026-03-01")
    rows = [
        {"habitId": mine["id"], "occurredAt": at(3)},
        {"habitId": theirs["id"], "occurredAt": at(3)},  # not yours
        {"habitId": "not-an-id", "occurredAt": at(3)},
        {"habitId": mine["id"], "occurredAt": (NOW + timedelta(minutes=6)).isoformat()},
        {"habitId": mine["id"], "occurredAt": at(3), "quantity": 0},
        {"habitId": mine["id"], "occurredAt": at(3), "note": "n" * 1001},
        {"habitId": mine["id"], "occurredAt": at(3), "idempotencyKey": "k" * 129},
        {"habitId": mine["id"], "occurredAt": at(4), "idempotencyKey": "same"},
        {"habitId": mine["id"], "occurredAt": at(4), "idempotencyKey": "same"},  # the same again: a duplicate
        {"habitId": mine["id"], "occurredAt": at(5), "idempotencyKey": "same"},  # other content
    ]
    out = await run(api, rows, dry_run=True)
    assert (out["__typename"], out["dryRun"], out["created"], out["skippedDuplicates"], out["rejected"]) == (
        "CheckInsImportReport", True, 2, 1, 7)
    assert statuses(out) == [
        ("WOULD_CREATE", None, None), ("REJECTED", "NOT_FOUND", "habitId"), ("REJECTED", "NOT_FOUND", "habitId"),
        ("REJECTED", "OUT_OF_RANGE", "occurredAt"), ("REJECTED", "INVALID_INPUT", "quantity"),
        ("REJECTED", "INVALID_INPUT", "note"), ("REJECTED", "INVALID_INPUT", "idempotencyKey"),
        ("WOULD_CREATE", None, None), ("DUPLICATE", None, None), ("REJECTED", "DUPLICATE", "idempotencyKey")]
    assert await tables.CheckIn.count() == 1
    assert stored["__typename"] == "CheckIn"


async def test_stored_keys_archived_habits_and_skips(api: Api) -> None:
    api.as_user(await factories.user())
    walk = await api.create_habit(startDate="2026-03-01")
    old = await api.create_habit(name="Old", startDate="2026-03-01")
    await api.data("mutation($id: ID!) { habitArchive(id: $id) { __typename } }", {"id": old["id"]})
    original = await api.check_in(walk["id"], occurredAt=at(2), idempotencyKey="k-1", quantity=2)
    rows = [{"habitId": walk["id"], "occurredAt": at(2), "idempotencyKey": "k-1", "quantity": 2},
            {"habitId": walk["id"], "occurredAt": at(2), "idempotencyKey": "k-1", "quantity": 3},
            {"habitId": old["id"], "occurredAt": at(3)}]
    skips = [{"habitId": walk["id"], "day": "2026-03-04"}, {"habitId": walk["id"], "day": "2026-03-04"},
             {"habitId": walk["id"], "day": "2026-03-11"}, {"habitId": old["id"], "day": "2026-03-05"}]
    dry = await run(api, rows, skips, dry_run=True)
    assert statuses(dry) == [("DUPLICATE", None, None), ("REJECTED", "DUPLICATE", "idempotencyKey"),
                             ("REJECTED", "INVALID_INPUT", "habitId")]
    assert dry["rows"][0]["checkIn"]["id"] == original["id"]
    assert statuses(dry, "skips") == [("WOULD_CREATE", None, None), ("DUPLICATE", None, None),
                                      ("REJECTED", "OUT_OF_RANGE", "day"), ("WOULD_CREATE", None, None)]
    ok = await run(api, [rows[0]], [skips[0], skips[3]])
    again = await run(api, [], [skips[0]])
    assert (ok["created"], ok["skippedDuplicates"], ok["skipsCreated"]) == (0, 1, 2)
    assert statuses(again, "skips") == [("DUPLICATE", None, None)]
    assert await tables.HabitSkip.count() == 2


async def test_limits_on_rows(api: Api) -> None:
    api.as_user(await factories.user())
    walk = await api.create_habit(startDate="2026-03-01")
    rows = [{"habitId": walk["id"], "occurredAt": at(1)}] * 5001
    out = await run(api, rows, dry_run=True)
    assert (out["__typename"], out["field"]) == ("InvalidInputError", "rows")


async def test_five_thousand_rows_in_one_transaction_with_few_queries(api: Api) -> None:
    me = await factories.user()
    api.as_user(me)
    habits = [await factories.habit(me, f"H{n}", start_date=date(2023, 1, 1)) for n in range(5)]
    start = datetime(2023, 1, 1, 8, tzinfo=UTC)
    rows = [{"habitId": str(h.id), "occurredAt": (start + timedelta(days=d)).isoformat(), "idempotencyKey": f"{n}-{d}"}
            for n, h in enumerate(habits) for d in range(1000)]
    with count_queries() as queries:
        out = await run(api, rows)
    assert (out["created"], out["rejected"]) == (5000, 0)
    assert await tables.CheckIn.count() == 5000
    # look-ups (habits, keys in chunks of 1000) + viewer + inserts in chunks of 1000 + stale mark
    assert queries.count <= 20, queries.count


async def test_imported_rows_follow_interval_and_quit_limit_rules(api: Api) -> None:
    # given "2 times in any 3 days" and "coffee: at most 2 a day", both from 1 March
    api.as_user(await factories.user())
    wake = await api.create_habit(name="Wake up", startDate="2026-03-01",
                                  schedule={"period": "INTERVAL", "times": 2, "days": 3})
    coffee = await api.create_habit(name="Coffee", kind="QUIT", category="CUSTOM", dailyLimit=2,
                                    startDate="2026-03-01")

    # when
    out = await run(api, [{"habitId": wake["id"], "occurredAt": at(d)} for d in (1, 2, 6)]
                    + [{"habitId": coffee["id"], "occurredAt": at(d), "quantity": q} for d, q in ((1, 2), (2, 3))],
                    [{"habitId": wake["id"], "day": "2026-03-05"}])
    days = """days(from: "2026-03-01", to: "2026-03-07") { status }"""
    wake_days = [d["status"] for d in (await api.habit(wake["id"], days) or {})["days"]]
    coffee_days = [d["status"] for d in (await api.habit(coffee["id"], days) or {})["days"]]

    # then
    assert (out["created"], out["skipsCreated"]) == (5, 1)
    assert wake_days == ["DONE", "DONE", "COVERED", "MISSED", "SKIPPED", "DONE", "MISSED"]
    assert coffee_days == ["CLEAN", "SLIP", "CLEAN", "CLEAN", "CLEAN", "CLEAN", "CLEAN"]
