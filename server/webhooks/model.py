"""Webhooks and their deliveries as plain data, and the events a webhook can subscribe to."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID


class WebhookEvent(enum.StrEnum):
    """What a webhook can subscribe to; the value is the `type` its requests carry."""

    CHECK_IN_CREATED = "check_in.created"
    CHECK_IN_UNDONE = "check_in.undone"
    ACHIEVEMENT_UNLOCKED = "achievement.unlocked"
    STEP_UNLOCKED = "step.unlocked"
    CONFIDENCE_CHANGED = "confidence.changed"
    REMINDER_DUE = "reminder.due"


# Sent by webhookTest only: no webhook subscribes to it, every webhook can be sent one.
TEST_TYPE = "webhook.test"


class DeliveryStatus(enum.StrEnum):
    PENDING = "PENDING"  # waiting for its first attempt or its next retry
    DELIVERED = "DELIVERED"  # the receiver answered 2xx
    FAILED = "FAILED"  # out of attempts, or its webhook was disabled or deleted meanwhile


@dataclass(frozen=True, slots=True)
class Delivery:
    id: UUID
    webhook_id: UUID
    type: str  # a WebhookEvent's value, or TEST_TYPE
    attempt: int  # attempts made so far
    status: DeliveryStatus
    response_code: int | None
    last_error: str | None
    next_attempt_at: datetime | None
    created_at: datetime


@dataclass(frozen=True, slots=True)
class Webhook:
    id: UUID
    owner_id: UUID
    url: str
    events: tuple[WebhookEvent, ...]
    enabled: bool
    failing_since: datetime | None  # the first failure since the last success
    last_error: str | None
    disabled_at: datetime | None
    created_at: datetime
    deliveries: tuple[Delivery, ...] = ()  # the most recent first, when asked for


def events_text(events: tuple[WebhookEvent, ...]) -> str:
    return ",".join(e.name for e in events)


def parse_events(text: str) -> tuple[WebhookEvent, ...]:
    # An event name this version no longer knows is dropped, not an error: the webhook keeps the rest.
    return tuple(WebhookEvent[name] for name in text.split(",") if name in WebhookEvent.__members__)
