"""Rate limits: requests per minute per API token or (anonymous) per client IP, and signUp/logIn
attempts per minute per client IP, however they arrive (HTTP POST, GET, each WebSocket operation).

Counting uses the `limits` library's storages: its Redis storage (on the engine's connection
pool, so every server process shares the counts) and, while Redis is unreachable, its in-memory
storage, so an outage loosens the limit rather than the service. Windows are fixed and aligned
to the clock minute (the window's number is part of the key), so one atomic increment answers
both "allowed?" and the X-RateLimit-* headers; nothing else is asked of Redis per request.
The callers are the GraphQL admission extension (every operation) and the CSV export route.
"""

from __future__ import annotations

import hashlib
import ipaddress
import logging
import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from limits import RateLimitItemPerMinute
from limits.aio.storage import MemoryStorage, RedisStorage

from server import clock
from server.engine import broker
from server.settings import Settings

log = logging.getLogger(__name__)

WINDOW = 60  # seconds, the window of RateLimitItemPerMinute
_NAMESPACE = "comeback:ratelimit"
_REDIS_TIMEOUT = 0.5  # seconds; a slow Redis must not slow every request down
_REDIS_COOLDOWN = 5.0  # seconds of memory-only counting after a Redis failure


@dataclass(frozen=True, slots=True)
class Decision:
    allowed: bool
    limit: int
    remaining: int
    reset_at: int  # epoch seconds at which the window ends
    retry_after: int  # seconds until then, at least 1

    def headers(self) -> dict[str, str]:
        return {"X-RateLimit-Limit": str(self.limit), "X-RateLimit-Remaining": str(self.remaining),
                "X-RateLimit-Reset": str(self.reset_at)}


def decide(count: int, limit: int, now: float) -> Decision:
    """Within a window, the first `limit` units pass; the window resets at the next whole minute."""
    reset_at = (int(now) // WINDOW + 1) * WINDOW
    return Decision(allowed=count <= limit, limit=limit, remaining=max(0, limit - count), reset_at=reset_at,
                    retry_after=max(1, math.ceil(reset_at - now)))


class Counter(Protocol):
    """What the limiter needs of a storage: `limits`' atomic increment-with-expiry."""

    async def incr(self, key: str, expiry: int, amount: int = 1) -> int: ...


class SharedCounter:
    """The engine's Redis when there is one, this process's memory otherwise (and for a while after
    a Redis error)."""

    def __init__(self, clock_fn: Callable[[], float], redis: Callable[[], Any | None] | None = None) -> None:
        self._redis_pool = redis or _current_pool
        self.memory = MemoryStorage()
        self.breaker = broker.Breaker("rate limits", timeout=_REDIS_TIMEOUT, cooldown=_REDIS_COOLDOWN, clock=clock_fn)
        self._storages: dict[int, RedisStorage] = {}

    def _redis(self) -> RedisStorage | None:
        if self.breaker.is_open:
            return None
        pool = self._redis_pool()
        if pool is None:
            return None
        storage = self._storages.get(id(pool))
        if storage is None:
            # On the engine's own connection pool: no extra connections, embedded or configured.
            storage = RedisStorage("async+redis://", implementation="redispy",
                                   connection_pool=pool.connection_pool)
            self._storages = {id(pool): storage}
        return storage

    async def incr(self, key: str, expiry: int, amount: int = 1) -> int:
        storage = self._redis()
        if storage is not None:
            try:
                return await self.breaker.call(lambda: storage.incr(key, expiry, amount=amount))
            except Exception:
                pass  # the breaker logged it; this process's memory counts meanwhile
        return await self.memory.incr(key, expiry, amount=amount)


def _current_pool() -> Any | None:
    current = broker.current()
    return current.pool if current is not None else None


def _now() -> float:
    return clock.now().timestamp()


def token_bucket(secret: str) -> str:
    # Never keep a secret in Redis: a digest identifies the token just as well.
    return "token:" + hashlib.sha256(secret.encode()).hexdigest()[:32]


def ip_bucket(ip: str) -> str:
    """The unit a client IP is counted in: the address itself for IPv4, its /64 for IPv6 (one
    subscriber usually holds a whole /64, so counting single IPv6 addresses would hand an attacker
    2^64 budgets)."""
    try:
        address = ipaddress.ip_address(ip)
    except ValueError:
        return ip
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return str(address.ipv4_mapped)
        return str(ipaddress.IPv6Network((address, 64), strict=False))
    return str(address)


class RateLimiter:
    def __init__(self, per_token: int, per_ip: int, per_ip_auth: int, counter: Counter | None = None,
                 clock_fn: Callable[[], float] = _now) -> None:
        self.per_token = per_token
        self.per_ip = per_ip
        self.per_ip_auth = per_ip_auth
        self.clock = clock_fn
        self.counter: Counter = counter or SharedCounter(lambda: self.clock())

    @classmethod
    def from_settings(cls, settings: Settings) -> RateLimiter:
        return cls(max(0, settings.rate_limit_per_minute), max(0, settings.anonymous_rate_limit_per_minute),
                   max(0, settings.auth_rate_limit_per_minute))

    async def hit(self, bucket: str, limit: int, cost: int = 1) -> Decision:
        """Count `cost` units against `bucket` in this minute's window and decide."""
        now = self.clock()
        item = RateLimitItemPerMinute(limit, namespace=_NAMESPACE)
        count = await self.counter.incr(item.key_for(bucket, int(now) // WINDOW), item.get_expiry() * 2, cost)
        return decide(count, limit, now)

    async def request(self, token: str | None, ip: str, cost: int = 1) -> Decision | None:
        """A request (or WebSocket operation) costing `cost` units: per signed-in token, or per IP when
        anonymous. None when that limit is off."""
        if token is not None:
            return await self.hit(token_bucket(token), self.per_token, cost) if self.per_token else None
        return await self.hit("ip:" + ip_bucket(ip), self.per_ip, cost) if self.per_ip else None

    async def sign_in_attempts(self, ip: str, attempts: int) -> Decision | None:
        """signUp/logIn fields of one operation (aliases and repeats count each)."""
        if not self.per_ip_auth or attempts <= 0:
            return None
        return await self.hit("auth-ip:" + ip_bucket(ip), self.per_ip_auth, attempts)
