"""Every accounts query."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID, uuid4

from server.accounts import tables
from server.accounts.model import Account, ApiToken, Scope, TokenKind, Viewer


def _account(row: dict[str, Any], prefix: str = "") -> Account:
    return Account(
        id=row[f"{prefix}id"],
        email=row[f"{prefix}email"],
        display_name=row[f"{prefix}display_name"],
        timezone=row[f"{prefix}timezone"],
        day_start_hour=row[f"{prefix}day_start_hour"],
        created_at=row[f"{prefix}created_at"],
    )


def _scopes(value: str) -> tuple[Scope, ...]:
    return tuple(Scope(s) for s in value.split(",") if s)


def _token(row: dict[str, Any]) -> ApiToken:
    return ApiToken(
        id=row["id"],
        name=row["name"],
        kind=TokenKind(row["kind"]),
        scopes=_scopes(row["scopes"]),
        created_at=row["created_at"],
        expires_at=row["expires_at"],
        revoked_at=row["revoked_at"],
    )


_ACCOUNT_COLUMNS = (
    tables.User.id,
    tables.User.email,
    tables.User.display_name,
    tables.User.timezone,
    tables.User.day_start_hour,
    tables.User.created_at,
)


async def get_account(account_id: UUID) -> Account | None:
    row = await tables.User.select(*_ACCOUNT_COLUMNS).where(tables.User.id == account_id).first()
    return _account(row) if row else None


async def get_account_and_versions(account_id: UUID) -> tuple[Account, int, int] | None:
    """The account with its stale and derived versions, read in one statement (the recompute's first read)."""
    u = tables.User
    row = await u.select(*_ACCOUNT_COLUMNS, u.stale_version, u.derived_version).where(u.id == account_id).first()
    return (_account(row), row["stale_version"], row["derived_version"]) if row else None


async def find_login(email: str) -> tuple[Account, str] | None:
    row = (
        await tables.User.select(*_ACCOUNT_COLUMNS, tables.User.password_hash)
        .where(tables.User.email == email)
        .first()
    )
    return (_account(row), row["password_hash"]) if row else None


async def find_logins(emails: list[str]) -> list[tuple[Account, str]]:
    """The accounts with any of these addresses, with their password hashes."""
    if not emails:
        return []
    rows = await tables.User.select(*_ACCOUNT_COLUMNS, tables.User.password_hash).where(
        tables.User.email.is_in(emails))
    return [(_account(row), row["password_hash"]) for row in rows]


async def email_exists(email: str) -> bool:
    return await tables.User.exists().where(tables.User.email == email)


async def insert_account(email: str, password_hash: str, timezone: str, display_name: str | None,
                         now: datetime) -> Account:
    row = tables.User(
        id=uuid4(),
        email=email,
        password_hash=password_hash,
        timezone=timezone,
        display_name=display_name,
        day_start_hour=0,
        created_at=now,
    )
    await row.save()
    return Account(row.id, email, display_name, timezone, 0, now)


async def update_profile(account_id: UUID, values: dict[str, Any]) -> None:
    columns = {getattr(tables.User, name): value for name, value in values.items()}
    await tables.User.update(columns).where(tables.User.id == account_id)


async def insert_token(owner: UUID, kind: TokenKind, name: str | None, scopes: tuple[Scope, ...],
                       digest: str, now: datetime, expires_at: datetime | None) -> ApiToken:
    row = tables.AccessToken(
        id=uuid4(),
        owner=owner,
        kind=kind.value,
        name=name,
        scopes=",".join(s.value for s in scopes),
        token_hash=digest,
        created_at=now,
        expires_at=expires_at,
    )
    await row.save()
    return _token(row.to_dict())


async def viewer_for_digest(digest: str, now: datetime) -> Viewer | None:
    """The live token with this digest and its account, in one query."""
    t = tables.AccessToken
    row = (
        await t.select(
            t.id, t.scopes, t.expires_at, t.revoked_at,
            *(getattr(t.owner, c._meta.name).as_alias(f"o_{c._meta.name}") for c in _ACCOUNT_COLUMNS),
        )
        .where(t.token_hash == digest)
        .first()
    )
    if row is None or row["revoked_at"] is not None:
        return None
    if row["expires_at"] is not None and row["expires_at"] <= now:
        return None
    return Viewer(account=_account(row, "o_"), token_id=row["id"], scopes=frozenset(_scopes(row["scopes"])))


async def list_personal_tokens(owner: UUID) -> list[ApiToken]:
    t = tables.AccessToken
    rows = (
        await t.select(t.id, t.name, t.kind, t.scopes, t.created_at, t.expires_at, t.revoked_at)
        .where((t.owner == owner) & (t.kind == TokenKind.PERSONAL.value) & t.revoked_at.is_null())
        .order_by(t.created_at, ascending=False)
    )
    return [_token(r) for r in rows]


async def count_live_personal_tokens(owner: UUID, now: datetime) -> int:
    t = tables.AccessToken
    count: int = await t.count().where((t.owner == owner) & (t.kind == TokenKind.PERSONAL.value)
                                       & t.revoked_at.is_null() & (t.expires_at.is_null() | (t.expires_at > now)))
    return count


async def get_token(owner: UUID, token_id: UUID) -> ApiToken | None:
    t = tables.AccessToken
    row = (
        await t.select(t.id, t.name, t.kind, t.scopes, t.created_at, t.expires_at, t.revoked_at)
        .where((t.owner == owner) & (t.id == token_id))
        .first()
    )
    return _token(row) if row else None


async def revoke_token(token_id: UUID, now: datetime) -> None:
    t = tables.AccessToken
    await t.update({t.revoked_at: now}).where((t.id == token_id) & t.revoked_at.is_null())


async def mark_stale(account_id: UUID, now: datetime) -> tuple[int, bool]:
    """Derived state (confidence, achievements, steps) must be recomputed for this user: bump the
    stale version, in the caller's transaction. Returns the new version, and whether the user was
    up to date before (then nobody is recomputing them yet: the caller must see a job queued)."""
    rows = await tables.User.raw(
        "UPDATE app_user SET stale_version = stale_version + 1, stale_since = COALESCE(stale_since, {}) "
        "WHERE id = {} RETURNING stale_version, derived_version", now, account_id)
    if not rows:
        return 0, False  # no such user (deleted meanwhile): nothing to recompute
    version, derived = rows[0]["stale_version"], rows[0]["derived_version"]
    return version, version - derived == 1
