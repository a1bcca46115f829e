"""What each webhook event carries as `data` (camelCase, as the GraphQL API names the same things)."""

from __future__ import annotations

from typing import Any

from server.engine.events import AchievementUnlocked, ConfidenceChanged, LiveEvent, StepUnlocked
from server.habits.records import CheckInRecord
from server.webhooks.model import WebhookEvent

Data = dict[str, Any]


def check_in_created(record: CheckInRecord) -> Data:
    return {"id": str(record.id), "habitId": str(record.habit_id), "day": record.day.isoformat(),
            "occurredAt": record.occurred_at.isoformat(), "quantity": record.quantity, "note": record.note,
            "source": record.source.value}


def check_in_undone(record: CheckInRecord) -> Data:
    return {"id": str(record.id), "habitId": str(record.habit_id), "day": record.day.isoformat(),
            "undoneAt": record.undone_at.isoformat() if record.undone_at else None}


def reminder_due(habit_id: str, habit_name: str, reminder_id: str, time: str, day: str, due_at: str) -> Data:
    return {"habitId": habit_id, "habitName": habit_name, "reminderId": reminder_id, "time": time, "day": day,
            "dueAt": due_at}


def from_live(event: LiveEvent) -> tuple[WebhookEvent, Data]:
    """The webhook event telling what a live event tells a subscribed phone."""
    match event:
        case AchievementUnlocked(key=key, title=title, at=at):
            return WebhookEvent.ACHIEVEMENT_UNLOCKED, {"key": key, "title": title, "unlockedAt": at.isoformat()}
        case StepUnlocked(key=key, title=title, position=position, at=at):
            return WebhookEvent.STEP_UNLOCKED, {"key": key, "title": title, "position": position,
                                                "unlockedAt": at.isoformat()}
        case ConfidenceChanged(score=score, previous=previous, at=at):
            return WebhookEvent.CONFIDENCE_CHANGED, {"score": score, "previous": previous,
                                                     "changedAt": at.isoformat()}
    raise TypeError(f"no webhook event for {event!r}")  # pragma: no cover - LiveEvent is closed
