"""create_app(): routes, the GraphQL controller and the lifespan (database, embedded engine)."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from litestar import Litestar, MediaType, Response, get
from litestar.datastructures import MutableScopeHeaders
from litestar.enums import ScopeType
from litestar.middleware.base import DefineMiddleware
from litestar.static_files import create_static_files_router
from litestar.types import ASGIApp, Message, Receive, Scope, Send
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from server import database
from server.csv_export import export_check_ins_csv
from server.engine import broker
from server.engine.lifecycle import start_engine
from server.graphql.http import make_controller
from server.graphql.schema import build_schema
from server.logs import protect_secrets
from server.program.service import get_program
from server.ratelimit import RateLimiter
from server.settings import Settings, get_settings

log = logging.getLogger(__name__)
WEB_DIR = Path(__file__).parent / "web"

# The dashboard runs only its own files: no inline script, no other origin, no framing.
CONTENT_SECURITY_POLICY = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
                           "connect-src 'self'; worker-src 'self'; manifest-src 'self'; object-src 'none'; "
                           "base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
}


class SecurityHeaders:
    """SECURITY_HEADERS on every HTTP response, whoever made it (routes, static files, 404s), unless
    the response set its own (the development IDE page sets a looser policy)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != ScopeType.HTTP:
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableScopeHeaders.from_message(message)
                for name, value in SECURITY_HEADERS.items():
                    if name not in headers:
                        headers[name] = value
            await send(message)

        await self.app(scope, receive, send_with_headers)


@get("/health", media_type=MediaType.JSON, sync_to_thread=False)
def health() -> dict[str, str]:
    """The process is up."""
    return {"status": "ok"}


@get("/ready", media_type=MediaType.JSON)
async def ready() -> Response[dict[str, object]]:
    """The database (and Redis, when configured) answer."""
    checks: dict[str, bool] = {"database": await database.ping()}
    if get_settings().redis_url:  # the embedded Redis lives and dies with this process
        current = broker.current()
        checks["redis"] = current is not None and await _redis_ok(current)
    ok = all(checks.values())
    return Response({"status": "ready" if ok else "unavailable", "checks": checks},
                    status_code=200 if ok else 503)


async def _redis_ok(current: broker.Broker) -> bool:
    try:
        return bool(await current.pool.ping())
    except Exception:
        return False


def create_app(settings: Settings | None = None) -> Litestar:
    settings = settings or get_settings()
    database.use_this_module()
    protect_secrets()  # whatever the log level, no password hash, token digest or query string is logged
    # Content is data: a broken step file stops the start here, naming the file and field.
    get_program()
    limiter = RateLimiter.from_settings(settings)
    schema = build_schema(introspection=settings.introspection_enabled, limiter=limiter,
                          hide_suggestions=settings.env == "production")
    graphql = make_controller(schema, graphiql=settings.graphiql_enabled,
                              hide_suggestions=settings.env == "production")

    @asynccontextmanager
    async def lifespan(app: Litestar) -> AsyncIterator[None]:
        await database.start()
        engine = await start_engine(settings)
        try:
            yield
        finally:
            await engine.stop()
            await database.stop()

    middleware: list[DefineMiddleware] = [DefineMiddleware(SecurityHeaders)]
    if settings.trusted_proxies.strip():
        # uvicorn's own proxy handling is off (server/cli.py): X-Forwarded-For counts only from these peers.
        proxy_headers: Any = ProxyHeadersMiddleware  # a plain ASGI middleware (uvicorn's ASGI types)
        middleware.append(DefineMiddleware(proxy_headers, trusted_hosts=settings.trusted_proxies))
    web = create_static_files_router(path="/", directories=[WEB_DIR], html_mode=True, name="web")
    app = Litestar(
        route_handlers=[health, ready, graphql, export_check_ins_csv, web],
        middleware=middleware,
        lifespan=[lifespan],
        debug=False,
        request_max_body_size=settings.max_body_bytes,
        logging_config=None,  # logging is set up once by the CLI (server/cli.py), not per app
    )
    app.state.limiter = limiter
    return app
