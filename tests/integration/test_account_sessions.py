"""Owning your account through the API: change the password, see and end sessions, log out everywhere."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from server import clock
from server.accounts import tables
from tests import factories
from tests.integration.api import ERROR, FIELD, Api

LOG_IN = f"""mutation($e: String!, $p: String!) {{ logIn(input: {{email: $e, password: $p}}) {{ {ERROR}
  ... on AuthPayload {{ token }} }} }}"""
PASSWORD_CHANGE = f"""mutation($c: String!, $n: String!) {{ passwordChange(input: {{currentPassword: $c,
  newPassword: $n}}) {{ {ERROR} {FIELD} ... on InvalidCredentialsError {{ field }}
  ... on PasswordChanged {{ sessionsEnded user {{ email }} }} }} }}"""
SESSIONS = "{ sessions { id createdAt lastUsedAt userAgent current } }"
SESSION_REVOKE = f"""mutation($id: ID!) {{ sessionRevoke(id: $id) {{ {ERROR}
  ... on Session {{ id current userAgent }} }} }}"""
PAT = """mutation { apiTokenCreate(input: {name: "script", scopes: [WRITE]}) { ... on ApiTokenCreated { secret } } }"""


async def log_in(api: Api, email: str, password: str, user_agent: str = "test-agent") -> dict[str, Any]:
    doc = await api.post(LOG_IN, {"e": email, "p": password}, token=None, headers={"User-Agent": user_agent})
    result: dict[str, Any] = doc["data"]["logIn"]
    return result


async def works(api: Api, token: str) -> bool:
    return await api.codes("{ me { id } }", token=token) == []


async def test_a_password_change_ends_every_other_session_and_keeps_tokens(api: Api) -> None:
    me = await factories.user(password="old password 1")
    api.as_user(me)
    phone = (await log_in(api, me.email, "old password 1"))["token"]
    laptop = (await log_in(api, me.email, "old password 1"))["token"]
    script = (await api.data(PAT))["apiTokenCreate"]["secret"]
    # when the password is changed from one session
    out = (await api.data(PASSWORD_CHANGE, {"c": "old password 1", "n": "new password 2"}))["passwordChange"]
    # then the two other sessions end at once; this one and the personal access token go on
    assert out == {"__typename": "PasswordChanged", "sessionsEnded": 2, "user": {"email": me.email}}
    assert [await works(api, t) for t in (me.token, phone, laptop, script)] == [True, False, False, True]
    assert (await log_in(api, me.email, "old password 1"))["code"] == "INVALID_CREDENTIALS"
    assert (await log_in(api, me.email, "new password 2"))["__typename"] == "AuthPayload"


async def test_a_wrong_current_password_or_a_weak_new_one_changes_nothing(api: Api) -> None:
    me = await factories.user(password="old password 1")
    api.as_user(me)
    other = (await log_in(api, me.email, "old password 1"))["token"]
    stored = await tables.User.select(tables.User.password_hash).where(tables.User.id == me.id).first()
    wrong = (await api.data(PASSWORD_CHANGE, {"c": "not my password", "n": "new password 2"}))["passwordChange"]
    too_long = (await api.data(PASSWORD_CHANGE, {"c": "x" * 300, "n": "new password 2"}))["passwordChange"]
    weak = (await api.data(PASSWORD_CHANGE, {"c": "old password 1", "n": "short"}))["passwordChange"]
    blank = (await api.data(PASSWORD_CHANGE, {"c": "old password 1", "n": " " * 12}))["passwordChange"]
    assert (wrong["__typename"], wrong["code"], wrong["field"]) == (
        "InvalidCredentialsError", "INVALID_CREDENTIALS", "currentPassword")
    assert (too_long["code"], too_long["field"]) == ("INVALID_CREDENTIALS", "currentPassword")
    assert [(r["code"], r["field"]) for r in (weak, blank)] == [("INVALID_INPUT", "newPassword")] * 2
    assert await tables.User.select(tables.User.password_hash).where(tables.User.id == me.id).first() == stored
    assert await works(api, other)


async def test_sessions_show_when_and_from_what_they_were_used(api: Api) -> None:
    me = await factories.user()
    api.as_user(me)
    started = clock.now()
    phone = (await log_in(api, me.email, me.password, "Comeback/2.1 (iPhone; iOS 18)\x07"))["token"]
    # a request two minutes later is recorded as the phone's last use; one more within the minute is not
    try:
        clock.travel(timedelta(minutes=2))
        assert await works(api, phone)
        used = clock.now()
        clock.travel(timedelta(minutes=2, seconds=30))
        assert await works(api, phone)
        listed = (await api.data(SESSIONS))["sessions"]
    finally:
        clock.travel(timedelta(0))
    # this session was used last (by the listing itself), the phone before it; control characters are dropped
    assert [(s["userAgent"], s["current"]) for s in listed] == [(None, True),
                                                                ("Comeback/2.1 (iPhone; iOS 18)", False)]
    phone_row = listed[1]
    assert abs(datetime.fromisoformat(phone_row["lastUsedAt"]) - used) < timedelta(seconds=1)
    assert abs(datetime.fromisoformat(phone_row["createdAt"]) - started) < timedelta(seconds=5)
    # personal access tokens are not sessions
    await api.data(PAT)
    assert len((await api.data(SESSIONS))["sessions"]) == 2


async def test_revoking_a_session_ends_it_at_once_and_only_yours(api: Api) -> None:
    me = await factories.user()
    api.as_user(me)
    phone = (await log_in(api, me.email, me.password, "phone"))["token"]
    listed = (await api.data(SESSIONS))["sessions"]
    phone_id = next(s["id"] for s in listed if s["userAgent"] == "phone")
    stranger = await factories.user()
    theirs = (await api.data(SESSION_REVOKE, {"id": phone_id}, token=stranger.token))["sessionRevoke"]
    assert theirs["code"] == "NOT_FOUND" and await works(api, phone)
    out = (await api.data(SESSION_REVOKE, {"id": phone_id}))["sessionRevoke"]
    assert (out["__typename"], out["id"], out["current"]) == ("Session", phone_id, False)
    assert not await works(api, phone) and await works(api, me.token)
    again = (await api.data(SESSION_REVOKE, {"id": phone_id}))["sessionRevoke"]
    assert again["code"] == "NOT_FOUND"
    assert [s["id"] for s in (await api.data(SESSIONS))["sessions"]] == [
        s["id"] for s in listed if s["userAgent"] != "phone"]


async def test_log_out_everywhere_ends_every_session_and_keeps_tokens(api: Api) -> None:
    me = await factories.user()
    api.as_user(me)
    phone = (await log_in(api, me.email, me.password))["token"]
    script = (await api.data(PAT))["apiTokenCreate"]["secret"]
    stranger = await factories.user()
    assert (await api.data("mutation { logOutEverywhere }"))["logOutEverywhere"] is True
    assert [await works(api, t) for t in (me.token, phone, script, stranger.token)] == [False, False, True, True]
    assert (await api.data(SESSIONS, token=script))["sessions"] == []
