"""The breaker around Redis calls on a request's path: bounded, and skipped for a while after a failure."""

from __future__ import annotations

import asyncio

import pytest

from server.engine.broker import Breaker, RedisUnavailable


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


async def test_a_failure_opens_it_for_the_cooldown_then_redis_is_asked_again() -> None:
    clock = Clock()
    breaker = Breaker("test", timeout=1.0, cooldown=5.0, clock=clock)
    calls = 0

    async def fail() -> int:
        nonlocal calls
        calls += 1
        raise ConnectionError("refused")

    async def answer() -> int:
        nonlocal calls
        calls += 1
        return 42

    with pytest.raises(ConnectionError):
        await breaker.call(fail)
    clock.now += 4.9
    with pytest.raises(RedisUnavailable):
        await breaker.call(answer)  # not even tried
    assert calls == 1
    clock.now += 0.2
    assert await breaker.call(answer) == 42
    assert calls == 2 and not breaker.is_open


async def test_a_call_that_hangs_gives_up_after_the_timeout_and_opens_it() -> None:
    clock = Clock()
    breaker = Breaker("test", timeout=0.01, cooldown=5.0, clock=clock)
    never = asyncio.Event()

    async def hang() -> None:
        await never.wait()

    with pytest.raises(TimeoutError):
        await breaker.call(hang)
    assert breaker.is_open
