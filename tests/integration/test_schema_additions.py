"""Additive schema fixes of issue 17: enum-typed fields beside v1's strings, and connections' totalCount."""

from __future__ import annotations

from datetime import UTC, date, datetime
from uuid import UUID

from server.database import count_queries
from server.habits.model import Category
from server.progress import service
from tests import factories
from tests.integration.api import Api


async def test_confidence_parts_and_requirement_kinds_as_enums_beside_the_deprecated_strings(api: Api) -> None:
    user = await factories.user()
    await factories.habit(user, "Garden", category=Category.CUSTOM)
    await factories.habit(user, "Walk", category=Category.WORKOUT)
    api.as_user(user)
    await service.recompute_user(UUID(str(user.id)))

    data = await api.data("""{ confidence { components { key part } }
        program { steps { requirements { kind requirementKind } } } }""")

    parts = {c["key"]: c["part"] for c in data["confidence"]["components"]}
    assert parts["OTHER"] == "CUSTOM" and parts["WORKOUT"] == "WORKOUT"
    assert all(key == part for key, part in parts.items() if key != "OTHER")
    requirements = [r for step in data["program"]["steps"] for r in step["requirements"]]
    assert requirements and all(r["kind"] == r["requirementKind"] for r in requirements)


CHECK_IN_TOTALS = """query($f: Date) { habits { name checkIns(first: 1, from: $f) {
  totalCount edges { node { id } } pageInfo { hasNextPage } } } }"""


async def test_connections_count_every_page_in_one_query_for_all_habits(api: Api) -> None:
    user = await factories.user()
    api.as_user(user)
    for n in range(3):
        habit = await factories.habit(user, f"Habit {n}", start_date=date(2026, 1, 1))
        for day in range(n + 1):
            await factories.check_in(user, habit.id, occurred_at=datetime(2026, 1, 1 + day, 12, tzinfo=UTC))
    undone = await api.check_in((await api.data("{ habits { id } }"))["habits"][2]["id"],
                                occurredAt="2026-01-05T12:00:00+00:00")
    await api.data("mutation($id: ID!) { checkInUndo(id: $id) { __typename } }", {"id": undone["id"]})
    for body in ("one", "two", "three"):
        await api.data("mutation($b: String!) { journalEntryCreate(input: {body: $b}) { __typename } }", {"b": body})

    with count_queries() as with_totals:
        everything = (await api.data(CHECK_IN_TOTALS))["habits"]
    since = (await api.data(CHECK_IN_TOTALS, {"f": "2026-01-02"}))["habits"]
    with count_queries() as pages_only:
        await api.data(CHECK_IN_TOTALS.replace("totalCount ", ""))
    journal = (await api.data("{ journalEntries(first: 1) { totalCount edges { node { body } } } }"))

    assert [h["checkIns"]["totalCount"] for h in everything] == [1, 2, 3]  # the undone one is not counted
    assert [len(h["checkIns"]["edges"]) for h in everything] == [1, 1, 1]
    assert [h["checkIns"]["totalCount"] for h in since] == [0, 1, 2]
    assert with_totals.count == pages_only.count + 1  # one count for every habit's connection
    assert journal["journalEntries"]["totalCount"] == 3 and len(journal["journalEntries"]["edges"]) == 1


async def test_habit_update_clears_a_unit_with_a_blank_and_a_target_with_1(api: Api) -> None:
    api.as_user(await factories.user())
    read = await api.create_habit(name="Read", category="READING", targetQuantity=20, unit="pages")

    cleared = (await api.data("""mutation($id: ID!) { habitUpdate(id: $id, input: {unit: "", targetQuantity: 1}) {
        ... on Habit { unit targetQuantity } } }""", {"id": read["id"]}))["habitUpdate"]

    assert cleared == {"unit": None, "targetQuantity": 1.0}
