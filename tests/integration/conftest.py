"""Integration fixtures: a migrated real database, truncated between tests, and an API client.

A test that needs data it does not exercise makes it with tests/factories.py, then talks to the
API as that user:

    async def test_a_check_in_counts_today(api: Api) -> None:
        me = await factories.user(timezone="Europe/Berlin")
        walk = await factories.habit(me, "Walk")
        api.as_user(me)
        out = await api.check_in(str(walk.id))
        ...
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator

import httpx
import pytest
import redis.asyncio as redis
from piccolo.conf.apps import Finder
from piccolo.table import sort_table_classes

from server import database
from server.app import create_app
from server.migrations import migrate
from server.reminders import vapid
from server.settings import get_settings
from tests.integration.api import Api

# Every table of every Piccolo app, rows that point at others first (a new app's tables are included).
TABLES = tuple(t._meta.tablename for t in reversed(sort_table_classes(Finder().get_table_classes())))


async def _reset_schema() -> None:
    if database.DB.engine_type == "postgres":
        await database.DB.run_ddl("DROP SCHEMA public CASCADE")
        await database.DB.run_ddl("CREATE SCHEMA public")
    # SQLite: the suite's data dir is new for every run.


@pytest.fixture(scope="session")
async def migrated() -> AsyncIterator[None]:
    await _reset_schema()
    await migrate()
    await database.start()
    yield
    await database.stop()


@pytest.fixture(scope="session")
async def configured_redis() -> AsyncIterator[redis.Redis | None]:
    """This worker's own Redis db (tests/conftest.py), when the suite runs on a configured Redis."""
    if not os.environ.get("REDIS_URL"):
        yield None
        return
    client = redis.Redis.from_url(os.environ["REDIS_URL"])
    yield client
    await client.aclose()


@pytest.fixture(autouse=True)
async def clean(migrated: None, configured_redis: redis.Redis | None) -> None:
    """Each test starts on empty tables and an empty Redis (the configured db, or the embedded one's file).

    Emptied before the test rather than after it: a per-test rollback cannot work, because sibling
    GraphQL fields resolve concurrently and one connection cannot serve two queries at once; and a
    teardown can be cut short (a CancelledError from a fixture skips the finalizers after it), which
    would leave the next test another's rows. Module fixtures start before this runs, so they hold
    servers and settings, not rows.
    """
    for table in TABLES:
        await database.DB.run_ddl(f"DELETE FROM {table}")
    # The VAPID key pair is kept in the vapid_key table on PostgreSQL and cached per process: a cache
    # of a row just deleted would outlive it (never so in production, where that row is never deleted).
    vapid._current.clear()
    # No job, event or counter of an earlier test is left (the Redis db is this worker's alone).
    if configured_redis is not None:
        await configured_redis.flushdb()
    else:  # the embedded Redis saves its keys in the data dir when an engine stops, and loads them at the next
        (get_settings().data_dir / "redis.rdb").unlink(missing_ok=True)


@pytest.fixture(scope="session")
def app(migrated: None):  # type: ignore[no-untyped-def]
    return create_app()


@pytest.fixture
async def http(app) -> AsyncIterator[httpx.AsyncClient]:  # type: ignore[no-untyped-def]
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        yield client


@pytest.fixture
def api(http: httpx.AsyncClient) -> Api:
    return Api(http)
