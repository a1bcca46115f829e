"""Account use cases: sign-up, log-in, sessions, personal access tokens, profile."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta
from uuid import UUID
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from server import clock
from server.accounts import credentials, repository
from server.accounts.emails import EMAIL_MAX, EmailRefused, canonical_email, login_key
from server.accounts.model import Account, ApiToken, Scope, TokenKind, Viewer
from server.database import is_unique_violation
from server.engine import departures
from server.engine.unit_of_work import write_transaction
from server.errors import DomainError, ErrorCode, invalid, not_found
from server.reminders import service as reminders
from server.settings import get_settings

log = logging.getLogger(__name__)

PASSWORD_MIN = 8
PASSWORD_MAX = 256
TIMEZONE_MAX = 64
DISPLAY_NAME_MAX = 80
TOKEN_NAME_MAX = 80
# Each token has its own rate budget: a cap on live tokens keeps one account from minting budgets.
PERSONAL_TOKENS_MAX = 50


@dataclass(frozen=True, slots=True)
class Session:
    token: str
    account: Account


@dataclass(frozen=True, slots=True)
class CreatedToken:
    secret: str
    token: ApiToken


def validate_timezone(name: str) -> str:
    """An IANA zone name, as the tz database spells it."""
    name = name.strip()
    if len(name) > TIMEZONE_MAX:
        raise invalid("timezone", f"a time zone name has at most {TIMEZONE_MAX} characters (e.g. Europe/Berlin)")
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise invalid("timezone", f"'{name}' is not an IANA time zone (e.g. Europe/Berlin)") from None
    if name not in _zones() and name != "UTC":
        raise invalid("timezone", f"'{name}' is not an IANA time zone (e.g. Europe/Berlin)")
    return name


_ZONES: set[str] = set()


def _zones() -> set[str]:
    if not _ZONES:
        _ZONES.update(available_timezones())
    return _ZONES


def _display_name(value: str | None) -> str | None:
    if value is None:
        return None
    value = value.strip()
    if len(value) > DISPLAY_NAME_MAX:
        raise invalid("displayName", f"display name is longer than {DISPLAY_NAME_MAX} characters")
    return value or None


USER_AGENT_MAX = 200
# A token's last use is written at most this often: a request costs no write of its own.
TOUCH_INTERVAL = timedelta(minutes=1)


def clean_user_agent(value: str | None) -> str | None:
    """A User-Agent header as a session's label: printable characters only, at most USER_AGENT_MAX."""
    if not value:
        return None
    text = "".join(ch for ch in value if ch.isprintable()).strip()
    return text[:USER_AGENT_MAX] or None


async def _start_session(account: Account, user_agent: str | None) -> Session:
    secret = credentials.new_token("cbs")
    now = clock.now()
    expires = now + timedelta(days=get_settings().session_days)
    await repository.insert_token(account.id, TokenKind.SESSION, None, (Scope.READ, Scope.WRITE),
                                  credentials.token_digest(secret), now, expires, clean_user_agent(user_agent))
    return Session(secret, account)


def validate_password(password: str, field: str = "password") -> str:
    """A password has PASSWORD_MIN to PASSWORD_MAX characters, and not only whitespace."""
    if not PASSWORD_MIN <= len(password) <= PASSWORD_MAX:
        raise invalid(field, f"use a password of {PASSWORD_MIN} to {PASSWORD_MAX} characters; "
                             "a few unrelated words make a good one")
    if not password.strip():
        raise invalid(field, "a password of only spaces is no password; use a few unrelated words")
    return password


async def sign_up(email: str, password: str, timezone: str | None, display_name: str | None,
                  user_agent: str | None = None) -> Session:
    try:
        email = canonical_email(email)
    except EmailRefused as refused:
        raise invalid("email", str(refused)) from None
    validate_password(password)
    zone = validate_timezone(timezone) if timezone else "UTC"
    name = _display_name(display_name)
    password_hash = await credentials.hash_password_off_loop(password)  # slow: outside the transaction
    try:
        async with write_transaction():
            if await repository.email_exists(email):
                raise DomainError(ErrorCode.EMAIL_TAKEN, "an account with this e-mail already exists", "email")
            account = await repository.insert_account(email, password_hash, zone, name, clock.now())
            session = await _start_session(account, user_agent)
    except Exception as error:
        if is_unique_violation(error):  # two sign-ups raced on the same e-mail
            raise DomainError(ErrorCode.EMAIL_TAKEN, "an account with this e-mail already exists",
                              "email") from None
        raise
    return session


async def log_in(email: str, password: str, user_agent: str | None = None) -> Session:
    # The account key, and the old spelling (trimmed, lower-cased) that an account keeps when its new
    # spelling clashed with another's (see the e-mail key migration): at most two accounts.
    spellings = {k for k in (login_key(email), email.strip().lower()) if k is not None and len(k) <= EMAIL_MAX}
    found = await repository.find_logins(sorted(spellings))
    if len(password) > PASSWORD_MAX:  # no account has one; still pay for one verification
        password = ""
    candidates: list[tuple[Account | None, str | None]] = [*found] or [(None, None)]
    for account, password_hash in candidates:  # an unknown address still pays for one verification
        if await credentials.verify_password_off_loop(password_hash, password) and account is not None:
            return await _start_session(account, user_agent)
    raise DomainError(ErrorCode.INVALID_CREDENTIALS, "wrong e-mail or password")


async def log_out(viewer: Viewer) -> None:
    await _revoke(viewer.account.id, viewer.token_id)


async def _revoke(user_id: UUID, token_id: UUID) -> None:
    """Revoke a token; after the commit, open subscriptions on it end at once."""
    async with write_transaction() as uow:
        await repository.revoke_token(token_id, clock.now())
        uow.after_commit(lambda: departures.tokens_revoked(user_id))


async def authenticate(secret: str) -> Viewer | None:
    if not secret or len(secret) > 200:
        return None
    now = clock.now()
    found = await repository.viewer_for_digest(credentials.token_digest(secret), now)
    if found is None:
        return None
    viewer, last_used = found
    if last_used is None or now - last_used >= TOUCH_INTERVAL:
        try:
            await repository.touch_token(viewer.token_id, now, now - TOUCH_INTERVAL)
        except Exception:  # the request is still this token's: a missed "last used" is no reason to refuse it
            log.warning("could not record a use of token %s", viewer.token_id, exc_info=True)
    return viewer


async def create_api_token(viewer: Viewer, name: str, scopes: list[Scope]) -> CreatedToken:
    name = name.strip()
    if not name or len(name) > TOKEN_NAME_MAX:
        raise invalid("name", f"give the token a name of 1 to {TOKEN_NAME_MAX} characters")
    if not scopes:
        raise invalid("scopes", "choose at least one scope (READ, WRITE)")
    # WRITE implies READ: a script that logs also needs to look up its habits.
    chosen = tuple(s for s in Scope if s in scopes or (s is Scope.READ and Scope.WRITE in scopes))
    if await repository.count_live_personal_tokens(viewer.account.id, clock.now()) >= PERSONAL_TOKENS_MAX:
        raise DomainError(ErrorCode.OUT_OF_RANGE, f"you can have at most {PERSONAL_TOKENS_MAX} personal access "
                                                  "tokens; revoke one you no longer use first", "name")
    secret = credentials.new_token("cbp")
    token = await repository.insert_token(viewer.account.id, TokenKind.PERSONAL, name, chosen,
                                          credentials.token_digest(secret), clock.now(), None)
    return CreatedToken(secret, token)


async def revoke_api_token(viewer: Viewer, token_id: UUID) -> ApiToken:
    token = await repository.get_token(viewer.account.id, token_id)
    if token is None or token.kind is not TokenKind.PERSONAL:
        raise not_found("API token")
    await _revoke(viewer.account.id, token_id)
    revoked = await repository.get_token(viewer.account.id, token_id)
    assert revoked is not None
    return revoked


async def list_api_tokens(viewer: Viewer) -> list[ApiToken]:
    return await repository.list_personal_tokens(viewer.account.id)


async def update_profile(viewer: Viewer, timezone: str | None, day_start_hour: int | None,
                         display_name: str | None, clear_display_name: bool = False) -> Account:
    values: dict[str, object] = {}
    if timezone is not None:
        values["timezone"] = validate_timezone(timezone)
    if day_start_hour is not None:
        if not 0 <= day_start_hour <= 23:
            raise invalid("dayStartHour", "day start hour must be between 0 and 23")
        values["day_start_hour"] = day_start_hour
    if display_name is not None or clear_display_name:
        values["display_name"] = _display_name(display_name)
    if values:
        async with write_transaction() as uow:
            await repository.update_profile(viewer.account.id, values)
            # Today's boundaries moved: every day's check-ins may fall on other local days. A new
            # display name alters no score.
            moved_days = "timezone" in values or "day_start_hour" in values
            uow.mark_stale(viewer.account.id, from_day=None if moved_days else viewer.account.today(clock.now()))
            if moved_days:
                # Reminders are due in the user's current zone: their next firings move with it.
                moved = await repository.get_account(viewer.account.id)
                assert moved is not None
                await reminders.reschedule_owner(moved, clock.now())
    account = await repository.get_account(viewer.account.id)
    assert account is not None
    return account
