"""Every journal query."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from uuid import UUID, uuid4

from server.journal import tables
from server.journal.model import JournalRecord

T = tables.JournalEntry


def _record(row: dict[str, Any]) -> JournalRecord:
    return JournalRecord(row["id"], row["owner"], row["prompt"], row["body"], row["step_key"], row["day"],
                         row["created_at"])


async def insert(owner: UUID, prompt: str | None, body: str, step_key: str | None, day: date,
                 now: datetime) -> JournalRecord:
    row = T(id=uuid4(), owner=owner, prompt=prompt, body=body, step_key=step_key, day=day, created_at=now)
    await row.save()
    return _record(row.to_dict())


async def page(owner: UUID, after: tuple[datetime, UUID] | None, limit: int) -> list[JournalRecord]:
    """Newest first, keyset-paged."""
    query = T.select().where(T.owner == owner)
    if after is not None:
        query = query.where((T.created_at < after[0]) | ((T.created_at == after[0]) & (T.id < after[1])))
    rows = await query.order_by(T.created_at, ascending=False).order_by(T.id, ascending=False).limit(limit)
    return [_record(r) for r in rows]


async def count(owner: UUID) -> int:
    return int(await T.count().where(T.owner == owner))


async def activity(owner: UUID) -> list[tuple[date, str | None]]:
    rows = await T.select(T.day, T.step_key).where(T.owner == owner)
    return [(r["day"], r["step_key"]) for r in rows]


async def get(owner: UUID, entry_id: UUID) -> JournalRecord | None:
    row = await T.select().where((T.owner == owner) & (T.id == entry_id)).first()
    return _record(row) if row else None


async def update(owner: UUID, entry_id: UUID, values: dict[str, Any]) -> JournalRecord | None:
    columns = {getattr(T, name): value for name, value in values.items()}
    rows = await T.update(columns).where((T.owner == owner) & (T.id == entry_id)).returning(*T.all_columns())
    return _record(rows[0]) if rows else None


async def delete(owner: UUID, entry_id: UUID) -> bool:
    return bool(await T.delete().where((T.owner == owner) & (T.id == entry_id)).returning(T.id))
