"""`comeback admin ...`: what a self-hoster (who has no e-mail to send resets with) does by hand, on the
configured database. The use cases are the API's own (server/accounts/passwords.py, deletion.py);
this module only opens the database, and Redis when one is configured, around them.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import TypeVar

from server.accounts.model import Account
from server.accounts.passwords import PasswordChanged

T = TypeVar("T")


@asynccontextmanager
async def _services() -> AsyncIterator[None]:
    from server import database
    from server.engine import broker
    from server.migrations import migrate
    from server.settings import get_settings

    database.use_this_module()
    await migrate()  # as `comeback serve` and `demo` do: the command works on a database never served yet
    await database.start(max_pool=2)
    # A configured Redis hears what changed (open subscriptions end, a deleted user's jobs go). The
    # embedded one belongs to the running server: without REDIS_URL, subscriptions notice at their next
    # token check (30 s at most) and a deleted user's queued job finds nobody.
    opened = await broker.open_broker(get_settings()) if get_settings().redis_url else None
    broker.set_current(opened)
    try:
        yield
    finally:
        broker.set_current(None)
        if opened is not None:
            await opened.close()
        await database.stop()


async def _run(step: Callable[[], Awaitable[T]]) -> T:
    async with _services():
        return await step()


async def reset_password(email: str, password: str) -> PasswordChanged:
    from server.accounts import passwords

    return await _run(lambda: passwords.reset_password(email, password))


async def find(email: str) -> Account:
    from server.accounts import passwords

    return await _run(lambda: passwords.find_account(email))


async def delete_user(email: str) -> Account:
    from server.accounts import deletion

    return await _run(lambda: deletion.delete_by_email(email))
