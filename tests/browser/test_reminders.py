"""Reminders on the dashboard: set on a habit's page; the service worker registered on load, holding the
session for its "Done" action, and no permission asked until the user presses the button."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest

from tests.browser.conftest import Pages, gql, sign_up

expect = pytest.importorskip("playwright.sync_api", reason="needs playwright (pip install -e '.[test]')").expect

CREATE_HABIT = """mutation($i: HabitCreateInput!) { habitCreate(input: $i) { ... on Habit { id } } }"""
NOTIFICATIONS = """navigator.serviceWorker.ready.then((r) => r.getNotifications()).then((list) => list.map((n) =>
  ({title: n.title, body: n.body, tag: n.tag, actions: n.actions.map((a) => a.action), data: n.data})))"""
SW_TOKEN = "caches.open('comeback-sw').then((c) => c.match('/__sw/token')).then((r) => (r ? r.text() : null))"


def sw_token_becomes(page: Any, expected: str | None) -> None:
    """Wait until the service worker holds `expected` as its session (page.evaluate awaits the promise)."""
    deadline = time.monotonic() + 10
    while page.evaluate(SW_TOKEN) != expected:
        assert time.monotonic() < deadline, f"the service worker's session is {page.evaluate(SW_TOKEN)!r}"
        page.wait_for_timeout(50)


def test_reminders_are_set_on_the_habit_page_and_the_service_worker_is_registered(pages: Pages, server: str) -> None:
    token = sign_up(server)
    habit = gql(server, CREATE_HABIT, {"i": {"name": "Lift", "category": "WORKOUT",
                                             "schedule": {"period": "WEEKDAYS", "weekdays": [1, 3, 5]}}}, token)
    habit_id = habit["data"]["habitCreate"]["id"]
    page = pages.open(token=token, route=f"habit/{habit_id}")

    # the service worker is registered and active at the site's root, without asking anything
    script = page.evaluate("navigator.serviceWorker.ready.then((r) => r.active.scriptURL)")
    assert script == f"{server}/sw.js"
    assert page.evaluate("Notification.permission") == "default"
    # it holds the session for the notification's Done action (handed over by the page)
    sw_token_becomes(page, token)
    expect(page.get_by_role("button", name="Get reminders in this browser")).to_be_visible()

    section = page.locator(".reminders")
    section.get_by_label("Time").fill("07:30")
    section.get_by_role("button", name="Add reminder").click()
    expect(section.locator(".reminder-item")).to_have_count(1)
    expect(section.locator(".reminder-item")).to_contain_text("07:30 Mon, Wed, Fri")

    section.get_by_label("Time").fill("19:45")
    section.locator(".day-check", has_text="Sat").locator("input").check()
    section.get_by_role("button", name="Add reminder").click()
    expect(section.locator(".reminder-item")).to_have_count(2)
    expect(section.locator(".reminder-item").nth(1)).to_contain_text("19:45 Sat")

    # switched off: kept, shown as off
    section.get_by_label("Reminder at 07:30 on").uncheck()
    expect(section.locator(".reminder-item").first).to_contain_text("off")
    stored = gql(server, "query($id: ID!) { habit(id: $id) { reminders { time weekdays followsHabit enabled } } }",
                 {"id": habit_id}, token)["data"]["habit"]["reminders"]
    assert stored == [{"time": "07:30", "weekdays": [1, 3, 5], "followsHabit": True, "enabled": False},
                      {"time": "19:45", "weekdays": [6], "followsHabit": False, "enabled": True}]

    # logging out makes the service worker forget the session
    page.get_by_role("button", name="Log out").click()
    sw_token_becomes(page, None)


def test_a_pushed_reminder_shows_a_notification_with_a_done_action(pages: Pages, server: str) -> None:
    token = sign_up(server)
    habit = gql(server, CREATE_HABIT, {"i": {"name": "Stretch", "category": "WORKOUT", "schedule": {"period": "DAILY"},
                                             "question": "Did you stretch?"}}, token)
    habit_id = habit["data"]["habitCreate"]["id"]
    page = pages.open(token=token, route=f"habit/{habit_id}")
    page.context.grant_permissions(["notifications"], origin=server)
    page.evaluate("navigator.serviceWorker.ready")

    # A push message delivered to the service worker as the push service would (Chromium's DevTools
    # protocol; this Chromium cannot reach a real push service), with the body the service sends.
    cdp = page.context.new_cdp_session(page)
    registrations: list[dict[str, Any]] = []
    cdp.on("ServiceWorker.workerRegistrationUpdated", lambda e: registrations.extend(e["registrations"]))
    cdp.send("ServiceWorker.enable")
    deadline = time.monotonic() + 10
    while not registrations and time.monotonic() < deadline:
        page.wait_for_timeout(50)
    message = {"type": "ReminderDue", "habitId": habit_id, "reminderId": "r-1", "dueAt": "2026-01-12T06:30:00+00:00",
               "title": "Stretch", "body": "Did you stretch?"}
    cdp.send("ServiceWorker.deliverPushMessage", {"origin": server + "/", "registrationId":
             registrations[0]["registrationId"], "data": json.dumps(message)})

    shown = None
    deadline = time.monotonic() + 10
    while not shown and time.monotonic() < deadline:  # showNotification runs in the worker, soon after
        page.wait_for_timeout(50)
        shown = page.evaluate(NOTIFICATIONS)
    assert shown == [{"title": "Stretch", "body": "Did you stretch?", "tag": "reminder-r-1", "actions": ["done"],
                      "data": message}]


def test_settings_lists_the_browsers_receiving_push_and_removes_one(pages: Pages, server: str) -> None:
    token = sign_up(server)
    key = "B" + "A" * 86  # a well-formed P-256 point (65 bytes from 0x04); this push service is never reached
    for name in ("Phone browser", "Laptop browser"):
        added = gql(server, "mutation($i: PushSubscriptionInput!) { pushSubscriptionAdd(input: $i) { __typename } }",
                    {"i": {"endpoint": f"https://push.example.com/{name.split()[0].lower()}", "p256dh": key,
                           "auth": "A" * 22, "userAgent": name}}, token)
        assert added["data"]["pushSubscriptionAdd"]["__typename"] == "PushSubscription"
    page = pages.open(token=token, route="settings")
    devices = page.locator(".device")
    expect(devices).to_have_count(2)
    devices.filter(has_text="Phone browser").get_by_role("button", name="Remove").click()
    expect(devices).to_have_count(1)
    expect(devices.first).to_contain_text("Laptop browser")
    left = gql(server, "{ pushSubscriptions { userAgent } }", token=token)["data"]["pushSubscriptions"]
    assert left == [{"userAgent": "Laptop browser"}]


def test_the_done_action_checks_the_habit_in_once(pages: Pages, server: str) -> None:
    token = sign_up(server)
    habit = gql(server, CREATE_HABIT, {"i": {"name": "Floss", "category": "HYGIENE", "schedule": {"period": "DAILY"}}},
                token)
    habit_id = habit["data"]["habitCreate"]["id"]
    page = pages.open(token=token, route=f"habit/{habit_id}")
    sw_token_becomes(page, token)
    (worker,) = page.context.service_workers
    message = {"type": "ReminderDue", "habitId": habit_id, "reminderId": "r-2", "dueAt": "2026-01-12T06:30:00+00:00"}

    # what the notification's "Done" runs, in the service worker, with the session it was handed; twice
    # (a double tap): one check-in, thanks to the idempotency key of the firing
    assert worker.evaluate("(message) => checkIn(message)", message) is True
    assert worker.evaluate("(message) => checkIn(message)", message) is True

    done = gql(server, "query($id: ID!) { habit(id: $id) { doneToday checkIns { edges { node { source } } } } }",
               {"id": habit_id}, token)["data"]["habit"]
    assert done == {"doneToday": True, "checkIns": {"edges": [{"node": {"source": "WEB"}}]}}
