"""GraphQL over HTTP: media types, status codes and methods as the spec asks, and the graphql-http audit.

The audit is the npm package `graphql-http` (pinned in tests/compliance/package.json) run by Node
against a real `comeback serve`; every MUST and SHOULD audit has to pass.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from server.graphql.http import negotiate
from tests import factories
from tests.integration.api import Api
from tests.integration.processes import Server, running_server, sqlite_env

COMPLIANCE = Path(__file__).resolve().parents[1] / "compliance"
GRAPHQL_RESPONSE = "application/graphql-response+json"


def test_accept_negotiation() -> None:
    assert negotiate(None) == "application/json"
    assert negotiate("") == "application/json"
    assert negotiate("*/*") == "application/json"
    assert negotiate(GRAPHQL_RESPONSE) == GRAPHQL_RESPONSE
    assert negotiate(f"{GRAPHQL_RESPONSE}, application/json;q=0.9") == GRAPHQL_RESPONSE
    assert negotiate(f"application/json, {GRAPHQL_RESPONSE}") == "application/json"
    assert negotiate(f"application/json;q=0.5, {GRAPHQL_RESPONSE}") == GRAPHQL_RESPONSE
    assert negotiate("application/json; charset=utf-8") == "application/json"
    assert negotiate(f"{GRAPHQL_RESPONSE};q=0, text/html") is None
    assert negotiate("text/html, application/xml") is None


async def post(http: httpx.AsyncClient, body: object, accept: str | None = GRAPHQL_RESPONSE,
               token: str | None = None) -> httpx.Response:
    headers = {"content-type": "application/json"}
    if accept:
        headers["accept"] = accept
    if token:
        headers["authorization"] = f"Bearer {token}"
    return await http.post("/graphql", content=json.dumps(body), headers=headers)


async def test_graphql_response_json_is_used_when_asked_for(http: httpx.AsyncClient) -> None:
    ok = await post(http, {"query": "{ __typename }"})
    legacy = await post(http, {"query": "{ __typename }"}, accept="application/json")
    default = await post(http, {"query": "{ __typename }"}, accept=None)
    assert (ok.status_code, ok.headers["content-type"], ok.json()) == \
        (200, GRAPHQL_RESPONSE, {"data": {"__typename": "Query"}})
    assert (legacy.status_code, legacy.headers["content-type"]) == (200, "application/json")
    assert (default.status_code, default.headers["content-type"]) == (200, "application/json")


async def test_request_errors_are_400_without_data_under_graphql_response_json(http: httpx.AsyncClient) -> None:
    cases = [
        {"query": "{ me { id "},                                          # parse
        {"query": "{ nope }"},                                            # validation
        {"query": "query($id: ID!) { __typename }", "variables": {"id": None}},  # variable coercion
        {"query": "{ " + "__typename " * 3000 + "}"},                     # a limit
    ]
    for body in cases:
        strict = await post(http, body)
        legacy = await post(http, body, accept="application/json")
        assert (strict.status_code, strict.headers["content-type"]) == (400, GRAPHQL_RESPONSE), body
        assert "data" not in strict.json() and strict.json()["errors"], body
        assert legacy.status_code == 200 and "data" not in legacy.json(), body


async def test_auth_failures_are_401_and_403_under_graphql_response_json(http: httpx.AsyncClient, api: Api) -> None:
    anonymous = await post(http, {"query": "{ me { id } }"})
    assert (anonymous.status_code, anonymous.headers["www-authenticate"]) == (401, "Bearer")
    assert anonymous.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    api.as_user(await factories.user())
    created = await api.data('mutation { apiTokenCreate(input: {name: "r", scopes: [READ]}) '
                             '{ ... on ApiTokenCreated { secret } } }')
    read_only = await post(http, {"query": "mutation { logOut }"}, token=created["apiTokenCreate"]["secret"])
    assert read_only.status_code == 403
    assert read_only.json()["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    legacy = await post(http, {"query": "{ me { id } }"}, accept="application/json")
    assert legacy.status_code == 200


async def test_field_errors_with_data_stay_200(http: httpx.AsyncClient, api: Api) -> None:
    api.as_user(await factories.user())
    response = await post(http, {"query": "{ journalEntries(first: 500) { edges { cursor } } }"}, token=api.token)
    assert response.status_code == 200
    assert response.json()["data"] is None and response.json()["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


async def test_methods_and_content_types(http: httpx.AsyncClient, api: Api) -> None:
    api.as_user(await factories.user())
    mutation_over_get = await http.get("/graphql", params={"query": "mutation { logOut }"},
                                       headers={"authorization": f"Bearer {api.token}", "accept": GRAPHQL_RESPONSE})
    assert (mutation_over_get.status_code, mutation_over_get.headers["allow"]) == (405, "POST")
    assert mutation_over_get.json()["errors"][0]["message"] == "mutations are not allowed when using GET"
    assert (await api.post("{ me { id } }"))["data"]["me"]  # the session is still alive: nothing ran
    put = await http.put("/graphql", json={"query": "{ __typename }"})
    assert put.status_code == 405
    not_json = await http.post("/graphql", content=b"{ __typename }", headers={"content-type": "text/plain"})
    assert (not_json.status_code, not_json.json()["errors"][0]["extensions"]["code"]) == (415, "BAD_USER_INPUT")
    bad_json = await http.post("/graphql", content=b"{not json", headers={"content-type": "application/json",
                                                                         "accept": GRAPHQL_RESPONSE})
    assert (bad_json.status_code, bad_json.headers["content-type"]) == (400, GRAPHQL_RESPONSE)
    unacceptable = await post(http, {"query": "{ __typename }"}, accept="text/xml")
    assert unacceptable.status_code == 406


@pytest.fixture(scope="module")
def audit_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    data = tmp_path_factory.mktemp("audit")
    with running_server(sqlite_env(data), data / "serve.log") as server:
        yield server


def _node_modules() -> None:
    if (COMPLIANCE / "node_modules" / "graphql-http").is_dir():
        return
    npm = shutil.which("npm")
    done = npm and subprocess.run([npm, "ci", "--prefix", str(COMPLIANCE), "--no-audit", "--no-fund"],
                                  capture_output=True, timeout=180).returncode == 0
    if not done:
        if os.environ.get("COMEBACK_REQUIRE_SERVICES"):
            pytest.fail("could not install tests/compliance (npm ci) for the graphql-http audit")
        pytest.skip("graphql-http is not installed: run `npm ci --prefix tests/compliance`")


def test_graphql_http_audit_passes_every_must_and_should(audit_server: Server) -> None:
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed: the graphql-http audit (tests/compliance) needs Node.js 18+")
    _node_modules()
    run = subprocess.run([node, str(COMPLIANCE / "audit.mjs"), audit_server.url + "/graphql"],
                         capture_output=True, text=True, timeout=120)
    summary = json.loads(run.stdout.strip().splitlines()[-1])
    print(run.stdout)
    assert summary["failed"] == [], run.stdout
    assert run.returncode == 0
    assert summary["byLevel"]["MUST"]["ok"] == summary["byLevel"]["MUST"]["total"] > 0
    assert summary["byLevel"]["SHOULD"]["ok"] == summary["byLevel"]["SHOULD"]["total"] > 0
