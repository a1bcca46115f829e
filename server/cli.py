"""`comeback serve | migrate | ...` — the one command line of the project."""

from __future__ import annotations

import asyncio
import logging
import os
import sys
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
                  "client (login, habits, habit, log, undo, skip, remind, status, export, import, webhooks; see "
                  "docs/cli.md).")
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
    # ws_max_size: a WebSocket message is held to the HTTP body limit (uvicorn's default is 16 MiB).
    # proxy_headers off: uvicorn would believe X-Forwarded-For from any loopback peer; the app applies
    # it only for COMEBACK_TRUSTED_PROXIES (server/app.py).
    uvicorn.run(app, host=host, port=port, log_level=settings.log_level.lower(), lifespan="on",
                proxy_headers=False, ws_max_size=settings.max_body_bytes)


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


@main.group(help="Administer accounts on the configured database (DATABASE_URL / COMEBACK_DATA_DIR): for "
                  "self-hosters, who have no e-mail to send resets with.")
def admin() -> None:
    pass


def _admin_error(error: Exception) -> click.ClickException:
    from server.errors import DomainError, ErrorCode

    if isinstance(error, DomainError) and error.code is ErrorCode.NOT_FOUND:
        return click.ClickException("no account has this e-mail address")
    if isinstance(error, DomainError):
        return click.ClickException(error.message)
    raise error


@admin.command("reset-password", help="Set a new password for the account with this e-mail address; every "
                                      "session of it ends (personal access tokens stay). The password is read "
                                      "from stdin (the first line; a terminal asks twice, hidden), or made up "
                                      "and printed once with --generate.")
@click.argument("email")
@click.option("--generate", is_flag=True, help="Make up a strong password and print it once.")
def reset_password(email: str, generate: bool) -> None:
    from server import admin as run
    from server.accounts.passwords import generated_password

    if generate:
        password = generated_password()
    elif sys.stdin.isatty():
        password = click.prompt("New password", hide_input=True, confirmation_prompt=True)
    else:
        password = sys.stdin.readline().rstrip("\r\n")
    try:
        changed = asyncio.run(run.reset_password(email, password))
    except Exception as error:
        raise _admin_error(error) from None
    click.echo(f"password of {changed.account.email} reset; {changed.sessions_ended} session(s) ended "
               "(personal access tokens still work until revoked)")
    if generate:
        click.echo(f"new password (shown once): {password}")


@admin.command("delete-user", help="Delete the account with this e-mail address and everything it owns, at "
                                   "once and for good (its tokens stop working).")
@click.argument("email")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
def delete_user(email: str, yes: bool) -> None:
    from server import admin as run

    try:
        account = asyncio.run(run.find(email))
        if not yes:
            click.confirm(f"Delete {account.email} and everything it owns? This cannot be undone", abort=True)
        deleted = asyncio.run(run.delete_user(account.email))
    except click.Abort:
        raise
    except Exception as error:
        raise _admin_error(error) from None
    click.echo(f"deleted {deleted.email} and everything it owned")


@main.command(help="Print the GraphQL schema (SDL); `comeback schema > schema.graphql` refreshes the file.")
def schema() -> None:
    from server.graphql.schema import build_schema

    click.echo(build_schema().as_str())


if __name__ == "__main__":
    main()
