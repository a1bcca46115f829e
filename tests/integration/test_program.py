"""The guided program through the API: a scripted user walks from step 1 to step 5."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from uuid import UUID

from server.engine.events import StepUnlocked
from server.program import repository as unlocks
from server.progress import service
from tests import factories
from tests.integration.api import ERROR, Api

PROGRAM = """{ program { key title currentStep { key position } steps { key position title summary unlocked
  content prompts requirements { kind description current target met } } } }"""
JOURNAL = f"""mutation($input: JournalEntryCreateInput!) {{ journalEntryCreate(input: $input) {{ {ERROR}
  ... on JournalEntry {{ id stepKey body day }} }} }}"""
KIT = f"""mutation($k: String!) {{ starterKitAdopt(stepKey: $k) {{ {ERROR}
  ... on StarterKitAdopted {{ habits {{ id name category }} }} }} }}"""


async def program(api: Api) -> dict:
    return (await api.data(PROGRAM))["program"]


async def write(api: Api, step: str, body: str) -> dict:
    return (await api.data(JOURNAL, {"input": {"body": body, "stepKey": step, "prompt": "What do you see?"}}))[
        "journalEntryCreate"]


async def daily_history(api: Api, habit_id: str, days: int) -> None:
    now = datetime.now(UTC)
    for n in range(days, -1, -1):
        at = now - timedelta(days=n)
        await api.check_in(habit_id, occurredAt=at.isoformat())


async def recompute(api: Api) -> list[str]:
    uid = UUID((await api.data("{ me { id } }"))["me"]["id"])
    outcome = await service.recompute_user(uid)
    return [e.key for e in outcome.events if isinstance(e, StepUnlocked)]


async def test_a_new_user_sees_step_one_and_nothing_else(api: Api) -> None:
    api.as_user(await factories.user())
    await recompute(api)
    got = await program(api)
    steps = got["steps"]
    assert (got["key"], len(steps), got["currentStep"]["position"]) == ("comeback", 10, 1)
    assert steps[0]["unlocked"] and steps[0]["content"] and steps[0]["prompts"]
    assert all(s["content"] is None and s["prompts"] is None and not s["unlocked"] for s in steps[1:])
    assert all(s["title"] and s["summary"] and s["requirements"] for s in steps[1:9])


async def test_scripted_user_walks_from_step_one_to_five(api: Api) -> None:
    start = (datetime.now(UTC) - timedelta(days=20)).date().isoformat()
    api.as_user(await factories.user())
    # step 1 -> 2: two awareness entries
    assert (await write(api, "awareness", "I stopped listening when things got hard."))["__typename"] == "JournalEntry"
    assert (await program(api))["steps"][0]["requirements"][0]["current"] == 1
    await write(api, "awareness", "I let small resentments pile up.")
    assert await recompute(api) == ["not-perfect"]
    step2 = (await program(api))["steps"][1]
    assert step2["unlocked"] and "##" in step2["content"]
    # step 2 -> 3: a reflection and habits (the step's starter kit)
    await write(api, "not-perfect", "They asked for more time together; I kept choosing work.")
    kit = (await api.data(KIT, {"k": "not-perfect"}))["starterKitAdopt"]
    again = (await api.data(KIT, {"k": "not-perfect"}))["starterKitAdopt"]
    assert len(kit["habits"]) >= 2 and [h["id"] for h in again["habits"]] == [h["id"] for h in kit["habits"]]
    assert await recompute(api) == ["face-your-fears"]
    # step 3 -> 4: the fear entry and a week of workouts (backfilled)
    await write(api, "face-your-fears", "I fear being alone, because I never learned to enjoy my own company.")
    walk = await api.create_habit(name="Walk", category="WORKOUT", startDate=start)
    await daily_history(api, walk["id"], 14)
    assert await recompute(api) == ["abundance"]
    # step 4 -> 5: a friends habit kept up until it is strong
    friends = await api.create_habit(name="Call a friend", category="FRIENDS", startDate=start)
    await daily_history(api, friends["id"], 15)
    assert await recompute(api) == ["focus-on-yourself"]
    got = await program(api)
    step5 = got["steps"][4]
    assert (got["currentStep"]["key"], step5["unlocked"]) == ("focus-on-yourself", True)
    assert "14" in step5["content"]
    assert all(s["content"] is None for s in got["steps"][5:])
    uid = UUID((await api.data("{ me { id } }"))["me"]["id"])
    assert set(await unlocks.unlocked(uid)) == {"awareness", "not-perfect", "face-your-fears", "abundance",
                                                "focus-on-yourself"}


async def test_journal_for_a_locked_or_unknown_step_is_refused(api: Api) -> None:
    api.as_user(await factories.user())
    locked = await write(api, "no-contact", "not yet")
    unknown = await write(api, "no-such-step", "nope")
    empty = (await api.data(JOURNAL, {"input": {"body": "   "}}))["journalEntryCreate"]
    assert (locked["__typename"], locked["code"]) == ("StepLockedError", "STEP_LOCKED")
    assert unknown["code"] == "NOT_FOUND"
    assert empty["code"] == "INVALID_INPUT"
    kit = (await api.data(KIT, {"k": "no-contact"}))["starterKitAdopt"]
    assert kit["code"] == "STEP_LOCKED"


async def test_journal_is_private_and_paged_newest_first(api: Api) -> None:
    api.as_user(await factories.user())
    for n in range(3):
        await api.data(JOURNAL, {"input": {"body": f"entry {n}"}})
    page1 = (await api.data("{ journalEntries(first: 2) { edges { node { body } } pageInfo { hasNextPage "
                            "endCursor } } }"))["journalEntries"]
    page2 = (await api.data("query($a: String) { journalEntries(first: 2, after: $a) { edges { node { body } } "
                            "pageInfo { hasNextPage } } }", {"a": page1["pageInfo"]["endCursor"]}))["journalEntries"]
    api.as_user(await factories.user())
    other = (await api.data("{ journalEntries { edges { node { body } } } }"))["journalEntries"]
    assert [e["node"]["body"] for e in page1["edges"] + page2["edges"]] == ["entry 2", "entry 1", "entry 0"]
    assert (page1["pageInfo"]["hasNextPage"], page2["pageInfo"]["hasNextPage"]) == (True, False)
    assert other["edges"] == []


async def test_two_recomputes_at_once_unlock_a_step_once(api: Api) -> None:
    api.as_user(await factories.user())
    await write(api, "awareness", "one")
    await write(api, "awareness", "two")
    uid = UUID((await api.data("{ me { id } }"))["me"]["id"])
    outcomes = await asyncio.gather(*(service.recompute_user(uid) for _ in range(3)))
    announced = [e.key for o in outcomes for e in o.events if isinstance(e, StepUnlocked)]
    assert announced == ["not-perfect"]
    assert set(await unlocks.unlocked(uid)) == {"awareness", "not-perfect"}
