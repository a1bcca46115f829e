"""Live events over Redis pub/sub, so a subscriber on any server process hears them.

Jobs `publish` to the user's channel. Each server process holds ONE pub/sub connection (its `Hub`):
the hub subscribes a user's channel while at least one local subscription of that user is open,
and one reader task fans each message out to those subscriptions' queues. So a thousand open
subscriptions cost one Redis connection per process, not a thousand, and a message is decoded
once however many of the user's devices listen.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from uuid import UUID, uuid4

from redis.asyncio import Redis
from redis.asyncio.client import PubSub

from server.engine.events import InvalidEvent, LiveEvent, decode, encode

log = logging.getLogger(__name__)

INBOX_MAX = 100  # events waiting for one slow subscriber; beyond that they are dropped (state stays readable)
SUBSCRIBE_TIMEOUT = 5.0
# A subscription's place in its user's cap is a lease in Redis, renewed while it runs: a process that
# dies without releasing its places frees them when the lease runs out.
SLOT_LEASE_SECONDS = 90.0

# Count a user's live leases and take one if there is room, in one step on the Redis server (its own
# clock, so processes with skewed clocks agree): KEYS[1] the user's leases; ARGV: limit, lease (ms), id.
_CLAIM = """
local now = redis.call('TIME')
local ms = tonumber(now[1]) * 1000 + math.floor(tonumber(now[2]) / 1000)
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ms)
if redis.call('ZSCORE', KEYS[1], ARGV[3]) == false and redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[1]) then
  return 0
end
redis.call('ZADD', KEYS[1], ms + tonumber(ARGV[2]), ARGV[3])
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return 1
"""


def channel(user_id: UUID) -> str:
    return f"comeback:events:{user_id}"


async def publish(redis: Redis, user_id: UUID, event: LiveEvent) -> None:
    """Best effort: state is already committed, a missed event is caught up by the next read."""
    try:
        await redis.publish(channel(user_id), encode(event))
    except Exception:
        log.warning("could not publish an event for %s", user_id, exc_info=True)


class LiveUnavailable(RuntimeError):
    """Live events need Redis, and this process has lost it (or never had it)."""


class TooManySubscriptions(Exception):
    """The user already has as many subscriptions open as the caller allows."""

    def __init__(self, limit: int) -> None:
        super().__init__(f"at most {limit} live subscriptions at once")
        self.limit = limit


# What an inbox holds: an event, or the reason no more will come.
_Item = LiveEvent | LiveUnavailable


class Hub:
    """This process's one pub/sub connection and the local subscriptions it serves."""

    def __init__(self, redis: Redis) -> None:
        self._redis = redis
        self._pubsub: PubSub | None = None
        self._reader: asyncio.Task[None] | None = None
        self._inboxes: dict[str, set[asyncio.Queue[_Item]]] = {}
        self._confirmed: dict[str, asyncio.Future[None]] = {}
        self._lock = asyncio.Lock()  # one SUBSCRIBE/UNSUBSCRIBE decision at a time
        self._closed = False

    @property
    def redis(self) -> Redis:
        return self._redis

    def open_subscriptions(self, user_id: UUID) -> int:
        """Subscriptions of this user open on this process."""
        return len(self._inboxes.get(channel(user_id), ()))

    def connections(self) -> int:
        """Redis connections this hub holds: 0 or 1, whatever the number of subscriptions."""
        return 0 if self._pubsub is None else 1

    @contextlib.asynccontextmanager
    async def inbox(self, user_id: UUID, limit: int | None = None) -> AsyncIterator[asyncio.Queue[_Item]]:
        """A queue receiving the user's events from the moment Redis confirmed the subscription.
        With `limit`, raises TooManySubscriptions when the user already has that many open here
        (counted and taken in one step, so two subscriptions arriving together cannot both slip in)."""
        name = channel(user_id)
        queue: asyncio.Queue[_Item] = asyncio.Queue(INBOX_MAX)
        async with self._lock:
            if self._closed:
                raise LiveUnavailable("the engine is stopping")
            if limit is not None and len(self._inboxes.get(name, ())) >= limit:
                raise TooManySubscriptions(limit)
            pubsub = await self._connected()
            listeners = self._inboxes.setdefault(name, set())
            listeners.add(queue)
            if len(listeners) == 1:
                try:
                    await self._subscribe(pubsub, name)
                except BaseException:
                    listeners.discard(queue)
                    self._inboxes.pop(name, None)
                    raise
        try:
            yield queue
        finally:
            await self._leave(name, queue)

    async def _connected(self) -> PubSub:
        if self._pubsub is None:
            self._pubsub = self._redis.pubsub()
        return self._pubsub

    async def _subscribe(self, pubsub: PubSub, name: str) -> None:
        confirmed = asyncio.get_running_loop().create_future()
        self._confirmed[name] = confirmed
        try:
            await pubsub.subscribe(name)
            if self._reader is None:
                self._reader = asyncio.create_task(self._read(pubsub), name="comeback-live-hub")
            async with asyncio.timeout(SUBSCRIBE_TIMEOUT):
                await confirmed
        except Exception as error:
            await self._fail(error)
            raise LiveUnavailable("could not subscribe to live events") from error
        finally:
            self._confirmed.pop(name, None)
            if confirmed.done() and not confirmed.cancelled():
                confirmed.exception()  # retrieved: the failure is reported above, not again at garbage collection

    async def _leave(self, name: str, queue: asyncio.Queue[_Item]) -> None:
        async with self._lock:
            listeners = self._inboxes.get(name)
            if listeners is None or queue not in listeners:
                return  # the hub failed meanwhile and let everyone go
            listeners.discard(queue)
            if listeners or self._pubsub is None:
                return
            del self._inboxes[name]
            try:
                await self._pubsub.unsubscribe(name)
            except Exception as error:
                await self._fail(error)

    async def _read(self, pubsub: PubSub) -> None:
        try:
            while True:
                message = await pubsub.get_message(timeout=None)
                if message is not None:
                    self._dispatch(message)
        except asyncio.CancelledError:
            raise
        except Exception as error:
            log.warning("live events lost Redis (%r); open subscriptions end", error)
            await self._fail(error, from_reader=True)

    def _dispatch(self, message: dict[str, object]) -> None:
        raw_name = message.get("channel")
        name = raw_name.decode() if isinstance(raw_name, bytes) else str(raw_name)
        if message.get("type") == "subscribe":
            confirmed = self._confirmed.get(name)
            if confirmed is not None and not confirmed.done():
                confirmed.set_result(None)
            return
        if message.get("type") != "message":
            return
        listeners = self._inboxes.get(name)
        if not listeners:
            return
        data = message.get("data")
        try:
            event = decode(data if isinstance(data, str | bytes) else b"")
        except InvalidEvent:
            # A message this version cannot represent (say, from a newer worker): an error in the
            # log, never a guess at what it meant. The subscriptions go on with the next event.
            log.error("dropped an undecodable live event on %s: %r", name, data, exc_info=True)
            return
        for queue in listeners:
            try:
                queue.put_nowait(event)
            except asyncio.QueueFull:
                log.warning("a subscriber of %s is %d events behind; dropped one", name, INBOX_MAX)

    async def _fail(self, error: BaseException, *, from_reader: bool = False) -> None:
        """Let every open subscription know that no more events will come, and start afresh on the
        next one: the pub/sub connection is dropped, a new subscription opens a new one."""
        inboxes, self._inboxes = self._inboxes, {}
        reason = LiveUnavailable("live events are interrupted")
        reason.__cause__ = error
        for confirmed in self._confirmed.values():
            if not confirmed.done():
                confirmed.set_exception(reason)
        for listeners in inboxes.values():
            for queue in listeners:
                with contextlib.suppress(asyncio.QueueFull):
                    queue.put_nowait(reason)
                if queue.full():  # make room: the end must get through
                    with contextlib.suppress(asyncio.QueueEmpty):
                        queue.get_nowait()
                    queue.put_nowait(reason)
        pubsub, self._pubsub = self._pubsub, None
        reader, self._reader = self._reader, None
        if reader is not None and not from_reader:
            reader.cancel()
            with contextlib.suppress(BaseException):
                await reader
        if pubsub is not None:
            with contextlib.suppress(Exception):
                await pubsub.aclose()  # type: ignore[no-untyped-call]

    async def close(self) -> None:
        async with self._lock:
            self._closed = True
            await self._fail(LiveUnavailable("the engine stopped"))


_hub: Hub | None = None


def set_hub(hub: Hub | None) -> None:
    global _hub
    _hub = hub


def _leases(user_id: UUID) -> str:
    return f"comeback:subscriptions:{user_id}"


class Lease:
    """One subscription's place among its user's (every server process counts the same places)."""

    def __init__(self, redis: Redis, user_id: UUID, limit: int) -> None:
        self._redis = redis
        self._key = _leases(user_id)
        self._limit = limit
        self._id = uuid4().hex
        self._claim = redis.register_script(_CLAIM)
        self._renewed = 0.0

    async def take(self) -> None:
        """Take the place, or TooManySubscriptions; renewing an held place always succeeds."""
        if not await self._claim(keys=[self._key], args=[self._limit, int(SLOT_LEASE_SECONDS * 1000), self._id]):
            raise TooManySubscriptions(self._limit)
        self._renewed = asyncio.get_running_loop().time()

    async def keep(self) -> None:
        """Renew the lease when a third of it has passed (cheap to call on every event)."""
        if asyncio.get_running_loop().time() - self._renewed > SLOT_LEASE_SECONDS / 3:
            await self.take()

    async def release(self) -> None:
        with contextlib.suppress(Exception):  # an unreleased lease runs out by itself
            await self._redis.zrem(self._key, self._id)


async def forget_leases(redis: Redis, user_id: UUID) -> None:
    """Drop the user's subscription places at once (their account is gone; the subscriptions end too)."""
    await redis.delete(_leases(user_id))


def open_subscriptions(user_id: UUID) -> int:
    """Live subscriptions of this user open on this process (what a per-user cap counts)."""
    return 0 if _hub is None else _hub.open_subscriptions(user_id)


async def listen(user_id: UUID, idle_seconds: float | None = None,
                 limit: int | None = None) -> AsyncIterator[LiveEvent | None]:
    """Every event published for the user from now on, until the caller stops iterating.

    With `idle_seconds`, None is yielded after each quiet spell that long (so a subscriber can
    re-check its credentials while nothing happens). With `limit`, raises TooManySubscriptions if
    the user already has that many subscriptions open, on any server process (a lease in Redis,
    taken before listening and renewed while listening). Raises LiveUnavailable when Redis is gone.
    """
    if _hub is None:
        raise LiveUnavailable("live events need Redis; the engine is not running")
    lease = Lease(_hub.redis, user_id, limit) if limit is not None else None
    if lease is not None:
        await lease.take()
    try:
        async with _hub.inbox(user_id) as inbox:
            while True:
                if lease is not None:
                    await lease.keep()
                try:
                    async with asyncio.timeout(idle_seconds):
                        item = await inbox.get()
                except TimeoutError:
                    yield None
                    continue
                if isinstance(item, LiveUnavailable):
                    raise item
                yield item
    finally:
        if lease is not None:
            await lease.release()
