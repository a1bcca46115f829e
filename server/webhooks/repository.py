"""Every webhooks query."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID, uuid4

from server.webhooks import tables
from server.webhooks.model import (
    TEST_TYPE,
    Delivery,
    DeliveryStatus,
    Webhook,
    WebhookEvent,
    events_text,
    parse_events,
)

W = tables.Webhook
D = tables.WebhookDelivery

_WEBHOOK_COLUMNS = (W.id, W.owner, W.url, W.events, W.enabled, W.failing_since, W.last_error, W.disabled_at,
                    W.created_at)
_DELIVERY_COLUMNS = (D.id, D.webhook, D.type, D.attempt, D.status, D.response_code, D.last_error,
                     D.next_attempt_at, D.created_at)


@dataclass(frozen=True, slots=True)
class Subscription:
    id: UUID
    owner_id: UUID
    events: tuple[WebhookEvent, ...]


def _uuid(value: object) -> UUID:
    # asyncpg returns UUIDs; SQLite's raw queries return the stored text.
    return value if isinstance(value, UUID) else UUID(str(value))


def _webhook(row: dict[str, Any], deliveries: Sequence[Delivery] = ()) -> Webhook:
    return Webhook(id=row["id"], owner_id=row["owner"], url=row["url"], events=parse_events(row["events"]),
                   enabled=row["enabled"], failing_since=row["failing_since"], last_error=row["last_error"],
                   disabled_at=row["disabled_at"], created_at=row["created_at"], deliveries=tuple(deliveries))


def _delivery(row: dict[str, Any]) -> Delivery:
    return Delivery(id=row["id"], webhook_id=row["webhook"], type=row["type"], attempt=row["attempt"],
                    status=DeliveryStatus(row["status"]), response_code=row["response_code"],
                    last_error=row["last_error"], next_attempt_at=row["next_attempt_at"],
                    created_at=row["created_at"])


async def count_webhooks(owner: UUID) -> int:
    return int(await W.count().where(W.owner == owner))


async def insert_webhook(owner: UUID, url: str, events: tuple[WebhookEvent, ...], secret: str,
                         now: datetime) -> Webhook:
    webhook_id = uuid4()
    await W.insert(W(id=webhook_id, owner=owner, url=url, events=events_text(events), secret=secret, enabled=True,
                     created_at=now))
    found = await get_webhook(owner, webhook_id)
    assert found is not None
    return found


async def get_webhook(owner: UUID, webhook_id: UUID) -> Webhook | None:
    row = await W.select(*_WEBHOOK_COLUMNS).where((W.id == webhook_id) & (W.owner == owner)).first()
    return _webhook(row) if row else None


async def delete_webhook(owner: UUID, webhook_id: UUID) -> None:
    await W.delete().where((W.id == webhook_id) & (W.owner == owner))


async def list_webhooks(owner: UUID, deliveries_each: int) -> list[Webhook]:
    """The owner's webhooks, oldest first, each with its latest deliveries (two statements in all)."""
    rows = await W.select(*_WEBHOOK_COLUMNS).where(W.owner == owner).order_by(W.created_at).order_by(W.id)
    if not rows:
        return []
    # The latest N per webhook in one statement (a window function: both engines have them), then
    # the rows themselves through Piccolo, which converts the columns alike on both engines.
    marks = ", ".join("{}" for _ in rows)
    ranked = await D.raw(
        "SELECT id FROM (SELECT id, ROW_NUMBER() OVER (PARTITION BY webhook ORDER BY created_at DESC, id DESC) AS n "
        f"FROM webhook_delivery WHERE webhook IN ({marks})) AS latest WHERE n <= {{}}",
        *[r["id"] for r in rows], deliveries_each)
    ids = [_uuid(r["id"]) for r in ranked]
    by_webhook: dict[UUID, list[Delivery]] = {r["id"]: [] for r in rows}
    if ids:
        found = await D.select(*_DELIVERY_COLUMNS).where(D.id.is_in(ids)).order_by(D.created_at, ascending=False)
        for d in found:
            by_webhook[d["webhook"]].append(_delivery(d))
    return [_webhook(r, by_webhook[r["id"]]) for r in rows]


async def subscribed(owners: Iterable[UUID]) -> list[Subscription]:
    """The enabled webhooks of these users and their events (the outbox picks those subscribed to each
    event). Asked on every check-in, mostly of users without any: one statement written out, since
    Piccolo's query builder would cost more than the query."""
    owners = list(owners)
    if not owners:
        return []
    rows = await W.raw(f"SELECT id, owner, events FROM webhook WHERE enabled AND owner IN "
                       f"({', '.join('{}' for _ in owners)})", *owners)
    return [Subscription(_uuid(r["id"]), _uuid(r["owner"]), parse_events(r["events"])) for r in rows]


async def insert_deliveries(rows: Sequence[tuple[UUID, UUID, str, str]], now: datetime) -> list[UUID]:
    """Outbox rows (webhook, owner, type, body), due now; returns their ids in order."""
    ids = [uuid4() for _ in rows]
    if rows:
        await D.insert(*[D(id=i, webhook=w, owner=o, type=t, body=b, attempt=0, status=DeliveryStatus.PENDING.value,
                           next_attempt_at=now, created_at=now) for i, (w, o, t, b) in zip(ids, rows, strict=True)])
    return ids


async def pending_test(webhook_id: UUID) -> Delivery | None:
    row = await D.select(*_DELIVERY_COLUMNS).where(
        (D.webhook == webhook_id) & (D.type == TEST_TYPE) & (D.status == DeliveryStatus.PENDING.value)).first()
    return _delivery(row) if row else None


async def claim(delivery_id: UUID, now: datetime, lease_until: datetime) -> bool:
    """Take a due pending delivery for one attempt: it is not due again until `lease_until` (so the
    sweep leaves it alone while the attempt runs, and takes it up again if its worker died).
    One statement: of two workers claiming at once, one wins."""
    rows = await D.raw("UPDATE webhook_delivery SET next_attempt_at = {} WHERE id = {} AND status = {} "
                       "AND next_attempt_at <= {} RETURNING id",
                       lease_until, delivery_id, DeliveryStatus.PENDING.value, now)
    return bool(rows)


async def for_attempt(delivery_id: UUID) -> tuple[Delivery, str, Webhook, str] | None:
    """A delivery with its body, its webhook and the webhook's secret."""
    row = await D.select(*_DELIVERY_COLUMNS, D.body).where(D.id == delivery_id).first()
    if row is None:
        return None
    hook = await W.select(*_WEBHOOK_COLUMNS, W.secret).where(W.id == row["webhook"]).first()
    if hook is None:
        return None
    return _delivery(row), row["body"], _webhook(hook), hook["secret"]


async def record_attempt(delivery_id: UUID, attempt: int, status: DeliveryStatus, response_code: int | None,
                         error: str | None, next_attempt_at: datetime | None, now: datetime) -> None:
    await D.update({D.attempt: attempt, D.status: status.value, D.response_code: response_code,
                    D.last_error: error, D.next_attempt_at: next_attempt_at,
                    D.finished_at: None if status is DeliveryStatus.PENDING else now}).where(D.id == delivery_id)


async def webhook_failed(webhook_id: UUID, error: str, now: datetime) -> datetime | None:
    """Record a failure; returns since when the webhook has been failing."""
    await W.update({W.last_error: error}).where(W.id == webhook_id)
    await W.update({W.failing_since: now}).where((W.id == webhook_id) & W.failing_since.is_null())
    row = await W.select(W.failing_since).where(W.id == webhook_id).first()
    return row["failing_since"] if row else None


async def webhook_succeeded(webhook_id: UUID) -> None:
    """A success ends a failing spell, and enables a disabled webhook again (a successful test)."""
    await W.update({W.failing_since: None, W.enabled: True, W.disabled_at: None}).where(W.id == webhook_id)


async def disable(webhook_id: UUID, now: datetime) -> None:
    """Switch a webhook off; its pending deliveries will not be attempted again."""
    await W.update({W.enabled: False, W.disabled_at: now}).where(W.id == webhook_id)
    await D.update({D.status: DeliveryStatus.FAILED.value, D.next_attempt_at: None, D.finished_at: now,
                    D.last_error: "the webhook was disabled"}).where(
        (D.webhook == webhook_id) & (D.status == DeliveryStatus.PENDING.value) & (D.type != TEST_TYPE))


async def due(now: datetime, limit: int) -> list[tuple[UUID, int]]:
    """Pending deliveries due by `now`, the longest waiting first: (id, attempts made)."""
    rows = await D.select(D.id, D.attempt).where(
        (D.status == DeliveryStatus.PENDING.value) & (D.next_attempt_at <= now)
    ).order_by(D.next_attempt_at).limit(limit)
    return [(r["id"], r["attempt"]) for r in rows]


async def prune(before: datetime) -> None:
    """Forget finished deliveries older than `before` (the log shows recent ones)."""
    await D.delete().where(D.finished_at.is_not_null() & (D.finished_at < before))
