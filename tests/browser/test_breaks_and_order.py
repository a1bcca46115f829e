"""The dashboard's breaks and order: take a break, see it run and on the heatmap, end it; move and delete
habits."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from tests.browser.conftest import Pages, goto, gql, sign_up

expect = pytest.importorskip("playwright.sync_api", reason="needs playwright (pip install -e '.[test]')").expect

CREATE_HABIT = """mutation($i: HabitCreateInput!) { habitCreate(input: $i) { ... on Habit { id } } }"""


def _habit(server: str, token: str, name: str, start: date) -> str:
    out = gql(server, CREATE_HABIT, {"i": {"name": name, "category": "WORKOUT", "schedule": {"period": "DAILY"},
                                           "startDate": start.isoformat()}}, token)
    habit_id: str = out["data"]["habitCreate"]["id"]
    return habit_id


def test_a_break_runs_shows_on_the_heatmap_and_ends(pages: Pages, server: str) -> None:
    token = sign_up(server)
    today = date.fromisoformat(gql(server, "{ me { today } }", token=token)["data"]["me"]["today"])
    walk = _habit(server, token, "Walk", today - timedelta(days=10))
    _habit(server, token, "Read", today - timedelta(days=10))
    page = pages.open(token=token, route="today")

    page.get_by_role("button", name="Take a break").click()
    form = page.locator("form.break-form")
    form.get_by_label("From").fill((today - timedelta(days=3)).isoformat())
    form.get_by_label("To").fill((today + timedelta(days=4)).isoformat())
    form.get_by_label("Reason (optional)").fill("flu")
    form.get_by_text("All habits, also new ones").click()  # untick: choose Walk only
    form.get_by_text("Walk", exact=True).click()
    form.get_by_role("button", name="Start the break").click()

    banner = page.locator(".break-banner.running")
    expect(banner).to_contain_text("You're on a break until")
    expect(banner).to_contain_text("(Walk)")
    expect(page.locator(f'.habit-card[data-habit-id="{walk}"] .week-strip li[data-date="{today.isoformat()}"]')
           ).to_have_attribute("data-status", "SKIPPED")
    # a check-in on a paused day still counts (no skip to take back; Read is not on a break)
    card = page.locator(f'.habit-card[data-habit-id="{walk}"]')
    expect(card.get_by_text("On a break today")).to_be_visible()
    expect(card.get_by_role("button", name="Take back skip")).to_have_count(0)
    expect(page.locator(".habit-card", has_text="Read").get_by_text("On a break today")).to_have_count(0)
    card.get_by_role("button", name="Check in Walk").click()
    expect(card).to_have_attribute("data-done", "true")
    pauses = gql(server, "{ pauses { from to reason habits { id } } }", token=token)["data"]["pauses"]
    assert pauses == [{"from": (today - timedelta(days=3)).isoformat(), "to": (today + timedelta(days=4)).isoformat(),
                       "reason": "flu", "habits": [{"id": walk}]}]

    goto(page, f"habit/{walk}")
    for back in range(4):
        cell = page.locator(f'.heatmap rect[data-date="{(today - timedelta(days=back)).isoformat()}"]')
        expect(cell).to_have_attribute("data-paused", "true")
        expect(cell).to_have_attribute("data-status", "DONE" if back == 0 else "SKIPPED")
    expect(page.locator(f'.heatmap rect[data-date="{(today - timedelta(days=4)).isoformat()}"]')
           ).not_to_have_attribute("data-paused", "true")
    expect(page.locator(".legend")).to_contain_text("On a break")

    goto(page, "today")
    page.get_by_role("button", name="End the break now").click()
    expect(page.locator(".break-banner")).to_have_count(0)
    # the days already taken stay a break; today counts again
    pauses = gql(server, "{ pauses { from to reason } }", token=token)["data"]["pauses"]
    assert pauses == [{"from": (today - timedelta(days=3)).isoformat(),
                       "to": (today - timedelta(days=1)).isoformat(), "reason": "flu"}]


def test_habits_move_up_and_down_and_every_list_follows(pages: Pages, server: str) -> None:
    token = sign_up(server)
    today = date.fromisoformat(gql(server, "{ me { today } }", token=token)["data"]["me"]["today"])
    for name in ("Walk", "Read", "Stretch"):
        _habit(server, token, name, today)
    page = pages.open(token=token, route="today")
    names = page.locator(".habit-card h2")
    expect(names).to_have_text(["Walk", "Read", "Stretch"])
    expect(page.get_by_role("button", name="Move Walk up")).to_be_disabled()
    page.get_by_role("button", name="Move Stretch up").click()
    expect(names).to_have_text(["Walk", "Stretch", "Read"])
    page.get_by_role("button", name="Move Walk down").click()
    expect(names).to_have_text(["Stretch", "Walk", "Read"])
    listed = gql(server, "{ habits { name position } }", token=token)["data"]["habits"]
    assert listed == [{"name": "Stretch", "position": 0}, {"name": "Walk", "position": 1},
                      {"name": "Read", "position": 2}]
    page.reload()
    expect(names).to_have_text(["Stretch", "Walk", "Read"])
    # deleting one, from its page (two clicks: it cannot be undone)
    page.get_by_role("link", name="Walk").click()
    page.get_by_role("button", name="Delete this habit").click()
    page.get_by_role("button", name="Delete it with all its check-ins?").click()
    expect(names).to_have_text(["Stretch", "Read"])
    assert [h["name"] for h in gql(server, "{ habits(includeArchived: true) { name } }", token=token)["data"][
        "habits"]] == ["Stretch", "Read"]
