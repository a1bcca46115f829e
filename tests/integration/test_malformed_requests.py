"""Whatever arrives, the answer is a 400 or a typed error, never a 500 or INTERNAL (finding 7 of issue 11)."""

from __future__ import annotations

import httpx

from tests import factories
from tests.integration.api import CHECK_IN_MUTATION, Api

JSON = {"content-type": "application/json"}


async def test_invalid_utf8_is_a_400_graphql_error(http: httpx.AsyncClient) -> None:
    response = await http.post("/graphql", content=b'{"query": "{ __typename \xff\xfe }"}', headers=JSON)
    assert response.status_code == 400
    assert response.json()["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


async def test_json_nested_a_hundred_thousand_deep_is_a_400(http: httpx.AsyncClient) -> None:
    body = b'{"query": "{ __typename }", "variables": {"x": ' + b"[" * 100_000 + b"]" * 100_000 + b"}}"
    response = await http.post("/graphql", content=body, headers=JSON)
    assert response.status_code == 400
    assert response.json()["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


async def test_json_nested_deeper_than_the_limit_but_parsable_is_a_400(http: httpx.AsyncClient) -> None:
    from server.graphql.request import MAX_DEPTH

    deep = b"[" * (MAX_DEPTH + 1) + b"]" * (MAX_DEPTH + 1)
    response = await http.post("/graphql", content=b'{"query": "{ __typename }", "variables": {"x": ' + deep + b"}}",
                               headers=JSON)
    assert response.status_code == 400
    assert "nests deeper than" in response.json()["errors"][0]["message"]


async def test_non_standard_json_is_a_400(http: httpx.AsyncClient) -> None:
    for body in (b'{"query": "{ __typename }", "variables": {"x": NaN}}',
                 b'{"query": "{ __typename }", "variables": {"x": Infinity}}',
                 b"{'query': '{ __typename }'}"):
        response = await http.post("/graphql", content=body, headers=JSON)
        assert response.status_code == 400, body
        assert "data" not in response.json()


async def test_a_subscription_sent_over_post_is_a_400(http: httpx.AsyncClient) -> None:
    response = await http.post("/graphql", json={"query": "subscription { events { __typename } }"})
    assert response.status_code == 400
    error = response.json()["errors"][0]
    assert (error["extensions"]["code"], "WebSocket" in error["message"]) == ("BAD_USER_INPUT", True)


async def test_an_instant_utc_cannot_hold_is_bad_input_not_an_overflow(api: Api) -> None:
    api.as_user(await factories.user())
    habit = await api.create_habit()
    doc = await api.post(CHECK_IN_MUTATION, {"input": {"habitId": habit["id"],
                                                       "occurredAt": "9999-12-31T23:59:59-14:00"}})
    assert [e["extensions"]["code"] for e in doc["errors"]] == ["BAD_USER_INPUT"]
    assert "outside the years UTC can hold" in doc["errors"][0]["message"]
    literal = await api.post(f'mutation {{ habitCheckIn(input: {{habitId: "{habit["id"]}", '
                             'occurredAt: "9999-12-31T23:59:59-14:00"}) { __typename } }')
    assert [e["extensions"]["code"] for e in literal["errors"]] == ["BAD_USER_INPUT"]


async def test_malformed_get_parameters_are_a_400(http: httpx.AsyncClient) -> None:
    for params in ({"query": "{ __typename }", "variables": "{not json"}, {"query": ""}, {"variables": "{}"}):
        response = await http.get("/graphql", params=params, headers={"accept": "application/json"})
        assert response.status_code == 400, params
        assert response.json()["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
