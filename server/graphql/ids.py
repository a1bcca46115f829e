"""Global IDs are the objects' UUIDs; a malformed one is simply not found."""

from __future__ import annotations

from uuid import UUID

from server.errors import not_found


def try_parse_id(value: str) -> UUID | None:
    try:
        return UUID(str(value))
    except ValueError:
        return None


def parse_id(value: str, what: str) -> UUID:
    parsed = try_parse_id(value)
    if parsed is None:
        raise not_found(what)
    return parsed
