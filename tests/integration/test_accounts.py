"""Accounts through the API: sign-up, log-in, sessions, profile, personal access tokens."""

from __future__ import annotations

from server.accounts import tables
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
    await api.sign_up(email="in@example.com", password="right password")
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
    await api.sign_up()
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
    await api.sign_up()
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
    await api.sign_up()
    created = (await api.data(TOKEN_CREATE, {"input": {"name": "cron", "scopes": ["WRITE"]}}))["apiTokenCreate"]
    habit = await api.create_habit()
    api.token = created["secret"]
    check_in = await api.check_in(habit["id"])
    assert created["apiToken"]["scopes"] == ["READ", "WRITE"]
    assert check_in["__typename"] == "CheckIn"


async def test_tokens_of_another_user_cannot_be_revoked(api: Api) -> None:
    await api.sign_up()
    created = (await api.data(TOKEN_CREATE, {"input": {"name": "mine", "scopes": ["READ"]}}))["apiTokenCreate"]
    owner_token = api.token
    await api.sign_up()
    out = (await api.data(TOKEN_REVOKE, {"id": created["apiToken"]["id"]}))["apiTokenRevoke"]
    assert out["code"] == "NOT_FOUND"
    assert (await api.data("{ habits { id } }", token=created["secret"])) == {"habits": []}
    assert owner_token
