"""Pauses through /graphql: a paused day reads as a skipped day everywhere, and only its owner sees it."""

from __future__ import annotations

import base64
import csv
import io
import json
import zipfile
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from server import clock
from server.database import count_queries
from tests import factories
from tests.integration.api import Api
from tests.integration.background import engine_without_worker, run_queued

PAUSE = "id from to reason createdAt habits { id name }"
CREATE = f"""mutation($input: PauseCreateInput!) {{ pauseCreate(input: $input) {{ __typename
  ... on Error {{ code message field }} ... on Pause {{ {PAUSE} }} }} }}"""
DELETE = "mutation($id: ID!) { pauseDelete(id: $id) { __typename ... on Error { code } ... on PauseDeleted { id } } }"
HABIT = """query($id: ID!, $f: Date!, $t: Date!) { habit(id: $id) { currentStreak freezesHeld strength
  days(from: $f, to: $t) { date status } } }"""


def _day(back: int) -> date:
    return clock.now().date() - timedelta(days=back)


def _noon(back: int) -> datetime:
    return datetime.combine(_day(back), time(12), tzinfo=UTC)


async def _create(api: Api, **fields: Any) -> dict[str, Any]:
    out: dict[str, Any] = (await api.data(CREATE, {"input": fields}))["pauseCreate"]
    return out


async def _habit(api: Api, habit_id: str, first: int, last: int) -> dict[str, Any]:
    data = await api.data(HABIT, {"id": habit_id, "f": _day(first).isoformat(), "t": _day(last).isoformat()})
    habit: dict[str, Any] = data["habit"]
    return habit


async def _done_on(me: factories.User, habit_id: Any, backs: range) -> None:
    for back in backs:
        await factories.check_in(me, habit_id, occurred_at=_noon(back))


async def test_a_past_break_keeps_the_streak_and_calling_it_off_takes_it_back(api: Api) -> None:
    me = await factories.user()
    api.as_user(me)
    walk = await factories.habit(me, "Walk", start_date=_day(20))
    # done 20..11 days ago, away 10..4 days ago (a check-in on day 6 anyway), done since 3 days ago
    await _done_on(me, walk.id, range(11, 21))
    await _done_on(me, walk.id, range(0, 4))
    await factories.check_in(me, walk.id, occurred_at=_noon(6))
    before = await _habit(api, str(walk.id), 10, 4)
    assert before["currentStreak"] == 4

    pause = await _create(api, habitIds=[str(walk.id)], **{"from": _day(10).isoformat(), "to": _day(4).isoformat()},
                          reason="  flu  ")
    assert pause["__typename"] == "Pause", pause
    assert (pause["from"], pause["to"], pause["reason"]) == (_day(10).isoformat(), _day(4).isoformat(), "flu")
    assert pause["habits"] == [{"id": str(walk.id), "name": "Walk"}]

    paused = await _habit(api, str(walk.id), 10, 4)
    assert [d["status"] for d in paused["days"]] == ["SKIPPED"] * 4 + ["DONE"] + ["SKIPPED"] * 2
    assert paused["currentStreak"] == 15  # 10 + the check-in on a paused day + 4
    assert paused["freezesHeld"] == 2
    assert paused["strength"] > before["strength"]
    listed = (await api.data(f"{{ pauses {{ {PAUSE} }} }}"))["pauses"]
    assert listed == [{k: v for k, v in pause.items() if k != "__typename"}]

    deleted = (await api.data(DELETE, {"id": pause["id"]}))["pauseDelete"]
    assert deleted == {"__typename": "PauseDeleted", "id": pause["id"]}
    assert await _habit(api, str(walk.id), 10, 4) == before
    assert (await api.data("{ pauses { id } }"))["pauses"] == []
    again = (await api.data(DELETE, {"id": pause["id"]}))["pauseDelete"]
    assert again == {"__typename": "NotFoundError", "code": "NOT_FOUND"}


async def test_a_break_from_everything_covers_habits_created_later_and_planned_ones(api: Api) -> None:
    me = await factories.user()
    api.as_user(me)
    everything = await _create(api, **{"from": _day(5).isoformat(), "to": _day(-30).isoformat()})
    assert everything["__typename"] == "Pause" and everything["habits"] is None
    # a habit created afterwards, starting inside the range, is paused too, today included
    read = await factories.habit(me, "Read", start_date=_day(3))
    habit = await _habit(api, str(read.id), 3, -2)
    assert [d["status"] for d in habit["days"]] == ["SKIPPED"] * 4 + ["FUTURE"] * 2
    planned = await _create(api, **{"from": _day(-366).isoformat(), "to": _day(-366).isoformat()})
    assert planned["__typename"] == "Pause"
    assert [p["id"] for p in (await api.data("{ pauses { id } }"))["pauses"]] == [planned["id"], everything["id"]]


async def test_bad_ranges_and_habits_that_are_not_yours_get_typed_errors(api: Api) -> None:
    stranger = await factories.user()
    theirs = await factories.habit(stranger, "Secret stranger habit", start_date=_day(30))
    me = await factories.user()
    api.as_user(me)
    mine = await factories.habit(me, "Walk", start_date=_day(30))

    async def error(**fields: Any) -> tuple[str, str, str | None]:
        out = await _create(api, **fields)
        assert "Secret" not in json.dumps(out)
        return out["__typename"], out["code"], out["field"]

    def span(first: int, last: int) -> dict[str, str]:
        return {"from": _day(first).isoformat(), "to": _day(last).isoformat()}

    assert await error(**span(3, 5)) == ("InvalidInputError", "INVALID_INPUT", "to")
    assert await error(**span(400, 30)) == ("OutOfRangeError", "OUT_OF_RANGE", "to")
    assert await error(**span(-367, -368)) == ("OutOfRangeError", "OUT_OF_RANGE", "from")
    assert await error(habitIds=[], **span(3, 1)) == ("InvalidInputError", "INVALID_INPUT", "habitIds")
    assert await error(habitIds=[str(mine.id), str(theirs.id)], **span(3, 1)) == (
        "NotFoundError", "NOT_FOUND", "habitIds")
    assert await error(habitIds=["not-an-id"], **span(3, 1)) == ("NotFoundError", "NOT_FOUND", "habitIds")
    assert await error(reason="x" * 201, **span(3, 1)) == ("InvalidInputError", "INVALID_INPUT", "reason")
    assert (await api.data("{ pauses { id } }"))["pauses"] == []  # nothing was written

    # the stranger's pause can be neither seen nor deleted
    api.as_user(stranger)
    theirs_pause = await _create(api, habitIds=[str(theirs.id)], **span(3, 1))
    api.as_user(me)
    assert (await api.data("{ pauses { id } }"))["pauses"] == []
    out = (await api.data(DELETE, {"id": theirs_pause["id"]}))["pauseDelete"]
    assert out == {"__typename": "NotFoundError", "code": "NOT_FOUND"}
    api.as_user(stranger)
    assert [p["id"] for p in (await api.data("{ pauses { id } }"))["pauses"]] == [theirs_pause["id"]]


async def test_the_recompute_follows_a_pause_and_takes_no_award_away(api: Api) -> None:
    async with engine_without_worker() as engine:
        me = await factories.user()
        api.as_user(me)
        walk = await factories.habit(me, "Walk", start_date=_day(9))
        # done 9..6 and 2..0 days ago: two runs of 4 and 3, so no 7-day streak yet
        await _done_on(me, walk.id, range(6, 10))
        await _done_on(me, walk.id, range(0, 3))
        await run_queued(engine)
        query = '{ achievements { key unlocked } confidence { score } }'

        def streak_7(data: dict[str, Any]) -> bool:
            return next(a["unlocked"] for a in data["achievements"] if a["key"] == "streak-7")

        assert not streak_7(await api.data(query))
        before = (await api.data(query))["confidence"]["score"]
        pause = await _create(api, habitIds=[str(walk.id)], **{"from": _day(5).isoformat(), "to": _day(3).isoformat()})
        assert await run_queued(engine) >= 1
        bridged = await api.data(query)
        assert streak_7(bridged) and bridged["confidence"]["score"] > before
        (await api.data(DELETE, {"id": pause["id"]}))["pauseDelete"]
        assert await run_queued(engine) >= 1
        after = await api.data(query)
        assert streak_7(after)  # earned stays earned
        assert after["confidence"]["score"] < bridged["confidence"]["score"]


async def test_loops_export_shows_paused_days_as_skips_from_the_start_to_today(api: Api) -> None:
    me = await factories.user()
    api.as_user(me)
    await factories.habit(me, "Walk", start_date=_day(4))
    await _create(api, **{"from": _day(10).isoformat(), "to": _day(-3).isoformat()})
    out = (await api.data("{ loopExport { archive } }"))["loopExport"]
    with zipfile.ZipFile(io.BytesIO(base64.b64decode(out["archive"]))) as archive:
        name = next(n for n in archive.namelist() if n.endswith("Checkmarks.csv"))
        rows = list(csv.DictReader(io.StringIO(archive.read(name).decode())))
    assert sorted(r["Date"] for r in rows if r["Value"] == "SKIP") == [_day(b).isoformat() for b in range(4, -1, -1)]


async def test_listing_pauses_with_their_habits_costs_the_same_for_many(api: Api) -> None:
    me = await factories.user()
    api.as_user(me)
    habits = [str((await factories.habit(me, f"Habit {n}")).id) for n in range(4)]

    async def cost() -> tuple[int, int]:
        with count_queries() as counter:
            listed = (await api.data("{ pauses { id habits { id name currentStreak } } }"))["pauses"]
        return counter.count, len(listed)

    await _create(api, habitIds=habits[:2], **{"from": _day(3).isoformat(), "to": _day(2).isoformat()})
    few = await cost()
    for n in range(4):
        await _create(api, habitIds=habits[n:], **{"from": _day(9 + n).isoformat(), "to": _day(8).isoformat()})
    await _create(api, **{"from": _day(1).isoformat(), "to": _day(1).isoformat()})
    many = await cost()
    assert (few[1], many[1]) == (1, 6)
    assert few[0] == many[0]
