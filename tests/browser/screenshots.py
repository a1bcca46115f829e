"""Screenshots of the main views with the demo account, for the README (docs/screenshots/).

Not part of the suite (the file name is not test_*.py, so `./scripts/test` never collects it and
the tracked PNGs stay as they are): take them on purpose with `./scripts/screenshots`, which
runs this file alone, then review the images in the diff before committing them.
"""

from __future__ import annotations

from pathlib import Path

from tests.browser.conftest import DESKTOP, PHONE, Pages, goto
from tests.browser.test_dashboard import _habit_id

OUT = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


def test_screenshots_of_the_main_views(demo_pages: Pages, demo_server: str, demo_token: str) -> None:
    pages = demo_pages
    OUT.mkdir(parents=True, exist_ok=True)
    walk = _habit_id(demo_server, demo_token, "Evening walk")
    views = {"today": "today", "habit": f"habit/{walk}", "confidence": "confidence",
             "achievements": "achievements", "program": "program", "settings": "settings"}
    written = []
    for size, viewport in (("desktop", DESKTOP), ("phone", PHONE)):
        page = pages.open(viewport=viewport, token=demo_token)
        page.wait_for_selector('body[data-live="live"]')
        for name, route in views.items():
            goto(page, route)
            page.wait_for_timeout(150)  # charts draw on the next frame
            path = OUT / f"{name}-{size}.png"
            # On a desktop the habit page's heatmap and chart sit below the fold: take it whole.
            page.screenshot(path=str(path), animations="disabled", full_page=name == "habit" and size == "desktop")
            written.append(path)
    assert all(p.stat().st_size > 10_000 for p in written)
