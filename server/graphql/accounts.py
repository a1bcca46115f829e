"""Accounts in GraphQL: the viewer, sign-up/log-in, profile and personal access tokens."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

import strawberry
from strawberry.types import Info

from server import clock
from server.accounts import deletion, passwords, service, sessions
from server.accounts.model import Account, ApiToken, Scope, SessionInfo
from server.graphql.context import Context
from server.graphql.errors import (
    EmailTakenError,
    InvalidCredentialsError,
    InvalidInputError,
    NotFoundError,
    OutOfRangeError,
    typed_errors,
)
from server.graphql.ids import parse_id

ApiScope = strawberry.enum(Scope, name="ApiScope", description="READ answers queries; WRITE also mutations.")


@strawberry.type(description="A Comeback account.")
class User:
    id: strawberry.ID = strawberry.field(description="Stable; opaque.")
    email: str = strawberry.field(description="The sign-in e-mail, lower-cased.")
    display_name: str | None = strawberry.field(description="The name to greet you by, if given.")
    timezone: str = strawberry.field(description="IANA time zone, e.g. Europe/Berlin.")
    day_start_hour: int = strawberry.field(description="Local hour (0-23) at which the user's day starts.")
    created_at: datetime = strawberry.field(description="When the account was created.")

    @strawberry.field(description="The user's current local day (time zone and day start applied).")
    def today(self) -> date:
        return self._account.today(clock.now())

    _account: strawberry.Private[Account]

    @classmethod
    def from_domain(cls, a: Account) -> User:
        return cls(id=strawberry.ID(str(a.id)), email=a.email, display_name=a.display_name,
                   timezone=a.timezone, day_start_hour=a.day_start_hour, created_at=a.created_at, _account=a)


@strawberry.type(name="ApiToken", description="A personal access token; its secret is shown only once, at creation.")
class ApiTokenType:
    id: strawberry.ID = strawberry.field(description="Stable; opaque (apiTokenRevoke takes it).")
    name: str = strawberry.field(description="The name given at creation (required there).")
    scopes: list[Scope] = strawberry.field(description="What it may do.")
    created_at: datetime = strawberry.field(description="When it was created.")
    revoked_at: datetime | None = strawberry.field(description="When it was revoked; null while it works.")

    @classmethod
    def from_domain(cls, t: ApiToken) -> ApiTokenType:
        # Only sessions go without a name, and sessions are never listed as API tokens.
        return cls(id=strawberry.ID(str(t.id)), name=t.name or "", scopes=list(t.scopes), created_at=t.created_at,
                   revoked_at=t.revoked_at)


@strawberry.type(description="A signed-in session (from signUp or logIn). Personal access tokens are not "
                             "sessions: see apiTokens.")
class Session:
    id: strawberry.ID = strawberry.field(description="Stable; opaque (sessionRevoke takes it).")
    created_at: datetime = strawberry.field(description="When it was started (signUp or logIn).")
    last_used_at: datetime | None = strawberry.field(
        description="When a request last used it, to the minute (recorded at most once a minute).")
    user_agent: str | None = strawberry.field(description="The User-Agent of the client that signed in, if it "
                                                          "sent one (at most 200 characters).")
    current: bool = strawberry.field(description="True for the session this request is using.")

    @classmethod
    def from_domain(cls, s: SessionInfo, current_token: object) -> Session:
        return cls(id=strawberry.ID(str(s.id)), created_at=s.created_at, last_used_at=s.last_used_at,
                   user_agent=s.user_agent, current=s.id == current_token)


@strawberry.type(description="The password was changed.")
class PasswordChanged:
    user: User = strawberry.field(description="You, signed in still with this session.")
    sessions_ended: int = strawberry.field(description="How many of your other sessions were ended.")


@strawberry.type(description="The account and everything it owned are deleted; its tokens no longer work.")
class AccountDeleted:
    id: strawberry.ID = strawberry.field(description="The deleted user's id.")
    email: str = strawberry.field(description="The deleted user's e-mail address.")


@strawberry.type(description="A new session.")
class AuthPayload:
    token: str = strawberry.field(description="Session token: send as `Authorization: Bearer <token>`.")
    user: User = strawberry.field(description="The signed-in user.")


@strawberry.type(description="A new personal access token, with its secret (shown this once).")
class ApiTokenCreated:
    secret: str = strawberry.field(description="The token itself. Store it now: it is never shown again.")
    api_token: ApiTokenType = strawberry.field(description="The token's details.")


AuthResult = Annotated[AuthPayload | EmailTakenError | InvalidCredentialsError | InvalidInputError,
                       strawberry.union("AuthResult", description="A session, or why not.")]
ApiTokenCreateResult = Annotated[ApiTokenCreated | InvalidInputError | OutOfRangeError, strawberry.union(
    "ApiTokenCreateResult", description="The token and its secret, or why not (OUT_OF_RANGE: too many tokens).")]
ApiTokenRevokeResult = Annotated[ApiTokenType | NotFoundError, strawberry.union(
    "ApiTokenRevokeResult", description="The revoked token, or NotFoundError.")]
ProfileUpdateResult = Annotated[User | InvalidInputError, strawberry.union(
    "ProfileUpdateResult", description="The updated user, or why not.")]
PasswordChangeResult = Annotated[PasswordChanged | InvalidCredentialsError | InvalidInputError,
                                 strawberry.union("PasswordChangeResult", description=(
                                     "PasswordChanged, INVALID_CREDENTIALS (currentPassword is wrong) or "
                                     "INVALID_INPUT (newPassword is not acceptable)."))]
SessionRevokeResult = Annotated[Session | NotFoundError, strawberry.union(
    "SessionRevokeResult", description="The session that was ended, or NOT_FOUND.")]
AccountDeleteResult = Annotated[AccountDeleted | InvalidCredentialsError, strawberry.union(
    "AccountDeleteResult", description="AccountDeleted, or INVALID_CREDENTIALS when the password is wrong.")]


@strawberry.input(description="A new account.")
class SignUpInput:
    email: str = strawberry.field(description="Your e-mail; one account per address.")
    password: str = strawberry.field(description="8 to 256 characters.")
    timezone: str | None = strawberry.field(default=None, description="IANA zone; defaults to UTC.")
    display_name: str | None = strawberry.field(default=None, description="The name to greet you by.")


@strawberry.input(description="Credentials for a session.")
class LogInInput:
    email: str = strawberry.field(description="Your e-mail.")
    password: str = strawberry.field(description="Your password.")


@strawberry.input(description="A new personal access token.")
class ApiTokenCreateInput:
    name: str = strawberry.field(description="What it is for, e.g. \"my scripts\" (1 to 80 characters).")
    scopes: list[Scope] = strawberry.field(description="WRITE implies READ.")


@strawberry.input(description="What to change in your profile; null or missing fields stay as they are.")
class ProfileUpdateInput:
    timezone: str | None = strawberry.field(default=None, description="An IANA zone, e.g. Europe/Berlin.")
    day_start_hour: int | None = strawberry.field(default=None, description="0-23: when your day starts (3: a "
                                                                          "late night still counts for the day "
                                                                          "before).")
    display_name: str | None = strawberry.field(default=None, description="The name to greet you by; blank "
                                                                          "clears it.")


@strawberry.input(description="Your current password, and the new one.")
class PasswordChangeInput:
    current_password: str = strawberry.field(description="Your password now. A wrong one counts against the "
                                                         "sign-in rate limit, like logIn.")
    new_password: str = strawberry.field(description="8 to 256 characters, not only spaces.")


@strawberry.input(description="Confirms the deletion.")
class AccountDeleteInput:
    password: str = strawberry.field(description="Your password. A wrong one counts against the sign-in rate "
                                                 "limit, like logIn.")


@strawberry.type
class AccountQuery:
    @strawberry.field(description="The signed-in user. UNAUTHENTICATED without a token.")
    async def me(self, info: Info[Context, None]) -> User:
        return User.from_domain((await info.context.require_viewer()).account)

    @strawberry.field(description="Your personal access tokens that are not revoked (secrets are never shown).")
    async def api_tokens(self, info: Info[Context, None]) -> list[ApiTokenType]:
        tokens = await service.list_api_tokens(await info.context.require_viewer())
        return [ApiTokenType.from_domain(t) for t in tokens]

    @strawberry.field(description=f"Your live sessions, the most recently used first (at most "
                                  f"{sessions.SESSIONS_MAX}).")
    async def sessions(self, info: Info[Context, None]) -> list[Session]:
        viewer = await info.context.require_viewer()
        return [Session.from_domain(s, viewer.token_id) for s in await sessions.list_sessions(viewer)]


@strawberry.type
class AccountMutation:
    @strawberry.mutation(description="Create an account and start a session.")
    @typed_errors
    async def sign_up(self, info: Info[Context, None],
                      input: Annotated[SignUpInput, strawberry.argument(description="The account.")]) -> AuthResult:
        s = await service.sign_up(input.email, input.password, input.timezone, input.display_name,
                                  info.context.user_agent)
        return AuthPayload(token=s.token, user=User.from_domain(s.account))

    @strawberry.mutation(description="Start a session. Wrong e-mail and wrong password answer alike.")
    @typed_errors
    async def log_in(self, info: Info[Context, None],
                     input: Annotated[LogInInput, strawberry.argument(description="Your credentials.")]
                     ) -> AuthResult:
        s = await service.log_in(input.email, input.password, info.context.user_agent)
        return AuthPayload(token=s.token, user=User.from_domain(s.account))

    @strawberry.mutation(description="End the session (or revoke the token) used for this request.")
    async def log_out(self, info: Info[Context, None]) -> bool:
        await service.log_out(await info.context.require_viewer())
        return True

    @strawberry.mutation(description="Change time zone, day start or display name. Past check-ins keep their day.")
    @typed_errors
    async def profile_update(self, info: Info[Context, None], input: Annotated[
            ProfileUpdateInput, strawberry.argument(description="What to change.")]) -> ProfileUpdateResult:
        viewer = await info.context.require_viewer()
        account = await service.update_profile(viewer, input.timezone, input.day_start_hour, input.display_name)
        return User.from_domain(account)

    @strawberry.mutation(description="Create a personal access token for scripts; the secret is shown once.")
    @typed_errors
    async def api_token_create(self, info: Info[Context, None], input: Annotated[
            ApiTokenCreateInput, strawberry.argument(description="The token.")]) -> ApiTokenCreateResult:
        created = await service.create_api_token(await info.context.require_viewer(), input.name, input.scopes)
        return ApiTokenCreated(secret=created.secret, api_token=ApiTokenType.from_domain(created.token))

    @strawberry.mutation(description="Revoke a personal access token; it stops working at once.")
    @typed_errors
    async def api_token_revoke(self, info: Info[Context, None], id: Annotated[
            strawberry.ID, strawberry.argument(description="The token's id.")]) -> ApiTokenRevokeResult:
        token = await service.revoke_api_token(await info.context.require_viewer(), parse_id(id, "API token"))
        return ApiTokenType.from_domain(token)



    @strawberry.mutation(description="Change your password. Every other session ends at once; this one and your "
                                     "personal access tokens stay.")
    @typed_errors
    async def password_change(self, info: Info[Context, None], input: Annotated[
            PasswordChangeInput, strawberry.argument(description="Your current password and the new one.")],
            ) -> PasswordChangeResult:
        changed = await passwords.change_password(await info.context.require_viewer(), input.current_password,
                                                  input.new_password)
        return PasswordChanged(user=User.from_domain(changed.account), sessions_ended=changed.sessions_ended)

    @strawberry.mutation(description="End one of your sessions (this one too, if you name it); it stops working "
                                     "at once, open subscriptions included.")
    @typed_errors
    async def session_revoke(
        self, info: Info[Context, None],
        id: Annotated[strawberry.ID, strawberry.argument(description="The session to end (Session.id).")],
    ) -> SessionRevokeResult:
        viewer = await info.context.require_viewer()
        ended = await sessions.revoke_session(viewer, parse_id(id, "session"))
        return Session.from_domain(ended, viewer.token_id)

    @strawberry.mutation(description="End every one of your sessions, this one included. Personal access tokens "
                                     "stay until revoked. Always true.")
    async def log_out_everywhere(self, info: Info[Context, None]) -> bool:
        await sessions.log_out_everywhere(await info.context.require_viewer())
        return True

    @strawberry.mutation(description="Delete your account and everything in it (habits, check-ins, journal, "
                                     "progress, tokens), at once and for good; export it first if you want a "
                                     "copy. Every token of yours stops working, open subscriptions end.")
    @typed_errors
    async def account_delete(self, info: Info[Context, None], input: Annotated[
            AccountDeleteInput, strawberry.argument(description="Your password, to confirm.")],
            ) -> AccountDeleteResult:
        account = await deletion.delete_account(await info.context.require_viewer(), input.password)
        return AccountDeleted(id=strawberry.ID(str(account.id)), email=account.email)
