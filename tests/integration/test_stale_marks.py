"""Every mutation that changes what derived state is computed from marks the user stale and queues
their recompute, through the API; the others do neither. A mutation added to the schema fails here
until it is put in one list or the other (and a use case that forgets its mark fails in the first)."""

from __future__ import annotations

import base64
import io
import zipfile
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from graphql import build_schema as from_sdl

from server.engine.queue import recompute_job_id
from server.graphql.schema import build_schema
from tests import factories
from tests.integration.api import Api
from tests.integration.background import engine_without_worker, pool_of, run_queued, versions

SCHEMA = from_sdl(build_schema().as_str())
Step = Callable[[dict[str, Any]], tuple[str, dict[str, Any]]]


def _at(days_ago: int) -> str:
    return (datetime.now(UTC) - timedelta(days=days_ago)).replace(hour=12, minute=0).isoformat()


def _yesterday() -> str:
    return (datetime.now(UTC) - timedelta(days=1)).date().isoformat()


def _loop_zip(day: str) -> str:
    """Loop Habit Tracker's 'Export as CSV' ZIP with one yes/no habit checked on `day`, base64."""
    habits = ("Position,Name,Type,Question,Description,FrequencyNumerator,FrequencyDenominator,Color,Unit,"
              "Target Type,Target Value,Archived?\n001,Stretch,YES_NO,,,1,1,#00897B,,,,false\n")
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("Habits.csv", habits)
        archive.writestr("001 Stretch/Checkmarks.csv", f"Date,Value,Notes\n{day},YES_MANUAL,\n")
    return base64.b64encode(out.getvalue()).decode()


# In the order they run: later ones use what earlier ones created (state: "habit", "check_in", "export").
CHANGES_DERIVED_STATE: dict[str, Step] = {
    "profileUpdate": lambda s: ("mutation { profileUpdate(input: {dayStartHour: 4}) { __typename } }", {}),
    "habitCreate": lambda s: ('mutation($d: Date!) { habitCreate(input: {name: "Read", category: READING, '
                              "schedule: {period: DAILY}, startDate: $d}) { __typename ... on Habit { id } } }",
                              {"d": (datetime.now(UTC) - timedelta(days=7)).date().isoformat()}),
    "habitUpdate": lambda s: ('mutation($id: ID!) { habitUpdate(id: $id, input: {targetQuantity: 2}) '
                              "{ __typename } }", {"id": s["habit"]}),
    "habitCheckIn": lambda s: ("mutation($h: ID!) { habitCheckIn(input: {habitId: $h}) "
                               "{ __typename ... on CheckIn { id } } }", {"h": s["habit"]}),
    "checkInUndo": lambda s: ("mutation($id: ID!) { checkInUndo(id: $id) { __typename } }", {"id": s["check_in"]}),
    "habitSkip": lambda s: ("mutation($h: ID!, $d: Date!) { habitSkip(habitId: $h, day: $d) { __typename } }",
                            {"h": s["habit"], "d": _yesterday()}),
    "habitUnskip": lambda s: ("mutation($h: ID!, $d: Date!) { habitUnskip(habitId: $h, day: $d) { __typename } }",
                              {"h": s["habit"], "d": _yesterday()}),
    "habitArchive": lambda s: ("mutation($id: ID!) { habitArchive(id: $id) { __typename } }", {"id": s["habit"]}),
    "habitRestore": lambda s: ("mutation($id: ID!) { habitRestore(id: $id) { __typename } }", {"id": s["habit"]}),
    "pauseCreate": lambda s: ("mutation($h: ID!, $d: Date!) { pauseCreate(input: {habitIds: [$h], from: $d, "
                              "to: $d}) { __typename ... on Pause { id } } }", {"h": s["habit"], "d": _yesterday()}),
    "pauseDelete": lambda s: ("mutation($id: ID!) { pauseDelete(id: $id) { __typename } }", {"id": s["pause"]}),
    "journalEntryCreate": lambda s: ('mutation { journalEntryCreate(input: {body: "a good day"}) '
                                     "{ __typename ... on JournalEntry { id } } }", {}),
    "journalEntryUpdate": lambda s: ('mutation($id: ID!) { journalEntryUpdate(id: $id, input: {body: "a fine day"}) '
                                     "{ __typename } }", {"id": s["journal"]}),
    "journalEntryDelete": lambda s: ("mutation($id: ID!) { journalEntryDelete(id: $id) { __typename } }",
                                     {"id": s["journal"]}),
    "starterKitAdopt": lambda s: ('mutation { starterKitAdopt(stepKey: "awareness") { __typename } }', {}),
    "checkInsImport": lambda s: ("mutation($h: ID!, $at: DateTime!) { checkInsImport(input: {rows: "
                                 "[{habitId: $h, occurredAt: $at}]}) { __typename } }",
                                 {"h": s["habit"], "at": _at(2)}),
    "accountImport": lambda s: ("mutation($d: JSON!) { accountImport(input: {data: $d}) { __typename } }",
                                {"d": s["export"]}),
    "habitDelete": lambda s: ("mutation($id: ID!) { habitDelete(id: $id) { __typename } }", {"id": s["habit"]}),
    "loopImport": lambda s: ("mutation($a: String!) { loopImport(input: {archive: $a}) { __typename } }",
                             {"a": _loop_zip(_yesterday())}),
}
SUCCESS = {"profileUpdate": "User", "habitCreate": "Habit", "habitUpdate": "Habit", "habitCheckIn": "CheckIn",
           "checkInUndo": "CheckIn", "habitSkip": "Habit", "habitUnskip": "Habit", "habitArchive": "Habit",
           "habitRestore": "Habit", "pauseCreate": "Pause", "pauseDelete": "PauseDeleted",
           "journalEntryCreate": "JournalEntry",
           "journalEntryUpdate": "JournalEntry", "journalEntryDelete": "JournalEntryDeleted",
           "starterKitAdopt": "StarterKitAdopted",
           "checkInsImport": "CheckInsImportReport", "accountImport": "AccountImportReport",
           "loopImport": "LoopImportReport", "habitDelete": "HabitDeleted"}
# Sessions, tokens, passwords and sign-up change nothing derived state is computed from; a deleted
# account has no derived state left to follow. The order of habits feeds nothing derived either.
LEAVES_DERIVED_STATE = {"signUp", "logIn", "logOut", "apiTokenCreate", "apiTokenRevoke", "passwordChange",
                        "sessionRevoke", "logOutEverywhere", "accountDelete", "habitsReorder",
                        # reminders and push subscriptions: no score, streak or unlock reads them
                        "reminderSet", "reminderDelete", "pushSubscriptionAdd", "pushSubscriptionRemove",
                        "webhookCreate", "webhookDelete", "webhookTest"}


def test_every_mutation_is_classified() -> None:
    assert SCHEMA.mutation_type is not None
    names = set(SCHEMA.mutation_type.fields)
    assert names - set(CHANGES_DERIVED_STATE) - LEAVES_DERIVED_STATE == set(), "classify the new mutation here"
    assert set(CHANGES_DERIVED_STATE) | LEAVES_DERIVED_STATE == names


async def test_each_change_marks_the_user_stale_and_queues_their_recompute(api: Api) -> None:
    async with engine_without_worker() as engine:
        me = await factories.user()
        api.as_user(me)
        uid = me.id
        state: dict[str, Any] = {}
        for name, step in CHANGES_DERIVED_STATE.items():
            # given a user whose derived state is up to date, and no job queued
            await run_queued(engine)
            if name == "accountImport":
                state["export"] = (await api.data("{ export }"))["export"]
            before, derived, _ = await versions(uid)
            assert before == derived and await pool_of(engine).queued_jobs() == [], name
            # when the mutation succeeds
            query, variables = step(state)
            out = (await api.data(query, variables))[name]
            assert out["__typename"] == SUCCESS[name], (name, out)
            if name == "habitCreate":
                state["habit"] = out["id"]
            if name == "habitCheckIn":
                state["check_in"] = out["id"]
            if name == "pauseCreate":
                state["pause"] = out["id"]
            if name == "journalEntryCreate":
                state["journal"] = out["id"]
            # then the user is stale, one version later, and their recompute is queued
            after, derived_after, marked = await versions(uid)
            assert (after, derived_after, marked) == (before + 1, derived, True), name
            assert [j.job_id for j in await pool_of(engine).queued_jobs()] == [recompute_job_id(uid)], name


async def test_sessions_and_tokens_leave_derived_state_alone(api: Api) -> None:
    async with engine_without_worker() as engine:
        me = await factories.user()
        api.as_user(me)
        uid = me.id
        await run_queued(engine)
        before = await versions(uid)
        created = await api.data('mutation { apiTokenCreate(input: {name: "script", scopes: [READ]}) '
                                 "{ ... on ApiTokenCreated { apiToken { id } } } }")
        await api.data("mutation($id: ID!) { apiTokenRevoke(id: $id) { __typename } }",
                       {"id": created["apiTokenCreate"]["apiToken"]["id"]})
        await api.data("mutation($e: String!, $p: String!) { logIn(input: {email: $e, password: $p}) "
                       "{ __typename } }", {"e": me.email, "p": me.password}, token=None)
        changed = await api.data('mutation($p: String!) { passwordChange(input: {currentPassword: $p, '
                                 'newPassword: "another password"}) { __typename } }', {"p": me.password})
        assert changed["passwordChange"]["__typename"] == "PasswordChanged"
        other = (await api.data('mutation($e: String!) { logIn(input: {email: $e, password: "another password"}) '
                                "{ ... on AuthPayload { token } } }", {"e": me.email}, token=None))["logIn"]["token"]
        sessions = (await api.data("{ sessions { id current } }", token=other))["sessions"]
        await api.data("mutation($id: ID!) { sessionRevoke(id: $id) { __typename } }",
                       {"id": next(s["id"] for s in sessions if not s["current"])}, token=other)
        await api.data("mutation { logOutEverywhere }", token=other)
        await api.sign_up()  # someone else, through the mutation under test
        assert await versions(uid) == before
        assert await pool_of(engine).queued_jobs() == []
