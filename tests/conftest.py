"""Test set-up shared by every test: which database and Redis the suite talks to.

COMEBACK_TEST_DATABASE_URL (PostgreSQL) and COMEBACK_TEST_REDIS_URL select the real
services for the scale-out run; without them the suite uses a fresh SQLite file and an
embedded Redis, exactly like `comeback serve` does by default. The production variables
(DATABASE_URL, REDIS_URL) are ignored on purpose: the suite wipes its database.
"""

from __future__ import annotations

import os
import tempfile

_data_dir = tempfile.mkdtemp(prefix="comeback-tests-")
os.environ["COMEBACK_DATA_DIR"] = _data_dir
os.environ.pop("DATABASE_URL", None)
os.environ.pop("REDIS_URL", None)
if os.environ.get("COMEBACK_TEST_DATABASE_URL"):
    os.environ["DATABASE_URL"] = os.environ["COMEBACK_TEST_DATABASE_URL"]
if os.environ.get("COMEBACK_TEST_REDIS_URL"):
    os.environ["REDIS_URL"] = os.environ["COMEBACK_TEST_REDIS_URL"]
os.environ["PICCOLO_CONF"] = "server.database"
os.environ.setdefault("COMEBACK_LOG_LEVEL", "WARNING")
# The suite must not throttle itself; tests of the limits build apps with their own settings.
os.environ.setdefault("COMEBACK_RATE_LIMIT_PER_MINUTE", "1000000")
os.environ.setdefault("COMEBACK_AUTH_RATE_LIMIT_PER_MINUTE", "1000000")
os.environ.setdefault("COMEBACK_ANONYMOUS_RATE_LIMIT_PER_MINUTE", "1000000")
# argon2's cheapest parameters: every sign-up and log-in of the suite (and of the servers it starts,
# which inherit this environment) would otherwise pay ~50 ms of CPU for a hash nobody attacks.
os.environ["COMEBACK_PASSWORD_HASH_PROFILE"] = "fast"


def pytest_report_header() -> list[str]:
    engine = "postgres" if os.environ.get("DATABASE_URL") else "sqlite"
    redis = os.environ.get("REDIS_URL") or "embedded"
    return [f"comeback: database={engine} redis={redis} data_dir={_data_dir}"]


def pytest_sessionstart(session) -> None:  # type: ignore[no-untyped-def]
    """In CI's PostgreSQL run, refuse to pass quietly on the wrong engine or without the services."""
    if not os.environ.get("COMEBACK_REQUIRE_SERVICES"):
        return
    import asyncio

    import pytest

    async def probe() -> None:
        import asyncpg
        import redis.asyncio as redis

        connection = await asyncpg.connect(os.environ["DATABASE_URL"])
        await connection.close()
        client = redis.Redis.from_url(os.environ["REDIS_URL"])
        await client.ping()
        await client.aclose()

    if not (os.environ.get("DATABASE_URL") and os.environ.get("REDIS_URL")):
        pytest.exit("COMEBACK_REQUIRE_SERVICES is set but the test database/Redis URLs are not", returncode=3)
    try:
        asyncio.run(probe())
    except Exception as error:
        pytest.exit(f"PostgreSQL or Redis unreachable: {error!r}", returncode=3)
