"""Habits through the API: create, update, archive, list, validation and isolation."""

from __future__ import annotations

from tests.integration.api import ERROR, FIELD, HABIT, HABIT_CREATE, Api

UPDATE = f"""mutation($id: ID!, $input: HabitUpdateInput!) {{ habitUpdate(id: $id, input: $input) {{
  {ERROR} {FIELD} ... on Habit {{ {HABIT} }} }} }}"""
ARCHIVE = f"mutation($id: ID!) {{ habitArchive(id: $id) {{ {ERROR} ... on Habit {{ id archived }} }} }}"
RESTORE = f"mutation($id: ID!) {{ habitRestore(id: $id) {{ {ERROR} ... on Habit {{ id archived }} }} }}"


async def test_create_habit_with_every_schedule(api: Api) -> None:
    await api.sign_up()
    today = (await api.data("{ me { today } }"))["me"]["today"]
    daily = await api.create_habit(name="  Walk  ")
    weekdays = await api.create_habit(name="Lift", schedule={"period": "WEEKDAYS", "weekdays": [5, 1, 3]})
    weekly = await api.create_habit(name="Read", category="READING", targetQuantity=10, unit="pages",
                                    schedule={"period": "WEEKLY", "timesPerWeek": 3}, startDate="2026-01-05")
    quit_ = await api.create_habit(name="No contact", category="CUSTOM", kind="QUIT")
    assert (daily["name"], daily["startDate"], daily["targetQuantity"], daily["streakUnit"]) == (
        "Walk", today, 1.0, "DAYS")
    assert weekdays["schedule"] == {"period": "WEEKDAYS", "weekdays": [1, 3, 5], "timesPerWeek": None}
    assert (weekly["schedule"]["timesPerWeek"], weekly["unit"], weekly["startDate"], weekly["streakUnit"]) == (
        3, "pages", "2026-01-05", "WEEKS")
    assert (quit_["kind"], quit_["strength"], quit_["doneToday"]) == ("QUIT", 100.0, True)
    listed = (await api.data("{ habits { name } }"))["habits"]
    assert [h["name"] for h in listed] == ["Walk", "Lift", "Read", "No contact"]


async def test_invalid_habits_are_typed_errors_and_store_nothing(api: Api) -> None:
    await api.sign_up()
    cases = [
        ({"name": ""}, "name"),
        ({"name": "x" * 81}, "name"),
        ({"schedule": {"period": "WEEKDAYS", "weekdays": []}}, "schedule"),
        ({"schedule": {"period": "WEEKDAYS", "weekdays": [0, 8]}}, "schedule"),
        ({"schedule": {"period": "WEEKLY", "timesPerWeek": 8}}, "schedule"),
        ({"schedule": {"period": "DAILY", "timesPerWeek": 2}}, "schedule"),
        ({"targetQuantity": 0}, "targetQuantity"),
        ({"targetQuantity": -3}, "targetQuantity"),
        ({"unit": "u" * 25}, "unit"),
        ({"startDate": "1900-01-01"}, "startDate"),
    ]
    for fields, field in cases:
        payload = {"name": "Walk", "category": "WORKOUT", "kind": "BUILD", "schedule": {"period": "DAILY"},
                   **fields}
        out = (await api.data(HABIT_CREATE, {"input": payload}))["habitCreate"]
        assert (out["code"], out["field"]) == ("INVALID_INPUT", field), fields
    assert (await api.data("{ habits { id } }"))["habits"] == []


async def test_unknown_enum_is_a_top_level_bad_user_input(api: Api) -> None:
    await api.sign_up()
    payload = {"name": "x", "category": "SPORTS", "kind": "BUILD", "schedule": {"period": "DAILY"}}
    assert await api.codes(HABIT_CREATE, {"input": payload}) == ["BAD_USER_INPUT"]


async def test_update_changes_fields_but_not_kind(api: Api) -> None:
    await api.sign_up()
    habit = await api.create_habit()
    updated = (await api.data(UPDATE, {"id": habit["id"], "input": {
        "name": "Morning walk", "targetQuantity": 30, "unit": "minutes",
        "schedule": {"period": "WEEKDAYS", "weekdays": [1, 2]}}}))["habitUpdate"]
    assert (updated["name"], updated["targetQuantity"], updated["unit"], updated["schedule"]["weekdays"]) == (
        "Morning walk", 30.0, "minutes", [1, 2])
    assert updated["category"] == "WORKOUT"


async def test_archive_hides_and_restore_brings_back(api: Api) -> None:
    await api.sign_up()
    habit = await api.create_habit()
    archived = (await api.data(ARCHIVE, {"id": habit["id"]}))["habitArchive"]
    default_list = (await api.data("{ habits { id } }"))["habits"]
    full_list = (await api.data("{ habits(includeArchived: true) { id archived } }"))["habits"]
    check_in = await api.check_in(habit["id"])
    restored = (await api.data(RESTORE, {"id": habit["id"]}))["habitRestore"]
    assert archived == {"__typename": "Habit", "id": habit["id"], "archived": True}
    assert default_list == []
    assert full_list == [{"id": habit["id"], "archived": True}]
    assert (check_in["code"], check_in["field"]) == ("INVALID_INPUT", "habitId")
    assert restored["archived"] is False


async def test_other_users_habits_are_invisible_and_untouchable(api: Api) -> None:
    await api.sign_up()
    habit = await api.create_habit(name="Mine")
    owner = api.token
    await api.sign_up()
    seen = await api.habit(habit["id"])
    update = (await api.data(UPDATE, {"id": habit["id"], "input": {"name": "Stolen"}}))["habitUpdate"]
    archive = (await api.data(ARCHIVE, {"id": habit["id"]}))["habitArchive"]
    listed = (await api.data("{ habits(includeArchived: true) { id } }"))["habits"]
    api.token = owner
    after = await api.habit(habit["id"])
    assert seen is None and listed == []
    assert update["code"] == archive["code"] == "NOT_FOUND"
    assert after is not None and (after["name"], after["archived"]) == ("Mine", False)


async def test_malformed_ids_are_not_found(api: Api) -> None:
    await api.sign_up()
    assert await api.habit("not-a-uuid") is None
    out = (await api.data(ARCHIVE, {"id": "not-a-uuid"}))["habitArchive"]
    assert out["code"] == "NOT_FOUND"
