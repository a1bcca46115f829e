"""Editing and deleting journal entries through the API: yours only, requirements follow, no step re-locks."""

from __future__ import annotations

from typing import Any

from server.progress import service as progress
from tests import factories
from tests.integration.api import ERROR, FIELD, Api

WRITE = """mutation($b: String!, $s: String) { journalEntryCreate(input: {body: $b, stepKey: $s, prompt: "Why?"})
  { ... on JournalEntry { id body prompt stepKey day createdAt } } }"""
UPDATE = f"""mutation($id: ID!, $input: JournalEntryUpdateInput!) {{ journalEntryUpdate(id: $id, input: $input) {{
  {ERROR} {FIELD} ... on JournalEntry {{ id body prompt stepKey day createdAt }} }} }}"""
DELETE = f"""mutation($id: ID!) {{ journalEntryDelete(id: $id) {{ {ERROR} ... on JournalEntryDeleted {{ id }} }} }}"""
STEPS = "{ program { steps { key unlocked requirements { current target met } } } }"


async def write(api: Api, body: str, step: str | None = None) -> dict[str, Any]:
    entry: dict[str, Any] = (await api.data(WRITE, {"b": body, "s": step}))["journalEntryCreate"]
    return entry


async def test_an_entry_is_edited_in_place_and_keeps_its_day_and_step(api: Api) -> None:
    me = await factories.user()
    api.as_user(me)
    entry = await write(api, "first draft", "awareness")
    edited = (await api.data(UPDATE, {"id": entry["id"], "input": {"body": "  second thoughts  "}}))[
        "journalEntryUpdate"]
    assert edited == {**entry, "__typename": "JournalEntry", "body": "second thoughts"}
    cleared = (await api.data(UPDATE, {"id": entry["id"], "input": {"prompt": ""}}))["journalEntryUpdate"]
    assert (cleared["body"], cleared["prompt"]) == ("second thoughts", None)
    listed = (await api.data("{ journalEntries { edges { node { id body prompt } } } }"))["journalEntries"]
    assert [e["node"] for e in listed["edges"]] == [{"id": entry["id"], "body": "second thoughts", "prompt": None}]


async def test_bad_edits_and_other_peoples_entries_are_refused(api: Api) -> None:
    owner = await factories.user()
    api.as_user(owner)
    entry = await write(api, "mine")
    empty = (await api.data(UPDATE, {"id": entry["id"], "input": {"body": "   "}}))["journalEntryUpdate"]
    huge = (await api.data(UPDATE, {"id": entry["id"], "input": {"body": "x" * 20_001}}))["journalEntryUpdate"]
    assert [(r["code"], r["field"]) for r in (empty, huge)] == [("INVALID_INPUT", "body")] * 2
    api.as_user(await factories.user())
    for query, variables in ((UPDATE, {"id": entry["id"], "input": {"body": "stolen"}}), (DELETE, {"id": entry["id"]}),
                             (DELETE, {"id": "not-an-id"})):
        out = next(iter((await api.data(query, variables)).values()))
        assert (out["__typename"], out["code"]) == ("NotFoundError", "NOT_FOUND")
    api.as_user(owner)
    listed = (await api.data("{ journalEntries { edges { node { body } } } }"))["journalEntries"]["edges"]
    assert [e["node"]["body"] for e in listed] == ["mine"]


async def test_deleting_an_entry_recounts_requirements_and_never_relocks_a_step(api: Api) -> None:
    me = await factories.user()
    api.as_user(me)
    first = await write(api, "I stopped listening.", "awareness")
    await write(api, "I let things pile up.", "awareness")
    await progress.recompute_user(me.id)
    before = (await api.data(STEPS))["program"]["steps"]
    assert before[0]["requirements"][0] == {"current": 2, "target": 2, "met": True} and before[1]["unlocked"]
    # when one of the two entries that opened step 2 is deleted
    out = (await api.data(DELETE, {"id": first["id"]}))["journalEntryDelete"]
    assert out == {"__typename": "JournalEntryDeleted", "id": first["id"]}
    await progress.recompute_user(me.id)
    # then step 1's requirement counts one entry again, and step 2 stays open
    after = (await api.data(STEPS))["program"]["steps"]
    assert after[0]["requirements"][0] == {"current": 1, "target": 2, "met": False}
    assert after[1]["unlocked"] is True
    again = (await api.data(DELETE, {"id": first["id"]}))["journalEntryDelete"]
    assert again["code"] == "NOT_FOUND"
