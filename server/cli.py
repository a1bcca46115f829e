"""`comeback serve | migrate | ...` — the one command line of the project."""

from __future__ import annotations

import asyncio
import logging
import os
from typing import TYPE_CHECKING

import click

from server.client.commands import COMMANDS
from server.client.habit_commands import habit

CLIENT_COMMANDS = (*COMMANDS, habit)

if TYPE_CHECKING:
    from server.settings import Settings


def get_settings() -> Settings:
    # Imported on use: the client commands (log, status...) start faster without the server's settings.
    from server.settings import get_settings as settings

    return settings()


def _setup() -> None:
    # Piccolo looks its engine up through PICCOLO_CONF; point it at ours before anything imports tables.
    os.environ.setdefault("PICCOLO_CONF", "server.database")
    logging.basicConfig(level=get_settings().log_level,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    from server.logs import protect_secrets

    protect_secrets()


@click.group(help="Comeback: habits, streaks and a guided program, served over GraphQL; and its command-line "
                  "client (login, habits, habit, log, undo, skip, status, export, import; see docs/cli.md).")
@click.pass_context
def main(ctx: click.Context) -> None:
    if ctx.invoked_subcommand not in {c.name for c in CLIENT_COMMANDS}:
        _setup()


for _command in CLIENT_COMMANDS:
    main.add_command(_command)


@main.command(help="Apply database migrations, then serve the API and dashboard.")
@click.option("--host", default=None, help="Interface to bind (default 127.0.0.1, or COMEBACK_HOST).")
@click.option("--port", default=None, type=int, help="Port (default 8000, or COMEBACK_PORT).")
def serve(host: str | None, port: int | None) -> None:
    import uvicorn

    from server.app import create_app
    from server.engine.lifecycle import freeze_start_up_objects
    from server.migrations import migrate
    from server.program.content import ContentError

    settings = get_settings()
    try:
        app = create_app(settings)
    except ContentError as error:
        raise click.ClickException(f"program content is invalid: {error}") from None
    asyncio.run(migrate())
    freeze_start_up_objects()
    host = host or settings.host
    port = port or settings.port
    click.echo(f"Comeback on http://{host}:{port}/  (GraphQL at /graphql, data in "
               f"{'PostgreSQL' if settings.uses_postgres else settings.sqlite_path})")
    # proxy_headers off: uvicorn would believe X-Forwarded-For from any loopback peer; the app applies
    # it only for COMEBACK_TRUSTED_PROXIES (server/app.py).
    uvicorn.run(app, host=host, port=port, log_level=settings.log_level.lower(), lifespan="on",
                proxy_headers=False)


@main.command(help="Apply database migrations and exit.")
def migrate() -> None:
    from server.migrations import migrate as run

    asyncio.run(run())
    click.echo("migrations applied")


@main.command(help="Run background workers against REDIS_URL (recomputes, sweep, daily roll-over).")
def worker() -> None:
    from server.engine.broker import redis_settings
    from server.engine.lifecycle import run_worker_process

    settings = get_settings()
    if not settings.redis_url:
        raise click.UsageError("set REDIS_URL: without it, `comeback serve` runs the worker itself")

    async def run() -> None:
        redis, _ = redis_settings(settings)
        await run_worker_process(redis)

    asyncio.run(run())


@main.command(help="Apply migrations, then create (or recreate) the demo account with ~90 days of history.")
def demo() -> None:
    from server.demo import run

    email, password = asyncio.run(run())
    click.echo(f"demo account ready: log in at / as {email} with password {password}")


@main.command(help="Print the GraphQL schema (SDL); `comeback schema > schema.graphql` refreshes the file.")
def schema() -> None:
    from server.graphql.schema import build_schema

    click.echo(build_schema().as_str())


if __name__ == "__main__":
    main()
