"""Rate limits: requests per minute per API token, and signUp/logIn attempts per minute per client IP.

Fixed one-minute windows, counted in Redis (shared by every server process) and, while Redis is
unreachable, in this process's memory, so an outage loosens the limit rather than the service.
An ASGI middleware in front of /graphql and /export/ answers an exceeded limit with HTTP 429,
`Retry-After` and a GraphQL error `RATE_LIMITED`, and adds `X-RateLimit-Limit`,
`X-RateLimit-Remaining` and `X-RateLimit-Reset` (epoch seconds) to every response it lets through.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

import orjson
from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    InlineFragmentNode,
    OperationDefinitionNode,
    OperationType,
    SelectionSetNode,
    parse,
)
from litestar.enums import ScopeType
from litestar.middleware.base import DefineMiddleware
from litestar.types import ASGIApp, Message, Receive, Scope, Send

from server import broker, clock
from server.asgi import header, read_body, replaying
from server.errors import ErrorCode
from server.graphql.context import bearer
from server.graphql.limits import MAX_TOKENS
from server.settings import Settings

log = logging.getLogger(__name__)

WINDOW = 60  # seconds
AUTH_FIELDS = frozenset({"signUp", "logIn"})
LIMITED_PATHS = ("/graphql", "/export/")
_PREFIX = "comeback:ratelimit:"
_REDIS_TIMEOUT = 0.5  # seconds; a slow Redis must not slow every request down
_REDIS_COOLDOWN = 5.0  # seconds of memory-only counting after a Redis failure


@dataclass(frozen=True, slots=True)
class Decision:
    allowed: bool
    limit: int
    remaining: int
    reset_at: int  # epoch seconds at which the window ends
    retry_after: int  # seconds until then, at least 1

    def headers(self) -> list[tuple[bytes, bytes]]:
        return [(b"x-ratelimit-limit", str(self.limit).encode()),
                (b"x-ratelimit-remaining", str(self.remaining).encode()),
                (b"x-ratelimit-reset", str(self.reset_at).encode())]


def decide(count: int, limit: int, now: float) -> Decision:
    """Within a window, the first `limit` units pass; the window resets at the next whole minute."""
    reset_at = (int(now) // WINDOW + 1) * WINDOW
    return Decision(allowed=count <= limit, limit=limit, remaining=max(0, limit - count), reset_at=reset_at,
                    retry_after=max(1, math.ceil(reset_at - now)))


class CounterStore(Protocol):
    async def add(self, key: str, amount: int, ttl: int) -> int: ...


class MemoryStore:
    """Counters in this process; expired windows are dropped as new ones arrive."""

    def __init__(self, clock_fn: Callable[[], float]) -> None:
        self._clock = clock_fn
        self._counts: dict[str, tuple[float, int]] = {}

    async def add(self, key: str, amount: int, ttl: int) -> int:
        now = self._clock()
        if len(self._counts) > 10_000:
            self._counts = {k: v for k, v in self._counts.items() if v[0] > now}
        expires, count = self._counts.get(key, (now + ttl, 0))
        if expires <= now:
            expires, count = now + ttl, 0
        count += amount
        self._counts[key] = (expires, count)
        return count


class RedisStore:
    def __init__(self, pool: Any) -> None:
        self._pool = pool

    async def add(self, key: str, amount: int, ttl: int) -> int:
        async with self._pool.pipeline(transaction=True) as pipe:
            pipe.incrby(key, amount)
            pipe.expire(key, ttl)
            count, _ = await pipe.execute()
        return int(count)


class SharedStore:
    """Redis when the engine has one, this process's memory otherwise (and for a while after an error)."""

    def __init__(self, clock_fn: Callable[[], float], redis: Callable[[], Any | None] | None = None) -> None:
        self._clock = clock_fn
        self._redis = redis or _current_pool
        self.memory = MemoryStore(clock_fn)
        self._down_until = 0.0

    async def add(self, key: str, amount: int, ttl: int) -> int:
        pool = self._redis() if self._clock() >= self._down_until else None
        if pool is not None:
            try:
                return await asyncio.wait_for(RedisStore(pool).add(key, amount, ttl), _REDIS_TIMEOUT)
            except Exception:
                self._down_until = self._clock() + _REDIS_COOLDOWN
                log.warning("rate limits: Redis unavailable, counting in memory for %ss", _REDIS_COOLDOWN)
        return await self.memory.add(key, amount, ttl)


def _current_pool() -> Any | None:
    current = broker.current()
    return current.pool if current is not None else None


def _now() -> float:
    return clock.now().timestamp()


class RateLimiter:
    def __init__(self, per_token: int, per_ip_auth: int, store: CounterStore | None = None,
                 clock_fn: Callable[[], float] = _now) -> None:
        self.per_token = per_token
        self.per_ip_auth = per_ip_auth
        self.clock = clock_fn
        self.store: CounterStore = store or SharedStore(lambda: self.clock())

    @classmethod
    def from_settings(cls, settings: Settings) -> RateLimiter:
        return cls(max(0, settings.rate_limit_per_minute), max(0, settings.auth_rate_limit_per_minute))

    @property
    def enabled(self) -> bool:
        return bool(self.per_token or self.per_ip_auth)

    async def hit(self, bucket: str, limit: int, cost: int = 1) -> Decision:
        """Count `cost` units against `bucket` (cost 0 only reads the window) and decide."""
        now = self.clock()
        key = f"{_PREFIX}{bucket}:{int(now) // WINDOW}"
        count = await self.store.add(key, cost, 2 * WINDOW)
        return decide(count, limit, now)


def token_bucket(secret: str) -> str:
    # Never keep a secret in Redis: a digest identifies the token just as well.
    return "token:" + hashlib.sha256(secret.encode()).hexdigest()[:32]


def auth_attempts(body: bytes) -> int:
    """How many signUp/logIn fields the operation of a GraphQL POST body runs (aliases count each)."""
    if b"logIn" not in body and b"signUp" not in body and b"\\u" not in body:
        return 0  # cheap path: neither name can appear, not even JSON-escaped
    try:
        payload = orjson.loads(body)
        query, name = payload.get("query"), payload.get("operationName")
        document = parse(query, no_location=True, max_tokens=MAX_TOKENS) if isinstance(query, str) else None
    except (orjson.JSONDecodeError, GraphQLError, AttributeError, TypeError):
        return 0  # not a request the server will run
    if document is None:
        return 0
    fragments = {d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)}
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)
                  and d.operation is OperationType.MUTATION and (name is None or (d.name and d.name.value == name))]
    return sum(_count(op.selection_set, fragments, set()) for op in operations[:1] if name or len(operations) == 1)


def _count(selections: SelectionSetNode, fragments: dict[str, FragmentDefinitionNode], seen: set[str]) -> int:
    total = 0
    for node in selections.selections:
        if isinstance(node, FieldNode):
            total += node.name.value in AUTH_FIELDS
        elif isinstance(node, InlineFragmentNode):
            total += _count(node.selection_set, fragments, seen)
        elif isinstance(node, FragmentSpreadNode) and node.name.value in fragments and node.name.value not in seen:
            seen.add(node.name.value)
            total += _count(fragments[node.name.value].selection_set, fragments, seen)
    return total


def _client_ip(scope: Scope) -> str:
    client = scope.get("client")
    return str(client[0]) if client else "unknown"


class RateLimitMiddleware:
    def __init__(self, app: ASGIApp, limiter: RateLimiter, max_body: int = 1024 * 1024) -> None:
        self.app = app
        self.limiter = limiter
        self.max_body = max_body

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        limiter = self.limiter
        if scope["type"] != ScopeType.HTTP or not limiter.enabled or not scope["path"].startswith(LIMITED_PATHS):
            await self.app(scope, receive, send)
            return
        secret = bearer(header(scope, b"authorization"))
        decisions: list[Decision] = []
        if secret and limiter.per_token:
            decisions.append(await limiter.hit(token_bucket(secret), limiter.per_token))
        if limiter.per_ip_auth and scope["path"] == "/graphql" and scope.get("method") == "POST":
            body, messages, complete = await read_body(receive, self.max_body)
            receive = replaying(messages, receive)
            # A body too large to inspect is refused by the app (413) before it runs anything.
            attempts = auth_attempts(body) if complete else 0
            if attempts or not secret:
                decisions.append(await limiter.hit("auth-ip:" + _client_ip(scope), limiter.per_ip_auth, attempts))
        if not decisions:
            await self.app(scope, receive, send)
            return
        shown = min(decisions, key=lambda d: (d.allowed, d.remaining))  # a refusal first, else the tightest
        if not shown.allowed:
            await _refuse(send, shown)
            return
        await self.app(scope, receive, _with_headers(send, shown.headers()))


def _with_headers(send: Send, headers: list[tuple[bytes, bytes]]) -> Send:
    async def wrapped(message: Message) -> None:
        if message["type"] == "http.response.start":
            message = {**message, "headers": [*message.get("headers", []), *headers]}
        await send(message)

    return wrapped


async def _refuse(send: Send, decision: Decision) -> None:
    body = orjson.dumps({"errors": [{
        "message": f"Too many requests: try again in {decision.retry_after} s.",
        "extensions": {"code": ErrorCode.RATE_LIMITED.value, "retryAfter": decision.retry_after}}]})
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
               (b"retry-after", str(decision.retry_after).encode()), *decision.headers()]
    await send({"type": "http.response.start", "status": 429, "headers": headers})
    await send({"type": "http.response.body", "body": body, "more_body": False})


def rate_limit_middleware(settings: Settings, limiter: RateLimiter | None = None) -> DefineMiddleware:
    """The middleware for create_app; `limiter` lets a caller keep a handle on the counters."""
    return DefineMiddleware(RateLimitMiddleware, limiter=limiter or RateLimiter.from_settings(settings),
                            max_body=getattr(settings, "max_body_bytes", 1024 * 1024))
