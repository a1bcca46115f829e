"""GraphQL over HTTP as the spec asks, on top of Strawberry's Litestar controller.

- The response media type follows `Accept`: `application/graphql-response+json` when the client
  prefers it, `application/json` for `application/json`, `*/*` or no `Accept`; 406 when neither is
  acceptable.
- A request error (parse, validation, variable coercion, a limit, a refused token: no `data`
  entry at all) is 400 with `application/graphql-response+json` (401 UNAUTHENTICATED, 403
  FORBIDDEN, 429 RATE_LIMITED, 503 UNAVAILABLE, 500 INTERNAL), and 200 with legacy `application/json`, as the spec
  recommends for each. A response with `data` (even `null` after a field error) is 200.
- GET runs queries only: a mutation over GET is 405 with `Allow: POST`; a POST body that is not
  JSON is 415; malformed request bodies are 400 with a GraphQL error document, not plain text.
"""

from __future__ import annotations

from typing import Any

from cross_web import HTTPException
from litestar import Request, Response
from strawberry.http import GraphQLHTTPResponse, process_result
from strawberry.litestar import make_graphql_controller
from strawberry.schema import BaseSchema
from strawberry.schema.exceptions import InvalidOperationTypeError
from strawberry.types import ExecutionResult

from server.errors import ErrorCode
from server.graphql.context import context_getter
from server.graphql.errors import finish_error

GRAPHQL_RESPONSE_JSON = "application/graphql-response+json"
JSON = "application/json"
_STATE_KEY = "graphql_request_error"
# A request error's status under application/graphql-response+json, by its code.
_REQUEST_ERROR_STATUS = {ErrorCode.INTERNAL.value: 500, ErrorCode.RATE_LIMITED.value: 429,
                         ErrorCode.UNAVAILABLE.value: 503,
                         ErrorCode.UNAUTHENTICATED.value: 401, ErrorCode.FORBIDDEN.value: 403}


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


def error_document(message: str, code: ErrorCode) -> dict[str, Any]:
    return {"errors": [{"message": message, "extensions": {"code": code.value}}]}


def finish_result(result: ExecutionResult) -> tuple[GraphQLHTTPResponse, str | None]:
    """The response document for a result, and the error code when it is a request error.

    Errors raised before execution (e.g. syntax errors) bypass the schema's extensions, so every
    error is finished (coded, masked) here too; finishing twice changes nothing.
    """
    if result.errors:
        result.errors = [finish_error(e) for e in result.errors]
    body = process_result(result)
    if not is_request_error(result):
        return body, None
    body.pop("data", None)  # the spec: a request error has no data entry
    return body, (result.errors[0].extensions or {}).get("code", "")  # type: ignore[index]


def request_error_status(code: str | None, media: str) -> tuple[int, dict[str, str]]:
    """HTTP status and headers of a result: 200, except request errors asked for in the new media type."""
    if code is None or media != GRAPHQL_RESPONSE_JSON:
        return 200, {}
    status = _REQUEST_ERROR_STATUS.get(code, 400)
    if status == 401:
        return status, {"WWW-Authenticate": "Bearer"}
    if status == 503:
        return status, {"Retry-After": "5"}
    return status, {}


def make_controller(schema: BaseSchema, *, graphiql: bool, path: str = "/graphql") -> type:
    base = make_graphql_controller(
        schema,
        path=path,
        graphql_ide="graphiql" if graphiql else None,
        allow_queries_via_get=True,
        context_getter=context_getter,
    )

    class GraphQLController(base):  # type: ignore[valid-type,misc]
        async def execute_request(self, request: Request[Any, Any, Any], context: Any,
                                  root_value: Any) -> Response[Any]:
            media = negotiate(request.headers.get("accept"))
            if media is None and not self.should_render_graphql_ide(self.request_adapter_class(request)):
                return Response(error_document(f"Not acceptable: ask for {GRAPHQL_RESPONSE_JSON} or {JSON}.",
                                               ErrorCode.BAD_USER_INPUT), status_code=406, media_type=JSON)
            media = media or JSON
            try:
                response: Response[Any] = await self.run(request, context=context, root_value=root_value)
            except HTTPException as error:
                return _transport_error(request, error, media)
            if response.media_type == JSON:  # a GraphQL result (not the IDE's HTML)
                response.media_type = media
                status, headers = request_error_status(request.state.get(_STATE_KEY), media)
                response.status_code = status
                response.headers.update(headers)
            return response

        async def process_result(self, request: Any, result: ExecutionResult) -> GraphQLHTTPResponse:
            body, code = finish_result(result)
            if code is not None:
                request.state[_STATE_KEY] = code
            return body

    return GraphQLController


def _transport_error(request: Request[Any, Any, Any], error: HTTPException, media: str) -> Response[Any]:
    """Strawberry's plain-text refusals, as GraphQL error documents with the status the spec asks for."""
    status, headers = error.status_code, {}
    if isinstance(error.__cause__, InvalidOperationTypeError) and request.method == "GET":
        status, headers = 405, {"Allow": "POST"}
    elif error.reason == "Unsupported content type":
        status = 415
    return Response(error_document(error.reason, ErrorCode.BAD_USER_INPUT), status_code=status, media_type=media,
                    headers=headers)
