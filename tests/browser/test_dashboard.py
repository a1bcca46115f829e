"""The dashboard in a real browser: sign-up, check-ins, live toasts, program unlocks, tokens, webhooks."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from standardwebhooks.webhooks import Webhook

from tests.browser.conftest import PHONE, Pages, goto, gql, sign_up
from tests.integration.receiver import receiving

expect = pytest.importorskip("playwright.sync_api", reason="needs playwright (pip install -e '.[test]')").expect

CREATE_HABIT = """mutation($i: HabitCreateInput!) { habitCreate(input: $i) { ... on Habit { id } } }"""
CHECK_IN = """mutation($i: HabitCheckInInput!) { habitCheckIn(input: $i) { __typename ... on Error { message } } }"""


def today_of(base: str, token: str) -> date:
    return date.fromisoformat(gql(base, "{ me { today } }", token=token)["data"]["me"]["today"])


def test_sign_up_to_first_check_in(pages: Pages) -> None:
    page = pages.open(route="login")
    page.get_by_role("link", name="Create an account").click()
    page.get_by_label("E-mail").fill("first-timer@example.com")
    page.get_by_label("Password").fill("a long passphrase")
    page.get_by_label("What should we call you?").fill("Robin")
    page.get_by_role("button", name="Create my account").click()

    empty = page.locator(".empty-state")
    expect(empty.get_by_role("heading", name="Create your first habit")).to_be_visible()
    empty.get_by_role("button", name="Create your first habit").click()
    page.get_by_label("Name").fill("Evening walk")
    page.get_by_label("Category").select_option("WORKOUT")
    page.get_by_role("button", name="Create habit").click()

    card = page.locator(".habit-card", has_text="Evening walk")
    expect(card).to_have_attribute("data-done", "false")
    card.get_by_role("button", name="Check in Evening walk").click()

    expect(card).to_have_attribute("data-done", "true")
    expect(card.get_by_text("Done today")).to_be_visible()
    expect(card.locator(".streak-value")).to_have_text("1 day")
    expect(page.locator(".today-summary")).to_contain_text("1 of 1 done today")


def test_heatmap_and_streak_update_at_once_after_a_check_in(pages: Pages, server: str) -> None:
    token = sign_up(server)
    today = today_of(server, token)
    habit = gql(server, CREATE_HABIT, {"i": {"name": "Read", "category": "READING", "schedule": {"period": "DAILY"},
                                             "startDate": (today - timedelta(days=2)).isoformat()}}, token)
    habit_id = habit["data"]["habitCreate"]["id"]
    for back in (2, 1):
        done = gql(server, CHECK_IN, {"i": {"habitId": habit_id,
                                            "occurredAt": f"{(today - timedelta(days=back)).isoformat()}T12:00:00Z"}},
                   token)
        assert done["data"]["habitCheckIn"]["__typename"] == "CheckIn"
    page = pages.open(token=token, route=f"habit/{habit_id}")
    today_cell = page.locator(f'.heatmap rect[data-date="{today.isoformat()}"]')
    expect(today_cell).to_have_attribute("data-status", "PENDING")
    expect(page.locator(".stat", has_text="Current streak").locator(".stat-value")).to_have_text("2 days")
    page.evaluate("window.__sameDocument = true")

    page.get_by_role("button", name="Check in Read").click()

    expect(today_cell).to_have_attribute("data-status", "DONE")
    expect(page.locator(".stat", has_text="Current streak").locator(".stat-value")).to_have_text("3 days")
    expect(page.locator(".stat", has_text="Longest streak").locator(".stat-value")).to_have_text("3 days")
    expect(page.locator(".check-in-item")).to_have_count(3)
    assert page.evaluate("window.__sameDocument") is True  # updated in place, no reload


def test_achievement_toast_arrives_over_the_subscription(pages: Pages, server: str) -> None:
    token = sign_up(server)
    habit = gql(server, CREATE_HABIT, {"i": {"name": "Stretch", "category": "WORKOUT",
                                             "schedule": {"period": "DAILY"}}}, token)
    page = pages.open(token=token, route="today")
    page.wait_for_selector('body[data-live="live"]')
    page.wait_for_timeout(700)  # the server registers the Redis subscription just after the ack

    # Checked in elsewhere (a script, the phone): only the subscription can tell this page.
    gql(server, CHECK_IN, {"i": {"habitId": habit["data"]["habitCreate"]["id"], "source": "SCRIPT"}}, token)

    toast = page.locator(".toast", has_text="Showed up")
    expect(toast).to_be_visible(timeout=15_000)
    expect(toast).to_contain_text("Achievement unlocked")


def test_a_locked_step_turns_readable_once_its_requirements_are_met(pages: Pages, server: str) -> None:
    token = sign_up(server)
    page = pages.open(token=token, route="program/not-perfect")
    detail = page.locator(".step-detail")
    expect(detail).to_contain_text("This step is still locked")
    expect(detail.locator(".markdown")).to_have_count(0)
    expect(page.locator('.step-item[data-step-key="not-perfect"]')).to_have_attribute("data-unlocked", "false")

    page.locator('.step-item[data-step-key="awareness"] a').click()
    page.wait_for_selector('.step-detail[data-step-key="awareness"]')
    for answer in ("I went quiet instead of saying I was hurt.", "Next time I will say it in the moment."):
        form = page.locator(".step-journal .journal-form").first
        form.locator("textarea").fill(answer)
        form.get_by_role("button", name="Save entry").click()
        expect(page.locator(".step-journal .entry", has_text=answer)).to_be_visible()

    step_two = page.locator('.step-item[data-step-key="not-perfect"]')
    expect(step_two).to_have_attribute("data-unlocked", "true", timeout=10_000)
    expect(page.locator(".toast", has_text="Step 2 is open")).to_be_visible(timeout=15_000)
    step_two.locator("a").click()
    detail = page.locator('.step-detail[data-step-key="not-perfect"]')
    expect(detail.locator(".markdown h3", has_text="Yes, they had faults too")).to_be_visible()
    expect(detail).not_to_contain_text("still locked")


def test_api_token_is_shown_once_copied_and_revoked(pages: Pages, server: str) -> None:
    token = sign_up(server)
    page = pages.open(token=token, route="settings")
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=server)
    page.get_by_label("Token name").fill("Home script")
    page.get_by_label("Write (log check-ins").check()
    page.get_by_role("button", name="Create token").click()

    secret_box = page.locator(".secret-box")
    expect(secret_box).to_contain_text("it will not be shown again")
    secret = page.get_by_label("Secret of token Home script").input_value()
    assert secret.startswith("cbp")
    secret_box.get_by_role("button", name="Copy").click()
    expect(secret_box).to_contain_text("Copied.")
    assert page.evaluate("navigator.clipboard.readText()") == secret
    me = gql(server, "{ me { displayName } apiTokens { name scopes } }", token=secret)
    assert me["data"] == {"me": {"displayName": "Sam"}, "apiTokens": [{"name": "Home script",
                                                                      "scopes": ["READ", "WRITE"]}]}

    goto(page, "today")
    goto(page, "settings")
    assert secret not in page.content()
    item = page.locator(".token", has_text="Home script")
    expect(item).to_contain_text("read and write")
    item.get_by_role("button", name="Revoke token Home script").click()
    item.get_by_role("button", name="Confirm: revoke token Home script").click()

    expect(page.locator(".token", has_text="Home script")).to_have_count(0)
    expect(page.get_by_text("revoked. It stopped working at once.")).to_be_visible()
    denied = gql(server, "{ me { displayName } }", token=secret)
    assert denied["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


def test_a_webhook_is_created_with_its_secret_shown_once_tested_into_its_log_and_deleted(pages: Pages,
                                                                                        server: str) -> None:
    token = sign_up(server)
    with receiving() as receiver:
        url = receiver.url()
        page = pages.open(token=token, route="settings")
        page.get_by_label("URL", exact=True).fill(url)
        page.get_by_label("An achievement is earned").check()
        page.get_by_role("button", name="Create webhook").click()
        secret = page.get_by_label(f"Secret of webhook {url}").input_value()
        assert secret.startswith("whsec_")
        item = page.locator(".webhook", has_text=url)
        expect(item).to_contain_text("active · 2 events")

        item.get_by_role("button", name=f"Send a test to {url}").click()
        # the log is read again until the test's answer is in, and stays open
        expect(item.locator(".delivery-log tr[data-status=DELIVERED]")).to_have_count(1, timeout=15_000)
        expect(item.locator(".delivery-log")).to_contain_text("webhook.test")
        expect(item.locator(".delivery-log")).to_be_visible()
        [request] = receiver.requests
        assert Webhook(secret).verify(request.body, request.headers)["type"] == "webhook.test"

        goto(page, "today")
        goto(page, "settings")
        assert secret not in page.content()
        item.get_by_role("button", name=f"Delete webhook {url}").click()
        item.get_by_role("button", name=f"Confirm: delete webhook {url}").click()
        expect(page.locator(".webhook")).to_have_count(0)
        assert gql(server, "{ webhooks { id } }", token=token)["data"] == {"webhooks": []}


def test_every_view_fits_a_375_px_phone_without_sideways_scrolling(demo_pages: Pages, demo_server: str,
                                                                   demo_token: str) -> None:
    pages = demo_pages  # the demo account: every view full of realistic content
    walk = _habit_id(demo_server, demo_token, "Evening walk")
    page = pages.open(viewport=PHONE, route="signup")
    routes = ["signup", "login"]
    widths = {"signup": page.evaluate("document.scrollingElement.scrollWidth")}
    goto(page, "login")
    widths["login"] = page.evaluate("document.scrollingElement.scrollWidth")
    page = pages.open(viewport=PHONE, token=demo_token)
    routes = ["today", f"habit/{walk}", "confidence", "achievements", "program", "program/awareness", "settings"]
    for route in routes:
        goto(page, route)
        widths[route] = page.evaluate("document.scrollingElement.scrollWidth")
    assert widths == dict.fromkeys(widths, 375)
    tabs = page.get_by_role("navigation", name="Main")
    box = tabs.bounding_box()
    assert box is not None and box["y"] + box["height"] == 812  # the tab bar sits at the bottom


def _habit_id(server: str, token: str, name: str) -> str:
    habits: list[dict[str, Any]] = gql(server, "{ habits { id name } }", token=token)["data"]["habits"]
    return next(h["id"] for h in habits if h["name"] == name)


def test_step_markdown_is_rendered_with_html_escaped_and_unsafe_links_dropped(pages: Pages) -> None:
    page = pages.open(route="login")
    source = ("## Hi <script>alert(1)</script>\n\nA **bold** and *calm* line with `code`.\n\n"
              "- [a link](https://example.com/a?b=1&c=2)\n- [a trap](javascript:alert(1))\n\n"
              "1. first\n2. second\n\n<img src=x onerror=alert(1)>")
    html = page.evaluate("async (s) => (await import('/markdown.js')).renderMarkdown(s)", source)
    assert html.split("\n") == [
        "<h3>Hi &lt;script&gt;alert(1)&lt;/script&gt;</h3>",
        "<p>A <strong>bold</strong> and <em>calm</em> line with <code>code</code>.</p>",
        '<ul><li><a href="https://example.com/a?b=1&amp;c=2" rel="noopener noreferrer" target="_blank">a link</a></li>'
        "<li>a trap</li></ul>",
        "<ol><li>first</li><li>second</li></ol>",
        "<p>&lt;img src=x onerror=alert(1)&gt;</p>",
    ]
