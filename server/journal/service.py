"""Journal use cases: write, edit and delete an entry (each marks derived state stale: program
requirements count entries), read your own entries. Deleting an entry never re-locks a step: unlocks
are recorded and never revoked (server/program/unlocking.py)."""

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


def _body(body: str) -> str:
    body = body.strip()
    if not body:
        raise invalid("body", "write something first")
    if len(body) > BODY_MAX:
        raise invalid("body", f"an entry can hold at most {BODY_MAX} characters")
    return body


def _prompt(prompt: str | None) -> str | None:
    prompt = (prompt or "").strip() or None
    if prompt and len(prompt) > PROMPT_MAX:
        raise invalid("prompt", f"a prompt can hold at most {PROMPT_MAX} characters")
    return prompt


async def create_entry(viewer: Viewer, body: str, prompt: str | None, step_key: str | None) -> JournalRecord:
    body = _body(body)
    prompt = _prompt(prompt)
    if step_key is not None:
        if find_step(step_key) is None:
            raise not_found("step")
        if not await is_unlocked(viewer, step_key):
            raise DomainError(ErrorCode.STEP_LOCKED, "this step is still locked", "stepKey")
    now = clock.now()
    async with write_transaction() as uow:
        record = await repository.insert(viewer.account.id, prompt, body, step_key, viewer.account.today(now), now)
        # Reflection counts an entry on its day and the 13 after it.
        uow.mark_stale(viewer.account.id, from_day=record.day)
    return record


async def page(viewer: Viewer, after: tuple[datetime, UUID] | None, limit: int) -> list[JournalRecord]:
    return await repository.page(viewer.account.id, after, limit)


async def update_entry(viewer: Viewer, entry_id: UUID, body: str | None, prompt: str | None,
                       clear_prompt: bool = False) -> JournalRecord:
    """Edit an entry's body and/or prompt; its day and step stay (it was written then, for that step)."""
    values: dict[str, object] = {}
    if body is not None:
        values["body"] = _body(body)
    if prompt is not None or clear_prompt:
        values["prompt"] = _prompt(prompt)
    async with write_transaction() as uow:
        record = (await repository.update(viewer.account.id, entry_id, values) if values
                  else await repository.get(viewer.account.id, entry_id))
        if record is None:
            raise not_found("journal entry")
        if values:
            uow.mark_stale(viewer.account.id, from_day=record.day)
    return record


async def delete_entry(viewer: Viewer, entry_id: UUID) -> JournalRecord:
    """Delete an entry; requirements counting entries are recomputed, and no step already open closes."""
    async with write_transaction() as uow:
        record = await repository.get(viewer.account.id, entry_id)
        if record is None or not await repository.delete(viewer.account.id, entry_id):
            raise not_found("journal entry")
        uow.mark_stale(viewer.account.id, from_day=record.day)
    return record
async def count(viewer: Viewer) -> int:
    return await repository.count(viewer.account.id)
