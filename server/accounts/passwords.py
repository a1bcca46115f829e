"""Changing a password: by its owner (the current one required), or reset by the server's admin.

Either way the other sessions end in the same transaction as the new hash: whoever knew the old
password and signed in with it is signed out. Personal access tokens stay until revoked (scripts
keep working; they were made by someone signed in). argon2 runs off the event loop, outside the
transaction.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from server.accounts import credentials, repository, sessions
from server.accounts.emails import EMAIL_MAX, login_key
from server.accounts.model import Account, Viewer
from server.accounts.service import PASSWORD_MAX, validate_password
from server.engine import departures
from server.engine.unit_of_work import write_transaction
from server.errors import DomainError, ErrorCode, not_found


@dataclass(frozen=True, slots=True)
class PasswordChanged:
    account: Account
    sessions_ended: int


def _wrong_password(field: str) -> DomainError:
    return DomainError(ErrorCode.INVALID_CREDENTIALS, "wrong password", field)


async def check_password(viewer: Viewer, password: str, field: str) -> str:
    """The stored hash, once `password` is proven to be the viewer's (else INVALID_CREDENTIALS on `field`)."""
    stored = await repository.password_hash(viewer.account.id)
    if len(password) > PASSWORD_MAX:  # no account has one; still pay for one verification
        password = ""
    if stored is None or not await credentials.verify_password_off_loop(stored, password):
        raise _wrong_password(field)
    return stored


async def change_password(viewer: Viewer, current: str, new: str) -> PasswordChanged:
    validate_password(new, "newPassword")
    stored = await check_password(viewer, current, "currentPassword")
    new_hash = await credentials.hash_password_off_loop(new)
    user_id = viewer.account.id
    async with write_transaction() as uow:
        if not await repository.set_password_hash(user_id, new_hash, replacing=stored):
            raise _wrong_password("currentPassword")  # changed meanwhile by another request
        ended = await sessions.end_sessions(user_id, keep=viewer.token_id)
        uow.after_commit(lambda: departures.tokens_revoked(user_id))
    return PasswordChanged(viewer.account, ended)


def generated_password() -> str:
    """A password for `comeback admin reset-password` to print once: 24 URL-safe characters."""
    return secrets.token_urlsafe(18)


async def find_account(email: str) -> Account:
    """The account an admin names by e-mail address, spelled as log-in accepts it."""
    spellings = {k for k in (login_key(email), email.strip().lower()) if k is not None and len(k) <= EMAIL_MAX}
    found = await repository.find_logins(sorted(spellings))
    if len(found) != 1:
        raise not_found("account")
    return found[0][0]


async def reset_password(email: str, new: str) -> PasswordChanged:
    """The admin's reset: a new password for the account, and every session of it ends."""
    validate_password(new)
    account = await find_account(email)
    new_hash = await credentials.hash_password_off_loop(new)
    async with write_transaction() as uow:
        if not await repository.set_password_hash(account.id, new_hash):
            raise not_found("account")
        ended = await sessions.end_sessions(account.id)
        uow.after_commit(lambda: departures.tokens_revoked(account.id))
    return PasswordChanged(account, ended)
