"""The dashboard's rough edges a newcomer met (issue 17), and axe-core on every view at both sizes."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from tests.browser.conftest import DESKTOP, PHONE, Pages, goto, gql, sign_up
from tests.browser.test_dashboard import CREATE_HABIT, _habit_id, today_of

expect = pytest.importorskip("playwright.sync_api", reason="needs playwright (pip install -e '.[test]')").expect

AXE = Path(__file__).resolve().parents[1] / "compliance" / "node_modules" / "axe-core" / "axe.min.js"
CHECK_IN = """mutation($i: HabitCheckInInput!) { habitCheckIn(input: $i) { __typename } }"""


def violations(page: Any) -> list[dict[str, Any]]:
    """axe-core's violations on the page as it is now (every rule axe runs by default)."""
    if not AXE.exists():
        if os.environ.get("COMEBACK_REQUIRE_SERVICES"):
            pytest.fail("axe-core is not installed: npm ci --prefix tests/compliance")
        pytest.skip("axe-core is not installed: run `npm ci --prefix tests/compliance`")
    if not page.evaluate("typeof window.axe === 'object'"):
        # Evaluated through the DevTools protocol: the page's CSP (script-src 'self') forbids an inline tag.
        page.evaluate(AXE.read_text() + "\n;undefined")
    # The steady state is judged: a view fades in, and half-faded text has half its contrast.
    page.evaluate("""() => Promise.all(document.getAnimations()
        .filter((a) => a.effect && a.effect.getTiming().iterations !== Infinity).map((a) => a.finished))""")
    found: list[dict[str, Any]] = page.evaluate("""async () => (await axe.run(document, {
        resultTypes: ["violations"], rules: { "label-content-name-mismatch": { enabled: true } } }))
        .violations.map((v) => ({ id: v.id, impact: v.impact, nodes: v.nodes.slice(0, 3).map((n) => n.html) }))""")
    return found


def habit(base: str, token: str, **fields: Any) -> str:
    today = today_of(base, token).isoformat()
    data = gql(base, CREATE_HABIT, {"i": {"category": "WORKOUT", "schedule": {"period": "DAILY"}, "startDate": today,
                                          **fields}}, token=token)
    habit_id: str = data["data"]["habitCreate"]["id"]
    return habit_id


def test_every_view_has_no_axe_violations_on_a_desktop_and_a_phone(demo_pages: Pages, demo_server: str,
                                                                   demo_token: str) -> None:
    walk = _habit_id(demo_server, demo_token, "Evening walk")
    found: dict[str, list[dict[str, Any]]] = {}
    for size, viewport in (("desktop", DESKTOP), ("phone", PHONE)):
        page = demo_pages.open(viewport=viewport, route="login")
        for route in ("login", "signup"):
            goto(page, route)
            found[f"{size} {route}"] = violations(page)
        page = demo_pages.open(viewport=viewport, token=demo_token)
        for route in ("today", f"habit/{walk}", "confidence", "achievements", "program", "program/awareness",
                      "settings"):
            goto(page, route)
            found[f"{size} {route}"] = violations(page)
        page.goto("/#/no-such-page")
        page.wait_for_selector('body[data-view="not-found"][data-ready="true"]')
        found[f"{size} not found"] = violations(page)
    failing = {view: [(v["id"], v["impact"], v["nodes"][0][:90]) for v in found_here]
               for view, found_here in found.items() if found_here}
    assert failing == {}, "\n".join(f"{view}: {v}" for view, v in failing.items())


def test_toasts_show_three_at_most_and_fold_the_rest(pages: Pages, server: str) -> None:
    page = pages.open(token=sign_up(server))
    page.evaluate("""async () => { const { toast } = await import("/app.js");
        for (let n = 1; n <= 6; n++) toast(`Achievement ${n}`, "", { timeout: 60000 }); }""")

    shown = page.locator(".toast:visible")
    expect(shown).to_have_count(3)
    expect(shown.first).to_contain_text("Achievement 4")  # the newest three
    more = page.get_by_role("button", name="3 more notifications")
    more.click()
    expect(page.locator(".toast:visible")).to_have_count(6)
    expect(more).to_have_count(0)


def test_creating_habits_is_confirmed_in_the_view_with_words_for_a_quit_habit(pages: Pages, server: str) -> None:
    page = pages.open(token=sign_up(server))
    page.get_by_role("button", name="Create your first habit").click()
    page.get_by_label("Name").fill("Walk")
    page.get_by_role("button", name="Create habit").click()
    expect(page.locator(".habit-card", has_text="Walk")).to_be_visible()
    notice = page.get_by_role("status").filter(has_text="Added")
    expect(notice).to_have_text("Added “Walk”. Check in whenever you've done it.")

    page.get_by_role("button", name="+ New habit").click()
    page.get_by_label("Name").fill("Late-night scrolling")
    page.get_by_text("Quit a habit").click()
    page.get_by_role("button", name="Create habit").click()

    expect(page.locator(".habit-card", has_text="Late-night scrolling")).to_be_visible()
    expect(notice).to_have_text("Added “Late-night scrolling”. Every day without it counts as clean; "
                                "log a slip if it happens.")
    expect(page.locator(".toast", has_text="Added")).to_have_count(0)  # what you did in front of you is not toasted


def test_the_new_habit_form_speaks_plainly_and_fits_1280_px(pages: Pages, server: str) -> None:
    page = pages.open(viewport=DESKTOP, token=sign_up(server))
    page.get_by_role("button", name="Create your first habit").click()

    quit_label = page.locator(".segmented label", has_text="Quit a habit")
    fits = quit_label.evaluate("el => el.scrollWidth <= el.clientWidth && "
                               "el.getBoundingClientRect().right <= el.parentElement.getBoundingClientRect().right")
    page.get_by_label("Name").fill("Read")
    page.get_by_label("Daily target").fill("-5")
    page.get_by_role("button", name="Create habit").click()
    local = page.locator('.field[data-field="targetQuantity"] .field-error').text_content()
    page.get_by_label("Daily target").fill("2000000")
    page.get_by_role("button", name="Create habit").click()
    too_big = page.locator('.field[data-field="targetQuantity"] .field-error').text_content()

    assert fits
    plain = "Enter a daily target above 0, up to 1,000,000 (1 for a simple yes/no habit)."
    assert local == too_big == plain
    assert gql(server, "{ habits { id } }", token=None).get("data") is None  # nothing was sent as a habit


def test_a_one_day_habit_has_one_date_under_its_strength_chart(pages: Pages, server: str) -> None:
    token = sign_up(server)
    walk = habit(server, token, name="Walk")
    gql(server, CHECK_IN, {"i": {"habitId": walk}}, token=token)
    page = pages.open(token=token, route=f"habit/{walk}")

    chart = page.locator("svg.line-chart").first
    chart.wait_for()
    boxes = chart.locator("text.axis").evaluate_all("""els => els.map((el) => el.getBBox())
        .map((b) => ({ x: b.x, y: b.y, right: b.x + b.width, bottom: b.y + b.height }))""")
    width = float(chart.get_attribute("width") or 0)
    dates = [b for b in boxes if b["y"] > float(chart.get_attribute("height") or 0) - 20]
    assert len(dates) == 1 and 0 <= dates[0]["x"] and dates[0]["right"] <= width
    for n, a in enumerate(boxes):  # no label overlaps another
        for b in boxes[n + 1:]:
            assert a["right"] <= b["x"] or b["right"] <= a["x"] or a["bottom"] <= b["y"] or b["bottom"] <= a["y"]


def test_an_unknown_address_shows_a_not_found_view(pages: Pages, server: str) -> None:
    page = pages.open(token=sign_up(server))
    page.goto("/#/nonsense")

    page.wait_for_selector('body[data-view="not-found"][data-ready="true"]')
    expect(page.get_by_role("heading", name="Page not found")).to_be_visible()
    page.get_by_role("link", name="Go to Today").click()
    page.wait_for_selector('body[data-view="today"][data-ready="true"]')


def test_numeric_habit_done_today_offers_no_amount_and_take_back_skip_is_named_as_shown(pages: Pages,
                                                                                         server: str) -> None:
    token = sign_up(server)
    read = habit(server, token, name="Read", category="READING", targetQuantity=10, unit="pages")
    habit(server, token, name="Stretch")
    gql(server, CHECK_IN, {"i": {"habitId": read, "quantity": 10}}, token=token)
    page = pages.open(token=token)
    stretch = page.locator(".habit-card", has_text="Stretch")
    stretch.get_by_role("button", name="Skip today for Stretch").click()

    take_back = stretch.get_by_role("button", name="Take back skip for Stretch")
    expect(take_back).to_be_visible()
    amount = page.get_by_label("Amount in pages for Read")
    expect(amount).to_have_value("")
    assert [v["id"] for v in violations(page)] == []  # label-content-name-mismatch was one
