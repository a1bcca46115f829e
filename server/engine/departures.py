"""What Redis must hear when a user's tokens stop working, or the user is deleted: called after the
commit that did it (`uow.after_commit`), best effort. The database already refuses the tokens; this
only makes it immediate for open WebSockets and tidies what Redis holds of the user.
"""

from __future__ import annotations

import logging
from uuid import UUID

from server import clock
from server.engine import broker, live
from server.engine.events import TokensRevoked
from server.engine.queue import drop_recomputes

log = logging.getLogger(__name__)


async def tokens_revoked(user_id: UUID) -> None:
    """Every open subscription of the user checks its token now (on whichever process holds it)."""
    current = broker.current()
    if current is not None:
        await live.publish(current.pool, user_id, TokensRevoked(at=clock.now()))


async def account_deleted(user_id: UUID) -> None:
    """Open subscriptions end, queued recomputes go, subscription places are freed. Keys that
    name a token rather than the user (rate-limit windows) run out within two minutes by themselves."""
    current = broker.current()
    if current is None:
        return  # no Redis in this process: subscriptions find their token gone at their next check
    await tokens_revoked(user_id)
    try:
        await drop_recomputes(current.pool, user_id)
        await live.forget_leases(current.pool, user_id)
    except Exception:
        log.warning("could not tidy Redis after deleting user %s (nothing there outlives them for long)",
                    user_id, exc_info=True)
