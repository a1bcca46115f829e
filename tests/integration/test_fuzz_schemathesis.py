"""Schemathesis in GraphQL mode against a real `comeback serve`, as a signed-in user with data.

Every operation of the schema (except logOut, which would end the fuzzing session) gets
COMEBACK_FUZZ_EXAMPLES generated queries (default 12: a few hundred in all) from a fixed seed.
Each response must be: not 5xx; a JSON object of data/errors; every error carrying a known
`extensions.code` that is not INTERNAL (graphql-core's own execution errors, such as a null in a
non-null field, are coded INTERNAL, so this also proves the schema holds); no traceback text.
A longer run: `COMEBACK_FUZZ_EXAMPLES=200 .venv/bin/python -m pytest tests/integration/test_fuzz_schemathesis.py`
(see docs/hardening.md).
"""

from __future__ import annotations

import json
import os
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from server.errors import ErrorCode
from tests import clients
from tests.integration.processes import Server, running_server, suite_env

schemathesis = pytest.importorskip("schemathesis", reason="schemathesis is a test dependency (pip install -e .[test])")
import graphql  # noqa: E402
from hypothesis import HealthCheck, Phase, given, seed, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402
from hypothesis_graphql import nodes  # noqa: E402

pytestmark = pytest.mark.fuzz

SEED = 20261126
EXAMPLES = int(os.environ.get("COMEBACK_FUZZ_EXAMPLES", "8"))
# Would end the session the fuzzing runs in (a generated password never matches, so passwordChange and
# accountDelete are fuzzed; sessionRevoke's generated ids name no session of the fuzzer's).
SKIPPED = {"Mutation.logOut", "Mutation.logOutEverywhere"}
CODES = {c.value for c in ErrorCode}
LEAKS = ("Traceback", 'File "', "asyncpg", "sqlite3", "piccolo", "Internal server error")


def _field(name: str, value: graphql.ValueNode) -> graphql.ObjectFieldNode:
    return graphql.ObjectFieldNode(name=graphql.NameNode(value=name), value=value)


# JSON (accountImport's document): junk, and things shaped like an export with junk inside.
_json_leaf = st.one_of(st.text(max_size=20).map(nodes.String), st.integers(-10, 10**6).map(nodes.Int),
                       st.booleans().map(nodes.Boolean), st.just(nodes.Null))
schemathesis.graphql.scalar("JSON", st.one_of(
    _json_leaf,
    st.lists(_json_leaf, max_size=3).map(nodes.List),
    st.fixed_dictionaries({
        "format": st.sampled_from(["comeback-export", "other"]).map(nodes.String),
        "version": st.integers(0, 4).map(nodes.Int),
    }, optional={
        "habits": st.lists(st.fixed_dictionaries({"id": _json_leaf, "name": _json_leaf}).map(
            lambda d: nodes.Object([_field(k, v) for k, v in d.items()])), max_size=2).map(nodes.List),
        "checkIns": st.lists(_json_leaf, max_size=2).map(nodes.List),
        "profile": _json_leaf,
    }).map(lambda d: nodes.Object([_field(k, v) for k, v in d.items()])),
))


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    data = tmp_path_factory.mktemp("fuzz")
    with running_server(suite_env(data), data / "serve.log") as running:
        yield running


def signed_in_user_with_data(url: str) -> str:
    def gql(query: str, token: str | None = None, **variables: Any) -> dict[str, Any]:
        headers = {"authorization": f"Bearer {token}"} if token else {}
        doc: dict[str, Any] = clients.post(url, json={"query": query, "variables": variables}, headers=headers,
                                         timeout=10).json()
        assert not doc.get("errors"), doc
        return doc["data"]

    email = f"fuzz-{SEED}-{os.getpid()}@example.com"
    token = gql('mutation($e: String!) { signUp(input: {email: $e, password: "fuzzing all day"}) '
                "{ ... on AuthPayload { token } } }", e=email)["signUp"]["token"]
    for name, schedule in (("Walk", "{period: DAILY}"), ("Read", "{period: WEEKLY, timesPerWeek: 3}")):
        habit = gql(f'mutation {{ habitCreate(input: {{name: "{name}", category: WORKOUT, schedule: {schedule}, '
                    f'startDate: "2026-01-01"}}) {{ ... on Habit {{ id }} }} }}', token)["habitCreate"]["id"]
        gql('mutation($h: ID!) { habitCheckIn(input: {habitId: $h, note: "seed"}) { __typename } }', token, h=habit)
    gql('mutation { journalEntryCreate(input: {body: "a first entry"}) { __typename } }', token)
    return str(token)


def problems(response: Any) -> list[str]:
    """What is wrong with one response, by the rules in the module docstring."""
    found = []
    if response.status_code >= 500:
        found.append(f"status {response.status_code}")
    try:
        doc = json.loads(response.content)
    except ValueError:
        return [*found, f"not JSON: {response.content[:200]!r}"]
    if not isinstance(doc, dict) or not set(doc) <= {"data", "errors", "extensions"} or not doc:
        return [*found, f"not a GraphQL response: {str(doc)[:200]}"]
    for error in doc.get("errors") or []:
        code = (error.get("extensions") or {}).get("code")
        if code not in CODES:
            found.append(f"error without a known code: {error}")
        elif code == ErrorCode.INTERNAL.value:
            found.append(f"INTERNAL error at {error.get('path')}")
        if any(leak in error.get("message", "") for leak in LEAKS):
            found.append(f"unmasked internals: {error['message'][:200]}")
    return found


def test_fuzzed_operations_never_fail_the_server(server: Server) -> None:
    url = server.url + "/graphql"
    token = signed_in_user_with_data(url)
    schema = schemathesis.graphql.from_url(url, headers={"authorization": f"Bearer {token}"})
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) > 20
    calls: Counter[str] = Counter()
    outcomes: Counter[str] = Counter()
    failures: list[str] = []
    headers = {"authorization": f"Bearer {token}", "accept": "application/graphql-response+json"}
    session = requests.Session()  # one for the run: a session per call rebuilt its TLS context each time
    for operation in operations:
        if operation.label in SKIPPED:
            continue
        label = operation.label

        @seed(SEED)
        @settings(max_examples=EXAMPLES, database=None, deadline=None, derandomize=False,
                  suppress_health_check=list(HealthCheck), phases=[Phase.generate])
        @given(case=operation.as_strategy())
        def fuzz(case: Any) -> None:
            response = case.call(session=session, headers=headers, timeout=30)
            calls[label] += 1  # noqa: B023 - called before the loop moves on
            doc = json.loads(response.content) if response.content else {}
            outcomes["data" if isinstance(doc, dict) and doc.get("data") is not None and not doc.get("errors")
                     else "errors"] += 1
            for problem in problems(response):
                failures.append(f"{label}: {problem}\n  query: {case.body}")  # noqa: B023

        fuzz()
    session.close()
    total = sum(calls.values())
    print(f"\nfuzzed {total} operations over {len(calls)} fields (seed {SEED}, {EXAMPLES} each): "
          f"{outcomes['data']} answered with data, {outcomes['errors']} refused with coded errors")
    Path(os.environ.get("COMEBACK_FUZZ_REPORT", "/dev/null")).write_text(
        json.dumps({"total": total, "per_field": calls, "outcomes": outcomes, "failures": failures}, indent=2))
    assert not failures, "\n".join(failures[:20])
    assert total >= len(calls) * min(EXAMPLES, 5) and len(calls) == len(operations) - len(SKIPPED)
    # the session survived the run: the fuzzing really ran signed in
    me = clients.post(url, json={"query": "{ me { id } }"}, headers=headers, timeout=10).json()
    assert me["data"]["me"]["id"]
