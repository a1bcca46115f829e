"""Relay cursor connections (edges, node, pageInfo) over keyset cursors."""

from __future__ import annotations

import base64
from datetime import datetime
from typing import Generic, TypeVar
from uuid import UUID

import strawberry

from server.errors import ErrorCode
from server.graphql.errors import ApiError

PAGE_DEFAULT = 20
PAGE_MAX = 100

N = TypeVar("N")


@strawberry.type(description="Where a page of a connection ends.")
class PageInfo:
    has_next_page: bool = strawberry.field(description="More items follow this page.")
    end_cursor: str | None = strawberry.field(description="Pass as `after` for the next page; null on an empty "
                                                         "page.")


@strawberry.type(description="An item of a page, with its cursor.")
class Edge(Generic[N]):
    cursor: str = strawberry.field(description="Opaque: pass as `after` to read on from this item.")
    node: N = strawberry.field(description="The item.")


def page_size(first: int | None) -> int:
    if first is None:
        return PAGE_DEFAULT
    if not 0 <= first <= PAGE_MAX:
        raise ApiError(ErrorCode.BAD_USER_INPUT, f"first must be between 0 and {PAGE_MAX}", field="first")
    return first


def encode_cursor(at: datetime, ident: UUID) -> str:
    return base64.urlsafe_b64encode(f"{at.isoformat()}|{ident}".encode()).decode()


def decode_cursor(cursor: str | None) -> tuple[datetime, UUID] | None:
    if cursor is None:
        return None
    try:
        at, ident = base64.urlsafe_b64decode(cursor.encode()).decode().split("|")
        return datetime.fromisoformat(at), UUID(ident)
    except (ValueError, UnicodeDecodeError):
        raise ApiError(ErrorCode.BAD_USER_INPUT, "after is not a cursor from this connection",
                       field="after") from None
