"""Export everything, restore it elsewhere: identical streaks and strengths, idempotent, and the CSV."""

from __future__ import annotations

import asyncio
import contextvars
import csv
import io
import json
from datetime import UTC, datetime, timedelta
from uuid import UUID

import httpx
import pytest

from server import clock
from server.habits import tables
from server.progress import service as progress
from server.reminders import tables as reminders
from tests import factories
from tests.integration.api import ERROR, Api

NOW = datetime(2026, 3, 20, 15, 0, tzinfo=UTC)
EXPORT = "{ export }"
RESTORE = f"""mutation($input: AccountImportInput!) {{ accountImport(input: $input) {{ {ERROR}
  ... on InvalidInputError {{ field }}
  ... on AccountImportReport {{ dryRun habitsCreated checkInsCreated skipsCreated pausesCreated remindersCreated
    journalEntriesCreated achievementsRestored stepsRestored unchanged profileApplied }} }} }}"""
SUMMARY = """query($f: Date!, $t: Date!) { me { timezone dayStartHour } habits(includeArchived: true) {
  name kind schedule { period weekdays timesPerWeek times days total } targetQuantity unit startDate archived
  dailyLimit description question color
  currentStreak longestStreak streakUnit strength doneToday freezesHeld
  reminders { time weekdays enabled nextDueAt }
  days(from: $f, to: $t) { date quantity status } } }"""
SKIP = "mutation($h: ID!, $d: Date!) { habitSkip(habitId: $h, day: $d) { __typename } }"
UNDO = "mutation($id: ID!) { checkInUndo(id: $id) { __typename } }"
REMIND = f"""mutation($h: ID!, $input: ReminderInput!) {{ reminderSet(habitId: $h, input: $input) {{ {ERROR}
  ... on Reminder {{ id }} }} }}"""
REMINDERS = "{ habits(includeArchived: true) { id name reminders { time weekdays enabled nextDueAt } } }"


@pytest.fixture(autouse=True)
def frozen_now():  # type: ignore[no-untyped-def]
    clock.travel(NOW - datetime.now(UTC))
    yield NOW
    clock.travel(timedelta(0))


async def build_history(api: Api) -> dict[str, str]:
    """A night owl in New York with every kind of habit, undone check-ins, skips and a journal entry."""
    api.as_user(await factories.user(timezone="America/New_York"))
    await api.data('mutation { profileUpdate(input: {dayStartHour: 4, displayName: "Owl"}) { __typename } }')
    walk = await api.create_habit(name="Walk", startDate="2026-02-01")
    read = await api.create_habit(name="Read", category="READING", startDate="2026-02-10", targetQuantity=20,
                                  unit="pages")
    gym = await api.create_habit(name="Gym", schedule={"period": "WEEKLY", "timesPerWeek": 3},
                                 startDate="2026-02-02")
    calls = await api.create_habit(name="Call a friend", category="FRIENDS", startDate="2026-02-01",
                                   schedule={"period": "WEEKDAYS", "weekdays": [1, 3, 5]})
    quit_ = await api.create_habit(name="No contact", category="CUSTOM", kind="QUIT", startDate="2026-02-15")
    # version 2 of the document: an INTERVAL habit with its details, and a QUIT habit with a daily limit
    wake = await api.create_habit(name="Wake up early", startDate="2026-02-01", description="Before six",
                                  question="Did you wake up before 6am?", color="#00897B",
                                  schedule={"period": "INTERVAL", "times": 2, "days": 3})
    coffee = await api.create_habit(name="Coffee", category="CUSTOM", kind="QUIT", dailyLimit=2,
                                    startDate="2026-02-01")
    start = datetime(2026, 2, 1, 14, tzinfo=UTC)
    rows: list[dict] = []
    for n in range(48):
        day = (start + timedelta(days=n)).isoformat()
        if n % 9 != 4:
            rows.append({"habitId": walk["id"], "occurredAt": day})
        if n >= 9 and n % 4:
            rows.append({"habitId": read["id"], "occurredAt": day, "quantity": 5 + n % 23, "note": f"p{n}"})
        if n % 7 in (1, 3, 5):
            rows.append({"habitId": gym["id"], "occurredAt": day})
        if n % 5 in (0, 2):
            rows.append({"habitId": wake["id"], "occurredAt": day})
        if n % 6 == 0:
            rows.append({"habitId": coffee["id"], "occurredAt": day, "quantity": 1 + n % 4})
        if n % 2 == 0:  # 02:xx in New York: the night owl's previous day
            rows.append({"habitId": calls["id"], "occurredAt": (start + timedelta(days=n, hours=12)).isoformat()})
    imported = await api.data("mutation($i: CheckInsImportInput!) { checkInsImport(input: $i) { __typename } }",
                              {"i": {"rows": rows}})
    assert imported["checkInsImport"]["__typename"] == "CheckInsImportReport"
    await api.check_in(quit_["id"], occurredAt="2026-03-01T20:00:00+00:00", note="slipped")
    undone = await api.check_in(walk["id"], occurredAt="2026-03-13T14:00:00+00:00", idempotencyKey="oops")
    await api.data(UNDO, {"id": undone["id"]})
    await api.data(SKIP, {"h": walk["id"], "d": "2026-02-14"})
    await api.data(SKIP, {"h": read["id"], "d": "2026-03-05"})
    for habits, first, last, reason in (([walk["id"], read["id"]], "2026-02-20", "2026-02-24", "flu"),
                                        (None, "2026-03-08", "2026-03-09", None),
                                        ([gym["id"]], "2026-04-01", "2026-04-10", "planned trip")):
        paused = await api.data("mutation($i: PauseCreateInput!) { pauseCreate(input: $i) { __typename } }",
                                {"i": {"habitIds": habits, "from": first, "to": last, "reason": reason}})
        assert paused["pauseCreate"]["__typename"] == "Pause"
    await api.data("mutation { journalEntryCreate(input: {body: \"Day one.\", prompt: \"Why?\"}) { __typename } }")
    # version 4: reminders on the habit's days, on chosen ones, and one switched off (its habit archived next)
    for habit, reminder in ((walk, {"time": "07:30"}), (gym, {"time": "06:15", "weekdays": [4, 2]}),
                            (calls, {"time": "21:00", "weekdays": [1, 5], "enabled": False})):
        made = await api.data(REMIND, {"h": habit["id"], "input": reminder})
        assert made["reminderSet"]["__typename"] == "Reminder"
    await api.data("mutation($id: ID!) { habitArchive(id: $id) { __typename } }", {"id": calls["id"]})
    me = (await api.data("{ me { id } }"))["me"]["id"]
    await progress.recompute_user(UUID(me))  # awards achievements and records step 1's unlock
    return {"walk": walk["id"], "me": me}


async def summary(api: Api) -> dict:
    data = await api.data(SUMMARY, {"f": "2026-01-25", "t": "2026-03-21"})
    data["habits"].sort(key=lambda h: h["name"])
    return data


async def test_restore_gives_identical_streaks_and_strengths_and_is_idempotent(api: Api) -> None:
    await build_history(api)
    exported = (await api.data(EXPORT))["export"]
    source = await summary(api)
    api.as_user(await factories.user(timezone="UTC"))
    restored = (await api.data(RESTORE, {"input": {"data": exported}}))["accountImport"]
    target = await summary(api)
    again = (await api.data(RESTORE, {"input": {"data": exported}}))["accountImport"]
    dry = (await api.data(RESTORE, {"input": {"data": exported, "dryRun": True}}))["accountImport"]
    re_exported = (await api.data(EXPORT))["export"]

    assert restored == {"__typename": "AccountImportReport", "dryRun": False, "habitsCreated": 7,
                        "checkInsCreated": len(exported["checkIns"]), "skipsCreated": 2, "pausesCreated": 3,
                        "remindersCreated": 3, "journalEntriesCreated": 1,
                        "achievementsRestored": len(exported["achievements"]), "stepsRestored": 1, "unchanged": 0,
                        "profileApplied": True}
    assert target == source
    assert any(h["freezesHeld"] for h in source["habits"]) and any(h["currentStreak"] for h in source["habits"])
    wake = next(h for h in source["habits"] if h["name"] == "Wake up early")
    coffee = next(h for h in source["habits"] if h["name"] == "Coffee")
    assert "COVERED" in {d["status"] for d in wake["days"]} and wake["color"] == "#00897B"
    assert {"SLIP", "CLEAN"} <= {d["status"] for d in coffee["days"]} and coffee["dailyLimit"] == 2.0
    nothing = {"habitsCreated": 0, "checkInsCreated": 0, "skipsCreated": 0, "pausesCreated": 0,
               "remindersCreated": 0, "journalEntriesCreated": 0,
               "achievementsRestored": 0, "stepsRestored": 0, "profileApplied": False}
    total = 7 + len(exported["checkIns"]) + 2 + 3 + 3 + 1
    assert again == {"__typename": "AccountImportReport", "dryRun": False, "unchanged": total, **nothing}
    assert dry == {**again, "dryRun": True}
    # days are copied, never recomputed (the target's profile differs from the one they were logged with)
    assert sorted((c["day"], c["quantity"], c["undone"], c["note"] or "") for c in re_exported["checkIns"]) == sorted(
        (c["day"], c["quantity"], c["undone"], c["note"] or "") for c in exported["checkIns"])
    assert re_exported["achievements"] == exported["achievements"]
    # pauses come back with their ranges, reasons and habits (by name: the ids are new)
    names = {h["id"]: h["name"] for h in exported["habits"]}
    renamed = {h["id"]: h["name"] for h in re_exported["habits"]}

    def pauses(document: dict, names: dict) -> list:
        return [(p["from"], p["to"], p["reason"], None if p["habitIds"] is None else sorted(names[h] for h in
                                                                                          p["habitIds"]))
                for p in document["pauses"]]

    assert pauses(re_exported, renamed) == pauses(exported, names) == [
        ("2026-02-20", "2026-02-24", "flu", ["Read", "Walk"]), ("2026-03-08", "2026-03-09", None, None),
        ("2026-04-01", "2026-04-10", "planned trip", ["Gym"])]
    assert await tables.CheckIn.count() == 2 * len(exported["checkIns"])


async def test_the_export_holds_everything_in_a_versioned_envelope(api: Api) -> None:
    ids = await build_history(api)
    push = await api.data("mutation($i: PushSubscriptionInput!) { pushSubscriptionAdd(input: $i) { __typename } }",
                          {"i": {"endpoint": "https://push.example.com/browser-endpoint", "p256dh": "BA" + "B" * 85,
                                 "auth": "C" * 22}})
    # A literal public address: no DNS, and no event it subscribes to happens here.
    hook = (await api.data('mutation { webhookCreate(input: {url: "https://1.1.1.1/hook-url", events: [REMINDER_DUE]}) '
                           "{ ... on WebhookCreated { secret } } }"))["webhookCreate"]
    exported = (await api.data(EXPORT))["export"]
    walk = next(h for h in exported["habits"] if h["id"] == ids["walk"])
    undone = [c for c in exported["checkIns"] if c["undone"]]
    assert (exported["format"], exported["version"]) == ("comeback-export", 4)
    assert exported["profile"]["timezone"] == "America/New_York"
    assert (exported["profile"]["dayStartHour"], exported["profile"]["displayName"]) == (4, "Owl")
    assert walk["schedule"] == {"period": "DAILY", "weekdays": [], "timesPerWeek": None, "times": None, "days": None,
                                "total": False}
    wake = next(h for h in exported["habits"] if h["name"] == "Wake up early")
    assert (wake["schedule"]["period"], wake["schedule"]["times"], wake["schedule"]["days"]) == ("INTERVAL", 2, 3)
    assert (wake["description"], wake["question"], wake["color"]) == (
        "Before six", "Did you wake up before 6am?", "#00897B")
    assert next(h for h in exported["habits"] if h["name"] == "Coffee")["dailyLimit"] == 2.0
    assert (walk["startDate"], walk["archived"], walk["targetQuantity"]) == ("2026-02-01", False, 1.0)
    assert [(c["idempotencyKey"], c["day"]) for c in undone] == [("oops", "2026-03-13")]
    assert sorted(s["day"] for s in exported["skips"]) == ["2026-02-14", "2026-03-05"]
    assert [e["body"] for e in exported["journalEntries"]] == ["Day one."]
    assert "first-check-in" in {a["key"] for a in exported["achievements"]}
    assert [s["key"] for s in exported["program"]["unlockedSteps"]] == ["awareness"]
    assert sum(h["archived"] for h in exported["habits"]) == 1
    # reminders name their habit in the document; null weekdays follow the habit's days
    names = {h["id"]: h["name"] for h in exported["habits"]}
    assert [(names[r["habitId"]], r["time"], r["weekdays"], r["enabled"]) for r in exported["reminders"]] == [
        ("Walk", "07:30", None, True), ("Gym", "06:15", [2, 4], True), ("Call a friend", "21:00", [1, 5], False)]
    # a browser's push subscription and a webhook (its secret above all) stay on the server
    assert push["pushSubscriptionAdd"]["__typename"] == "PushSubscription" and hook["secret"].startswith("whsec_")
    text = json.dumps(exported)
    assert [secret for secret in ("browser-endpoint", "B" * 85, "C" * 22, "hook-url", hook["secret"])
            if secret in text] == []


async def test_importing_your_own_export_creates_nothing(api: Api) -> None:
    await build_history(api)
    exported = (await api.data(EXPORT))["export"]
    out = (await api.data(RESTORE, {"input": {"data": exported}}))["accountImport"]
    assert (out["habitsCreated"], out["checkInsCreated"], out["skipsCreated"], out["journalEntriesCreated"]) == (
        0, 0, 0, 0)


HABIT_V2 = {"id": str(UUID(int=7)), "name": "Walk", "category": "WORKOUT", "kind": "BUILD",
            "schedule": {"period": "DAILY"}, "startDate": "2026-01-01", "createdAt": "2026-01-01T10:00:00Z"}


async def test_a_version_1_document_still_restores(api: Api) -> None:
    # given an export written before INTERVAL schedules existed
    api.as_user(await factories.user())
    v1 = {"format": "comeback-export", "version": 1, "habits": [
        {**HABIT_V2, "schedule": {"period": "WEEKLY", "weekdays": [], "timesPerWeek": 3}}]}

    # when
    out = (await api.data(RESTORE, {"input": {"data": v1}}))["accountImport"]
    habits = (await api.data("{ habits { name schedule { period timesPerWeek times } dailyLimit color } }"))["habits"]

    # then
    assert out["habitsCreated"] == 1
    assert habits == [{"name": "Walk", "schedule": {"period": "WEEKLY", "timesPerWeek": 3, "times": None},
                       "dailyLimit": None, "color": None}]


async def test_a_broken_document_is_refused_with_where(api: Api) -> None:
    api.as_user(await factories.user())
    good = {"format": "comeback-export", "version": 1, "habits": [], "checkIns": []}
    cases = [
        ({"format": "other"}, "not a Comeback export"),
        ({**good, "version": 5}, "unsupported export version 5; this server reads 1, 2, 3 and 4"),
        ({**good, "habits": [{**HABIT_V2, "schedule": {"period": "INTERVAL", "times": 4, "days": 3}}]},
         "habits[0].schedule"),
        ({**good, "habits": [{**HABIT_V2, "dailyLimit": 2}]}, "habits[0]: Value error, dailyLimit is for QUIT"),
        ({**good, "habits": [{**HABIT_V2, "color": "teal"}]}, "habits[0].color"),
        ({**good, "habits": [{"id": "x"}]}, "habits[0].id"),
        ({**good, "checkIns": [{"id": str(UUID(int=1)), "habitId": str(UUID(int=2)), "day": "2026-01-01",
                                "occurredAt": "2026-01-01T10:00:00Z"}]}, "checkIns[0].habitId: no habit"),
        ({**good, "profile": {"timezone": "Mars/Olympus"}}, "'Mars/Olympus' is not an IANA time zone"),
    ]
    for data, message in cases:
        out = (await api.data(RESTORE, {"input": {"data": data}}))["accountImport"]
        assert (out["code"], out["field"]) == ("INVALID_INPUT", "data" if "zone" not in message else "timezone")
        assert message in out["message"], (message, out["message"])
    assert await tables.Habit.count() == 0


async def test_check_ins_csv(http: httpx.AsyncClient, api: Api) -> None:
    api.as_user(await factories.user())
    walk = await api.create_habit(name="Walk, outside", startDate="2026-03-01")
    await api.check_in(walk["id"], occurredAt="2026-03-02T08:00:00+00:00", quantity=2.5, note='said "hi"')
    await api.check_in(walk["id"], occurredAt="2026-03-01T08:00:00+00:00")
    gone = await api.check_in(walk["id"], occurredAt="2026-03-03T08:00:00+00:00")
    await api.data(UNDO, {"id": gone["id"]})
    response = await http.get("/export/check-ins.csv", headers={"Authorization": f"Bearer {api.token}"})
    anonymous = await http.get("/export/check-ins.csv")
    rows = list(csv.reader(io.StringIO(response.text)))
    assert (response.status_code, response.headers["content-type"]) == (200, "text/csv; charset=utf-8")
    assert rows == [["habit_id", "habit_name", "day", "occurred_at", "quantity", "note", "source"],
                    [walk["id"], "Walk, outside", "2026-03-01", "2026-03-01T08:00:00+00:00", "1", "", "API"],
                    [walk["id"], "Walk, outside", "2026-03-02", "2026-03-02T08:00:00+00:00", "2.5", 'said "hi"',
                     "API"]]
    assert (anonymous.status_code, anonymous.json()["errors"][0]["extensions"]["code"]) == (401, "UNAUTHENTICATED")


async def test_a_large_export_restored_in_parts_counts_like_one(http: httpx.AsyncClient, api: Api) -> None:
    import asyncio

    from server.client.api import Api as ClientApi
    from server.client.transfer import restore, split_export
    from tests.integration.bridge import bridge

    await build_history(api)
    exported = (await api.data(EXPORT))["export"]
    source = await summary(api)
    api.as_user(await factories.user())
    client = ClientApi("http://test", api.token, transport=bridge(http))
    parts = split_export(exported, 15000)
    dry = await asyncio.to_thread(restore, client, exported, True, 15000)
    done = await asyncio.to_thread(restore, client, exported, False, 15000)
    again = await asyncio.to_thread(restore, client, exported, False, 15000)
    assert len(parts) > 3 and sum(len(p["checkIns"]) for p in parts) == len(exported["checkIns"])
    assert all(p["habits"] == exported["habits"] for p in parts)
    assert (done["parts"], done["habitsCreated"], done["checkInsCreated"], done["remindersCreated"],
            done["unchanged"]) == (len(parts), 7, len(exported["checkIns"]), 3, 0)
    assert (dry["habitsCreated"], dry["checkInsCreated"]) == (7, len(exported["checkIns"]))
    assert (again["habitsCreated"], again["checkInsCreated"], again["unchanged"]) == (
        0, 0, 7 + len(exported["checkIns"]) + 2 + 3 + 3 + 1)
    assert await summary(api) == source


async def test_two_identical_imports_at_once_store_each_row_once(api: Api) -> None:
    import asyncio

    api.as_user(await factories.user())
    walk = await api.create_habit(startDate="2026-03-01")
    rows = [{"habitId": walk["id"], "occurredAt": f"2026-03-{d:02d}T09:00:00+00:00", "idempotencyKey": f"w{d}"}
            for d in range(1, 11)]
    query = """mutation($i: CheckInsImportInput!) { checkInsImport(input: $i) {
      ... on CheckInsImportReport { created skippedDuplicates } } }"""
    outs = await asyncio.gather(*(api.data(query, {"i": {"rows": rows}}) for _ in range(3)))
    reports = sorted((o["checkInsImport"]["created"], o["checkInsImport"]["skippedDuplicates"]) for o in outs)
    assert reports == [(0, 10), (0, 10), (10, 0)]
    assert await tables.CheckIn.count() == 10


async def test_impossible_days_and_repeated_ids_are_refused_naming_where(api: Api) -> None:
    """Reproduces finding 8 of issue 11: days 0001-01-01 and 9999-12-31, days before a habit's start and
    two journal entries with one id were accepted (the last gave INTERNAL)."""
    api.as_user(await factories.user())
    habit = {"id": str(UUID(int=1)), "name": "Walk", "category": "WORKOUT", "kind": "BUILD",
             "schedule": {"period": "DAILY"}, "startDate": "2026-03-01", "createdAt": "2026-03-01T08:00:00Z"}
    good = {"format": "comeback-export", "version": 1, "habits": [habit]}

    def check_in(day: str, at: str = "2026-03-02T10:00:00Z") -> dict:
        return {"id": str(UUID(int=2)), "habitId": habit["id"], "day": day, "occurredAt": at}

    entry = {"id": str(UUID(int=3)), "body": "x", "day": "2026-03-02", "createdAt": "2026-03-02T10:00:00Z"}
    cases = [
        ({**good, "checkIns": [check_in("0001-01-01")]}, "checkIns[0].day: Value error, must be on or after 1970"),
        ({**good, "checkIns": [check_in("9999-12-31")]}, "checkIns[0].day: Value error, must not be in the future"),
        ({**good, "checkIns": [check_in("2026-02-27")]}, "checkIns[0].day: before its habit's start date 2026-03-01"),
        ({**good, "skips": [{"habitId": habit["id"], "day": "2026-02-01"}]}, "skips[0].day: before its habit's"),
        ({**good, "checkIns": [check_in("2026-03-02", "9999-12-31T23:59:59-14:00")]},
         "checkIns[0].occurredAt: Value error, is outside the years UTC can hold"),
        ({**good, "journalEntries": [entry, entry]}, "journalEntries: an id appears twice"),
    ]
    for data, message in cases:
        out = (await api.data(RESTORE, {"input": {"data": data}}))["accountImport"]
        assert (out["code"], out["field"]) == ("INVALID_INPUT", "data"), out
        assert message in out["message"], (message, out["message"])
    assert await tables.Habit.count() == 0


async def test_a_forged_export_unlocks_only_what_its_history_earns(api: Api) -> None:
    """Reproduces finding 8 of issue 11: an export listing every achievement and step unlocked the
    whole program on restore."""
    from server.achievements.catalogue import CATALOGUE
    from server.program.service import get_program

    api.as_user(await factories.user())
    at = "2026-03-10T10:00:00Z"
    habit = {"id": str(UUID(int=1)), "name": "Walk", "category": "WORKOUT", "kind": "BUILD",
             "schedule": {"period": "DAILY"}, "startDate": "2026-03-10", "createdAt": at}
    forged = {"format": "comeback-export", "version": 1, "habits": [habit],
              "checkIns": [{"id": str(UUID(int=2)), "habitId": habit["id"], "day": "2026-03-10", "occurredAt": at}],
              "achievements": [{"key": a.key, "unlockedAt": at} for a in CATALOGUE],
              "program": {"unlockedSteps": [{"key": s.key, "unlockedAt": at} for s in get_program().steps]}}
    out = (await api.data(RESTORE, {"input": {"data": forged}}))["accountImport"]
    unlocked = [a["key"] for a in (await api.data("{ achievements { key unlocked } }"))["achievements"]
                if a["unlocked"]]
    steps = [s["key"] for s in (await api.data("{ program { steps { key unlocked } } }"))["program"]["steps"]
             if s["unlocked"]]
    # One habit and one check-in earn the first-habit and first-check-in awards and step 1, no more.
    assert sorted(unlocked) == ["first-check-in", "first-habit"]
    assert (out["achievementsRestored"], out["stepsRestored"]) == (2, 1)
    assert steps == [get_program().steps[0].key]


async def test_a_restore_racing_a_check_in_with_the_same_key_succeeds_and_stores_each_once(api: Api) -> None:
    """Reproduces finding 8 of issue 11: accountImport racing habitCheckIn with one idempotency key gave
    INTERNAL on PostgreSQL (nothing was duplicated, but the import failed)."""
    import asyncio

    api.as_user(await factories.user())
    walk = await api.create_habit(startDate="2026-03-01")
    at = "2026-03-05T10:00:00Z"
    habit = {"id": str(UUID(int=1)), "name": "Walk", "category": "WORKOUT", "kind": "BUILD",
             "schedule": {"period": "DAILY"}, "startDate": "2026-03-01", "createdAt": at}
    check_ins = [{"id": str(UUID(int=100 + d)), "habitId": habit["id"], "day": f"2026-03-{d:02d}",
                  "occurredAt": f"2026-03-{d:02d}T10:00:00Z", "idempotencyKey": f"k{d}"} for d in range(1, 16)]
    document = {"format": "comeback-export", "version": 1, "habits": [habit], "checkIns": check_ins}
    restored, *logged = await asyncio.gather(
        api.data(RESTORE, {"input": {"data": document}}),
        *(api.check_in(walk["id"], occurredAt=f"2026-03-{d:02d}T12:00:00Z", idempotencyKey=f"k{d}")
          for d in range(1, 16)))
    report = restored["accountImport"]
    assert report["__typename"] == "AccountImportReport", report
    # Whichever stored a key first holds it: the other side's use of it is a different check-in (a live
    # one is refused as DUPLICATE; a restored one keeps its row and drops the key). Nothing fails.
    live = [c["__typename"] for c in logged]
    assert set(live) <= {"CheckIn", "DuplicateError"}, live
    assert report["checkInsCreated"] == 15
    assert await tables.CheckIn.count() == 15 + live.count("CheckIn")
    keys = [r["idempotency_key"] for r in await tables.CheckIn.select(tables.CheckIn.idempotency_key)]
    assert sorted(k for k in keys if k) == sorted(f"k{d}" for d in range(1, 16))


async def test_a_key_taken_between_plan_and_insert_is_planned_again(api: Api, monkeypatch: pytest.MonkeyPatch) -> None:
    """The race of finding 8 made certain: a check-in with the document's key commits while the restore
    is between reading the taken keys and inserting (possible on PostgreSQL, where writers overlap;
    SQLite's immediate transactions let no other writer in)."""
    from server import database
    from server.portability import restore

    if database.DB.engine_type != "postgres":
        pytest.skip("SQLite serialises writers: a restore cannot be overtaken mid-transaction")
    api.as_user(await factories.user())
    walk = await api.create_habit(startDate="2026-03-01")
    at = "2026-03-05T10:00:00Z"
    habit = {"id": str(UUID(int=1)), "name": "Walk", "category": "WORKOUT", "kind": "BUILD",
             "schedule": {"period": "DAILY"}, "startDate": "2026-03-01", "createdAt": at}
    document = {"format": "comeback-export", "version": 1, "habits": [habit],
                "checkIns": [{"id": str(UUID(int=2)), "habitId": habit["id"], "day": "2026-03-05",
                              "occurredAt": at, "idempotencyKey": "same-key"}]}
    plan, plans = restore._plan, []

    async def overtaken(*args, **kwargs):  # type: ignore[no-untyped-def]
        planned = await plan(*args, **kwargs)
        plans.append(planned)
        if len(plans) == 1:  # another request (a fresh context: its own connection) stores the key and commits
            await asyncio.create_task(api.check_in(walk["id"], occurredAt=at, idempotencyKey="same-key"),
                                      context=contextvars.Context())
        return planned

    monkeypatch.setattr(restore, "_plan", overtaken)
    out = (await api.data(RESTORE, {"input": {"data": document}}))["accountImport"]
    assert out["__typename"] == "AccountImportReport", out
    assert [p.check_ins[0]["idempotency_key"] for p in plans] == ["same-key", None]
    assert await tables.CheckIn.count() == 2


HABIT_REMINDERS = """query { habits(includeArchived: true) { name reminders { time weekdays enabled nextDueAt } } }"""


async def reminders_by_habit(api: Api) -> dict[str, list[tuple[str, list[int], bool, datetime | None]]]:
    data = (await api.data(HABIT_REMINDERS))["habits"]
    return {h["name"]: [(r["time"], r["weekdays"], r["enabled"],
                         r["nextDueAt"] and datetime.fromisoformat(r["nextDueAt"])) for r in h["reminders"]]
            for h in data if h["reminders"]}


async def test_reminders_come_back_on_the_restored_habits_due_in_the_restoring_profile(api: Api) -> None:
    # given the night owl's export (New York), restored at 16:00 in Berlin keeping Berlin's profile
    await build_history(api)
    exported = (await api.data(EXPORT))["export"]
    source = await reminders_by_habit(api)
    api.as_user(await factories.user(timezone="Europe/Berlin"))

    # when
    out = (await api.data(RESTORE, {"input": {"data": exported, "applyProfile": False}}))["accountImport"]
    restored = await reminders_by_habit(api)
    habits = {h["name"]: h["id"] for h in (await api.data(REMINDERS))["habits"]}

    # then each reminder is on the restored habit (the new id), with its time, days and switch
    assert out["remindersCreated"] == 3
    assert {name: [r[:3] for r in items] for name, items in restored.items()} == {
        name: [r[:3] for r in items] for name, items in source.items()}
    stored = await reminders.Reminder.select(reminders.Reminder.habit, reminders.Reminder.time)
    assert sorted((str(r["habit"]), r["time"]) for r in stored if str(r["habit"]) in habits.values()) == sorted(
        [(habits["Walk"], "07:30"), (habits["Gym"], "06:15"), (habits["Call a friend"], "21:00")])
    # ...and due at Berlin's wall clock, not New York's: the next 07:30 is tomorrow's (CET, UTC+1), the Gym's
    # next Tuesday's or Thursday's 06:15, and the one switched off not at all
    assert [r[3] for name in ("Walk", "Gym", "Call a friend") for r in restored[name]] == [
        datetime(2026, 3, 21, 6, 30, tzinfo=UTC), datetime(2026, 3, 24, 5, 15, tzinfo=UTC), None]
    assert source["Walk"][0][3] == datetime(2026, 3, 21, 11, 30, tzinfo=UTC)  # 07:30 in New York (EDT)


async def test_a_restored_reminder_never_fires_for_a_day_whose_time_had_come(api: Api) -> None:
    """Today's 07:30 had come in Berlin when the reminder was restored at 16:00: a move west, where 07:30 is
    still ahead this morning, must not fire today's reminder a second time."""
    # given
    await build_history(api)
    exported = (await api.data(EXPORT))["export"]
    api.as_user(await factories.user(timezone="Europe/Berlin"))
    await api.data(RESTORE, {"input": {"data": exported, "applyProfile": False}})

    # when the owner moves to Honolulu, where it is 05:00 on the same day
    await api.data('mutation { profileUpdate(input: {timezone: "Pacific/Honolulu"}) { __typename } }')

    # then the next 07:30 is tomorrow's there
    (walk,) = (await reminders_by_habit(api))["Walk"]
    assert walk[3] == datetime(2026, 3, 21, 17, 30, tzinfo=UTC)


async def test_a_restore_that_changes_the_profile_moves_the_accounts_own_reminders(api: Api) -> None:
    # given a UTC account whose 07:30 reminder is next due tomorrow at 07:30 UTC
    api.as_user(await factories.user(timezone="UTC"))
    walk = await api.create_habit(name="Walk", startDate="2026-03-01")
    await api.data(REMIND, {"h": walk["id"], "input": {"time": "07:30"}})

    # when it restores an export made in Berlin
    berlin = {"format": "comeback-export", "version": 4, "profile": {"timezone": "Europe/Berlin"}}
    out = (await api.data(RESTORE, {"input": {"data": berlin}}))["accountImport"]

    # then that reminder follows the zone, as after profileUpdate
    assert (out["profileApplied"], out["remindersCreated"]) == (True, 0)
    assert (await reminders_by_habit(api))["Walk"][0][3] == datetime(2026, 3, 21, 6, 30, tzinfo=UTC)


def reminder_item(n: int, **fields: object) -> dict[str, object]:
    return {"id": str(UUID(int=100 + n)), "habitId": HABIT_V2["id"], "time": "07:30", **fields}


async def test_a_broken_reminder_is_refused_with_where_and_nothing_is_restored(api: Api) -> None:
    api.as_user(await factories.user())
    good = {"format": "comeback-export", "version": 4, "habits": [HABIT_V2]}
    cases = [
        ([reminder_item(0, time="7:30")], "reminders[0].time: Value error, a reminder time is \"HH:MM\""),
        ([reminder_item(0), reminder_item(1, time="24:00")], "reminders[1].time: Value error, a reminder time is"),
        ([reminder_item(0, weekdays=[])], "reminders[0].weekdays: Value error, give at least one weekday"),
        ([reminder_item(0, weekdays=[1, 8])], "reminders[0].weekdays: Value error, weekdays are distinct ISO weekdays"),
        ([reminder_item(0, weekdays=[3, 3])], "reminders[0].weekdays: Value error, weekdays are distinct ISO weekdays"),
        ([reminder_item(0, habitId=str(UUID(int=99)))], "reminders[0].habitId: no habit with this id in the export"),
        ([reminder_item(0), reminder_item(0)], "reminders: an id appears twice"),
        ([reminder_item(0, enabled="sometimes")], "reminders[0].enabled"),
    ]
    for items, message in cases:
        out = (await api.data(RESTORE, {"input": {"data": {**good, "reminders": items}}}))["accountImport"]
        assert (out["code"], out["field"]) == ("INVALID_INPUT", "data"), out
        assert message in out["message"], (message, out["message"])

    # six for one habit: reminderSet's limit, as reminderSet answers it (and a dry run says so too)
    six = {**good, "reminders": [reminder_item(n) for n in range(6)]}
    for dry_run in (True, False):
        out = (await api.data(RESTORE, {"input": {"data": six, "dryRun": dry_run}}))["accountImport"]
        # (OutOfRangeError carries no field, here as for reminderSet and the habit and pause caps)
        assert out["code"] == "OUT_OF_RANGE", out
        assert out["message"].startswith("reminders[5]: a habit has at most 5 reminders"), out
    assert (await tables.Habit.count(), await reminders.Reminder.count()) == (0, 0)


async def test_the_accounts_own_reminders_count_toward_a_habits_limit(api: Api) -> None:
    # given a habit with four reminders, and its export with two more added
    api.as_user(await factories.user())
    walk = await api.create_habit(name="Walk", startDate="2026-03-01")
    for hour in range(6, 10):
        await api.data(REMIND, {"h": walk["id"], "input": {"time": f"{hour:02d}:00"}})
    exported = (await api.data(EXPORT))["export"]
    extra = [{"id": str(UUID(int=n)), "habitId": walk["id"], "time": f"2{n}:00"} for n in (1, 2)]

    # when it is restored into the same account, with both and then with one
    refused = (await api.data(RESTORE, {"input": {"data": {**exported, "reminders": [
        *exported["reminders"], *extra]}}}))["accountImport"]
    count_after_refusal = await reminders.Reminder.count()
    taken = (await api.data(RESTORE, {"input": {"data": {**exported, "reminders": [
        *exported["reminders"], extra[0]]}}}))["accountImport"]

    # then
    assert refused["code"] == "OUT_OF_RANGE"
    assert refused["message"].startswith("reminders[5]: a habit has at most 5 reminders")
    assert count_after_refusal == 4
    assert (taken["remindersCreated"], taken["unchanged"]) == (1, 1 + 4)
    assert [r[0] for r in (await reminders_by_habit(api))["Walk"]] == ["06:00", "07:00", "08:00", "09:00", "21:00"]


async def test_a_version_3_document_still_restores(api: Api) -> None:
    # given an export written before reminders were in it
    await build_history(api)
    exported = (await api.data(EXPORT))["export"]
    v3 = {**{k: v for k, v in exported.items() if k != "reminders"}, "version": 3}
    source = await summary(api)
    api.as_user(await factories.user())

    # when
    out = (await api.data(RESTORE, {"input": {"data": v3}}))["accountImport"]
    target = await summary(api)

    # then everything but the reminders comes back
    assert (out["__typename"], out["habitsCreated"], out["pausesCreated"], out["remindersCreated"]) == (
        "AccountImportReport", 7, 3, 0)
    assert target == {**source, "habits": [{**h, "reminders": []} for h in source["habits"]]}
