from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from uuid import UUID


@dataclass(frozen=True, slots=True)
class JournalRecord:
    id: UUID
    owner_id: UUID
    prompt: str | None
    body: str
    step_key: str | None
    day: date
    created_at: datetime
