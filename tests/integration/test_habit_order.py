"""Habit.position and habitsReorder: new habits last, every list follows the owner's order."""

from __future__ import annotations

from typing import Any

from server.database import DB
from server.habits import tables
from server.habits.piccolo_migrations.habits_2026_12_03t15_16_11_000000 import STATEMENT as NUMBER_EXISTING
from tests import factories
from tests.integration.api import Api

REORDER = "mutation($ids: [ID!]!) { habitsReorder(ids: $ids) { name position archived } }"
LIST = "{ habits(includeArchived: true) { name position } }"


async def _names(api: Api) -> list[str]:
    return [h["name"] for h in (await api.data(LIST))["habits"]]


async def test_new_habits_go_last_and_a_reorder_moves_only_the_habits_listed(api: Api) -> None:
    me = await factories.user()
    api.as_user(me)
    made = {name: str((await factories.habit(me, name)).id) for name in ("Walk", "Read", "Gym", "Call")}
    assert (await api.data(LIST))["habits"] == [{"name": n, "position": p} for p, n in
                                               enumerate(["Walk", "Read", "Gym", "Call"])]
    await api.data("mutation($id: ID!) { habitArchive(id: $id) { __typename } }", {"id": made["Read"]})
    # the active habits, as a dashboard lists them: the archived Read keeps its place
    out = (await api.data(REORDER, {"ids": [made["Call"], made["Walk"], made["Gym"]]}))["habitsReorder"]
    assert [(h["name"], h["position"], h["archived"]) for h in out] == [
        ("Call", 0, False), ("Read", 1, True), ("Walk", 2, False), ("Gym", 3, False)]
    assert [h["name"] for h in (await api.data("{ habits { name } }"))["habits"]] == ["Call", "Walk", "Gym"]
    await factories.habit(me, "Stretch")
    assert await _names(api) == ["Call", "Read", "Walk", "Gym", "Stretch"]
    # two of them swap; the rest stay
    await api.data(REORDER, {"ids": [made["Gym"], made["Call"]]})
    assert await _names(api) == ["Gym", "Read", "Walk", "Call", "Stretch"]


async def test_a_reorder_naming_someone_elses_habit_or_one_twice_changes_nothing(api: Api) -> None:
    stranger = await factories.user()
    theirs = str((await factories.habit(stranger, "Secret")).id)
    me = await factories.user()
    api.as_user(me)
    mine = [str((await factories.habit(me, name)).id) for name in ("Walk", "Read")]

    async def error(ids: list[str]) -> tuple[str, str]:
        doc = await api.post(REORDER, {"ids": ids})
        assert doc["data"] is None and "Secret" not in str(doc)
        return doc["errors"][0]["extensions"]["code"], doc["errors"][0]["extensions"]["field"]

    assert await error([mine[1], theirs]) == ("NOT_FOUND", "ids")
    assert await error([mine[1], "not-an-id"]) == ("NOT_FOUND", "ids")
    assert await error([mine[1], mine[1]]) == ("BAD_USER_INPUT", "ids")
    assert await _names(api) == ["Walk", "Read"]
    api.as_user(stranger)
    assert await _names(api) == ["Secret"]


async def test_export_and_restore_keep_the_order(api: Api) -> None:
    me = await factories.user()
    api.as_user(me)
    ids = [str((await factories.habit(me, name)).id) for name in ("Walk", "Read", "Gym")]
    await api.data(REORDER, {"ids": [ids[2], ids[0], ids[1]]})
    exported: dict[str, Any] = (await api.data("{ export }"))["export"]
    assert [(h["name"], h["position"]) for h in exported["habits"]] == [("Gym", 0), ("Walk", 1), ("Read", 2)]
    other = await factories.user()
    api.as_user(other)
    await factories.habit(other, "Mine first")
    # the document's list order is not what counts: its positions are
    exported["habits"].reverse()
    out = await api.data("mutation($d: JSON!) { accountImport(input: {data: $d}) { __typename } }", {"d": exported})
    assert out["accountImport"]["__typename"] == "AccountImportReport"
    assert await _names(api) == ["Mine first", "Gym", "Walk", "Read"]
    assert [h["position"] for h in (await api.data(LIST))["habits"]] == [0, 1, 2, 3]


async def test_the_migration_numbers_existing_habits_in_creation_order() -> None:
    me, other = await factories.user(), await factories.user()
    for owner, names in ((me, ("a", "b", "c")), (other, ("x", "y"))):
        for name in names:
            await factories.habit(owner, name)
    await tables.Habit.update({tables.Habit.position: 0}, force=True)  # as before positions existed
    await DB.run_ddl(NUMBER_EXISTING)
    rows = await tables.Habit.select(tables.Habit.name, tables.Habit.position).order_by(tables.Habit.name)
    assert [(r["name"], r["position"]) for r in rows] == [("a", 0), ("b", 1), ("c", 2), ("x", 0), ("y", 1)]
