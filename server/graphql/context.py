"""Per-request (or per-WebSocket) context: who is asking, from where, and the request's DataLoaders.

Built in one place for both doors: `Context.for_http` by the HTTP handlers, `context_getter` by
Strawberry's WebSocket handler. The token is read in one place too (`Context.secret`): the
`Authorization` header over HTTP, the `connection_init` payload over WebSocket.
"""

from __future__ import annotations

import asyncio
from datetime import date
from typing import Any

import msgspec
from litestar import Request
from litestar.types import Scope
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


def client_ip(scope: Scope) -> str:
    """The peer's address. A trusted proxy's X-Forwarded-For is applied before the app sees the
    scope (uvicorn's ProxyHeadersMiddleware, configured from COMEBACK_TRUSTED_PROXIES in app.py)."""
    client = scope.get("client")
    return str(client[0]) if client else "unknown"


class Context(BaseContext, kw_only=True):
    # The Authorization header of an HTTP request; WebSocket tokens come with connection_init.
    authorization: str | None = None
    connection_params: dict[str, Any] | None = None
    client_ip: str = "unknown"
    # Labels the session a signUp/logIn starts ("Firefox on Linux"), shown in `sessions`.
    user_agent: str | None = None
    # Headers the HTTP response should carry (rate-limit state); WebSocket messages have none.
    response_headers: dict[str, str] = msgspec.field(default_factory=dict)
    viewer_task: Any = None
    loaders_: Any = None

    @classmethod
    def for_http(cls, request: Request[Any, Any, Any]) -> Context:
        return cls(authorization=request.headers.get("authorization"), client_ip=client_ip(request.scope),
                   user_agent=request.headers.get("user-agent"))

    @property
    def is_websocket(self) -> bool:
        return self.websocket is not None or self.connection_params is not None

    def secret(self) -> str | None:
        """The bearer token of this request or connection, if any."""
        if self.is_websocket:
            params = self.connection_params or {}
            return bearer(params.get("authorization") or params.get("Authorization"))
        return bearer(self.authorization)

    async def viewer(self) -> Viewer | None:
        # Sibling fields resolve concurrently: share one look-up instead of racing.
        if self.viewer_task is None:
            secret = self.secret()
            self.viewer_task = asyncio.ensure_future(accounts.authenticate(secret) if secret else _none())
        viewer: Viewer | None = await self.viewer_task
        return viewer

    def forget_viewer(self) -> None:
        """Look the token up again on next use: a WebSocket outlives its token's revocation or expiry."""
        self.viewer_task = None
        self.loaders_ = None

    async def require_viewer(self) -> Viewer:
        viewer = await self.viewer()
        if viewer is None:
            raise AuthError(ErrorCode.UNAUTHENTICATED, "sign in, or send a valid Bearer token")
        return viewer

    async def today(self) -> date:
        viewer = await self.require_viewer()
        return viewer.account.today(clock.now())

    async def loaders(self) -> Loaders:
        """This request's DataLoaders, bound to the signed-in viewer and their today."""
        if self.loaders_ is None:
            viewer = await self.require_viewer()
            self.loaders_ = Loaders(viewer, viewer.account.today(clock.now()))
        loaders: Loaders = self.loaders_
        return loaders


async def _none() -> None:
    return None


async def context_getter(scope: Scope) -> Context:
    """The WebSocket context (Strawberry's controller asks for it once per connection)."""
    return Context(client_ip=client_ip(scope), user_agent=_header(scope, b"user-agent"))


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", ()):
        if key.lower() == name:
            return bytes(value).decode("latin-1")
    return None
