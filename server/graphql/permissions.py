"""Authentication and the READ/WRITE scope, enforced once for every root field.

Enforced by the schema rather than per field, so a new query or mutation cannot be added
without it: only the fields in PUBLIC_FIELDS answer without a token.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from graphql import OperationType
from strawberry.extensions import SchemaExtension
from strawberry.types import Info

from server.errors import AuthError, ErrorCode

PUBLIC_FIELDS = frozenset({"signUp", "logIn", "__typename", "__schema", "__type"})


class AuthExtension(SchemaExtension):
    def resolve(self, _next: Callable[..., Any], root: Any, info: Info, *args: Any, **kwargs: Any) -> Any:
        if info.path.prev is not None or info.field_name in PUBLIC_FIELDS:
            return _next(root, info, *args, **kwargs)
        return self._guarded(_next, root, info, *args, **kwargs)

    async def _guarded(self, _next: Callable[..., Any], root: Any, info: Info, *args: Any, **kwargs: Any) -> Any:
        viewer = await info.context.viewer()
        if viewer is None:
            raise AuthError(ErrorCode.UNAUTHENTICATED, "sign in, or send a valid Bearer token")
        if info.operation.operation is OperationType.MUTATION and not viewer.can_write:
            raise AuthError(ErrorCode.FORBIDDEN, "this token is read-only; use a WRITE token to change data")
        result = _next(root, info, *args, **kwargs)
        if isinstance(result, Awaitable):
            return await result
        return result
