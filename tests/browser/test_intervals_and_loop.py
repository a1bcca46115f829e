"""The dashboard with INTERVAL habits, quit limits and Loop Habit Tracker files, in a real browser."""

from __future__ import annotations

import io
import zipfile
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from tests.browser.conftest import Pages, gql, sign_up
from tests.browser.test_dashboard import CHECK_IN, CREATE_HABIT, today_of
from tests.integration.test_loop_import import fixture_zip

expect = pytest.importorskip("playwright.sync_api", reason="needs playwright (pip install -e '.[test]')").expect


def test_the_form_offers_times_a_week_and_times_in_any_days(pages: Pages, server: str) -> None:
    # given a new account on its today list
    token = sign_up(server)
    today = today_of(server, token)
    page = pages.open(token=token, route="today")

    # when "2 times in any 3 days" and "3 times a week" are created with the form
    for name, period, fill in (("Wake up early", "INTERVAL", {"times": "2", "days": "3"}),
                               ("Gym", "WEEKLY", {"timesPerWeek": "3"})):
        page.get_by_role("button", name="New habit").first.click()
        page.get_by_label("Name").fill(name)
        page.get_by_label("How often").select_option(period)
        for field, value in fill.items():
            page.locator(f'input[name="{field}"]').fill(value)
        page.locator('input[name="startDate"]').fill((today - timedelta(days=3)).isoformat())
        page.get_by_role("button", name="Create habit").click()
        expect(page.locator(".habit-card", has_text=name)).to_be_visible()

    # then the API holds both schedules, and the cards say them in words
    habits = {h["name"]: h for h in gql(server, "{ habits { id name schedule { period times days timesPerWeek } } }",
                                        token=token)["data"]["habits"]}
    assert habits["Wake up early"]["schedule"] == {"period": "INTERVAL", "times": 2, "days": 3, "timesPerWeek": None}
    assert habits["Gym"]["schedule"] == {"period": "WEEKLY", "times": None, "days": None, "timesPerWeek": 3}
    expect(page.locator(".habit-card", has_text="Wake up early")).to_contain_text("2\u00d7 in any 3 days")
    expect(page.locator(".habit-card", has_text="Gym")).to_contain_text("3\u00d7 a week")

    # and when checked 3 and 2 days ago, yesterday is covered, as Loop fills it in
    wake = habits["Wake up early"]["id"]
    for back in (3, 2):
        gql(server, CHECK_IN, {"i": {"habitId": wake, "occurredAt": f"{today - timedelta(days=back)}T12:00:00Z"}},
            token)
    detail = pages.open(token=token, route=f"habit/{wake}")
    covered = detail.locator(f'.heatmap rect[data-date="{today - timedelta(days=1)}"]')
    expect(covered).to_have_attribute("data-status", "COVERED")
    expect(detail.locator(".legend")).to_contain_text("Covered by nearby check-ins")
    expect(detail.locator(".stat", has_text="Freezes held")).to_have_count(0)
    expect(detail.locator(".stat", has_text="Current streak").locator(".stat-value")).to_have_text("3 days")


def _series_in_page(page: Any, habit_id: str, today: str, start: str) -> float:
    """The last point of the dashboard's strength chart series for this habit, as the habit page builds it."""
    value: float = page.evaluate("""async ([id, from, to]) => {
      const { gql } = await import('/api.js');
      const { strengthPoints } = await import('/charts.js');
      const data = await gql(`query($id: ID!, $f: Date!, $t: Date!) { habit(id: $id) { startDate
        strengthSeries(from: $f, to: $t) { from to values } } }`, { id, f: from, t: to });
      const points = strengthPoints(data.habit.strengthSeries, data.habit.startDate);
      return points[points.length - 1].value;
    }""", [habit_id, start, today])
    return value


def test_the_strength_chart_follows_the_server_for_interval_totals_and_quit_limits(pages: Pages, server: str) -> None:
    # given an INTERVAL total ("20 km in any 7 days") and a quit habit with a limit, each with a history
    token = sign_up(server)
    today = today_of(server, token)
    start = today - timedelta(days=30)
    specs: list[dict[str, Any]] = [
        {"name": "Run", "category": "WORKOUT", "targetQuantity": 20, "unit": "km",
         "schedule": {"period": "INTERVAL", "times": 1, "days": 7, "total": True}},
        {"name": "Coffee", "category": "CUSTOM", "kind": "QUIT", "dailyLimit": 2, "schedule": {"period": "DAILY"}},
        {"name": "Stretch", "category": "WORKOUT", "schedule": {"period": "INTERVAL", "times": 2, "days": 3}}]
    ids = []
    for spec in specs:
        habit_id = gql(server, CREATE_HABIT, {"i": {**spec, "startDate": start.isoformat()}}, token)["data"][
            "habitCreate"]["id"]
        ids.append(habit_id)
        for back in range(0, 30, 3):
            gql(server, CHECK_IN, {"i": {"habitId": habit_id, "quantity": 1 + back % 4,
                                         "occurredAt": f"{today - timedelta(days=back)}T12:00:00Z"}}, token)
    page = pages.open(token=token, route="today")

    # when / then the page's series ends where the server's strength is
    for habit_id in ids:
        server_strength = gql(server, "query($id: ID!) { habit(id: $id) { strength } }", {"id": habit_id},
                              token)["data"]["habit"]["strength"]
        assert abs(_series_in_page(page, habit_id, today.isoformat(), start.isoformat()) - server_strength) < 1e-3


def test_loop_files_from_and_to_the_settings_page(pages: Pages, server: str, tmp_path: Path) -> None:
    # given an account and a Loop export on disk
    token = sign_up(server)
    today = today_of(server, token)
    source = tmp_path / "Loop Habits CSV.zip"
    source.write_bytes(fixture_zip(today))
    page = pages.open(token=token, route="settings")

    # when the file is imported, then downloaded again
    page.locator('input[name="loopZip"]').set_input_files(str(source))
    page.get_by_role("button", name="Import", exact=True).click()
    expect(page.locator(".loop-report")).to_contain_text("Imported 5 new habits")
    with page.expect_download() as download:
        page.get_by_role("button", name="Download for Loop Habit Tracker").click()
    saved = tmp_path / "back.zip"
    download.value.save_as(saved)

    # then the download is Loop's format with every habit
    assert download.value.suggested_filename == f"Loop Habits CSV {today.isoformat()}.zip"
    with zipfile.ZipFile(io.BytesIO(saved.read_bytes())) as archive:
        names = archive.namelist()
        habits = archive.read("Habits.csv").decode().splitlines()
    assert names[:3] == ["Habits.csv", "001 Meditate/Scores.csv", "001 Meditate/Checkmarks.csv"]
    assert [row.split(",")[1] for row in habits[1:]] == ["Meditate", "Gym", "Read", "Old habit", "Sugar"]
    assert habits[2].startswith("002,Gym,YES_NO,Did you work out?,,3,7,#388E3C")
