"""The checked-in schema, health endpoints, GET queries and error codes at the transport level."""

from __future__ import annotations

import logging
from pathlib import Path

import httpx
import pytest

from server.engine.lifecycle import start_engine
from server.graphql.schema import build_schema
from server.habits import service
from server.settings import get_settings
from tests import factories
from tests.integration.api import Api

ROOT = Path(__file__).resolve().parents[2]


def test_checked_in_schema_matches_the_running_schema() -> None:
    # The mobile team generates code from schema.graphql: refresh it with `comeback schema > schema.graphql`.
    assert (ROOT / "schema.graphql").read_text() == build_schema().as_str() + "\n"


async def test_health_and_ready(http: httpx.AsyncClient) -> None:
    # The app's lifespan (which opens Redis) does not run under ASGITransport: open the engine here,
    # since /ready also checks a configured Redis.
    engine = await start_engine(get_settings(), run_worker=False)
    try:
        health = await http.get("/health")
        ready = await http.get("/ready")
    finally:
        await engine.stop()
    assert (health.status_code, health.json()) == (200, {"status": "ok"})
    assert (ready.status_code, ready.json()["checks"]["database"]) == (200, True)


async def test_queries_over_get(http: httpx.AsyncClient, api: Api) -> None:
    api.as_user(await factories.user())
    response = await http.get("/graphql", params={"query": "{ me { timezone } }"},
                              headers={"Authorization": f"Bearer {api.token}"})
    assert (response.status_code, response.json()) == (200, {"data": {"me": {"timezone": "UTC"}}})


async def test_parse_and_validation_errors_carry_bad_user_input(api: Api) -> None:
    api.as_user(await factories.user())
    assert await api.codes("{ me { id ") == ["BAD_USER_INPUT"]
    assert await api.codes("{ me { nope } }") == ["BAD_USER_INPUT"]
    assert await api.codes("query($id: ID!) { habit(id: $id) { id } }", {}) == ["BAD_USER_INPUT"]


async def test_too_deep_queries_are_refused(api: Api) -> None:
    api.as_user(await factories.user())
    deep = "{ habits { " + "checkIns { edges { node { habit { " * 4 + "id" + " } } } }" * 4 + " } }"
    doc = await api.post(deep)
    assert "data" not in doc
    assert doc["errors"][0]["extensions"] == {"code": "QUERY_TOO_COMPLEX", "limit": "maxDepth", "max": 12}


async def test_unexpected_errors_are_masked_and_logged_once(api: Api, monkeypatch: pytest.MonkeyPatch,
                                                           caplog: pytest.LogCaptureFixture) -> None:
    api.as_user(await factories.user())

    async def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("secret internals: password=hunter2")

    monkeypatch.setattr(service, "create_habit", broken)
    with caplog.at_level(logging.ERROR, logger="server.graphql"):
        doc = await api.post('mutation { habitCreate(input: {name: "x", category: CUSTOM, '
                             'schedule: {period: DAILY}}) { __typename } }')
    assert doc["errors"][0]["message"] == "Internal server error."
    assert doc["errors"][0]["extensions"] == {"code": "INTERNAL"}
    assert "hunter2" not in str(doc)
    assert len([r for r in caplog.records if r.name == "server.graphql"]) == 1
