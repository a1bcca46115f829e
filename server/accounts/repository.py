"""Every accounts query."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from uuid import UUID, uuid4

from server.accounts import tables
from server.accounts.model import Account, ApiToken, Scope, SessionInfo, TokenKind, Viewer


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


@dataclass(frozen=True, slots=True)
class Versions:
    """What the recompute reads first: how far derived state is behind, and from which day."""

    stale: int
    derived: int
    stale_from: date | None  # the earliest day the pending changes may alter (None: any)


async def get_account_and_versions(account_id: UUID) -> tuple[Account, Versions] | None:
    """The account with its stale and derived versions and stale_from, read in one statement (the
    recompute's first read)."""
    u = tables.User
    row = await u.select(*_ACCOUNT_COLUMNS, u.stale_version, u.derived_version, u.stale_from).where(
        u.id == account_id).first()
    return (_account(row), Versions(row["stale_version"], row["derived_version"], row["stale_from"])) if row else None


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
                       digest: str, now: datetime, expires_at: datetime | None,
                       user_agent: str | None = None) -> ApiToken:
    row = tables.AccessToken(
        id=uuid4(),
        owner=owner,
        kind=kind.value,
        name=name,
        scopes=",".join(s.value for s in scopes),
        token_hash=digest,
        created_at=now,
        expires_at=expires_at,
        last_used_at=now,
        user_agent=user_agent,
    )
    await row.save()
    return _token(row.to_dict())


# Every signed-in request runs this statement first, so it is written out: Piccolo's select through
# the owner foreign key copies the User table's columns at each step and cost more to build and read
# back than the statement took to run (about 1 ms of CPU a request on SQLite, measured).
_TOKEN_AND_OWNER = (
    "SELECT t.id, t.scopes, t.expires_at, t.revoked_at, t.last_used_at, "
    + ", ".join(f"u.{c._meta.db_column_name} AS o_{c._meta.name}" for c in _ACCOUNT_COLUMNS)
    + " FROM access_token t JOIN app_user u ON u.id = t.owner WHERE t.token_hash = {}"
)


async def viewer_for_digest(digest: str, now: datetime) -> tuple[Viewer, datetime | None] | None:
    """The live token with this digest and its account, in one query, with when it was last used."""
    rows = await tables.AccessToken.raw(_TOKEN_AND_OWNER, digest)
    row = rows[0] if rows else None
    if row is None or row["revoked_at"] is not None:
        return None
    if row["expires_at"] is not None and row["expires_at"] <= now:
        return None
    viewer = Viewer(account=_account(row, "o_"), token_id=row["id"], scopes=frozenset(_scopes(row["scopes"])))
    return viewer, row["last_used_at"]


async def touch_token(token_id: UUID, now: datetime, unless_since: datetime) -> None:
    """Record a use of the token, unless one after `unless_since` is already recorded (a request that
    raced another within the interval writes nothing)."""
    t = tables.AccessToken
    await t.update({t.last_used_at: now}).where(
        (t.id == token_id) & (t.last_used_at.is_null() | (t.last_used_at < unless_since)))


async def list_sessions(owner: UUID, now: datetime, limit: int) -> list[SessionInfo]:
    """The owner's live sessions (not revoked, not expired), the most recently used first."""
    t = tables.AccessToken
    rows = (
        await t.select(t.id, t.created_at, t.last_used_at, t.user_agent)
        .where((t.owner == owner) & (t.kind == TokenKind.SESSION.value) & t.revoked_at.is_null()
               & (t.expires_at > now))
        .order_by(t.last_used_at, ascending=False).order_by(t.created_at, ascending=False).limit(limit)
    )
    return [SessionInfo(r["id"], r["created_at"], r["last_used_at"], r["user_agent"]) for r in rows]


async def get_live_session(owner: UUID, token_id: UUID, now: datetime) -> SessionInfo | None:
    t = tables.AccessToken
    row = (
        await t.select(t.id, t.created_at, t.last_used_at, t.user_agent)
        .where((t.owner == owner) & (t.id == token_id) & (t.kind == TokenKind.SESSION.value)
               & t.revoked_at.is_null() & (t.expires_at > now))
        .first()
    )
    return SessionInfo(row["id"], row["created_at"], row["last_used_at"], row["user_agent"]) if row else None


async def revoke_sessions(owner: UUID, now: datetime, keep: UUID | None = None) -> int:
    """End every live session of the owner (but `keep`); personal access tokens stay. Returns how many ended."""
    t = tables.AccessToken
    query = t.update({t.revoked_at: now}).where(
        (t.owner == owner) & (t.kind == TokenKind.SESSION.value) & t.revoked_at.is_null())
    if keep is not None:
        query = query.where(t.id != keep)  # where() calls are ANDed
    return len(await query.returning(t.id))


async def password_hash(account_id: UUID) -> str | None:
    row = await tables.User.select(tables.User.password_hash).where(tables.User.id == account_id).first()
    return row["password_hash"] if row else None


async def set_password_hash(account_id: UUID, password_hash: str, replacing: str | None = None) -> bool:
    """Store a new password hash; with `replacing`, only if the stored one is still that (so two changes
    racing each other cannot both succeed on the strength of the same old password)."""
    u = tables.User
    query = u.update({u.password_hash: password_hash}).where(u.id == account_id)
    if replacing is not None:
        query = query.where(u.password_hash == replacing)  # where() calls are ANDed
    return bool(await query.returning(u.id))


async def delete_account(account_id: UUID) -> bool:
    """Delete the user; every row they own goes with it, by the foreign keys' ON DELETE CASCADE
    (tests/integration/test_account_deletion.py holds every table to that). False if already gone."""
    rows = await tables.User.delete().where(tables.User.id == account_id).returning(tables.User.id)
    return bool(rows)


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


# The new stale_from of a mark from a day: the earlier of the pending one and this (NULL, the whole
# window, stays). While fresh the column means nothing and this mark's day replaces it. One SQL
# expression over the row as the UPDATE finds it, never a read then a write in Python: two
# transactions marking one user queue on its row (PostgreSQL re-evaluates on the row the first
# committed) and the second merges with the first's day.
STALE_FROM_MERGE = ("stale_from = CASE WHEN stale_version > derived_version "
                    "AND (stale_from IS NULL OR stale_from < {}) THEN stale_from ELSE {} END")
# A mark without a day: any day of the window may have changed.
STALE_FROM_ALL = "stale_from = NULL"


async def mark_stale(account_id: UUID, now: datetime, from_day: date | None = None) -> tuple[int, bool]:
    """Derived state (confidence, achievements, steps) must be recomputed for this user, confidence
    from `from_day` on (None: the whole window): bump the stale version and merge the day into
    stale_from, in the caller's transaction, in one statement. Returns the new version, and whether
    the user was up to date before (then nobody is recomputing them yet: the caller must see a job
    queued)."""
    merge, days = (STALE_FROM_ALL, []) if from_day is None else (STALE_FROM_MERGE, [from_day, from_day])
    rows = await tables.User.raw(
        f"UPDATE app_user SET stale_version = stale_version + 1, stale_since = COALESCE(stale_since, {{}}), {merge} "
        "WHERE id = {} RETURNING stale_version, derived_version", now, *days, account_id)
    if not rows:
        return 0, False  # no such user (deleted meanwhile): nothing to recompute
    version, derived = rows[0]["stale_version"], rows[0]["derived_version"]
    return version, version - derived == 1
