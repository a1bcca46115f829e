"""Every query on achievement awards."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from uuid import UUID, uuid4

from server.achievements import tables

T = tables.AchievementAward


async def awarded(owner: UUID) -> dict[str, datetime]:
    rows = await T.select(T.key, T.unlocked_at).where(T.owner == owner)
    return {r["key"]: r["unlocked_at"] for r in rows}


async def award(owner: UUID, keys: Sequence[str], now: datetime) -> list[str]:
    """Insert awards that do not exist yet; returns the keys this call actually awarded.

    The unique (owner, key) index makes concurrent workers and retries award once.
    """
    if not keys:
        return []
    values = ", ".join("({}, {}, {}, {})" for _ in keys)
    args = [v for key in keys for v in (uuid4(), owner, key, now)]
    rows = await T.raw(
        f"INSERT INTO achievement_award (id, owner, key, unlocked_at) VALUES {values} "
        "ON CONFLICT (owner, key) DO NOTHING RETURNING key", *args)
    won = {r["key"] for r in rows}
    return [k for k in keys if k in won]
