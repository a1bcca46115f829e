"""Journal use cases: write an entry (marks derived state stale), read your own entries."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from server import clock
from server.accounts.model import Viewer
from server.engine.unit_of_work import write_transaction
from server.errors import DomainError, ErrorCode, invalid, not_found
from server.journal import repository
from server.journal.model import JournalRecord
from server.program.service import find_step, is_unlocked

PROMPT_MAX = 500
BODY_MAX = 20_000


async def create_entry(viewer: Viewer, body: str, prompt: str | None, step_key: str | None) -> JournalRecord:
    body = body.strip()
    if not body:
        raise invalid("body", "write something first")
    if len(body) > BODY_MAX:
        raise invalid("body", f"an entry can hold at most {BODY_MAX} characters")
    prompt = (prompt or "").strip() or None
    if prompt and len(prompt) > PROMPT_MAX:
        raise invalid("prompt", f"a prompt can hold at most {PROMPT_MAX} characters")
    if step_key is not None:
        if find_step(step_key) is None:
            raise not_found("step")
        if not await is_unlocked(viewer, step_key):
            raise DomainError(ErrorCode.STEP_LOCKED, "this step is still locked", "stepKey")
    now = clock.now()
    async with write_transaction() as uow:
        record = await repository.insert(viewer.account.id, prompt, body, step_key, viewer.account.today(now), now)
        uow.mark_stale(viewer.account.id)
    return record


async def page(viewer: Viewer, after: tuple[datetime, UUID] | None, limit: int) -> list[JournalRecord]:
    return await repository.page(viewer.account.id, after, limit)


async def count(viewer: Viewer) -> int:
    return await repository.count(viewer.account.id)
