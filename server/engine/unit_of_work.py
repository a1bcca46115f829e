"""One use case, one write transaction, and what must follow it once it has committed.

    async with write_transaction() as uow:
        record = await repository.insert_check_in(...)
        uow.mark_stale(account.id, from_day=record.day)  # derived state must follow this change
        uow.after_commit(notify)          # anything else that may only run after a commit

`mark_stale` bumps the user's stale version inside the transaction, just before it commits, so the
mark and the change commit together or not at all. Its `from_day` is the earliest local day whose
confidence the change may alter (confidence on a day reads that day's data and earlier days' only):
the recompute keeps the stored scores before it. Marks merge to the earliest, within a transaction
here and across transactions in SQL; a mark without a day means the whole window, and is always
right (only slower). After the commit, the unit of work hands the
marks to the engine's stale handler (registered at start-up: it enqueues the recompute job, so
this module imports neither arq nor Redis), then runs the `after_commit` callbacks in the order
they were added. After a rollback nothing runs. A failure after the commit is logged, never
raised: the change is stored and must be answered as such; a stale user is swept up later.

The outbox rides the same way: `uow.emit(user_id, WebhookEvent.CHECK_IN_CREATED, data)` (any
producer: check-ins, the recompute, reminders) writes a delivery row for each of the user's enabled
webhooks subscribed to that event, just before the commit and in the same transaction
(`server.webhooks.outbox`); after the commit the engine's outbox handler enqueues their delivery
jobs. A lost enqueue costs latency only: the webhooks sweep finds due rows, as the recompute sweep
finds stale users.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Hashable, Mapping, Sequence
from contextlib import asynccontextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import date
from typing import Any
from uuid import UUID

from server import clock, database
from server.accounts import repository as accounts
from server.webhooks import outbox
from server.webhooks.model import WebhookEvent

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class StaleMark:
    """A user whose derived state a committed change made stale."""

    user_id: UUID
    version: int  # the user's stale version after the change
    became_stale: bool  # up to date before it: no recompute is under way, one must be queued


StaleHandler = Callable[[Sequence[StaleMark]], Awaitable[None]]
OutboxHandler = Callable[[Sequence[UUID]], Awaitable[None]]
AfterCommit = Callable[[], Awaitable[None]]

_stale_handler: StaleHandler | None = None
_outbox_handler: OutboxHandler | None = None


def set_stale_handler(handler: StaleHandler | None) -> None:
    """The engine's reaction to committed stale marks (None: nobody reacts, the sweep will)."""
    global _stale_handler
    _stale_handler = handler


def set_outbox_handler(handler: OutboxHandler | None) -> None:
    """The engine's reaction to committed outbox rows: enqueue their delivery (None: the sweep will)."""
    global _outbox_handler
    _outbox_handler = handler


class UnitOfWork:
    def __init__(self) -> None:
        self._stale: dict[UUID, date | None] = {}  # each user's earliest day marked (None: everything)
        self._emitted: list[outbox.Emitted] = []
        self._after_commit: dict[Hashable, AfterCommit] = {}
        self.marks: list[StaleMark] = []  # filled in as the transaction commits
        self.deliveries: list[UUID] = []  # outbox rows written in this transaction, enqueued after its commit

    def mark_stale(self, user_id: UUID, from_day: date | None = None) -> None:
        """This user's derived state (confidence, achievements, steps) must follow this change, which
        may alter confidence from `from_day` (the user's local day) on; None: on any day."""
        if user_id in self._stale:
            before = self._stale[user_id]
            from_day = None if before is None or from_day is None else min(before, from_day)
        self._stale[user_id] = from_day

    def emit(self, user_id: UUID, event: WebhookEvent, data: Mapping[str, Any]) -> None:
        """Tell this user's webhooks subscribed to `event` about this change: written to the outbox
        in this transaction (nothing for a user without such a webhook), delivered after the commit.
        `data` must be JSON-serialisable; it is the request's `data` as given."""
        self._emitted.append(outbox.Emitted(user_id, event, data, clock.now()))

    def after_commit(self, callback: AfterCommit, *, key: Hashable | None = None) -> None:
        """Run `callback` once this transaction has committed; never after a rollback. With a `key`,
        a second callback under the same key is dropped (say, one delivery kick per transaction)."""
        self._after_commit.setdefault(object() if key is None else key, callback)

    async def _flush(self) -> None:
        now = clock.now()
        for user_id, from_day in self._stale.items():
            version, became_stale = await accounts.mark_stale(user_id, now, from_day)
            if version:
                self.marks.append(StaleMark(user_id, version, became_stale))
        if self._emitted:
            self.deliveries.extend(await outbox.write(self._emitted, now))

    async def _committed(self) -> None:
        handler = _stale_handler
        if self.marks and handler is not None:
            try:
                await handler(self.marks)
            except Exception:
                log.warning("could not schedule a recompute for %s; the sweep will",
                            [m.user_id for m in self.marks], exc_info=True)
        outbox_handler = _outbox_handler
        if self.deliveries and outbox_handler is not None:
            try:
                await outbox_handler(self.deliveries)
            except Exception:
                log.warning("could not enqueue %d webhook deliveries; the sweep will", len(self.deliveries),
                            exc_info=True)
        for callback in self._after_commit.values():
            try:
                await callback()
            except Exception:
                log.exception("an after-commit callback failed (the transaction stands)")


_current: ContextVar[UnitOfWork | None] = ContextVar("unit_of_work", default=None)


@asynccontextmanager
async def write_transaction() -> AsyncIterator[UnitOfWork]:
    """One use case, one transaction: commit on leaving the block, then the after-commit work."""
    if _current.get() is not None:
        # Joining silently would let an inner use case's error handling run inside the outer
        # transaction (on PostgreSQL, a failed statement aborts it); use cases do not nest.
        raise RuntimeError("a write transaction is already open in this task")
    uow = UnitOfWork()
    token = _current.set(uow)
    try:
        async with database.transaction():
            yield uow
            await uow._flush()
    finally:
        _current.reset(token)
    await uow._committed()
