"""Reminders and push subscriptions as the service layer sees them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time
from uuid import UUID


@dataclass(frozen=True, slots=True)
class ReminderRecord:
    id: UUID
    owner_id: UUID
    habit_id: UUID
    time: time
    weekdays: tuple[int, ...]  # empty: the habit's scheduled days
    enabled: bool
    next_due_at: datetime | None
    next_due_day: date | None
    fired_day: date | None


@dataclass(frozen=True, slots=True)
class PushSubscriptionRecord:
    id: UUID
    owner_id: UUID
    endpoint: str
    p256dh: str
    auth: str
    user_agent: str | None
    created_at: datetime
