"""habitDelete: the habit and everything hanging off it go in one transaction; what was earned stays."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from uuid import UUID

from piccolo.columns import ForeignKey
from piccolo.conf.apps import Finder

from server import clock
from server.habits import tables
from tests import factories
from tests.integration.api import Api
from tests.integration.background import engine_without_worker, run_queued

DELETE = "mutation($id: ID!) { habitDelete(id: $id) { __typename ... on Error { code } ... on HabitDeleted { id } } }"
PAUSE = """mutation($h: [ID!], $f: Date!, $t: Date!) { pauseCreate(input: {habitIds: $h, from: $f, to: $t})
  { ... on Pause { id } } }"""


def _day(back: int) -> date:
    return clock.now().date() - timedelta(days=back)


async def _rows_of(habit_id: UUID) -> dict[str, int]:
    """Rows pointing at the habit, in every table that has a foreign key to habits (found, not listed)."""
    counts = {"habit": await tables.Habit.count().where(tables.Habit.id == habit_id)}
    for table in Finder().get_table_classes():
        for column in table._meta.foreign_key_columns:
            assert isinstance(column, ForeignKey)
            if column._foreign_key_meta.resolved_references is tables.Habit:
                counts[f"{table._meta.tablename}.{column._meta.name}"] = await table.count().where(
                    column == habit_id)
    return counts


async def test_deleting_a_habit_leaves_no_row_of_it_and_keeps_what_was_earned(api: Api) -> None:
    async with engine_without_worker() as engine:
        me = await factories.user()
        api.as_user(me)
        walk = await factories.habit(me, "Walk", start_date=_day(10))
        read = await factories.habit(me, "Read", start_date=_day(10))
        for back in range(8):
            await factories.check_in(me, walk.id, occurred_at=datetime.combine(_day(back), time(9), tzinfo=UTC))
        await api.data("mutation($h: ID!, $d: Date!) { habitSkip(habitId: $h, day: $d) { __typename } }",
                       {"h": str(walk.id), "d": _day(9).isoformat()})
        alone = await api.data(PAUSE, {"h": [str(walk.id)], "f": _day(9).isoformat(), "t": _day(9).isoformat()})
        shared = await api.data(PAUSE, {"h": [str(walk.id), str(read.id)], "f": _day(9).isoformat(),
                                        "t": _day(9).isoformat()})
        everything = await api.data(PAUSE, {"h": None, "f": _day(9).isoformat(), "t": _day(9).isoformat()})
        await run_queued(engine)
        earned = {a["key"] for a in (await api.data("{ achievements { key unlocked } }"))["achievements"]
                  if a["unlocked"]}
        assert {"first-check-in", "streak-7"} <= earned
        before = await _rows_of(walk.id)
        assert before["check_in.habit"] == 8 and before["habit_skip.habit"] == 1 and before["pause_habit.habit"] == 2

        out = (await api.data(DELETE, {"id": str(walk.id)}))["habitDelete"]
        assert out == {"__typename": "HabitDeleted", "id": str(walk.id)}
        assert set((await _rows_of(walk.id)).values()) == {0}
        # the pause of Walk alone went with it; the one shared with Read and the one of everything stay
        pauses = (await api.data("{ pauses { id habits { name } } }"))["pauses"]
        assert sorted((p["id"], str(p["habits"])) for p in pauses) == sorted([
            (shared["pauseCreate"]["id"], "[{'name': 'Read'}]"), (everything["pauseCreate"]["id"], "None")])
        assert alone["pauseCreate"]["id"] not in {p["id"] for p in pauses}
        assert [h["name"] for h in (await api.data("{ habits(includeArchived: true) { name } }"))["habits"]] == [
            "Read"]
        assert await run_queued(engine) >= 1
        still = {a["key"] for a in (await api.data("{ achievements { key unlocked } }"))["achievements"]
                 if a["unlocked"]}
        assert earned <= still
        again = (await api.data(DELETE, {"id": str(walk.id)}))["habitDelete"]
        assert again == {"__typename": "NotFoundError", "code": "NOT_FOUND"}


async def test_someone_elses_habit_cannot_be_deleted(api: Api) -> None:
    owner = await factories.user()
    theirs = await factories.habit(owner, "Theirs")
    await factories.check_in(owner, theirs.id)
    api.as_user(await factories.user())
    for id_ in (str(theirs.id), "not-an-id"):
        assert (await api.data(DELETE, {"id": id_}))["habitDelete"] == {"__typename": "NotFoundError",
                                                                        "code": "NOT_FOUND"}
    assert (await _rows_of(theirs.id))["check_in.habit"] == 1
