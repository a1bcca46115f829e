"""Accounts under pressure: concurrent sign-ups, password policy, no enumeration, session expiry,
and no secret in any log line at DEBUG (in-process and from a real server's whole output)."""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta
from pathlib import Path
from typing import Any, Literal

import httpx
import pytest
from argon2 import PasswordHasher, extract_parameters

from server import clock
from server.accounts import tables
from server.logs import DropQueryStrings
from server.settings import get_settings
from tests import clients, factories
from tests.integration.api import SIGN_UP, Api
from tests.integration.processes import running_server, sqlite_env

LOG_IN = """mutation($input: LogInInput!) { logIn(input: $input) { __typename ... on Error { code message }
  ... on AuthPayload { token } } }"""
TOKEN_CREATE = """mutation($name: String!) { apiTokenCreate(input: {name: $name, scopes: [WRITE]}) {
  ... on ApiTokenCreated { secret apiToken { id } } } }"""


async def test_ten_concurrent_sign_ups_of_one_address_in_different_cases_make_one_account(api: Api) -> None:
    spellings = ["same@example.com", "SAME@example.com", "Same@Example.com", " same@EXAMPLE.com ", "sAmE@example.COM",
                 "same@example.COM", "SAME@EXAMPLE.COM", "same@Example.Com", "  Same@example.com", "sAME@exAmple.com"]
    results = await asyncio.gather(*(api.data(SIGN_UP, {"input": {"email": e, "password": "long enough pw"}},
                                              token=None) for e in spellings))
    kinds = sorted(r["signUp"]["__typename"] for r in results)
    assert kinds == ["AuthPayload"] + ["EmailTakenError"] * 9
    assert await tables.User.count().where(tables.User.email == "same@example.com") == 1
    assert await tables.User.count() == 1


async def test_the_password_policy_says_what_it_wants(api: Api) -> None:
    out = (await api.data(SIGN_UP, {"input": {"email": "p@example.com", "password": "short"}}, token=None))["signUp"]
    assert (out["code"], out["field"]) == ("INVALID_INPUT", "password")
    assert out["message"] == "use a password of 8 to 256 characters; a few unrelated words make a good one"


async def test_log_in_does_not_tell_whether_an_account_exists(api: Api, monkeypatch: pytest.MonkeyPatch) -> None:
    await factories.user(email="exists@example.com", password="the right words")
    verified: list[str] = []  # every hash argon2 checked a password against, in order
    real_verify = PasswordHasher.verify

    def counting_verify(self: PasswordHasher, hash: str | bytes, password: str | bytes) -> Literal[True]:
        verified.append(hash if isinstance(hash, str) else hash.decode())
        return real_verify(self, hash, password)

    monkeypatch.setattr(PasswordHasher, "verify", counting_verify)

    async def attempt(email: str) -> dict[str, Any]:
        out: dict[str, Any] = (await api.data(LOG_IN, {"input": {"email": email, "password": "wrong words here"}},
                                              token=None))["logIn"]
        return out

    known = [await attempt("exists@example.com") for _ in range(3)]
    unknown = [await attempt(f"nobody{i}@example.com") for i in range(3)]
    # the same answer, word for word ...
    assert {(o["code"], o["message"]) for o in known + unknown} == {("INVALID_CREDENTIALS",
                                                                      "wrong e-mail or password")}
    # ... after the same work: one argon2 verification per attempt, against hashes of the same cost
    # (an unknown address is checked against a dummy hash made with the account hashes' parameters)
    assert len(verified) == 6
    assert len(set(verified[:3])) == 1 and len(set(verified[3:])) == 1 and verified[0] != verified[3]
    assert extract_parameters(verified[3]) == extract_parameters(verified[0])


async def test_sessions_expire_after_comeback_session_days(api: Api, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(get_settings(), "session_days", 2)
    api.as_user(await factories.user())
    created = await api.data(TOKEN_CREATE, {"name": "script"})
    personal = created["apiTokenCreate"]["secret"]
    try:
        clock.travel(timedelta(days=2, seconds=-5))
        assert await api.codes("{ me { id } }") == []
        clock.travel(timedelta(days=2))
        assert await api.codes("{ me { id } }") == ["UNAUTHENTICATED"]
        assert await api.codes("mutation { logOut }") == ["UNAUTHENTICATED"]
        assert await api.codes("{ me { id } }", token=personal) == []  # personal tokens live until revoked
    finally:
        clock.travel(timedelta(0))


async def _account_flow(http: httpx.AsyncClient, email: str, password: str) -> list[str]:
    """Sign up, log in, create a token and use it; the secrets that went by."""

    async def gql(query: str, variables: dict[str, Any], token: str | None = None) -> dict[str, Any]:
        headers = {"authorization": f"Bearer {token}"} if token else {}
        response = await http.post("/graphql", json={"query": query, "variables": variables}, headers=headers)
        data: dict[str, Any] = response.json()["data"]
        return data

    session = (await gql(SIGN_UP, {"input": {"email": email, "password": password}}))["signUp"]["token"]
    second = (await gql(LOG_IN, {"input": {"email": email, "password": password}}))["logIn"]["token"]
    secret = (await gql(TOKEN_CREATE, {"name": "cron"}, session))["apiTokenCreate"]["secret"]
    habit = await gql('mutation { habitCreate(input: {name: "Walk", category: WORKOUT, schedule: {period: DAILY}}) '
                      "{ ... on Habit { id } } }", {}, secret)
    await gql("mutation($h: ID!) { habitCheckIn(input: {habitId: $h}) { __typename } }",
              {"h": habit["habitCreate"]["id"]}, secret)
    wrong = (await gql(LOG_IN, {"input": {"email": email, "password": password + "!"}}))["logIn"]
    assert wrong["code"] == "INVALID_CREDENTIALS"
    # a client that sends logIn over GET is refused; the URL still reaches the access log
    await http.get("/graphql", params={"query": f'mutation {{ logIn(input: {{email: "{email}", '
                                                f'password: "{password}"}}) {{ __typename }} }}'})
    assert await http.get("/graphql", params={"query": "{ me { id } }"}, headers={"authorization": f"Bearer {second}"})
    return [password, session, second, secret]


async def test_no_secret_is_logged_in_process_at_debug(http: httpx.AsyncClient,
                                                       caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.DEBUG):
        secrets = await _account_flow(http, "logs@example.com", "my very secret phrase")
    server_side = [r for r in caplog.records if not r.name.startswith(("httpx", "httpcore"))]  # not the client
    text = "\n".join(f"{r.getMessage()} {r.args}" for r in server_side)
    assert len(server_side) < len(caplog.records), "capture at DEBUG is live (the test client's own lines)"
    assert [s for s in secrets if s in text] == []
    assert "$argon2" not in text


async def test_no_secret_is_logged_by_a_real_server_at_debug(tmp_path: Path) -> None:
    log = tmp_path / "serve.log"
    with running_server(sqlite_env(tmp_path, COMEBACK_LOG_LEVEL="DEBUG"), log) as server:
        async with clients.async_client(base_url=server.url, timeout=10) as http:
            secrets = await _account_flow(http, "server-logs@example.com", "another secret phrase")
    output = log.read_text(errors="replace")
    assert "DEBUG" in output and '"POST /graphql HTTP/1.1" 200' in output  # the debug log really ran
    assert [s for s in secrets if s in output] == []
    assert "$argon2" not in output
    assert "GET /graphql?[query omitted]" in output


def test_the_access_log_filter_drops_query_strings() -> None:
    record = logging.LogRecord("uvicorn.access", logging.INFO, __file__, 1, '%s - "%s %s HTTP/%s" %d',
                               ("127.0.0.1:1", "GET", "/graphql?query=secret", "1.1", 405), None)
    assert DropQueryStrings().filter(record) is True
    assert record.getMessage() == '127.0.0.1:1 - "GET /graphql?[query omitted] HTTP/1.1" 405'
