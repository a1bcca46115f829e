"""Sessions as their owner manages them: list them, end one, end them all.

A session is a SESSION token from signUp/logIn; personal access tokens are managed apart (apiTokens)
and no use case here touches them. Ending sessions tells open WebSockets after the commit
(`departures.tokens_revoked`), so a subscription on an ended session stops at once.
"""

from __future__ import annotations

from uuid import UUID

from server import clock
from server.accounts import repository
from server.accounts.model import SessionInfo, Viewer
from server.engine import departures
from server.engine.unit_of_work import write_transaction
from server.errors import not_found

# Sessions listed at most (the most recently used): a phone, a laptop and a few browsers fit many times.
SESSIONS_MAX = 100


async def list_sessions(viewer: Viewer) -> list[SessionInfo]:
    return await repository.list_sessions(viewer.account.id, clock.now(), SESSIONS_MAX)


async def revoke_session(viewer: Viewer, session_id: UUID) -> SessionInfo:
    """End one live session of the viewer's (this one included); NOT_FOUND for anyone else's."""
    user_id = viewer.account.id
    async with write_transaction() as uow:
        session = await repository.get_live_session(user_id, session_id, clock.now())
        if session is None:
            raise not_found("session")
        await repository.revoke_token(session_id, clock.now())
        uow.after_commit(lambda: departures.tokens_revoked(user_id))
    return session


async def end_sessions(user_id: UUID, keep: UUID | None = None) -> int:
    """End every session of the user but `keep`, in the caller's transaction (the password use cases')."""
    return await repository.revoke_sessions(user_id, clock.now(), keep)


async def log_out_everywhere(viewer: Viewer) -> int:
    """End every session of the viewer's, this one included; personal access tokens stay. Returns how many."""
    user_id = viewer.account.id
    async with write_transaction() as uow:
        ended = await end_sessions(user_id)
        uow.after_commit(lambda: departures.tokens_revoked(user_id))
    return ended
