"""The common request, `POST /graphql` with a JSON body, run straight on the schema.

Strawberry's Litestar controller serves every shape of GraphQL over HTTP (GET, multipart, the
IDE, subscriptions over HTTP), and pays for it on each request: dependency injection with a
thread hop, a request adapter, content-type parsing. Phones, the dashboard and scripts almost
only send one shape, so this middleware answers it directly, with the same schema (and so the
same extensions: caches, limits, auth, error finishing) and the same response rules as the
controller (server/graphql/http.py). Anything else, or anything unusual about the request,
goes on to the controller untouched, body included.
"""

from __future__ import annotations

from typing import Any

import orjson
from litestar.enums import ScopeType
from litestar.middleware.base import DefineMiddleware
from litestar.types import ASGIApp, Receive, Scope, Send
from strawberry.exceptions import MissingQueryError
from strawberry.schema import BaseSchema
from strawberry.schema.exceptions import CannotGetOperationTypeError, InvalidOperationTypeError
from strawberry.types.graphql import OperationType

from server.asgi import header, read_body, replaying
from server.graphql.context import Context
from server.graphql.http import finish_result, negotiate, request_error_status

_QUERY_AND_MUTATION = frozenset({OperationType.QUERY, OperationType.MUTATION})


def _is_json(content_type: str | None) -> bool:
    return content_type is not None and content_type.partition(";")[0].strip().lower() == "application/json"


def _request(body: bytes) -> tuple[str, dict[str, Any] | None, str | None, dict[str, Any] | None] | None:
    """(query, variables, operationName, extensions) of a well-formed body, else None."""
    try:
        payload = orjson.loads(body)
    except orjson.JSONDecodeError:
        return None
    if not isinstance(payload, dict):
        return None
    query, variables = payload.get("query"), payload.get("variables")
    name, extensions = payload.get("operationName"), payload.get("extensions")
    if (not isinstance(query, str) or not isinstance(variables, dict | None) or not isinstance(name, str | None)
            or not isinstance(extensions, dict | None)):
        return None
    return query, variables, name, extensions


class LeanGraphQLPost:
    def __init__(self, app: ASGIApp, schema: BaseSchema, path: str = "/graphql",
                 max_body: int = 1024 * 1024) -> None:
        self.app = app
        self.schema = schema
        self.path = path
        self.max_body = max_body

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != ScopeType.HTTP or scope["path"] != self.path or scope["method"] != "POST" \
                or not _is_json(header(scope, b"content-type")):
            await self.app(scope, receive, send)
            return
        media = negotiate(header(scope, b"accept"))
        body, messages, complete = await read_body(receive, self.max_body)
        request = _request(body) if complete and media is not None else None
        if request is None:  # 406, 413, malformed bodies: the controller's answers
            await self.app(scope, replaying(messages, receive), send)
            return
        query, variables, name, extensions = request
        context = Context(authorization=header(scope, b"authorization"))
        try:
            result = await self.schema.execute(query, variables, context, None, name, _QUERY_AND_MUTATION,
                                               extensions)
        except (InvalidOperationTypeError, MissingQueryError, CannotGetOperationTypeError):
            # A subscription over POST, an empty query, an operationName that names nothing: the
            # controller has the answers (its protocol, or a 400 with a GraphQL error).
            await self.app(scope, replaying(messages, receive), send)
            return
        document, code = finish_result(result)
        assert media is not None
        status, extra = request_error_status(code, media)
        payload = orjson.dumps(document)
        headers = [(b"content-type", media.encode()), (b"content-length", str(len(payload)).encode()),
                   *((k.lower().encode(), v.encode()) for k, v in extra.items())]
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": payload, "more_body": False})


def lean_graphql_post(schema: BaseSchema, max_body: int) -> DefineMiddleware:
    return DefineMiddleware(LeanGraphQLPost, schema=schema, max_body=max_body)
