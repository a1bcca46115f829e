"""Habits through the API: create, update, archive, list, validation and isolation."""

from __future__ import annotations

from datetime import date, timedelta

from tests import factories
from tests.integration.api import ERROR, FIELD, HABIT, HABIT_CREATE, Api

UPDATE = f"""mutation($id: ID!, $input: HabitUpdateInput!) {{ habitUpdate(id: $id, input: $input) {{
  {ERROR} {FIELD} ... on Habit {{ {HABIT} }} }} }}"""
ARCHIVE = f"mutation($id: ID!) {{ habitArchive(id: $id) {{ {ERROR} ... on Habit {{ id archived }} }} }}"
RESTORE = f"mutation($id: ID!) {{ habitRestore(id: $id) {{ {ERROR} ... on Habit {{ id archived }} }} }}"


async def test_create_habit_with_every_schedule(api: Api) -> None:
    api.as_user(await factories.user())
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
    # contract v2: a quit habit starts from 0 like every habit; today, clean so far, is its first day
    assert (quit_["kind"], quit_["strength"], quit_["doneToday"]) == ("QUIT", 5.1922, True)
    listed = (await api.data("{ habits { name } }"))["habits"]
    assert [h["name"] for h in listed] == ["Walk", "Lift", "Read", "No contact"]


async def test_invalid_habits_are_typed_errors_and_store_nothing(api: Api) -> None:
    api.as_user(await factories.user())
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
        ({"schedule": {"period": "INTERVAL", "times": 2}}, "schedule"),
        ({"schedule": {"period": "INTERVAL", "times": 4, "days": 3}}, "schedule"),
        ({"schedule": {"period": "INTERVAL", "times": 0, "days": 3}}, "schedule"),
        ({"schedule": {"period": "INTERVAL", "times": 1, "days": 366}}, "schedule"),
        ({"schedule": {"period": "INTERVAL", "times": 1, "days": 7, "timesPerWeek": 1}}, "schedule"),
        ({"schedule": {"period": "WEEKLY", "timesPerWeek": 2, "days": 7}}, "schedule"),
        ({"schedule": {"period": "DAILY", "total": True}}, "schedule"),
        ({"dailyLimit": 2}, "dailyLimit"),
        ({"kind": "QUIT", "dailyLimit": -1}, "dailyLimit"),
        ({"color": "red"}, "color"),
        ({"color": "#12345"}, "color"),
        ({"description": "d" * 1001}, "description"),
        ({"question": "q" * 201}, "question"),
    ]
    for fields, field in cases:
        payload = {"name": "Walk", "category": "WORKOUT", "kind": "BUILD", "schedule": {"period": "DAILY"},
                   **fields}
        out = (await api.data(HABIT_CREATE, {"input": payload}))["habitCreate"]
        assert (out["code"], out["field"]) == ("INVALID_INPUT", field), fields
    assert (await api.data("{ habits { id } }"))["habits"] == []


async def test_unknown_enum_is_a_top_level_bad_user_input(api: Api) -> None:
    api.as_user(await factories.user())
    payload = {"name": "x", "category": "SPORTS", "kind": "BUILD", "schedule": {"period": "DAILY"}}
    assert await api.codes(HABIT_CREATE, {"input": payload}) == ["BAD_USER_INPUT"]


async def test_update_changes_fields_but_not_kind(api: Api) -> None:
    api.as_user(await factories.user())
    habit = await api.create_habit()
    updated = (await api.data(UPDATE, {"id": habit["id"], "input": {
        "name": "Morning walk", "targetQuantity": 30, "unit": "minutes",
        "schedule": {"period": "WEEKDAYS", "weekdays": [1, 2]}}}))["habitUpdate"]
    assert (updated["name"], updated["targetQuantity"], updated["unit"], updated["schedule"]["weekdays"]) == (
        "Morning walk", 30.0, "minutes", [1, 2])
    assert updated["category"] == "WORKOUT"


async def test_archive_hides_and_restore_brings_back(api: Api) -> None:
    api.as_user(await factories.user())
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
    api.as_user(await factories.user())
    habit = await api.create_habit(name="Mine")
    owner = api.token
    api.as_user(await factories.user())
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
    api.as_user(await factories.user())
    assert await api.habit("not-a-uuid") is None
    out = (await api.data(ARCHIVE, {"id": "not-a-uuid"}))["habitArchive"]
    assert out["code"] == "NOT_FOUND"


INTERVAL_FIELDS = """id kind schedule { period times days total timesPerWeek weekdays } streakUnit targetQuantity
  dailyLimit description question color"""


async def test_interval_schedules_quit_limits_and_habit_details(api: Api) -> None:
    # given
    api.as_user(await factories.user())
    create = f"""mutation($input: HabitCreateInput!) {{ habitCreate(input: $input) {{ {ERROR} {FIELD}
      ... on Habit {{ {INTERVAL_FIELDS} }} }} }}"""
    base = {"category": "WORKOUT", "kind": "BUILD"}

    # when
    wake = (await api.data(create, {"input": {**base, "name": "Wake up early", "description": "  Before 6  ",
                                              "question": "Did you wake up before 6am?", "color": "#00897B",
                                              "schedule": {"period": "INTERVAL", "times": 2, "days": 3}}}))
    run = (await api.data(create, {"input": {**base, "name": "Run", "targetQuantity": 20, "unit": "km",
                                             "schedule": {"period": "INTERVAL", "times": 1, "days": 7,
                                                          "total": True}}}))
    coffee = (await api.data(create, {"input": {**base, "name": "Coffee", "kind": "QUIT", "dailyLimit": 2,
                                                "schedule": {"period": "DAILY"}}}))

    # then
    assert wake["habitCreate"] == {
        "__typename": "Habit", "id": wake["habitCreate"]["id"], "kind": "BUILD", "streakUnit": "DAYS",
        "targetQuantity": 1.0,
        "schedule": {"period": "INTERVAL", "times": 2, "days": 3, "total": False, "timesPerWeek": None,
                     "weekdays": []},
        "dailyLimit": None, "description": "Before 6", "question": "Did you wake up before 6am?", "color": "#00897B"}
    assert run["habitCreate"]["schedule"] == {"period": "INTERVAL", "times": 1, "days": 7, "total": True,
                                              "timesPerWeek": None, "weekdays": []}
    assert (coffee["habitCreate"]["kind"], coffee["habitCreate"]["dailyLimit"]) == ("QUIT", 2.0)

    # and an update can clear the details and the limit, or switch the schedule
    update = f"""mutation($id: ID!, $input: HabitUpdateInput!) {{ habitUpdate(id: $id, input: $input) {{
      {ERROR} {FIELD} ... on Habit {{ {INTERVAL_FIELDS} }} }} }}"""
    cleared = (await api.data(update, {"id": wake["habitCreate"]["id"], "input": {
        "description": " ", "question": "", "color": "", "schedule": {"period": "WEEKLY", "timesPerWeek": 3}}}))
    unlimited = (await api.data(update, {"id": coffee["habitCreate"]["id"], "input": {"dailyLimit": 0}}))
    refused = (await api.data(update, {"id": run["habitCreate"]["id"], "input": {"dailyLimit": 1}}))
    assert (cleared["habitUpdate"]["description"], cleared["habitUpdate"]["question"],
            cleared["habitUpdate"]["color"]) == (None, None, None)
    assert cleared["habitUpdate"]["schedule"]["period"] == "WEEKLY"
    assert unlimited["habitUpdate"]["dailyLimit"] is None
    assert (refused["habitUpdate"]["code"], refused["habitUpdate"]["field"]) == ("INVALID_INPUT", "dailyLimit")


async def test_an_interval_habit_day_by_day_through_the_api(api: Api) -> None:
    # given "2 times in any 3 days" started 4 days ago, checked 4 and 3 days ago
    api.as_user(await factories.user())
    today = date.fromisoformat((await api.data("{ me { today } }"))["me"]["today"])
    start = today - timedelta(days=4)
    habit = await api.create_habit(name="Wake up early", startDate=start.isoformat(),
                                   schedule={"period": "INTERVAL", "times": 2, "days": 3})
    for back in (4, 3):
        await api.check_in(habit["id"], occurredAt=f"{(today - timedelta(days=back)).isoformat()}T12:00:00+00:00")

    # when
    out = await api.habit(habit["id"], f"""currentStreak longestStreak freezesHeld doneToday strength
      days(from: "{start.isoformat()}", to: "{(today + timedelta(days=1)).isoformat()}") {{ status }}""")

    # then the two check-ins cover the day after them, as Loop fills it in; then the run ends
    assert out is not None
    assert [d["status"] for d in out["days"]] == ["DONE", "DONE", "COVERED", "MISSED", "PENDING", "FUTURE"]
    assert (out["currentStreak"], out["longestStreak"], out["freezesHeld"], out["doneToday"]) == (0, 3, 0, False)
