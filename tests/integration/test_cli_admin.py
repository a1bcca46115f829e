"""`comeback admin reset-password` and `delete-user`, run as the real command against the suite's database
(the process inherits DATABASE_URL / COMEBACK_DATA_DIR and REDIS_URL, as a self-hoster's shell would)."""

from __future__ import annotations

import asyncio
import re
import subprocess

from server.accounts import tables
from tests import factories
from tests.integration.api import Api
from tests.integration.processes import BIN

LOG_IN = """mutation($e: String!, $p: String!) { logIn(input: {email: $e, password: $p}) { __typename
  ... on AuthPayload { token } } }"""
PAT = """mutation { apiTokenCreate(input: {name: "script", scopes: [READ]}) { ... on ApiTokenCreated { secret } } }"""


async def comeback(*args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    return await asyncio.to_thread(subprocess.run, [str(BIN), *args], input=stdin, capture_output=True, text=True,
                                   timeout=60)


async def log_in(api: Api, email: str, password: str) -> str | None:
    out = (await api.data(LOG_IN, {"e": email, "p": password}, token=None))["logIn"]
    return out.get("token")


async def test_reset_password_from_stdin_or_generated_ends_every_session(api: Api) -> None:
    me = await factories.user()
    api.as_user(me)
    other = await log_in(api, me.email, me.password)
    script = (await api.data(PAT))["apiTokenCreate"]["secret"]
    unknown = await comeback("admin", "reset-password", "nobody@example.com", stdin="a fine new password\n")
    weak = await comeback("admin", "reset-password", me.email, stdin="short\n")
    assert (unknown.returncode, unknown.stderr.strip()) == (1, "Error: no account has this e-mail address")
    assert weak.returncode == 1 and "8 to 256 characters" in weak.stderr
    assert await api.codes("{ me { id } }") == []
    # given on stdin, in the address's other spelling
    typed = await comeback("admin", "reset-password", me.email.upper(), stdin="a fine new password\n")
    assert typed.returncode == 0, typed.stderr
    assert typed.stdout.strip() == (f"password of {me.email} reset; 2 session(s) ended (personal access tokens "
                                    "still work until revoked)")
    assert [await api.codes("{ me { id } }", token=t) for t in (me.token, other, script)] == [
        ["UNAUTHENTICATED"], ["UNAUTHENTICATED"], []]
    assert await log_in(api, me.email, me.password) is None
    assert await log_in(api, me.email, "a fine new password")
    # made up and shown once
    generated = await comeback("admin", "reset-password", me.email, "--generate")
    assert generated.returncode == 0, generated.stderr
    shown = re.fullmatch(r".*\nnew password \(shown once\): (\S{24})", generated.stdout.strip(), re.S)
    assert shown, generated.stdout
    assert await log_in(api, me.email, shown.group(1))
    assert await log_in(api, me.email, "a fine new password") is None


async def test_delete_user_asks_first_then_deletes_everything(api: Api) -> None:
    me = await factories.user()
    await factories.habit(me, "Walk")
    kept = await factories.user()
    declined = await comeback("admin", "delete-user", me.email, stdin="n\n")
    assert declined.returncode == 1 and "Aborted" in declined.stderr
    assert await tables.User.exists().where(tables.User.id == me.id)
    deleted = await comeback("admin", "delete-user", me.email, "--yes")
    assert deleted.returncode == 0, deleted.stderr
    assert deleted.stdout.strip() == f"deleted {me.email} and everything it owned"
    assert await api.codes("{ me { id } }", token=me.token) == ["UNAUTHENTICATED"]
    assert [r["id"] for r in await tables.User.select(tables.User.id)] == [kept.id]
