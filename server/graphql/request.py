"""A GraphQL request as it arrives over HTTP or WebSocket: decoded once, strictly, and shaped.

One decoder for every door, so the rate limiter, the cost limits and the executor all see the
same request: RFC 8259 JSON only (orjson refuses NaN/Infinity, invalid UTF-8 and lone surrogates),
nested at most MAX_DEPTH levels (deeper documents would make every later walk recursive work).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import orjson

# Variables of real operations nest a few levels (an import row in a list in an input object);
# an export document a few more. Far below Python's recursion limit.
MAX_DEPTH = 32


class MalformedRequest(ValueError):
    """The body or query string is not a GraphQL request we can run: a 400 naming the problem."""


def decode_json(data: str | bytes) -> object:
    """Strict JSON, at most MAX_DEPTH levels deep; anything else raises json.JSONDecodeError, which
    Strawberry's WebSocket handlers answer as a non-JSON message and HTTP as a 400."""
    value = orjson.loads(data)
    if _deeper_than(value, MAX_DEPTH):
        raise json.JSONDecodeError(f"the JSON document nests deeper than {MAX_DEPTH} levels", "", 0)
    return value


def _deeper_than(value: object, limit: int) -> bool:
    # Iterative: the point is to refuse documents too deep for recursion.
    stack: list[tuple[object, int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            children: Any = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        if depth > limit:
            return True
        stack.extend((child, depth + 1) for child in children if isinstance(child, dict | list))
    return False


@dataclass(frozen=True, slots=True)
class GraphQLRequest:
    query: str
    variables: dict[str, Any] | None
    operation_name: str | None
    extensions: dict[str, Any] | None


def request_from_payload(payload: object) -> GraphQLRequest:
    """The request a decoded JSON object (POST body) or query string carries."""
    if not isinstance(payload, Mapping):
        raise MalformedRequest("the request must be a JSON object with a `query` string")
    query, variables = payload.get("query"), payload.get("variables")
    name, extensions = payload.get("operationName"), payload.get("extensions")
    if not isinstance(query, str) or not query.strip():
        raise MalformedRequest("No GraphQL query found in the request")
    if not isinstance(variables, dict | None):
        raise MalformedRequest("`variables` must be a JSON object")
    if not isinstance(name, str | None):
        raise MalformedRequest("`operationName` must be a string")
    if not isinstance(extensions, dict | None):
        raise MalformedRequest("`extensions` must be a JSON object")
    return GraphQLRequest(query, variables, name, extensions)


def request_from_json(body: bytes) -> GraphQLRequest:
    try:
        payload = decode_json(body)
    except json.JSONDecodeError as error:
        raise MalformedRequest(f"the body is not valid JSON ({error})") from None
    return request_from_payload(payload)


def request_from_query(params: Mapping[str, Any]) -> GraphQLRequest:
    """GET: `query`, `operationName`, and `variables`/`extensions` as JSON texts."""
    payload: dict[str, object] = {}
    for key, value in params.items():
        if isinstance(value, list):
            if len(value) != 1:
                raise MalformedRequest(f"`{key}` is given more than once")
            value = value[0]
        payload[key] = value
    for key in ("variables", "extensions"):
        text = payload.get(key)
        if isinstance(text, str):
            if not text:
                payload[key] = None
                continue
            try:
                payload[key] = decode_json(text)
            except json.JSONDecodeError as error:
                raise MalformedRequest(f"`{key}` is not valid JSON ({error})") from None
    return request_from_payload(payload)
