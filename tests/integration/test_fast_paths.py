"""The two speed-ups on the request path answer exactly what the standard paths answer.

- server/graphql/lean_post.py serves `POST /graphql` with a JSON body itself and hands every
  other request, body intact, to Strawberry's controller;
- server/graphql/execution.py reads plain scalar attributes without graphql-core's per-field
  machinery, and falls back to it for anything else (nulls, errors).
"""

from __future__ import annotations

from typing import Any

import orjson
import pytest
import strawberry
from strawberry.extensions import FieldExtension
from strawberry.permission import BasePermission
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

from server.graphql.context import Context
from server.graphql.execution import _PLANS, LeafFastExecutionContext
from server.graphql.lean_post import LeanGraphQLPost
from server.graphql.schema import build_schema
from tests.integration.api import Api


class Downstream:
    """Stands in for the controller: records what reaches it."""

    def __init__(self) -> None:
        self.bodies: list[bytes] = []

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        self.bodies.append(body)
        await send({"type": "http.response.start", "status": 299, "headers": []})
        await send({"type": "http.response.body", "body": b"controller"})


async def _post(body: bytes, content_type: str = "application/json", accept: str | None = None,
                chunks: int = 1) -> tuple[Downstream, int, dict[bytes, bytes], bytes]:
    downstream = Downstream()
    lean = LeanGraphQLPost(downstream, build_schema(), max_body=1000)
    size = max(1, -(-len(body) // chunks))
    pieces = [body[i:i + size] for i in range(0, len(body), size)] or [b""]
    messages = [{"type": "http.request", "body": p, "more_body": i < len(pieces) - 1} for i, p in enumerate(pieces)]
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return messages.pop(0)

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    headers = [(b"content-type", content_type.encode())]
    if accept:
        headers.append((b"accept", accept.encode()))
    await lean({"type": "http", "method": "POST", "path": "/graphql", "headers": headers}, receive, send)
    return downstream, sent[0]["status"], dict(sent[0].get("headers", [])), sent[1]["body"]


async def test_a_json_post_is_answered_without_the_controller() -> None:
    downstream, status, headers, body = await _post(orjson.dumps({"query": "{ __typename }"}), chunks=3)
    assert downstream.bodies == []
    assert (status, headers[b"content-type"], orjson.loads(body)) == (200, b"application/json",
                                                                      {"data": {"__typename": "Query"}})


async def test_request_errors_follow_the_negotiated_media_type() -> None:
    query = orjson.dumps({"query": "{ habits { id } }"})  # needs a token
    _, legacy, _, body = await _post(query)
    _, status, headers, _ = await _post(query, accept="application/graphql-response+json")
    assert legacy == 200 and "data" not in orjson.loads(body)
    assert (status, headers[b"www-authenticate"]) == (401, b"Bearer")
    assert orjson.loads(body)["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


@pytest.mark.parametrize(("body", "content_type", "accept"), [
    (b'{"query": "{ __typename }"}', "application/graphql", None),  # not JSON: the controller says 415
    (b"{not json", "application/json", None),
    (b'["a list"]', "application/json", None),
    (b'{"query": 42}', "application/json", None),
    (b'{"query": "{ __typename }", "variables": "x"}', "application/json", None),
    (b'{"query": "{ __typename }"}', "application/json", "text/html"),  # 406 comes from the controller
    (b'{"query": "subscription { events { __typename } }"}', "application/json", None),
    (b'{"query": ""}', "application/json", None),  # the controller's 400: no query
    (b'{"query": "{ __typename }", "operationName": "Missing"}', "application/json", None),
    (b'{"query": "' + b"x" * 2000 + b'"}', "application/json", None),  # over max_body: the controller's 413
])
@pytest.mark.parametrize("chunks", [1, 2])
async def test_everything_else_reaches_the_controller_with_its_body(body: bytes, content_type: str,
                                                                    accept: str | None, chunks: int) -> None:
    downstream, status, _, answer = await _post(body, content_type, accept, chunks=chunks)
    assert (status, answer, downstream.bodies) == (299, b"controller", [body])


DASHBOARD = """query($f: Date!, $t: Date!) { me { id email timezone dayStartHour displayName today }
  habits { id name category kind targetQuantity unit startDate archived currentStreak longestStreak strength
    doneToday streakUnit freezesHeld schedule { period weekdays timesPerWeek }
    days(from: $f, to: $t) { date status quantity }
    checkIns(first: 10) { edges { cursor node { id occurredAt day quantity note source undone } } } } }"""


async def test_leaf_fast_path_gives_the_standard_answer(api: Api) -> None:
    await api.sign_up()
    for i, target in enumerate((None, 10.0, 30.0)):
        fields: dict[str, Any] = {"name": f"Habit {i}", "startDate": "2026-01-01"}
        if target:
            fields.update(targetQuantity=target, unit="pages")
        habit = await api.create_habit(**fields)
        for day in range(1, 9, i + 1):
            await api.check_in(habit["id"], occurredAt=f"2026-01-{day:02d}T09:00:00+00:00", quantity=day * 1.5,
                               **({"note": f"day {day}"} if day % 2 else {}))  # some notes null
    variables = {"f": "2026-01-01", "t": "2026-01-20"}
    fast = build_schema()
    standard = build_schema()
    standard.execution_context_class = StrawberryGraphQLCoreExecutionContext
    answers = []
    for schema in (fast, standard):
        result = await schema.execute(DASHBOARD, variables, Context(authorization=f"Bearer {api.token}"))
        assert result.errors is None
        answers.append(result.data)
    assert answers[0] == answers[1]
    # ... and the fast path was taken for the leaves that dominate the answer
    planned = {name for (owner, name), plan in _PLANS.items() if owner.name == "HabitDay" and plan is not None}
    assert planned == {"date", "status", "quantity"}
    assert len(answers[0]["habits"]) == 3 and len(answers[0]["habits"][0]["days"]) == 20  # type: ignore[index]


class Deny(BasePermission):
    message = "denied"

    def has_permission(self, source: Any, info: Any, **kwargs: Any) -> bool:
        return False


class Upper(FieldExtension):
    def resolve(self, next_: Any, source: Any, info: Any, **kwargs: Any) -> Any:
        return next_(source, info, **kwargs).upper()


@strawberry.type
class Thing:
    name: str
    secret: str | None = strawberry.field(default="s3cret", permission_classes=[Deny])
    loud: str = strawberry.field(default="quiet", extensions=[Upper()])
    broken: str | None = None


@strawberry.type
class ThingQuery:
    @strawberry.field
    def things(self) -> list[Thing | None]:
        return [Thing(name="a", broken=ValueError("boom")), Thing(name=None)]  # type: ignore[arg-type]


async def test_a_null_in_a_non_null_leaf_is_still_a_located_error() -> None:
    results = []
    for context_class in (LeafFastExecutionContext, StrawberryGraphQLCoreExecutionContext):
        schema = strawberry.Schema(query=ThingQuery, execution_context_class=context_class)
        result = await schema.execute("{ things { name secret loud broken } }")
        results.append((result.data, [(e.message, e.path) for e in result.errors or []]))
    assert results[0] == results[1]
    # a guarded field stays guarded, an extension still runs, an Exception value is an error, not text
    assert results[0][0] == {"things": [{"name": "a", "secret": None, "loud": "QUIET", "broken": None}, None]}
    assert {tuple(path) for _, path in results[0][1]} == {("things", 0, "secret"), ("things", 0, "broken"),
                                                           ("things", 1, "name")}
