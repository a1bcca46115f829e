"""Every query on step unlocks."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from uuid import UUID, uuid4

from server.program import tables

T = tables.StepUnlock


async def unlocked(owner: UUID) -> dict[str, datetime]:
    rows = await T.select(T.step_key, T.unlocked_at).where(T.owner == owner)
    return {r["step_key"]: r["unlocked_at"] for r in rows}


async def unlock(owner: UUID, steps: Sequence[tuple[str, int]], now: datetime) -> list[str]:
    """Record unlocks that do not exist yet; returns the step keys this call actually unlocked."""
    if not steps:
        return []
    values = ", ".join("({}, {}, {}, {}, {})" for _ in steps)
    args = [v for key, version in steps for v in (uuid4(), owner, key, version, now)]
    rows = await T.raw(
        "INSERT INTO step_unlock (id, owner, step_key, content_version, unlocked_at) "
        f"VALUES {values} ON CONFLICT (owner, step_key) DO NOTHING RETURNING step_key", *args)
    done = {r["step_key"] for r in rows}
    return [k for k, _ in steps if k in done]
