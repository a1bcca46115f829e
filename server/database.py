"""The Piccolo engine, chosen from settings, and the transaction rules we follow on it.

Piccolo finds its engine through PICCOLO_CONF; `server.cli` and the tests point it here
(the root `piccolo_conf.py` re-exports this module for the piccolo CLI).
"""

from __future__ import annotations

import asyncio
import os
import sqlite3
from collections.abc import AsyncIterator, Awaitable, Iterator
from contextlib import asynccontextmanager, contextmanager
from contextvars import ContextVar
from typing import Any, TypeVar, overload

from piccolo.conf.apps import AppRegistry
from piccolo.engine.base import Engine
from piccolo.engine.postgres import PostgresEngine
from piccolo.engine.sqlite import SQLiteEngine, TransactionType

from server.settings import Settings, get_settings

APPS = [
    "server.accounts.piccolo_app",
    "server.habits.piccolo_app",
    "server.journal.piccolo_app",
    "server.confidence.piccolo_app",
    "server.achievements.piccolo_app",
    "server.program.piccolo_app",
    "server.reminders.piccolo_app",
    "server.webhooks.piccolo_app",
]


class QueryCount:
    def __init__(self) -> None:
        self.count = 0


_query_count: ContextVar[QueryCount | None] = ContextVar("query_count", default=None)


@contextmanager
def count_queries() -> Iterator[QueryCount]:
    """Count the SQL statements run in this context (tests and benchmarks prove no N+1 with it)."""
    counter = QueryCount()
    token = _query_count.set(counter)
    try:
        yield counter
    finally:
        _query_count.reset(token)


class _Counted:
    async def run_querystring(self, *args: Any, **kwargs: Any) -> Any:
        counter = _query_count.get()
        if counter is not None:
            counter.count += 1
        return await super().run_querystring(*args, **kwargs)  # type: ignore[misc]


class CountedPostgresEngine(_Counted, PostgresEngine):
    pass


class CountedSQLiteEngine(_Counted, SQLiteEngine):
    pass


def make_engine(settings: Settings) -> Engine[Any]:
    if settings.database_url:
        # No extensions: ids are generated in Python, and the role may not be a superuser.
        # Bounded waits: a request fails (UNAVAILABLE) rather than hangs when PostgreSQL does not answer.
        return CountedPostgresEngine(config={"dsn": settings.database_url, "timeout": 10, "command_timeout": 60},
                                     extensions=())
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    # A generous busy timeout: writers queue behind each other instead of failing.
    return CountedSQLiteEngine(path=str(settings.sqlite_path), timeout=30)


DB = make_engine(get_settings())
APP_REGISTRY = AppRegistry(apps=APPS)


def is_sqlite() -> bool:
    return isinstance(DB, SQLiteEngine)


def use_this_module() -> None:
    """Point Piccolo's engine finder at this module (idempotent)."""
    os.environ.setdefault("PICCOLO_CONF", "server.database")


@asynccontextmanager
async def transaction() -> AsyncIterator[None]:
    """The engine's transaction, with our rules; use cases open theirs through
    `server.engine.unit_of_work.write_transaction`, which adds what must follow a commit.

    SQLite takes the write lock up front (IMMEDIATE), so a read-then-write use case
    never fails half-way with `database is locked`; PostgreSQL relies on constraints.
    """
    if _read_only.get():
        # On SQLite it would join the request's read snapshot (Piccolo nests transactions), and a
        # snapshot taken before another writer's commit cannot become a write: fail loudly instead.
        raise RuntimeError("a write inside a read-only request (a query field must not write)")
    if isinstance(DB, SQLiteEngine):
        async with DB.transaction(transaction_type=TransactionType.immediate):
            yield
    else:
        async with DB.transaction():
            yield


@asynccontextmanager
async def reads_together() -> AsyncIterator[None]:
    """Several reads that belong together. On SQLite, one connection and one snapshot for them all
    (outside a transaction Piccolo opens a connection, on a thread of its own, per statement: 2-7 ms
    each on this machine); on PostgreSQL nothing, so that `concurrently` overlaps them on the pool."""
    if isinstance(DB, SQLiteEngine):
        async with DB.transaction(transaction_type=TransactionType.deferred):
            yield
    else:
        yield


_read_only: ContextVar[bool] = ContextVar("read_only", default=False)


@asynccontextmanager
async def read_only_request() -> AsyncIterator[None]:
    """A request that only reads (a GraphQL query): on SQLite all its statements share one connection
    and one snapshot (each statement outside a transaction costs a new connection, on a thread of its
    own: a 20-habit dashboard's four statements paid four); on PostgreSQL the statements keep their
    own pooled connections, so that their round trips can overlap. Writing inside it is an error."""
    token = _read_only.set(True)
    try:
        async with reads_together():
            yield
    finally:
        _read_only.reset(token)


A = TypeVar("A")
B = TypeVar("B")
C = TypeVar("C")
D = TypeVar("D")


@overload
async def concurrently(a: Awaitable[A], b: Awaitable[B], /) -> tuple[A, B]: ...
@overload
async def concurrently(a: Awaitable[A], b: Awaitable[B], c: Awaitable[C], d: Awaitable[D], /) -> tuple[A, B, C, D]: ...
async def concurrently(*steps: Awaitable[Any]) -> tuple[Any, ...]:
    """Independent reads at once on PostgreSQL (each takes its own pooled connection, so their round
    trips overlap); one after the other inside a transaction (one connection) and on SQLite."""
    if isinstance(DB, PostgresEngine) and DB.current_transaction.get() is None:
        return tuple(await asyncio.gather(*steps))
    return tuple([await step for step in steps])


def is_unique_violation(error: BaseException) -> bool:
    """True for a unique-constraint violation on either engine."""
    try:
        import asyncpg

        if isinstance(error, asyncpg.UniqueViolationError):
            return True
    except ImportError:  # pragma: no cover - asyncpg is a dependency
        pass
    return isinstance(error, sqlite3.IntegrityError) and "UNIQUE" in str(error)


def is_unavailable(error: BaseException | None) -> bool:
    """True when the database cannot be reached right now (down, restarting, refusing, timed out)."""
    seen = 0
    while error is not None and seen < 4:
        if isinstance(error, (ConnectionError, TimeoutError)) or (
                isinstance(error, OSError) and not isinstance(error, FileNotFoundError)):
            return True
        if isinstance(error, sqlite3.OperationalError) and "locked" in str(error):
            return True
        try:
            import asyncpg

            if isinstance(error, (asyncpg.PostgresConnectionError, asyncpg.OperatorInterventionError,
                                  asyncpg.TooManyConnectionsError, asyncpg.CannotConnectNowError)):
                return True
            if isinstance(error, asyncpg.InterfaceError) and not isinstance(
                    error, (asyncpg.DataError, asyncpg.ClientConfigurationError)):
                return True  # "connection is closed", "pool is closing" and the like
        except ImportError:  # pragma: no cover - asyncpg is a dependency
            pass
        error, seen = error.__cause__ or error.__context__, seen + 1
    return False


async def start(max_pool: int | None = None) -> None:
    """Open pools and set per-engine options; called from the app's lifespan and the worker."""
    if isinstance(DB, PostgresEngine):
        size = max_pool or get_settings().db_pool_max
        await DB.start_connection_pool(min_size=1, max_size=size)
    else:
        # WAL lets readers proceed while one writer commits.
        await DB.run_ddl("PRAGMA journal_mode=WAL")


async def stop() -> None:
    if isinstance(DB, PostgresEngine):
        await DB.close_connection_pool()


async def ping() -> bool:
    try:
        await DB.run_ddl("SELECT 1")
        return True
    except Exception:
        return False
