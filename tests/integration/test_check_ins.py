"""Check-ins through the API: defaults, idempotency, ranges, undo, skips, days and paging."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime, timedelta

import pytest

from server import clock
from server.habits import tables
from tests import factories
from tests.integration.api import ERROR, Api

UNDO = f"mutation($id: ID!) {{ checkInUndo(id: $id) {{ {ERROR} ... on CheckIn {{ id undone }} }} }}"
SKIP = f"""mutation($h: ID!, $d: Date!) {{ habitSkip(habitId: $h, day: $d) {{ {ERROR}
  ... on Habit {{ currentStreak }} }} }}"""
UNSKIP = f"""mutation($h: ID!, $d: Date!) {{ habitUnskip(habitId: $h, day: $d) {{ {ERROR}
  ... on Habit {{ currentStreak }} }} }}"""
DAYS = "query($id: ID!, $f: Date!, $t: Date!) { habit(id: $id) { days(from: $f, to: $t) { date quantity status } } }"
PAGE = """query($id: ID!, $n: Int, $a: String, $f: Date, $t: Date) { habit(id: $id) {
  checkIns(first: $n, after: $a, from: $f, to: $t) { edges { cursor node { id day quantity } }
  pageInfo { hasNextPage endCursor } } } }"""


def iso(t: datetime) -> str:
    return t.isoformat()


@pytest.fixture
def frozen_now():  # type: ignore[no-untyped-def]
    """Pin 'now' to a known instant so day arithmetic in the assertions is exact."""
    target = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)
    clock.travel(target - datetime.now(UTC))
    yield target
    clock.travel(timedelta(0))


async def test_defaults_now_and_quantity_one(api: Api, frozen_now: datetime) -> None:
    api.as_user(await factories.user())
    habit = await api.create_habit()
    before = clock.now()
    out = await api.check_in(habit["id"], note="  first walk ")
    after = clock.now()
    at = datetime.fromisoformat(out["occurredAt"])
    assert before <= at <= after
    assert (out["day"], out["quantity"], out["note"], out["source"], out["habit"]["id"]) == (
        "2026-03-10", 1.0, "first walk", "API", habit["id"])


async def test_idempotency_same_content_returns_original_different_is_duplicate(api: Api) -> None:
    api.as_user(await factories.user())
    habit = await api.create_habit()
    first = await api.check_in(habit["id"], idempotencyKey="k-1", quantity=2)
    replay = await api.check_in(habit["id"], idempotencyKey="k-1", quantity=2)
    replay_with_time = await api.check_in(habit["id"], idempotencyKey="k-1", quantity=2,
                                          occurredAt=first["occurredAt"])
    different = await api.check_in(habit["id"], idempotencyKey="k-1", quantity=3)
    assert replay["id"] == replay_with_time["id"] == first["id"]
    assert (different["code"], different["field"]) == ("DUPLICATE", "idempotencyKey")
    assert await tables.CheckIn.count() == 1


async def test_idempotency_keys_are_scoped_to_the_user(api: Api) -> None:
    api.as_user(await factories.user())
    mine = await api.check_in((await api.create_habit())["id"], idempotencyKey="same")
    api.as_user(await factories.user())
    theirs = await api.check_in((await api.create_habit())["id"], idempotencyKey="same")
    assert mine["__typename"] == theirs["__typename"] == "CheckIn"
    assert mine["id"] != theirs["id"]


async def test_concurrent_identical_requests_store_exactly_one(api: Api) -> None:
    api.as_user(await factories.user())
    habit = await api.create_habit()
    results = await asyncio.gather(*(api.check_in(habit["id"], idempotencyKey="retry-storm", quantity=1)
                                     for _ in range(8)))
    assert {r["__typename"] for r in results} == {"CheckIn"}
    assert len({r["id"] for r in results}) == 1
    assert await tables.CheckIn.count() == 1


async def test_out_of_range_before_start_and_in_the_future(api: Api, frozen_now: datetime) -> None:
    api.as_user(await factories.user())
    habit = await api.create_habit(startDate="2026-03-08")
    before = await api.check_in(habit["id"], occurredAt=iso(datetime(2026, 3, 7, 23, 59, tzinfo=UTC)))
    future = await api.check_in(habit["id"], occurredAt=iso(frozen_now + timedelta(minutes=6)))
    near = await api.check_in(habit["id"], occurredAt=iso(frozen_now + timedelta(minutes=4)))
    first_day = await api.check_in(habit["id"], occurredAt=iso(datetime(2026, 3, 8, 0, 0, tzinfo=UTC)))
    assert (before["code"], future["code"]) == ("OUT_OF_RANGE", "OUT_OF_RANGE")
    assert (near["day"], first_day["day"]) == ("2026-03-10", "2026-03-08")
    assert await tables.CheckIn.count() == 2


async def test_bad_quantities_notes_and_keys_are_invalid_input(api: Api) -> None:
    api.as_user(await factories.user())
    habit = await api.create_habit()
    for fields, field in [({"quantity": 0}, "quantity"), ({"quantity": -1}, "quantity"),
                          ({"quantity": 1e9}, "quantity"), ({"note": "n" * 1001}, "note"),
                          ({"idempotencyKey": "k" * 129}, "idempotencyKey")]:
        out = await api.check_in(habit["id"], **fields)
        assert (out["code"], out["field"]) == ("INVALID_INPUT", field), fields
    assert await tables.CheckIn.count() == 0


async def test_night_owl_day_start_and_profile_change_moves_no_past_check_in(api: Api, frozen_now: datetime) -> None:
    api.as_user(await factories.user(timezone="Europe/Berlin"))
    await api.data('mutation { profileUpdate(input: {dayStartHour: 4}) { __typename } }')
    habit = await api.create_habit(startDate="2026-03-01")
    # 01:30 Tuesday 10 March in Berlin (00:30 UTC) belongs to Monday 9 March
    owl = await api.check_in(habit["id"], occurredAt="2026-03-10T01:30:00+01:00")
    await api.data('mutation { profileUpdate(input: {dayStartHour: 0, timezone: "Asia/Tokyo"}) { __typename } }')
    stored = (await api.data(PAGE, {"id": habit["id"], "n": 5}))["habit"]["checkIns"]["edges"]
    assert owl["day"] == "2026-03-09"
    assert [e["node"]["day"] for e in stored] == ["2026-03-09"]


async def test_dst_spring_forward_day_start_stays_on_the_wall_clock(api: Api, frozen_now: datetime) -> None:
    # Europe/Berlin springs forward on 29 March 2026; with dayStartHour 4 the day still starts at 04:00 local.
    clock.travel(datetime(2026, 3, 30, 12, 0, tzinfo=UTC) - datetime.now(UTC))
    api.as_user(await factories.user(timezone="Europe/Berlin"))
    await api.data('mutation { profileUpdate(input: {dayStartHour: 4}) { __typename } }')
    habit = await api.create_habit(startDate="2026-03-27")
    before = await api.check_in(habit["id"], occurredAt="2026-03-29T03:59:00+02:00")
    after = await api.check_in(habit["id"], occurredAt="2026-03-29T04:00:00+02:00")
    assert (before["day"], after["day"]) == ("2026-03-28", "2026-03-29")


async def test_undo_is_idempotent_and_scoped(api: Api) -> None:
    api.as_user(await factories.user())
    habit = await api.create_habit()
    check_in = await api.check_in(habit["id"], idempotencyKey="undo-me")
    first = (await api.data(UNDO, {"id": check_in["id"]}))["checkInUndo"]
    second = (await api.data(UNDO, {"id": check_in["id"]}))["checkInUndo"]
    replay = await api.check_in(habit["id"], idempotencyKey="undo-me")
    after = await api.habit(habit["id"], "doneToday currentStreak checkIns { edges { node { id } } }")
    assert first == second == {"__typename": "CheckIn", "id": check_in["id"], "undone": True}
    # a late retry of the undone check-in does not log it again
    assert (replay["id"], replay["undone"]) == (check_in["id"], True)
    assert after == {"doneToday": False, "currentStreak": 0, "checkIns": {"edges": []}}
    api.as_user(await factories.user())
    assert (await api.data(UNDO, {"id": check_in["id"]}))["checkInUndo"]["code"] == "NOT_FOUND"


async def test_skip_keeps_streak_and_rejects_future_days(api: Api, frozen_now: datetime) -> None:
    api.as_user(await factories.user())
    habit = await api.create_habit(startDate="2026-03-07")
    for day in (7, 8, 10):
        await api.check_in(habit["id"], occurredAt=f"2026-03-{day:02d}T09:00:00+00:00")
    without_skip = await api.habit(habit["id"], "currentStreak")
    skipped = (await api.data(SKIP, {"h": habit["id"], "d": "2026-03-09"}))["habitSkip"]
    again = (await api.data(SKIP, {"h": habit["id"], "d": "2026-03-09"}))["habitSkip"]
    future = (await api.data(SKIP, {"h": habit["id"], "d": "2026-03-11"}))["habitSkip"]
    before_start = (await api.data(SKIP, {"h": habit["id"], "d": "2026-03-06"}))["habitSkip"]
    days = (await api.data(DAYS, {"id": habit["id"], "f": "2026-03-06", "t": "2026-03-11"}))["habit"]["days"]
    unskipped = (await api.data(UNSKIP, {"h": habit["id"], "d": "2026-03-09"}))["habitUnskip"]
    assert without_skip == {"currentStreak": 1}
    assert skipped["currentStreak"] == again["currentStreak"] == 3
    assert (future["code"], before_start["code"]) == ("OUT_OF_RANGE", "OUT_OF_RANGE")
    assert [(d["date"], d["status"]) for d in days] == [
        ("2026-03-06", "NOT_DUE"), ("2026-03-07", "DONE"), ("2026-03-08", "DONE"), ("2026-03-09", "SKIPPED"),
        ("2026-03-10", "DONE"), ("2026-03-11", "FUTURE")]
    assert unskipped["currentStreak"] == 1
    assert await tables.HabitSkip.count() == 0


async def test_days_range_is_validated(api: Api) -> None:
    api.as_user(await factories.user())
    habit = await api.create_habit()
    assert await api.codes(DAYS, {"id": habit["id"], "f": "2026-03-10", "t": "2026-03-01"}) == ["BAD_USER_INPUT"]
    assert await api.codes(DAYS, {"id": habit["id"], "f": "2020-01-01", "t": "2026-01-01"}) == ["BAD_USER_INPUT"]


async def test_check_in_pages_and_day_filter(api: Api, frozen_now: datetime) -> None:
    api.as_user(await factories.user())
    habit = await api.create_habit(startDate="2026-03-01")
    for day in range(1, 8):
        await api.check_in(habit["id"], occurredAt=f"2026-03-{day:02d}T08:00:00+00:00", quantity=day)
    seen: list[float] = []
    cursor = None
    pages = 0
    while True:
        page = (await api.data(PAGE, {"id": habit["id"], "n": 3, "a": cursor}))["habit"]["checkIns"]
        seen += [e["node"]["quantity"] for e in page["edges"]]
        pages += 1
        if not page["pageInfo"]["hasNextPage"]:
            break
        cursor = page["pageInfo"]["endCursor"]
    filtered = (await api.data(PAGE, {"id": habit["id"], "f": "2026-03-03", "t": "2026-03-04"}))["habit"]
    assert (seen, pages) == ([7.0, 6.0, 5.0, 4.0, 3.0, 2.0, 1.0], 3)
    assert [e["node"]["day"] for e in filtered["checkIns"]["edges"]] == ["2026-03-04", "2026-03-03"]
    assert await api.codes(PAGE, {"id": habit["id"], "n": 101}) == ["BAD_USER_INPUT"]
    assert await api.codes(PAGE, {"id": habit["id"], "a": "garbage"}) == ["BAD_USER_INPUT"]


async def test_streak_and_strength_follow_the_contract_through_the_api(api: Api, frozen_now: datetime) -> None:
    api.as_user(await factories.user())
    habit = await api.create_habit(startDate="2026-03-01", targetQuantity=10, unit="pages", category="READING")
    # 1..7 March: 10 pages a day, 8 March: 4 pages (partial), 9 March: nothing, 10 March: 10 pages
    for day in range(1, 8):
        await api.check_in(habit["id"], occurredAt=f"2026-03-{day:02d}T20:00:00+00:00", quantity=10)
    await api.check_in(habit["id"], occurredAt="2026-03-08T20:00:00+00:00", quantity=4)
    await api.check_in(habit["id"], occurredAt="2026-03-10T07:00:00+00:00", quantity=10)
    got = await api.habit(habit["id"], "currentStreak longestStreak strength doneToday freezesHeld")
    m = 0.5 ** (1 / 13)
    s = 0.0
    for v in [1, 1, 1, 1, 1, 1, 1, 0.4, 0, 1]:
        s = s * m + v * (1 - m)
    days = (await api.data(DAYS, {"id": habit["id"], "f": "2026-03-07", "t": "2026-03-10"}))["habit"]["days"]
    # seven done days earned a freeze, spent on the partial 8th; the empty 9th breaks the streak
    assert [d["status"] for d in days] == ["DONE", "FROZEN", "MISSED", "DONE"]
    assert (got["currentStreak"], got["longestStreak"], got["doneToday"], got["freezesHeld"]) == (1, 7, True, 0)
    assert got["strength"] == pytest.approx(100 * s, abs=1e-3)
    assert date(2026, 3, 10) == frozen_now.date()


async def test_day_series_matches_days(api: Api, frozen_now: datetime) -> None:
    api.as_user(await factories.user())
    habit = await api.create_habit(startDate="2026-03-07", targetQuantity=2)
    await api.check_in(habit["id"], occurredAt="2026-03-08T09:00:00+00:00", quantity=2)
    await api.check_in(habit["id"], occurredAt="2026-03-09T09:00:00+00:00", quantity=1)
    query = """query($id: ID!) { habit(id: $id) { days(from: "2026-03-06", to: "2026-03-11") { status quantity }
      daySeries(from: "2026-03-06", to: "2026-03-11") { start end statuses quantities } } }"""
    got = (await api.data(query, {"id": habit["id"]}))["habit"]
    series = got["daySeries"]
    assert (series["start"], series["end"]) == ("2026-03-06", "2026-03-11")
    assert series["statuses"] == [d["status"] for d in got["days"]] == [
        "NOT_DUE", "MISSED", "DONE", "PARTIAL", "PENDING", "FUTURE"]
    assert series["quantities"] == [d["quantity"] for d in got["days"]] == [0, 0, 2, 1, 0, 0]
