"""Plain account objects handed between layers."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from uuid import UUID
from zoneinfo import ZoneInfo

from server.habits.days import local_day


class Scope(StrEnum):
    READ = "READ"
    WRITE = "WRITE"


class TokenKind(StrEnum):
    SESSION = "SESSION"
    PERSONAL = "PERSONAL"


@dataclass(frozen=True, slots=True)
class Account:
    id: UUID
    email: str
    display_name: str | None
    timezone: str
    day_start_hour: int
    created_at: datetime

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def today(self, now: datetime) -> date:
        """The account's current local day (its time zone and day start)."""
        return local_day(now, self.zone, self.day_start_hour)


@dataclass(frozen=True, slots=True)
class ApiToken:
    id: UUID
    name: str | None
    kind: TokenKind
    scopes: tuple[Scope, ...]
    created_at: datetime
    expires_at: datetime | None
    revoked_at: datetime | None


@dataclass(frozen=True, slots=True)
class SessionInfo:
    """A signed-in session (a SESSION token), as its owner sees it: never its secret."""

    id: UUID
    created_at: datetime
    last_used_at: datetime | None
    user_agent: str | None


@dataclass(frozen=True, slots=True)
class Viewer:
    """Who is asking, and with which token."""

    account: Account
    token_id: UUID
    scopes: frozenset[Scope]

    @property
    def can_write(self) -> bool:
        return Scope.WRITE in self.scopes
