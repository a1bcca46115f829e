"""Every query on stored confidence scores."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from uuid import UUID, uuid4

from server.confidence import tables

T = tables.ConfidenceDay


@dataclass(frozen=True, slots=True)
class StoredDay:
    day: date
    score: float
    components: list[dict[str, Any]]
    computed_at: datetime


def _stored(row: dict[str, Any]) -> StoredDay:
    return StoredDay(row["day"], row["score"], json.loads(row["components"]), row["computed_at"])


async def scores_since(owner: UUID, since: date) -> dict[date, tuple[float, str]]:
    """Stored score and components JSON text per day from `since`: the recompute compares texts
    first and parses only when they differ."""
    rows = await T.select(T.day, T.score, T.components).where((T.owner == owner) & (T.day >= since))
    return {r["day"]: (r["score"], r["components"]) for r in rows}


async def latest(owner: UUID) -> StoredDay | None:
    row = await T.select(T.day, T.score, T.components, T.computed_at).where(T.owner == owner).order_by(
        T.day, ascending=False).first()
    return _stored(row) if row else None


async def history(owner: UUID, since: date, until: date) -> list[tuple[date, float]]:
    rows = await T.select(T.day, T.score).where(
        (T.owner == owner) & (T.day >= since) & (T.day <= until)).order_by(T.day)
    return [(r["day"], r["score"]) for r in rows]


async def upsert_days(owner: UUID, rows: Sequence[tuple[date, float, str]], now: datetime) -> None:
    """Insert or replace the given days' scores in one statement."""
    if not rows:
        return
    values = ", ".join("({}, {}, {}, {}, {}, {})" for _ in rows)
    args = [v for day, score, components in rows for v in (uuid4(), owner, day, score, components, now)]
    await T.raw(
        f"INSERT INTO confidence_day (id, owner, day, score, components, computed_at) VALUES {values} "
        "ON CONFLICT (owner, day) DO UPDATE SET "
        "score = excluded.score, components = excluded.components, computed_at = excluded.computed_at",
        *args)
