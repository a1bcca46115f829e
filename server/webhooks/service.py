"""Webhook use cases: create, delete, test, list; and one delivery attempt (the job's work)."""

from __future__ import annotations

import logging
import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from uuid import UUID

from server import clock
from server.accounts.model import Viewer
from server.engine.unit_of_work import write_transaction
from server.errors import DomainError, ErrorCode, invalid, not_found
from server.settings import get_settings
from server.webhooks import outbox, repository, sender, signing
from server.webhooks.backoff import retry_delay, should_disable
from server.webhooks.model import TEST_TYPE, Delivery, DeliveryStatus, Webhook, WebhookEvent
from server.webhooks.targets import RESOLVE_SECONDS, TargetRefused, check_url, checked_address

log = logging.getLogger(__name__)

WEBHOOKS_MAX = 10  # per user
DELIVERIES_SHOWN = 20  # per webhook, in Query.webhooks
RESPONSE_MAX_BYTES = 64 * 1024
# A claimed attempt is not taken up again before it must have ended: the name's look-up, the
# request's deadline, and this margin for recording the outcome. A worker that died mid-attempt
# leaves the row to the sweep once that has passed; one that is merely slow past it may see its
# delivery made twice, which at-least-once allows (receivers drop repeats by webhook-id).
LEASE_MARGIN = timedelta(seconds=5)
KEEP_LOG = timedelta(days=30)  # finished deliveries older than this are forgotten by the sweep


@dataclass(frozen=True, slots=True)
class CreatedWebhook:
    secret: str  # shown once
    webhook: Webhook


async def create_webhook(viewer: Viewer, url: str, events: list[WebhookEvent]) -> CreatedWebhook:
    allow_private = get_settings().webhook_allow_private
    try:
        checked = check_url(url, allow_private)
        await checked_address(checked, allow_private)  # refused now rather than at every delivery
    except TargetRefused as refused:
        raise invalid("url", str(refused)) from None
    chosen = tuple(e for e in WebhookEvent if e in events)
    if not chosen:
        raise invalid("events", "choose at least one event")
    secret = signing.new_secret()
    async with write_transaction():
        owner = viewer.account.id
        if await repository.count_webhooks(owner) >= WEBHOOKS_MAX:
            raise DomainError(ErrorCode.OUT_OF_RANGE, f"you can have at most {WEBHOOKS_MAX} webhooks; delete one "
                                                      "first", "input")
        webhook = await repository.insert_webhook(owner, str(checked), chosen, secret, clock.now())
    return CreatedWebhook(secret, webhook)


async def delete_webhook(viewer: Viewer, webhook_id: UUID) -> Webhook:
    """Delete a webhook and its delivery log; a delivery under way may still arrive."""
    async with write_transaction():
        webhook = await repository.get_webhook(viewer.account.id, webhook_id)
        if webhook is None:
            raise not_found("webhook")
        await repository.delete_webhook(viewer.account.id, webhook_id)
    return webhook


async def queue_test_delivery(viewer: Viewer, webhook_id: UUID) -> Delivery:
    """Queue one `webhook.test` delivery (a disabled webhook too: its success enables it again).
    At most one test waits per webhook: asking again meanwhile answers with the waiting one, so a
    loop of webhookTest cannot turn the server into a request cannon aimed at someone's URL."""
    now = clock.now()
    async with write_transaction() as uow:
        webhook = await repository.get_webhook(viewer.account.id, webhook_id)
        if webhook is None:
            raise not_found("webhook")
        waiting = await repository.pending_test(webhook_id)
        if waiting is not None:
            return waiting
        delivery_id = await outbox.write_test(webhook, now)
        uow.deliveries.append(delivery_id)
    return Delivery(id=delivery_id, webhook_id=webhook_id, type=TEST_TYPE, attempt=0, status=DeliveryStatus.PENDING,
                    response_code=None, last_error=None, next_attempt_at=now, created_at=now)


async def list_webhooks(viewer: Viewer) -> list[Webhook]:
    return await repository.list_webhooks(viewer.account.id, DELIVERIES_SHOWN)


@dataclass(frozen=True, slots=True)
class Attempted:
    status: DeliveryStatus | None  # None: nothing to do (not due, taken by another worker, or gone)
    attempt: int = 0  # attempts made, this one included
    retry_at: datetime | None = None


async def attempt_delivery(delivery_id: UUID, spread: float | None = None) -> Attempted:
    """Make one attempt at a due delivery and record it: delivered, to be retried at a later time,
    or failed for good. `spread` fixes the retry's jitter (tests); by default it is random."""
    settings = get_settings()
    now = clock.now()
    lease = timedelta(seconds=RESOLVE_SECONDS + settings.webhook_timeout_seconds) + LEASE_MARGIN
    if not await repository.claim(delivery_id, now, now + lease):
        return Attempted(None)
    found = await repository.for_attempt(delivery_id)
    if found is None:
        return Attempted(None)  # its webhook was deleted meanwhile
    delivery, body, webhook, secret = found
    attempt = delivery.attempt + 1
    is_test = delivery.type == TEST_TYPE
    if not webhook.enabled and not is_test:
        await repository.record_attempt(delivery_id, delivery.attempt, DeliveryStatus.FAILED, None,
                                        "the webhook is disabled", None, now)
        return Attempted(DeliveryStatus.FAILED, delivery.attempt)
    result = await _send(webhook, secret, delivery, body, settings.webhook_allow_private,
                         settings.webhook_timeout_seconds)
    now = clock.now()
    async with write_transaction():
        if result.delivered:
            await repository.record_attempt(delivery_id, attempt, DeliveryStatus.DELIVERED, result.status_code,
                                            None, None, now)
            await repository.webhook_succeeded(webhook.id)
            return Attempted(DeliveryStatus.DELIVERED, attempt)
        error = result.error or "failed"
        failing_since = await repository.webhook_failed(webhook.id, error, now)
        disable = webhook.enabled and should_disable(failing_since, now)
        # A test is tried once: its owner is watching the log for the answer.
        delay = None if is_test or disable else retry_delay(
            attempt, settings.webhook_retry_base_seconds, random.random() if spread is None else spread)
        retry_at = now + delay if delay is not None else None
        status = DeliveryStatus.PENDING if retry_at else DeliveryStatus.FAILED
        await repository.record_attempt(delivery_id, attempt, status, result.status_code, error, retry_at, now)
        if disable:
            log.info("webhook %s disabled after failing since %s: %s", webhook.id, failing_since, error)
            await repository.disable(webhook.id, now)
    return Attempted(status, attempt, retry_at)


async def _send(webhook: Webhook, secret: str, delivery: Delivery, body: str, allow_private: bool,
                seconds: float) -> sender.Attempt:
    try:
        url = check_url(webhook.url, allow_private)
        address = await checked_address(url, allow_private)
    except TargetRefused as refused:
        return sender.Attempt(None, f"refused: {refused}")
    headers = signing.headers(secret, signing.message_id(delivery.id), clock.now(), body)
    return await sender.post(url, address, headers, body.encode(), seconds=seconds,
                             max_response_bytes=RESPONSE_MAX_BYTES)


async def due_deliveries(limit: int = 500) -> list[tuple[UUID, int]]:
    """Pending deliveries due now (retries, and first attempts whose enqueue was lost)."""
    now = clock.now()
    await repository.prune(now - KEEP_LOG)
    return await repository.due(now, limit)
