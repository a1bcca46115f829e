"""Settings in a real browser: change the password, see and end sessions, delete the account (export first)."""

from __future__ import annotations

import json
import uuid
from pathlib import Path

import pytest

from tests.browser.conftest import Pages, goto, gql

expect = pytest.importorskip("playwright.sync_api", reason="needs playwright (pip install -e '.[test]')").expect

PASSWORD = "a long passphrase"
LOG_IN = """mutation($e: String!, $p: String!) { logIn(input: {email: $e, password: $p}) {
  ... on AuthPayload { token } } }"""


def account(base: str) -> tuple[str, str]:
    """A new account through the API: (e-mail, session token)."""
    email = f"sam-{uuid.uuid4().hex[:8]}@example.com"
    body = gql(base, "mutation($i: SignUpInput!) { signUp(input: $i) { ... on AuthPayload { token } } }",
               {"i": {"email": email, "password": PASSWORD, "timezone": "UTC", "displayName": "Sam"}})
    token: str = body["data"]["signUp"]["token"]
    return email, token


def log_in(base: str, email: str, password: str = PASSWORD) -> str | None:
    token: str | None = gql(base, LOG_IN, {"e": email, "p": password})["data"]["logIn"].get("token")
    return token


def signed_in(base: str, token: str) -> bool:
    return not gql(base, "{ me { id } }", token=token).get("errors")


def test_sessions_are_listed_and_ended_and_the_password_changed(pages: Pages, server: str) -> None:
    email, token = account(server)
    phone = log_in(server, email)
    assert phone
    page = pages.open(token=token, route="settings")
    sessions = page.locator(".session")
    expect(sessions).to_have_count(2)
    this = page.locator(".session", has_text="This browser")
    expect(this).to_have_count(1)
    other = sessions.filter(has_not_text="This browser")
    other.get_by_role("button", name="End session").click()
    expect(page.get_by_text("was signed out.")).to_be_visible()
    expect(sessions).to_have_count(1)
    assert not signed_in(server, phone)

    laptop = log_in(server, email)
    assert laptop
    page.get_by_label("Current password").fill("not my password")
    page.get_by_label("New password", exact=True).fill("a newer passphrase")
    page.get_by_label("New password again").fill("a newer passphrase")
    page.get_by_role("button", name="Change password").click()
    expect(page.locator(".field", has_text="Current password")).to_contain_text("Wrong password")
    page.get_by_label("Current password").fill(PASSWORD)
    page.get_by_role("button", name="Change password").click()
    expect(page.get_by_text("Password changed. One other session was signed out.")).to_be_visible()
    assert not signed_in(server, laptop) and signed_in(server, token)
    assert log_in(server, email, "a newer passphrase") and not log_in(server, email)
    goto(page, "settings")  # this browser is still signed in
    script = gql(server, 'mutation { apiTokenCreate(input: {name: "s", scopes: [READ]}) '
                         "{ ... on ApiTokenCreated { secret } } }", token=token)["data"]["apiTokenCreate"]["secret"]
    page.get_by_role("button", name="Log out everywhere").click()
    page.get_by_role("button", name="Log out of every device?").click()
    page.wait_for_selector('body[data-view="login"]')
    assert not signed_in(server, token) and signed_in(server, script)


def test_deleting_the_account_offers_the_export_first_then_signs_out(pages: Pages, server: str,
                                                                     tmp_path: Path) -> None:
    email, token = account(server)
    page = pages.open(token=token, route="settings")
    danger = page.locator(".danger-zone")
    with page.expect_download() as saved:
        danger.get_by_role("button", name="Download my data").click()
    path = tmp_path / "export.json"
    saved.value.save_as(path)
    exported = json.loads(path.read_text())
    assert (exported["format"], exported["profile"]["email"]) == ("comeback-export", email)
    danger.get_by_label("Your password").fill("not my password")
    danger.get_by_role("button", name="Delete my account").click()
    danger.get_by_role("button", name="Delete everything for good?").click()
    expect(danger).to_contain_text("Wrong password")
    assert signed_in(server, token)
    danger.get_by_label("Your password").fill(PASSWORD)
    danger.get_by_role("button", name="Delete my account").click()
    danger.get_by_role("button", name="Delete everything for good?").click()
    page.wait_for_selector('body[data-view="login"]')
    expect(page.get_by_text("Your account and everything in it are deleted.")).to_be_visible()
    assert not signed_in(server, token) and not log_in(server, email)
