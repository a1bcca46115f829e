"""Accounts through the API: sign-up, log-in, sessions, profile, personal access tokens."""

from __future__ import annotations

import pytest

from server.accounts import tables
from tests import factories
from tests.integration.api import ERROR, FIELD, SIGN_UP, Api

LOG_IN = f"""mutation($input: LogInInput!) {{ logIn(input: $input) {{ {ERROR}
  ... on AuthPayload {{ token user {{ id email }} }} }} }}"""
PROFILE = f"""mutation($input: ProfileUpdateInput!) {{ profileUpdate(input: $input) {{ {ERROR} {FIELD}
  ... on User {{ timezone dayStartHour displayName }} }} }}"""
TOKEN_CREATE = f"""mutation($input: ApiTokenCreateInput!) {{ apiTokenCreate(input: $input) {{ {ERROR} {FIELD}
  ... on ApiTokenCreated {{ secret apiToken {{ id name scopes createdAt }} }} }} }}"""
TOKEN_REVOKE = f"""mutation($id: ID!) {{ apiTokenRevoke(id: $id) {{ {ERROR} ... on ApiToken {{ id revokedAt }} }} }}"""


async def sign_up_raw(api: Api, **fields: object) -> dict:
    base = {"email": "someone@example.com", "password": "long enough pw"}
    return (await api.data(SIGN_UP, {"input": {**base, **fields}}, token=None))["signUp"]


async def test_sign_up_normalises_email_and_rejects_a_taken_one(api: Api) -> None:
    # given an account created with a mixed-case, padded e-mail
    first = await sign_up_raw(api, email="  Ana@Example.COM ")
    # when the same address signs up again in another case
    again = await sign_up_raw(api, email="ana@example.com")
    # then the stored e-mail is normalised and the second attempt is EMAIL_TAKEN
    assert first["user"]["email"] == "ana@example.com"
    assert (again["__typename"], again["code"]) == ("EmailTakenError", "EMAIL_TAKEN")


async def test_sign_up_validates_input_with_field_errors(api: Api) -> None:
    cases = [
        ({"email": "not-an-email"}, "email"),
        ({"password": "short"}, "password"),
        ({"timezone": "Mars/Olympus"}, "timezone"),
        ({"displayName": "x" * 81}, "displayName"),
    ]
    for fields, field in cases:
        out = await sign_up_raw(api, **fields)
        assert (out["code"], out["field"]) == ("INVALID_INPUT", field), fields
    assert await tables.User.count() == 0


async def test_passwords_are_argon2_hashed_and_tokens_stored_only_as_hashes(api: Api) -> None:
    out = await api.sign_up(email="hash@example.com", password="my secret words")
    row = await tables.User.select(tables.User.password_hash).first()
    tokens = await tables.AccessToken.select(tables.AccessToken.token_hash)
    assert row["password_hash"].startswith("$argon2id$")
    assert "my secret words" not in row["password_hash"]
    assert [t["token_hash"] for t in tokens] != [out["token"]]
    assert all(len(t["token_hash"]) == 64 and out["token"] not in t["token_hash"] for t in tokens)


async def test_log_in_and_out(api: Api) -> None:
    api.as_user(await factories.user(email="in@example.com", password="right password"))
    wrong = (await api.data(LOG_IN, {"input": {"email": "in@example.com", "password": "wrong password"}},
                            token=None))["logIn"]
    unknown = (await api.data(LOG_IN, {"input": {"email": "nobody@example.com", "password": "x" * 10}},
                              token=None))["logIn"]
    good = (await api.data(LOG_IN, {"input": {"email": "IN@example.com", "password": "right password"}},
                           token=None))["logIn"]
    # wrong password and unknown e-mail answer alike (no account enumeration)
    assert (wrong["code"], wrong["message"]) == (unknown["code"], unknown["message"]) == (
        "INVALID_CREDENTIALS", "wrong e-mail or password")
    assert (await api.data("{ me { email } }", token=good["token"]))["me"]["email"] == "in@example.com"
    assert (await api.data("mutation { logOut }", token=good["token"]))["logOut"] is True
    assert await api.codes("{ me { email } }", token=good["token"]) == ["UNAUTHENTICATED"]
    # the first session is untouched by logging out the second
    assert (await api.data("{ me { email } }"))["me"]["email"] == "in@example.com"


async def test_garbage_and_missing_tokens_are_unauthenticated(api: Api) -> None:
    assert await api.codes("{ me { id } }", token=None) == ["UNAUTHENTICATED"]
    assert await api.codes("{ me { id } }", token="cbs_not-a-real-token") == ["UNAUTHENTICATED"]
    assert await api.codes("{ habits { id } }", token=None) == ["UNAUTHENTICATED"]


async def test_profile_update_validates_timezone_and_day_start(api: Api) -> None:
    api.as_user(await factories.user())
    ok = (await api.data(PROFILE, {"input": {"timezone": "America/New_York", "dayStartHour": 4,
                                             "displayName": "Sam"}}))["profileUpdate"]
    bad_zone = (await api.data(PROFILE, {"input": {"timezone": "Not/AZone"}}))["profileUpdate"]
    bad_hour = (await api.data(PROFILE, {"input": {"dayStartHour": 24}}))["profileUpdate"]
    me = (await api.data("{ me { timezone dayStartHour displayName } }"))["me"]
    assert ok == {"__typename": "User", "timezone": "America/New_York", "dayStartHour": 4, "displayName": "Sam"}
    assert (bad_zone["code"], bad_zone["field"]) == ("INVALID_INPUT", "timezone")
    assert (bad_hour["code"], bad_hour["field"]) == ("INVALID_INPUT", "dayStartHour")
    assert me == {"timezone": "America/New_York", "dayStartHour": 4, "displayName": "Sam"}


async def test_read_token_reads_but_cannot_write_and_revoked_token_stops_working(api: Api) -> None:
    api.as_user(await factories.user())
    created = (await api.data(TOKEN_CREATE, {"input": {"name": "watch", "scopes": ["READ"]}}))["apiTokenCreate"]
    secret = created["secret"]
    assert created["apiToken"]["scopes"] == ["READ"]
    assert (await api.data("{ habits { id } }", token=secret)) == {"habits": []}
    create = """mutation { habitCreate(input: {name: "x", category: CUSTOM, schedule: {period: DAILY}}) {
      __typename } }"""
    assert await api.codes(create, token=secret) == ["FORBIDDEN"]
    assert (await api.data("{ habits { id } }")) == {"habits": []}
    # listed without its secret, then revoked
    listed = (await api.data("{ apiTokens { id name scopes } }"))["apiTokens"]
    assert listed == [{"id": created["apiToken"]["id"], "name": "watch", "scopes": ["READ"]}]
    revoked = (await api.data(TOKEN_REVOKE, {"id": created["apiToken"]["id"]}))["apiTokenRevoke"]
    assert revoked["__typename"] == "ApiToken" and revoked["revokedAt"] is not None
    assert await api.codes("{ habits { id } }", token=secret) == ["UNAUTHENTICATED"]
    assert (await api.data("{ apiTokens { id } }"))["apiTokens"] == []


async def test_write_token_implies_read_and_can_check_in(api: Api) -> None:
    api.as_user(await factories.user())
    created = (await api.data(TOKEN_CREATE, {"input": {"name": "cron", "scopes": ["WRITE"]}}))["apiTokenCreate"]
    habit = await api.create_habit()
    api.token = created["secret"]
    check_in = await api.check_in(habit["id"])
    assert created["apiToken"]["scopes"] == ["READ", "WRITE"]
    assert check_in["__typename"] == "CheckIn"


async def test_tokens_of_another_user_cannot_be_revoked(api: Api) -> None:
    api.as_user(await factories.user())
    created = (await api.data(TOKEN_CREATE, {"input": {"name": "mine", "scopes": ["READ"]}}))["apiTokenCreate"]
    owner_token = api.token
    api.as_user(await factories.user())
    out = (await api.data(TOKEN_REVOKE, {"id": created["apiToken"]["id"]}))["apiTokenRevoke"]
    assert out["code"] == "NOT_FOUND"
    assert (await api.data("{ habits { id } }", token=created["secret"])) == {"habits": []}
    assert owner_token


async def test_addresses_equal_after_nfkc_and_case_folding_are_one_account(api: Api) -> None:
    """Finding 9 of issue 11: e-mails compare after NFKC and case folding."""
    first = await api.sign_up(email="\uff2d\uff25@Example.com")  # fullwidth "ME"
    assert first["user"]["email"] == "me@example.com"
    for same in ("me@example.com", "ME@EXAMPLE.COM", " Me@example.com"):
        out = (await api.data(SIGN_UP, {"input": {"email": same, "password": "long enough pw"}}, token=None))
        assert out["signUp"]["code"] == "EMAIL_TAKEN", same
    assert (await api.sign_up(email="Straße@example.com"))["user"]["email"] == "strasse@example.com"
    logged = (await api.data(LOG_IN, {"input": {"email": "STRASSE@example.com", "password": "correct horse battery"}},
                             token=None))["logIn"]
    assert logged["__typename"] == "AuthPayload"


async def test_invisible_characters_and_mixed_alphabet_look_alikes_are_refused(api: Api) -> None:
    await api.sign_up(email="alice@example.com")
    for email, reason in (("al\u200bice@example.com", "ZERO WIDTH SPACE"), ("alice\u2060@example.com", "WORD JOINER"),
                          ("\u0430lice@example.com", "mixes alphabets")):  # a Cyrillic a among Latin letters
        out = (await api.data(SIGN_UP, {"input": {"email": email, "password": "long enough pw"}}, token=None))
        assert (out["signUp"]["code"], out["signUp"]["field"]) == ("INVALID_INPUT", "email"), email
        assert reason in out["signUp"]["message"], (email, out["signUp"]["message"])
    assert await tables.User.count() == 1


async def test_a_password_of_only_whitespace_is_refused(api: Api) -> None:
    out = (await api.data(SIGN_UP, {"input": {"email": "w@example.com", "password": " " * 12}}, token=None))["signUp"]
    assert (out["code"], out["field"]) == ("INVALID_INPUT", "password")
    assert await tables.User.count() == 0


async def test_password_hashing_runs_off_the_event_loop(api: Api, monkeypatch: pytest.MonkeyPatch) -> None:
    """Finding 3 of issue 11: argon2 ran on the event loop, stalling every other request."""
    import threading

    from server.accounts import credentials

    threads: list[str] = []
    hash_password, verify_password = credentials.hash_password, credentials.verify_password

    def hashing(password: str) -> str:
        threads.append(threading.current_thread().name)
        return hash_password(password)

    def verifying(stored: str | None, password: str) -> bool:
        threads.append(threading.current_thread().name)
        return verify_password(stored, password)

    monkeypatch.setattr(credentials, "hash_password", hashing)
    monkeypatch.setattr(credentials, "verify_password", verifying)
    loop_thread = threading.current_thread().name
    await api.sign_up(email="t@example.com")
    await api.data(LOG_IN, {"input": {"email": "t@example.com", "password": "correct horse battery"}}, token=None)
    await api.data(LOG_IN, {"input": {"email": "nobody@example.com", "password": "whatever it is"}}, token=None)
    assert len(threads) == 3 and loop_thread not in threads, (loop_thread, threads)


async def test_stored_addresses_are_respelled_as_keys_and_a_clash_keeps_both_accounts(api: Api) -> None:
    """The migration that brings accounts made before NFKC + case folding to the new spelling."""
    import importlib
    from uuid import UUID

    migration = importlib.import_module("server.accounts.piccolo_migrations.accounts_2026_12_03t12_40_00_000000")
    fullwidth = await api.sign_up(email="fw@example.com")
    old = await api.sign_up(email="old@example.com", password="the old account's words")
    clash = await api.sign_up(email="strasse@example.com", password="the other account's words")
    # as the old rule (trim, lower-case) stored them
    await tables.User.update({tables.User.email: "\uff4d\uff45@example.com"}).where(
        tables.User.id == UUID(fullwidth["user"]["id"]))
    await tables.User.update({tables.User.email: "straße@example.com"}).where(tables.User.id == UUID(old["user"]["id"]))
    await migration.respell()
    emails = {str(r["id"]): r["email"] for r in await tables.User.select(tables.User.id, tables.User.email)}
    assert emails[fullwidth["user"]["id"]] == "me@example.com"
    # "straße" would become "strasse", which another account has: it keeps its spelling, and both sign in
    assert (emails[old["user"]["id"]], emails[clash["user"]["id"]]) == ("straße@example.com", "strasse@example.com")
    for password, owner in (("the old account's words", old), ("the other account's words", clash)):
        logged = (await api.data(LOG_IN, {"input": {"email": "Straße@example.com", "password": password}},
                                 token=None))["logIn"]
        assert logged["user"]["id"] == owner["user"]["id"]


async def test_an_account_holds_at_most_fifty_live_personal_tokens(api: Api) -> None:
    """Each token has its own rate budget: minting tokens must not mint budgets without end."""
    from server.accounts.service import PERSONAL_TOKENS_MAX

    api.as_user(await factories.user())
    made = [(await api.data(TOKEN_CREATE, {"input": {"name": f"t{i}", "scopes": ["READ"]}}))["apiTokenCreate"]
            for i in range(PERSONAL_TOKENS_MAX)]
    assert all(m["__typename"] == "ApiTokenCreated" for m in made)
    over = (await api.data("mutation($input: ApiTokenCreateInput!) { apiTokenCreate(input: $input) { __typename "
                           "... on Error { code field } } }",
                           {"input": {"name": "one more", "scopes": ["READ"]}}))["apiTokenCreate"]
    assert (over["__typename"], over["code"], over["field"]) == ("OutOfRangeError", "OUT_OF_RANGE", "name")
    await api.data(TOKEN_REVOKE, {"id": made[0]["apiToken"]["id"]})
    again = (await api.data(TOKEN_CREATE, {"input": {"name": "one more", "scopes": ["READ"]}}))["apiTokenCreate"]
    assert again["__typename"] == "ApiTokenCreated"  # revoking makes room
