"""What happens after a use case commits a change to a user's derived state.

The background engine registers its enqueue function here at start-up, so domain services
never import arq. Failures are logged, never raised: the stale mark is already committed
and the periodic sweep picks the user up.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from uuid import UUID

log = logging.getLogger(__name__)

_listeners: list[Callable[[UUID], Awaitable[None]]] = []


def on_derived_state_changed(fn: Callable[[UUID], Awaitable[None]]) -> None:
    if fn not in _listeners:
        _listeners.append(fn)


def clear() -> None:
    _listeners.clear()


async def derived_state_changed(account_id: UUID) -> None:
    """Call after commit only."""
    for fn in _listeners:
        try:
            await fn(account_id)
        except Exception:
            log.warning("could not schedule a recompute for %s; the sweep will", account_id, exc_info=True)
