"""What every response says about itself (finding 9 of issue 11): a content security policy without
inline script, no sniffing, no framing, no referrer; personal data never cached; CSV cells that no
spreadsheet runs; and, in production, validation errors that do not spell out the schema."""

from __future__ import annotations

import csv
import io

import httpx

from server.app import create_app
from server.settings import get_settings
from tests import factories
from tests.integration.api import Api


def _assert_security_headers(response: httpx.Response) -> None:
    policy = response.headers["content-security-policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy
    assert "frame-ancestors 'none'" in policy
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["x-frame-options"] == "DENY"
    assert response.headers["referrer-policy"] == "no-referrer"


async def test_the_dashboard_and_the_api_send_security_headers(http: httpx.AsyncClient, api: Api) -> None:
    api.as_user(await factories.user())
    dashboard = await http.get("/")
    health = await http.get("/health")
    graphql = await http.post("/graphql", json={"query": "{ me { email } }"},
                              headers={"Authorization": f"Bearer {api.token}"})
    refused = await http.post("/graphql", content=b"{", headers={"content-type": "application/json"})
    for response in (dashboard, health, graphql, refused):
        _assert_security_headers(response)
    assert "<script" in dashboard.text and "<script type=\"module\" src=" in dashboard.text  # files only
    assert graphql.headers["cache-control"] == "no-store"
    assert refused.headers["cache-control"] == "no-store"


async def test_csv_cells_that_look_like_formulas_are_neutralised(http: httpx.AsyncClient, api: Api) -> None:
    api.as_user(await factories.user())
    habit = await api.create_habit(name="=HYPERLINK(\"http://evil\")", startDate="2026-01-01")
    for note in ("+1 push-up", "-1 day", "@SUM(A1)", "fine"):
        await api.check_in(habit["id"], note=note)
    response = await http.get("/export/check-ins.csv", headers={"Authorization": f"Bearer {api.token}"})
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert response.headers["cache-control"] == "no-store"
    assert {r["habit_name"] for r in rows} == {"'=HYPERLINK(\"http://evil\")"}
    assert sorted(r["note"] for r in rows) == sorted(["'+1 push-up", "'-1 day", "'@SUM(A1)", "fine"])


async def test_production_validation_errors_do_not_suggest_field_names(migrated: None) -> None:
    production = create_app(get_settings().model_copy(update={"env": "production"}))
    development = create_app(get_settings())
    query = {"query": "{ habitz { id } }"}
    answers = []
    for app in (production, development):
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test") as client:
            answers.append((await client.post("/graphql", json=query)).json()["errors"][0]["message"])
    assert answers[0] == "Cannot query field 'habitz' on type 'Query'."
    assert "Did you mean 'habit'" in answers[1]
