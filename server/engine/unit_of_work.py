"""One use case, one write transaction, and what must follow it once it has committed.

    async with write_transaction() as uow:
        record = await repository.insert_check_in(...)
        uow.mark_stale(account.id)        # derived state must follow this change
        uow.after_commit(notify)          # anything else that may only run after a commit

`mark_stale` bumps the user's stale version inside the transaction, just before it commits, so the
mark and the change commit together or not at all. After the commit, the unit of work hands the
marks to the engine's stale handler (registered at start-up: it enqueues the recompute job, so
this module imports neither arq nor Redis), then runs the `after_commit` callbacks in the order
they were added. After a rollback nothing runs. A failure after the commit is logged, never
raised: the change is stored and must be answered as such; a stale user is swept up later.

The same mould carries an outbox (issue 16's webhooks): write the outbox row through a repository
inside the block, and `uow.after_commit(kick_delivery, key="webhooks")` wakes delivery once per
transaction however many rows were written; a lost kick costs latency only if delivery also
polls its outbox, as the recompute sweep does for stale users.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Hashable, Sequence
from contextlib import asynccontextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from uuid import UUID

from server import clock, database
from server.accounts import repository as accounts

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class StaleMark:
    """A user whose derived state a committed change made stale."""

    user_id: UUID
    version: int  # the user's stale version after the change
    became_stale: bool  # up to date before it: no recompute is under way, one must be queued


StaleHandler = Callable[[Sequence[StaleMark]], Awaitable[None]]
AfterCommit = Callable[[], Awaitable[None]]

_stale_handler: StaleHandler | None = None


def set_stale_handler(handler: StaleHandler | None) -> None:
    """The engine's reaction to committed stale marks (None: nobody reacts, the sweep will)."""
    global _stale_handler
    _stale_handler = handler


class UnitOfWork:
    def __init__(self) -> None:
        self._stale: dict[UUID, None] = {}  # an ordered set
        self._after_commit: dict[Hashable, AfterCommit] = {}
        self.marks: list[StaleMark] = []  # filled in as the transaction commits

    def mark_stale(self, user_id: UUID) -> None:
        """This user's derived state (confidence, achievements, steps) must follow this change."""
        self._stale[user_id] = None

    def after_commit(self, callback: AfterCommit, *, key: Hashable | None = None) -> None:
        """Run `callback` once this transaction has committed; never after a rollback. With a `key`,
        a second callback under the same key is dropped (say, one delivery kick per transaction)."""
        self._after_commit.setdefault(object() if key is None else key, callback)

    async def _flush(self) -> None:
        now = clock.now()
        for user_id in self._stale:
            version, became_stale = await accounts.mark_stale(user_id, now)
            if version:
                self.marks.append(StaleMark(user_id, version, became_stale))

    async def _committed(self) -> None:
        handler = _stale_handler
        if self.marks and handler is not None:
            try:
                await handler(self.marks)
            except Exception:
                log.warning("could not schedule a recompute for %s; the sweep will",
                            [m.user_id for m in self.marks], exc_info=True)
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
