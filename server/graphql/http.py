"""The one HTTP path of `/graphql`: GraphQL over HTTP as the spec asks, on Strawberry's Litestar controller.

Strawberry's controller serves the WebSocket protocols and renders the IDE; its two HTTP handlers
are replaced by ours (a subclass may define its own route handlers), which ask Litestar for nothing
but the request: no dependency injection, no thread hop, no request adapter. Every GraphQL request
shape the API supports goes through them (JSON POST, GET queries); every check (cost, rate limits,
authentication) runs inside the schema (server/graphql/admission.py), so HTTP and WebSocket
operations pass the same doors. JSON is decoded once, strictly (RFC 8259: no NaN, no invalid UTF-8,
bounded nesting), by the view's `decode_json`, which the WebSocket adapter uses too.

- The response media type follows `Accept`: `application/graphql-response+json` when the client
  prefers it, `application/json` for `application/json`, `*/*` or no `Accept`; 406 when neither is
  acceptable.
- A request error (parse, validation, variable coercion, a limit, a refused token: no `data`
  entry at all) is 400 with `application/graphql-response+json` (401 UNAUTHENTICATED, 403
  FORBIDDEN, 503 UNAVAILABLE, 500 INTERNAL), and 200 with legacy `application/json`, as the spec
  recommends for each. RATE_LIMITED is 429 with `Retry-After` in either media type. A response
  with `data` (even `null` after a field error) is 200.
- GET runs queries only: a mutation over GET is 405 with `Allow: POST`; a POST body that is not
  JSON is 415; malformed request bodies are 400 with a GraphQL error document, never plain text.
"""

from __future__ import annotations

from typing import Any

import orjson
from litestar import Request, Response, get, post
from litestar.exceptions import ClientException
from strawberry.exceptions import MissingQueryError
from strawberry.http import GraphQLHTTPResponse, process_result
from strawberry.litestar import make_graphql_controller
from strawberry.schema import BaseSchema
from strawberry.schema.exceptions import CannotGetOperationTypeError, InvalidOperationTypeError
from strawberry.types import ExecutionResult
from strawberry.types.graphql import OperationType

from server.errors import ErrorCode
from server.graphql.context import Context, context_getter
from server.graphql.errors import finish_error
from server.graphql.progress import SUBSCRIPTIONS_MAX
from server.graphql.request import GraphQLRequest, MalformedRequest, decode_json, request_from_json, request_from_query

GRAPHQL_RESPONSE_JSON = "application/graphql-response+json"
JSON = "application/json"
# A request error's status under application/graphql-response+json, by its code.
_REQUEST_ERROR_STATUS = {ErrorCode.INTERNAL.value: 500, ErrorCode.RATE_LIMITED.value: 429,
                         ErrorCode.UNAVAILABLE.value: 503,
                         ErrorCode.UNAUTHENTICATED.value: 401, ErrorCode.FORBIDDEN.value: 403}
_QUERY_AND_MUTATION = frozenset({OperationType.QUERY, OperationType.MUTATION})
_QUERY_ONLY = frozenset({OperationType.QUERY})
IDE_CONTENT_SECURITY_POLICY = ("default-src 'self' https://unpkg.com; script-src 'self' 'unsafe-inline' "
                               "https://unpkg.com; style-src 'self' 'unsafe-inline' https://unpkg.com; "
                               "img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'")
# Personal data is never to be kept by a browser or a shared cache.
_NO_STORE = {"Cache-Control": "no-store"}


def negotiate(accept: str | None) -> str | None:
    """The media type to answer in for an `Accept` header, or None when we serve nothing acceptable."""
    if accept is None or not accept.strip():
        return JSON
    best: tuple[float, str] | None = None
    for part in accept.split(","):
        media, *params = (p.strip() for p in part.split(";"))
        quality = 1.0
        for param in params:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        media = media.lower()
        if media == GRAPHQL_RESPONSE_JSON:
            offer = GRAPHQL_RESPONSE_JSON
        elif media in (JSON, "application/*", "*/*"):
            offer = JSON
        else:
            continue
        if quality > 0 and (best is None or quality > best[0]):  # ties: the first listed wins
            best = (quality, offer)
    return best[1] if best else None


def is_request_error(result: ExecutionResult) -> bool:
    """Execution never started (parse, validation, coercion, limits): such errors have no path."""
    return result.data is None and bool(result.errors) and all(e.path is None for e in result.errors or ())


def error_document(message: str, code: ErrorCode, **extensions: Any) -> dict[str, Any]:
    return {"errors": [{"message": message, "extensions": {"code": code.value, **extensions}}]}


def finish_result(result: ExecutionResult, hide_suggestions: bool = False) -> tuple[GraphQLHTTPResponse, str | None]:
    """The response document for a result, and the error code when it is a request error.

    Errors raised before execution (e.g. syntax errors) bypass the schema's extensions, so every
    error is finished (coded, masked) here too; finishing twice changes nothing.
    """
    if result.errors:
        result.errors = [finish_error(e, hide_suggestions) for e in result.errors]
    body = process_result(result)
    if not is_request_error(result):
        return body, None
    body.pop("data", None)  # the spec: a request error has no data entry
    return body, (result.errors[0].extensions or {}).get("code", "")  # type: ignore[index]


def request_error_status(code: str | None, media: str) -> int:
    """HTTP status of a result: 200, except request errors asked for in the new media type (and 429)."""
    if code == ErrorCode.RATE_LIMITED.value:
        return 429  # whatever the media type: clients and proxies back off on the status
    if code is None or media != GRAPHQL_RESPONSE_JSON:
        return 200
    return _REQUEST_ERROR_STATUS.get(code, 400)


def _status_headers(status: int) -> dict[str, str]:
    if status == 401:
        return {"WWW-Authenticate": "Bearer"}
    if status == 503:
        return {"Retry-After": "5"}
    return {}


def _error_response(message: str, status: int, media: str, headers: dict[str, str] | None = None,
                    code: ErrorCode = ErrorCode.BAD_USER_INPUT) -> Response[bytes]:
    return Response(orjson.dumps(error_document(message, code)), status_code=status, media_type=media,
                    headers={**_NO_STORE, **(headers or {})})


class GraphQLView:
    """Runs one GraphQL request on the schema and turns the result into an HTTP response."""

    def __init__(self, schema: BaseSchema, hide_suggestions: bool = False) -> None:
        self.schema = schema
        self.hide_suggestions = hide_suggestions

    async def respond(self, request: Request[Any, Any, Any], graphql: GraphQLRequest, media: str,
                      allowed: frozenset[OperationType]) -> Response[bytes]:
        context = Context.for_http(request)
        try:
            result = await self.schema.execute(graphql.query, graphql.variables, context, None,
                                               graphql.operation_name, allowed, graphql.extensions)
        except InvalidOperationTypeError as error:
            if request.method == "GET":
                return _error_response(error.as_http_error_reason("GET"), 405, media, {"Allow": "POST"})
            # A subscription over HTTP: subscriptions are served over WebSocket only.
            return _error_response("subscriptions are served over WebSocket (graphql-transport-ws) only", 400,
                                   media)
        except MissingQueryError:
            return _error_response("No GraphQL query found in the request", 400, media)
        except CannotGetOperationTypeError as error:
            return _error_response(error.as_http_error_reason(), 400, media)
        document, code = finish_result(result, self.hide_suggestions)
        status = request_error_status(code, media)
        headers = {**_NO_STORE, **_status_headers(status), **context.response_headers}
        return Response(orjson.dumps(document), status_code=status, media_type=media, headers=headers)


def make_controller(schema: BaseSchema, *, graphiql: bool, hide_suggestions: bool = False,
                    path: str = "/graphql") -> type:
    base = make_graphql_controller(
        schema,
        path=path,
        graphql_ide="graphiql" if graphiql else None,
        allow_queries_via_get=True,
        context_getter=context_getter,
        # Operations in flight on one socket (Strawberry's own cap; the per-user cap is SUBSCRIPTIONS_MAX).
        max_subscriptions_per_connection=SUBSCRIPTIONS_MAX,
    )
    view = GraphQLView(schema, hide_suggestions)

    class GraphQLController(base):  # type: ignore[valid-type,misc]
        def decode_json(self, data: str | bytes) -> object:
            # The WebSocket adapter decodes its messages here: the same strict parser as HTTP.
            return decode_json(data)

        @post(status_code=200)
        async def handle_http_post(self, request: Request[Any, Any, Any]) -> Response[bytes]:
            media = negotiate(request.headers.get("accept"))
            if media is None:
                return _not_acceptable()
            content_type = (request.headers.get("content-type") or "").partition(";")[0].strip().lower()
            if content_type != JSON:
                return _error_response(f"Unsupported content type: send {JSON}", 415, media)
            try:
                body = await request.body()
            except ClientException as error:  # over the body limit: 413, before any parsing
                return _error_response(str(error.detail), error.status_code, media)
            try:
                graphql = request_from_json(body)
            except MalformedRequest as error:
                return _error_response(str(error), 400, media)
            return await view.respond(request, graphql, media, _QUERY_AND_MUTATION)

        @get()
        async def handle_http_get(self, request: Request[Any, Any, Any]) -> Response[Any]:
            if self.should_render_graphql_ide(request):
                if self.graphql_ide:
                    # The IDE page is the one page with inline scripts (and a CDN): development only.
                    page: Response[Any] = await self.render_graphql_ide(request)
                    page.headers["Content-Security-Policy"] = IDE_CONTENT_SECURITY_POLICY
                    return page
                return _error_response("Not Found", 404, JSON)
            media = negotiate(request.headers.get("accept"))
            if media is None:
                return _not_acceptable()
            try:
                graphql = request_from_query(request.query_params.dict())
            except MalformedRequest as error:
                return _error_response(str(error), 400, media)
            return await view.respond(request, graphql, media, _QUERY_ONLY)

    return GraphQLController


def _not_acceptable() -> Response[bytes]:
    return _error_response(f"Not acceptable: ask for {GRAPHQL_RESPONSE_JSON} or {JSON}.", 406, JSON)
