"""Limits: query cost (QUERY_TOO_COMPLEX naming the limit), body size, and every input's length or range
(a typed INVALID_INPUT, or a top-level BAD_USER_INPUT, naming the field)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import httpx
import pytest

from server.app import create_app
from server.graphql.cost import MAX_ALIASES, MAX_DEPTH, MAX_INTROSPECTION_DEPTH, MAX_TOKENS
from server.settings import Settings
from tests import factories
from tests.integration.api import ERROR, FIELD, SIGN_UP, Api

OUT_OF_RANGE = "... on OutOfRangeError { field }"
HABIT_CREATE = f"""mutation($input: HabitCreateInput!) {{ habitCreate(input: $input) {{ {ERROR} {FIELD} }} }}"""
HABIT_UPDATE = f"""mutation($id: ID!, $input: HabitUpdateInput!) {{ habitUpdate(id: $id, input: $input) {{
  {ERROR} {FIELD} }} }}"""
CHECK_IN = f"""mutation($input: HabitCheckInInput!) {{ habitCheckIn(input: $input) {{ {ERROR} {FIELD} {OUT_OF_RANGE}
  }} }}"""
PROFILE = f"""mutation($input: ProfileUpdateInput!) {{ profileUpdate(input: $input) {{ {ERROR} {FIELD} }} }}"""
TOKEN = f"""mutation($input: ApiTokenCreateInput!) {{ apiTokenCreate(input: $input) {{ {ERROR} {FIELD} }} }}"""
JOURNAL = f"""mutation($input: JournalEntryCreateInput!) {{ journalEntryCreate(input: $input) {{ {ERROR} {FIELD}
  }} }}"""
LOG_IN = f"""mutation($input: LogInInput!) {{ logIn(input: $input) {{ {ERROR} }} }}"""
DAILY = {"period": "DAILY"}


async def test_depth_limit_allows_the_maximum_and_refuses_one_more(api: Api) -> None:
    api.as_user(await factories.user())
    ok = "{ habits { " + "checkIns { edges { node { habit { " * 2 + "id" + " } } } }" * 2 + " } }"  # depth 9
    assert (await api.post(ok)).get("errors") is None
    at_limit = "{ me { id } " + "habits { checkIns { edges { node { habit { checkIns { edges { node { habit { " \
        "checkIns { edges { node { id } } } } } } } } } } } } }"
    too_deep = at_limit.replace("node { id }", "node { habit { id } }")
    assert (await api.post(at_limit)).get("errors") is None
    doc = await api.post(too_deep)
    assert "data" not in doc
    assert doc["errors"][0]["extensions"] == {"code": "QUERY_TOO_COMPLEX", "limit": "maxDepth", "max": MAX_DEPTH}
    assert f"deeper than {MAX_DEPTH} levels (limit: maxDepth)" in doc["errors"][0]["message"]


async def test_depth_counts_through_fragments(api: Api) -> None:
    api.as_user(await factories.user())
    query = """{ habits { ...A } }
      fragment A on Habit { checkIns { edges { node { habit { ...B } } } } }
      fragment B on Habit { checkIns { edges { node { habit { ...C } } } } }
      fragment C on Habit { checkIns { edges { node { habit { id } } } } }"""
    assert await api.codes(query) == ["QUERY_TOO_COMPLEX"]


async def test_deep_introspection_is_refused_and_the_standard_introspection_query_is_not(api: Api) -> None:
    from graphql import get_introspection_query

    doc = await api.post(get_introspection_query(descriptions=True), token=None)
    assert doc.get("errors") is None and doc["data"]["__schema"]["queryType"]["name"] == "Query"
    # a `fields { type { fields ...` cycle: graphql-core's introspection rule, recoded
    cyclic = "{ __schema { types { fields { type { fields { type { fields { name } } } } } } } }"
    doc = await api.post(cyclic, token=None)
    assert "data" not in doc
    assert doc["errors"][0]["extensions"] == {"code": "QUERY_TOO_COMPLEX", "limit": "introspectionDepth"}
    # plain nesting that no list rule catches: the depth rule counts introspection fields too
    deep = "{ __type(name: \"Habit\") { " + "ofType { " * MAX_INTROSPECTION_DEPTH + "name" + \
        " }" * MAX_INTROSPECTION_DEPTH + " } }"
    doc = await api.post(deep, token=None)
    assert doc["errors"][0]["extensions"] == {"code": "QUERY_TOO_COMPLEX", "limit": "introspectionDepth",
                                              "max": MAX_INTROSPECTION_DEPTH}


async def test_alias_limit(api: Api) -> None:
    api.as_user(await factories.user())
    ok = "{ " + " ".join(f"a{i}: me {{ id }}" for i in range(MAX_ALIASES)) + " }"
    too_many = "{ " + " ".join(f"a{i}: me {{ id }}" for i in range(MAX_ALIASES + 1)) + " }"
    assert (await api.post(ok)).get("errors") is None
    doc = await api.post(too_many)
    assert doc["errors"][0]["extensions"] == {"code": "QUERY_TOO_COMPLEX", "limit": "maxAliases",
                                              "max": MAX_ALIASES}
    assert f"{MAX_ALIASES + 1} aliases" in doc["errors"][0]["message"]


async def test_aliases_count_every_place_a_fragment_is_spread(api: Api) -> None:
    api.as_user(await factories.user())
    fragment = "fragment F on Query { " + " ".join(f"a{i}: me {{ id }}" for i in range(10)) + " }"
    assert (await api.post("{ ...F } " + fragment)).get("errors") is None
    doc = await api.post("{ ...G } fragment G on Query { ...F ...F ...F ...F } " + fragment)
    assert doc["errors"][0]["extensions"]["limit"] == "maxAliases"
    assert "40 aliases" in doc["errors"][0]["message"]


async def test_token_limit(api: Api) -> None:
    api.as_user(await factories.user())
    doc = await api.post("{ " + "__typename " * (MAX_TOKENS + 1) + "}")
    assert doc["errors"][0]["extensions"] == {"code": "QUERY_TOO_COMPLEX", "limit": "maxTokens", "max": MAX_TOKENS}
    assert "data" not in doc


async def test_a_document_longer_than_the_limit_is_refused_unread(api: Api) -> None:
    """A single huge comment or string literal is one token: the token limit would let the lexer read
    all of it. The length limit refuses it first, and a text just under it still runs."""
    from server.graphql.admission import MAX_QUERY_CHARS

    comment = "#" + "x" * MAX_QUERY_CHARS + "\n"
    doc = await api.post(comment + "{ __typename }", token=None)
    assert doc["errors"][0]["extensions"] == {"code": "QUERY_TOO_COMPLEX", "limit": "maxQueryLength",
                                             "max": MAX_QUERY_CHARS}
    assert "data" not in doc
    fits = "#" + "x" * (MAX_QUERY_CHARS - 40) + "\n{ __typename }"
    assert await api.post(fits, token=None) == {"data": {"__typename": "Query"}}


async def test_request_bodies_over_the_limit_are_refused_with_413(http: httpx.AsyncClient) -> None:
    settings = Settings()
    body = b'{"query": "{ __typename }", "variables": {"pad": "' + b"x" * settings.max_body_bytes + b'"}}'
    response = await http.post("/graphql", content=body, headers={"content-type": "application/json"})
    assert response.status_code == 413
    small = await http.post("/graphql", json={"query": "{ __typename }"})
    assert (small.status_code, small.json()) == (200, {"data": {"__typename": "Query"}})


async def test_page_sizes_and_ranges_on_query_arguments(api: Api) -> None:
    api.as_user(await factories.user())
    habit = await api.create_habit()
    cases = [
        ("{ journalEntries(first: 101) { edges { cursor } } }", {}, "first"),
        ("{ journalEntries(first: -1) { edges { cursor } } }", {}, "first"),
        ("{ journalEntries(after: \"bm90IGEgY3Vyc29y\") { edges { cursor } } }", {}, "after"),
        ("query($id: ID!) { habit(id: $id) { checkIns(first: 1000) { edges { cursor } } } }", {"id": habit["id"]},
         "first"),
        ("query($id: ID!) { habit(id: $id) { days(from: \"2020-01-01\", to: \"2024-01-01\") { date } } }",
         {"id": habit["id"]}, "to"),
        ("query($id: ID!) { habit(id: $id) { days(from: \"2024-01-02\", to: \"2024-01-01\") { date } } }",
         {"id": habit["id"]}, "to"),
        ("{ confidence { history(days: 366) { date } } }", {}, "days"),
        ("{ confidence { history(days: 0) { date } } }", {}, "days"),
    ]
    for query, variables, field in cases:
        doc = await api.post(query, variables)
        errors = doc.get("errors") or []
        assert [(e["extensions"]["code"], e["extensions"].get("field")) for e in errors] == \
            [("BAD_USER_INPUT", field)], (query, doc)


async def typed(api: Api, query: str, variables: dict[str, Any], token: str | object | None = ...) -> dict[str, Any]:
    data = await api.data(query, variables, token=token)
    result: dict[str, Any] = next(iter(data.values()))
    return result


async def test_every_string_input_has_a_length_limit_naming_its_field(api: Api) -> None:
    api.as_user(await factories.user())
    habit = await api.create_habit()
    h = habit["id"]
    long = "x" * 100_000
    cases: list[tuple[str, dict[str, Any], str]] = [
        (SIGN_UP, {"input": {"email": "a" * 60 + "@" + "b" * 300 + ".com", "password": "long enough pw"}}, "email"),
        (SIGN_UP, {"input": {"email": "a@" + "." * 50_000 + "@", "password": "long enough pw"}}, "email"),
        (SIGN_UP, {"input": {"email": "new@example.com", "password": "p" * 257}}, "password"),
        (SIGN_UP, {"input": {"email": "new@example.com", "password": "short"}}, "password"),
        (SIGN_UP, {"input": {"email": "new@example.com", "password": "long enough pw", "timezone": long}},
         "timezone"),
        (SIGN_UP, {"input": {"email": "new@example.com", "password": "long enough pw", "displayName": long}},
         "displayName"),
        (PROFILE, {"input": {"displayName": "d" * 81}}, "displayName"),
        (PROFILE, {"input": {"timezone": "Europe/" + "x" * 100}}, "timezone"),
        (TOKEN, {"input": {"name": "n" * 81, "scopes": ["READ"]}}, "name"),
        (TOKEN, {"input": {"name": "   ", "scopes": ["READ"]}}, "name"),
        (HABIT_CREATE, {"input": {"name": "n" * 81, "category": "CUSTOM", "schedule": DAILY}}, "name"),
        (HABIT_CREATE, {"input": {"name": " ", "category": "CUSTOM", "schedule": DAILY}}, "name"),
        (HABIT_CREATE, {"input": {"name": "Read", "category": "READING", "schedule": DAILY, "unit": "u" * 25}},
         "unit"),
        (HABIT_UPDATE, {"id": h, "input": {"name": long}}, "name"),
        (HABIT_UPDATE, {"id": h, "input": {"unit": long}}, "unit"),
        (CHECK_IN, {"input": {"habitId": h, "note": "n" * 1001}}, "note"),
        (CHECK_IN, {"input": {"habitId": h, "idempotencyKey": "k" * 129}}, "idempotencyKey"),
        (CHECK_IN, {"input": {"habitId": h, "idempotencyKey": ""}}, "idempotencyKey"),
        (JOURNAL, {"input": {"body": "b" * 20_001}}, "body"),
        (JOURNAL, {"input": {"body": "   "}}, "body"),
        (JOURNAL, {"input": {"body": "fine", "prompt": "p" * 501}}, "prompt"),
    ]
    for query, variables, field in cases:
        out = await typed(api, query, variables)
        assert (out["code"], out.get("field")) == ("INVALID_INPUT", field), (field, out)


async def test_every_number_input_has_a_range_naming_its_field(api: Api) -> None:
    api.as_user(await factories.user())
    habit = await api.create_habit()
    h = habit["id"]
    too_early = (date.today() - timedelta(days=365 * 80)).isoformat()
    cases: list[tuple[str, dict[str, Any], str]] = [
        (PROFILE, {"input": {"dayStartHour": 24}}, "dayStartHour"),
        (PROFILE, {"input": {"dayStartHour": -1}}, "dayStartHour"),
        (HABIT_CREATE, {"input": {"name": "x", "category": "CUSTOM", "schedule": DAILY, "targetQuantity": 0}},
         "targetQuantity"),
        (HABIT_CREATE, {"input": {"name": "x", "category": "CUSTOM", "schedule": DAILY, "targetQuantity": 1e7}},
         "targetQuantity"),
        (HABIT_CREATE, {"input": {"name": "x", "category": "CUSTOM", "schedule": DAILY, "startDate": too_early}},
         "startDate"),
        (HABIT_CREATE, {"input": {"name": "x", "category": "CUSTOM",
                                  "schedule": {"period": "WEEKLY", "timesPerWeek": 8}}}, "schedule"),
        (HABIT_CREATE, {"input": {"name": "x", "category": "CUSTOM",
                                  "schedule": {"period": "WEEKLY", "timesPerWeek": 0}}}, "schedule"),
        (HABIT_CREATE, {"input": {"name": "x", "category": "CUSTOM",
                                  "schedule": {"period": "WEEKDAYS", "weekdays": [0]}}}, "schedule"),
        (HABIT_CREATE, {"input": {"name": "x", "category": "CUSTOM",
                                  "schedule": {"period": "WEEKDAYS", "weekdays": [1, 8]}}}, "schedule"),
        (HABIT_CREATE, {"input": {"name": "x", "category": "CUSTOM",
                                  "schedule": {"period": "WEEKDAYS", "weekdays": [1] * 5000}}}, "schedule"),
        (HABIT_UPDATE, {"id": h, "input": {"targetQuantity": -1}}, "targetQuantity"),
        (CHECK_IN, {"input": {"habitId": h, "quantity": 0}}, "quantity"),
        (CHECK_IN, {"input": {"habitId": h, "quantity": -3}}, "quantity"),
        (CHECK_IN, {"input": {"habitId": h, "quantity": 1e9}}, "quantity"),
    ]
    for query, variables, field in cases:
        out = await typed(api, query, variables)
        assert (out["code"], out.get("field")) == ("INVALID_INPUT", field), (field, out)
    # Int arguments beyond 32 bits and non-numbers never reach a service: variable coercion refuses them
    doc = await api.post(PROFILE, {"input": {"dayStartHour": 2**40}})
    assert [e["extensions"]["code"] for e in doc["errors"]] == ["BAD_USER_INPUT"]
    doc = await api.post(CHECK_IN, {"input": {"habitId": h, "quantity": "NaN"}})
    assert [e["extensions"]["code"] for e in doc["errors"]] == ["BAD_USER_INPUT"]


async def test_oversized_log_in_fields_are_just_wrong_credentials(api: Api) -> None:
    api.as_user(await factories.user(email="big@example.com", password="correct horse battery"))
    for fields in ({"email": "big@example.com", "password": "p" * 100_000},
                   {"email": "e" * 100_000 + "@example.com", "password": "correct horse battery"}):
        out = await typed(api, LOG_IN, {"input": fields}, token=None)
        assert out["code"] == "INVALID_CREDENTIALS"


def production(**fields: Any) -> Settings:
    """Production settings; the suite's cheap password hashing (tests/conftest.py) is refused there."""
    return Settings(env="production", password_hash_profile="default", **fields)


@pytest.fixture
async def production_http(migrated: None):  # type: ignore[no-untyped-def]
    app = create_app(production())
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        yield client


async def test_production_mode_turns_introspection_and_graphiql_off(production_http: httpx.AsyncClient) -> None:
    assert production().introspection_enabled is False
    assert production(introspection=True).introspection_enabled is True
    doc = (await production_http.post("/graphql", json={"query": "{ __schema { queryType { name } } }"})).json()
    assert "data" not in doc
    assert doc["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    assert "introspection has been disabled" in doc["errors"][0]["message"]
    typename = (await production_http.post("/graphql", json={"query": "{ __typename }"})).json()
    assert typename == {"data": {"__typename": "Query"}}  # not introspection: clients use it
    ide = await production_http.get("/graphql", headers={"accept": "text/html"})
    assert ide.status_code == 404


async def test_nul_characters_are_refused_in_any_text_naming_the_argument(api: Api) -> None:
    # PostgreSQL cannot store U+0000; without this guard such text was an INTERNAL error there
    api.as_user(await factories.user())
    in_variable = await api.post(HABIT_CREATE, {"input": {"name": "a\u0000b", "category": "CUSTOM",
                                                          "schedule": DAILY}})
    in_literal = await api.post('mutation { journalEntryCreate(input: {body: "a\\u0000b"}) { __typename } }')
    nested = await api.post('mutation($d: JSON!) { accountImport(input: {data: $d}) { __typename } }',
                            {"d": {"format": "comeback-export", "habits": [{"name": "x\u0000"}]}})
    for doc, field in ((in_variable, "input"), (in_literal, "input"), (nested, "d")):
        assert "data" not in doc, doc
        assert [(e["extensions"]["code"], e["extensions"]["field"]) for e in doc["errors"]] == \
            [("BAD_USER_INPUT", field)], doc
    assert (await api.data("{ habits { id } journalEntries { edges { cursor } } }")) == \
        {"habits": [], "journalEntries": {"edges": []}}


def _refusal(doc: dict[str, Any]) -> dict[str, Any]:
    assert "data" not in doc, doc
    extensions: dict[str, Any] = doc["errors"][0]["extensions"]
    return extensions


async def test_repeated_fields_are_refused_before_validation(api: Api) -> None:
    """Reproduces finding 1 of issue 11: `{ me { id } me { id } … }` 498 times (996 fields, under the token
    limit) spent ~3.7 s in graphql-core's quadratic overlapping-fields validation, anonymous."""
    from server.graphql.cost import MAX_REPEATS

    repeated = "{" + " me { id }" * 498 + "}"
    extensions = _refusal(await api.post(repeated, token=None))
    assert extensions == {"code": "QUERY_TOO_COMPLEX", "limit": "maxRepeats", "max": MAX_REPEATS}
    api.as_user(await factories.user())
    at_limit = "{" + " me { id }" * MAX_REPEATS + "}"
    assert (await api.post(at_limit)).get("errors") is None


async def test_more_than_a_thousand_fields_after_fragment_expansion_are_refused(api: Api) -> None:
    from server.graphql.cost import MAX_FIELDS

    # 30 spreads of one fragment of 36 fields: 30 + 30 x 36 = 1,110 field selections from a short document.
    fragment = ("fragment F on Habit { id name category kind targetQuantity unit startDate archived currentStreak "
                "longestStreak streakUnit strength doneToday freezesHeld schedule { period weekdays timesPerWeek } "
                "checkIns { edges { cursor node { id day quantity note source undone occurredAt } } "
                "pageInfo { hasNextPage endCursor } } "
                'days(from: "2026-03-01", to: "2026-03-02") { date status quantity } }')
    query = "{ " + " ".join(f"a{i}: habits {{ ...F }}" for i in range(30)) + " } " + fragment
    extensions = _refusal(await api.post(query, token=None))
    assert extensions == {"code": "QUERY_TOO_COMPLEX", "limit": "maxFields", "max": MAX_FIELDS}


async def test_fragment_spreads_are_capped(api: Api) -> None:
    from server.graphql.cost import MAX_SPREADS

    leaves = ["id", "name", "category", "kind", "unit", "startDate", "archived", "strength", "doneToday"]
    chain = "{ habits { ...F0 } }" + "".join(f" fragment F{i} on Habit {{ {leaves[i % len(leaves)]} ...F{i + 1} }}"
                                              for i in range(60)) + " fragment F60 on Habit { id }"
    assert _refusal(await api.post(chain, token=None)) == {
        "code": "QUERY_TOO_COMPLEX", "limit": "maxFragmentSpreads", "max": MAX_SPREADS}


async def test_lists_are_charged_for_their_size(api: Api) -> None:
    """Reproduces finding 6 of issue 11: 10 habits x 30 aliases x 1,000 days was served in 3.2 s."""
    api.as_user(await factories.user())
    for i in range(10):
        await api.create_habit(name=f"Habit {i}", startDate="2026-01-01")
    days = " ".join(f'd{i}: days(from: "2024-01-01", to: "2026-09-26") {{ date status quantity }}'
                    for i in range(30))
    extensions = _refusal(await api.post(f"{{ habits {{ id {days} }} }}"))
    assert (extensions["code"], extensions["limit"], extensions["cost"] > extensions["max"]) == (
        "QUERY_TOO_COMPLEX", "maxCost", True)
    # the same days for one habit, or a month for all ten, are served
    one = (await api.data("{ habits { id } }"))["habits"][0]["id"]
    year = await api.post('query($id: ID!) { habit(id: $id) { days(from: "2024-01-01", to: "2026-09-26") { date } } }',
                          {"id": one})
    month = await api.post('{ habits { days(from: "2026-03-01", to: "2026-03-30") { date status quantity } } }')
    assert year.get("errors") is None and len(year["data"]["habit"]["days"]) == 1000
    assert month.get("errors") is None and len(month["data"]["habits"]) == 10


async def test_a_user_may_have_at_most_300_habits(api: Api) -> None:
    """Finding 6 of issue 11: habits per user are capped."""
    from server.habits import tables
    from server.habits.service import HABITS_MAX

    api.as_user(await factories.user())
    first = await api.create_habit(name="First")
    owner = (await tables.Habit.select(tables.Habit.owner).where(tables.Habit.id == first["id"]).first())["owner"]
    rows = [tables.Habit(**{**(await tables.Habit.select().where(tables.Habit.id == first["id"]).first()),
                            "id": __import__("uuid").uuid4(), "name": f"H{i}", "owner": owner})
            for i in range(HABITS_MAX - 1)]
    await tables.Habit.insert(*rows)
    refused = await api.post(HABIT_CREATE, {"input": {"name": "One more", "category": "CUSTOM", "kind": "BUILD",
                                                       "schedule": DAILY}})
    assert refused["data"]["habitCreate"]["code"] == "OUT_OF_RANGE"
    assert await tables.Habit.count().where(tables.Habit.owner == owner) == HABITS_MAX
