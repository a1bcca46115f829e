"""Deleting an account: the user and everything they own go in one transaction.

One statement does it: every table that holds a user's rows references `app_user` (directly, or
through a habit) with ON DELETE CASCADE, on both engines (SQLite with foreign keys on, as Piccolo
opens its connections). tests/integration/test_account_deletion.py holds every table, present and
future, to that, and proves no row of a deleted user remains anywhere. After the commit, Redis
forgets them (`departures.account_deleted`): open subscriptions end, queued jobs go.
"""

from __future__ import annotations

from uuid import UUID

from server.accounts import repository
from server.accounts.model import Account, Viewer
from server.accounts.passwords import check_password, find_account
from server.engine import departures
from server.engine.unit_of_work import write_transaction
from server.errors import not_found


async def delete_user(user_id: UUID) -> None:
    """Delete the user and all they own, at once; NOT_FOUND if they are already gone."""
    async with write_transaction() as uow:
        if not await repository.delete_account(user_id):
            raise not_found("account")
        uow.after_commit(lambda: departures.account_deleted(user_id))


async def delete_account(viewer: Viewer, password: str) -> Account:
    """The owner's deletion, confirmed with their password."""
    await check_password(viewer, password, "password")
    await delete_user(viewer.account.id)
    return viewer.account


async def delete_by_email(email: str) -> Account:
    """The admin's deletion (`comeback admin delete-user`)."""
    account = await find_account(email)
    await delete_user(account.id)
    return account
