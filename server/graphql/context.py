"""Per-request (or per-WebSocket) context: who is asking, and the request's DataLoaders."""

from __future__ import annotations

import asyncio
from datetime import date
from typing import Any

from strawberry.litestar.controller import BaseContext

from server import clock
from server.accounts import service as accounts
from server.accounts.model import Viewer
from server.errors import AuthError, ErrorCode
from server.graphql.loaders import Loaders


def bearer(value: object) -> str | None:
    """The secret of an `Authorization: Bearer <token>` value (or a bare token)."""
    if not isinstance(value, str):
        return None
    scheme, _, token = value.strip().partition(" ")
    if not token:
        return scheme or None
    return token.strip() if scheme.lower() == "bearer" else None


class Context(BaseContext, kw_only=True):
    connection_params: dict[str, Any] | None = None
    # The Authorization header, when the request is served without a Litestar Request (lean_post.py).
    authorization: str | None = None
    viewer_task: Any = None
    loaders_: Any = None

    def _secret(self) -> str | None:
        if self.request is not None:
            return bearer(self.request.headers.get("authorization"))
        if self.websocket is None:
            return bearer(self.authorization)
        params = self.connection_params or {}
        return bearer(params.get("authorization") or params.get("Authorization"))

    async def viewer(self) -> Viewer | None:
        # Sibling fields resolve concurrently: share one look-up instead of racing.
        if self.viewer_task is None:
            secret = self._secret()
            self.viewer_task = asyncio.ensure_future(
                accounts.authenticate(secret) if secret else _none()
            )
        viewer: Viewer | None = await self.viewer_task
        return viewer

    def forget_viewer(self) -> None:
        """Look the token up again on next use: a WebSocket outlives its token's revocation or expiry."""
        self.viewer_task = None

    async def require_viewer(self) -> Viewer:
        viewer = await self.viewer()
        if viewer is None:
            raise AuthError(ErrorCode.UNAUTHENTICATED, "sign in, or send a valid Bearer token")
        return viewer

    async def today(self) -> date:
        viewer = await self.require_viewer()
        return viewer.account.today(clock.now())

    @property
    def loaders(self) -> Loaders:
        if self.loaders_ is None:
            self.loaders_ = Loaders(self)
        loaders: Loaders = self.loaders_
        return loaders


async def _none() -> None:
    return None


async def context_getter() -> Context:
    return Context()
