"""Live events over Redis pub/sub, so a subscriber on any server process hears them."""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterator
from typing import Any
from uuid import UUID

from redis.asyncio import Redis

from server.engine import broker

log = logging.getLogger(__name__)


def channel(user_id: UUID) -> str:
    return f"comeback:events:{user_id}"


async def publish(redis: Redis, user_id: UUID, event: dict[str, Any]) -> None:
    """Best effort: state is already committed, a missed event is caught up by the next read."""
    try:
        await redis.publish(channel(user_id), json.dumps(event, default=str))
    except Exception:
        log.warning("could not publish an event for %s", user_id, exc_info=True)


async def listen(user_id: UUID, idle_seconds: float | None = None) -> AsyncIterator[dict[str, Any] | None]:
    """Every event published for the user from now on, until the caller stops iterating.

    With `idle_seconds`, None is yielded after each quiet spell that long (so a subscriber can
    re-check its credentials while nothing happens).
    """
    current = broker.current()
    if current is None:
        raise RuntimeError("live events need Redis; the broker is not running")
    pubsub = current.pool.pubsub()
    await pubsub.subscribe(channel(user_id))
    try:
        while True:
            message = await pubsub.get_message(ignore_subscribe_messages=True, timeout=idle_seconds)
            if message is None:
                if idle_seconds is not None:
                    yield None
            elif message.get("type") == "message":
                yield json.loads(message["data"])
    finally:
        await pubsub.unsubscribe()
        await pubsub.aclose()  # type: ignore[no-untyped-call]
