"""create_app(): routes, the GraphQL controller and the lifespan (database, embedded engine)."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from litestar import Litestar, MediaType, Response, get
from litestar.static_files import create_static_files_router
from strawberry.http import GraphQLHTTPResponse, process_result
from strawberry.litestar import make_graphql_controller
from strawberry.types import ExecutionResult

from server import broker, database
from server.engine import start_engine
from server.graphql.context import context_getter
from server.graphql.errors import finish_error
from server.graphql.schema import build_schema
from server.program.service import get_program
from server.settings import Settings, get_settings

log = logging.getLogger(__name__)
WEB_DIR = Path(__file__).parent / "web"


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
    # Content is data: a broken step file stops the start here, naming the file and field.
    get_program()
    schema = build_schema(introspection=settings.introspection_enabled)
    base = make_graphql_controller(
        schema,
        path="/graphql",
        graphql_ide="graphiql" if settings.graphiql_enabled else None,
        allow_queries_via_get=True,
        context_getter=context_getter,
    )

    class GraphQLController(base):  # type: ignore[valid-type,misc]
        async def process_result(self, request: Any, result: ExecutionResult) -> GraphQLHTTPResponse:
            # Errors raised before execution (e.g. syntax errors) bypass schema extensions.
            if result.errors:
                result.errors = [finish_error(e) for e in result.errors]
            return process_result(result)

    graphql = GraphQLController

    @asynccontextmanager
    async def lifespan(app: Litestar) -> AsyncIterator[None]:
        await database.start()
        engine = await start_engine(settings)
        try:
            yield
        finally:
            await engine.stop()
            await database.stop()

    web = create_static_files_router(path="/", directories=[WEB_DIR], html_mode=True, name="web")
    return Litestar(
        route_handlers=[health, ready, graphql, web],
        lifespan=[lifespan],
        debug=False,
        logging_config=None,  # logging is set up once by the CLI (server/cli.py), not per app
    )
