"""The outbox: what a committed change must tell its user's webhooks, written in the change's own
transaction (so a change and its deliveries commit together or not at all).

Producers call `uow.emit(user_id, WebhookEvent.X, data)` inside their unit of work; just before the
commit the unit of work calls `write` here once for all of them: one read of the users' enabled
webhooks, one insert of a delivery row per subscribed webhook and event. Nothing is written for a
user without a matching webhook. After the commit the engine enqueues a delivery job per row; a
lost enqueue costs latency only (the sweep finds due rows), never a delivery.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from server.webhooks import repository
from server.webhooks.model import TEST_TYPE, Webhook, WebhookEvent


@dataclass(frozen=True, slots=True)
class Emitted:
    """One event for one user, as a producer emitted it."""

    user_id: UUID
    event: WebhookEvent
    data: Mapping[str, Any]
    at: datetime


def body(type_: str, data: Mapping[str, Any], at: datetime) -> str:
    """The Standard Webhooks payload: `{type, timestamp, data}`, fixed once for every attempt."""
    timestamp = at.astimezone(UTC).isoformat().replace("+00:00", "Z")
    return json.dumps({"type": type_, "timestamp": timestamp, "data": data}, separators=(",", ":"),
                      ensure_ascii=False)


async def write(emitted: Sequence[Emitted], now: datetime) -> list[UUID]:
    """Inside the transaction: a delivery row per (subscribed webhook, event); returns their ids."""
    if not emitted:
        return []
    hooks = await repository.subscribed({e.user_id for e in emitted})
    rows = [(hook.id, hook.owner_id, e.event.value, body(e.event.value, e.data, e.at))
            for e in emitted for hook in hooks if hook.owner_id == e.user_id and e.event in hook.events]
    return await repository.insert_deliveries(rows, now)


async def write_test(webhook: Webhook, now: datetime) -> UUID:
    """Inside the transaction: one test delivery to this webhook, whatever it subscribes to."""
    data = {"webhookId": str(webhook.id), "message": "This is a test delivery from Comeback."}
    [delivery_id] = await repository.insert_deliveries(
        [(webhook.id, webhook.owner_id, TEST_TYPE, body(TEST_TYPE, data, now))], now)
    return delivery_id
