"""Browser tests: a real `comeback serve` process driven through Debian's headless Chromium.

The servers run on SQLite with the embedded Redis in a temporary data dir (whatever engine
the rest of the suite uses: the dashboard is what is under test here): `server` for tests that make
their own accounts, `demo_server` (with `demo_pages` and `demo_token`) seeded first with
`comeback demo` for tests that need a full account; each starts once per worker, when first used.
Playwright never downloads a browser: it drives /usr/bin/chromium, and the tests are skipped with
a reason when that binary is missing (CI installs it with apt).
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests import clients
from tests.ports import free_port

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
BIN = Path(sys.executable).with_name("comeback")
HERE = Path(__file__).parent
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 375, "height": 812}


def _skip_reason() -> str | None:
    if not CHROMIUM.exists():
        return "browser tests need Debian's chromium at /usr/bin/chromium (apt-get install chromium; CI does)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "browser tests need playwright (pip install -e '.[test]')"
    return None


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    reason = _skip_reason()
    if reason is None:
        return
    for item in items:
        if Path(str(item.fspath)).is_relative_to(HERE):
            item.add_marker(pytest.mark.skip(reason=reason))


def _serve(demo: bool) -> Iterator[str]:
    """Base URL of a fresh `comeback serve` in its own data dir, with the demo account when asked."""
    data_dir = tempfile.mkdtemp(prefix="comeback-browser-")
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL"}}
    # Every test signs up or logs in from 127.0.0.1: lift the per-IP sign-in limit for this server only.
    env.update({"COMEBACK_DATA_DIR": data_dir, "COMEBACK_LOG_LEVEL": "WARNING", "COMEBACK_ENV": "development",
                "COMEBACK_AUTH_RATE_LIMIT_PER_MINUTE": "1000",
                # The webhook test's receiver listens on loopback, a private target.
                "COMEBACK_WEBHOOK_ALLOW_PRIVATE": "1"})
    if demo:  # before the server starts: the demo rewrites history, which a running server would recompute
        subprocess.run([str(BIN), "demo"], env=env, check=True, timeout=180, capture_output=True)
    port = free_port()
    log = open(Path(data_dir) / "serve.log", "wb")
    process = subprocess.Popen([str(BIN), "serve", "--port", str(port)], env=env, stdout=log, stderr=subprocess.STDOUT,
                               start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if clients.get(base + "/health", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"comeback serve did not start:\n{(Path(data_dir) / 'serve.log').read_text()}")
            time.sleep(0.1)
        yield base
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        log.close()
        shutil.rmtree(data_dir, ignore_errors=True)


@pytest.fixture(scope="package")
def server() -> Iterator[str]:
    """A fresh server for tests that make their own accounts (no demo: seeding it takes seconds)."""
    yield from _serve(demo=False)


@pytest.fixture(scope="package")
def demo_server() -> Iterator[str]:
    """A fresh server whose database holds the demo account (`comeback demo`: ~90 days of history)."""
    yield from _serve(demo=True)


@pytest.fixture(scope="package")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


class Pages:
    """Opens pages and remembers any script error, so a test fails on a broken page."""

    def __init__(self, browser: Any, base: str) -> None:
        self.browser = browser
        self.base = base
        self.errors: list[str] = []
        self.contexts: list[Any] = []

    def open(self, viewport: dict[str, int] = DESKTOP, token: str | None = None, route: str = "today") -> Any:
        context = self.browser.new_context(viewport=viewport, base_url=self.base)
        self.contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(10_000)
        page.on("pageerror", lambda error: self.errors.append(str(error)))
        page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        if token:
            context.add_init_script(f"localStorage.setItem('comeback.token', {token!r})")
        goto(page, route)
        return page

    def close(self) -> None:
        for context in self.contexts:
            context.close()


def goto(page: Any, route: str) -> None:
    """Navigate to a dashboard route and wait until its data is on screen."""
    page.goto(f"/#/{route}")
    name = route.split("/")[0] or "today"
    page.wait_for_selector(f'body[data-view="{name}"][data-ready="true"]')


@pytest.fixture
def pages(browser: Any, server: str) -> Iterator[Pages]:
    opened = Pages(browser, server)
    yield opened
    opened.close()
    assert not opened.errors, f"the page reported errors: {opened.errors}"


@pytest.fixture
def demo_pages(browser: Any, demo_server: str) -> Iterator[Pages]:
    """Pages of the demo server (log in with `demo_token`)."""
    opened = Pages(browser, demo_server)
    yield opened
    opened.close()
    assert not opened.errors, f"the page reported errors: {opened.errors}"


def gql(base: str, query: str, variables: dict[str, Any] | None = None, token: str | None = None) -> dict[str, Any]:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    response = clients.post(base + "/graphql", json={"query": query, "variables": variables or {}}, headers=headers,
                          timeout=10)
    body: dict[str, Any] = response.json()
    return body


def sign_up(base: str, name: str = "Sam") -> str:
    """A new account through the API; returns its session token."""
    email = f"{name.lower()}-{uuid.uuid4().hex[:8]}@example.com"
    body = gql(base, "mutation($i: SignUpInput!) { signUp(input: $i) { ... on AuthPayload { token } } }",
               {"i": {"email": email, "password": "a long passphrase", "timezone": "UTC", "displayName": name}})
    token: str = body["data"]["signUp"]["token"]
    return token


@pytest.fixture
def demo_token(demo_server: str) -> str:
    body = gql(demo_server, 'mutation { logIn(input: {email: "demo@comeback.app", password: "comeback-demo"}) '
                       "{ ... on AuthPayload { token } } }")
    token: str = body["data"]["logIn"]["token"]
    return token
