"""Webhooks in GraphQL: create (the secret shown once), delete, test, and the list with its delivery log."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Annotated

import strawberry
from strawberry.types import Info

from server.graphql.context import Context
from server.graphql.errors import InvalidInputError, NotFoundError, OutOfRangeError, typed_errors
from server.graphql.ids import parse_id
from server.webhooks import model, service


@strawberry.enum(name="WebhookEvent", description="What a webhook can subscribe to. Each request's `type` is the "
                                                  "value given with each member.")
class WebhookEventType(enum.Enum):
    CHECK_IN_CREATED = strawberry.enum_value("CHECK_IN_CREATED", description="A check-in was logged "
                                             "(type `check_in.created`).")
    CHECK_IN_UNDONE = strawberry.enum_value("CHECK_IN_UNDONE", description="A check-in was undone "
                                            "(type `check_in.undone`).")
    ACHIEVEMENT_UNLOCKED = strawberry.enum_value("ACHIEVEMENT_UNLOCKED", description="An achievement was earned "
                                                 "(type `achievement.unlocked`).")
    STEP_UNLOCKED = strawberry.enum_value("STEP_UNLOCKED", description="A program step opened "
                                          "(type `step.unlocked`).")
    CONFIDENCE_CHANGED = strawberry.enum_value("CONFIDENCE_CHANGED", description="Today's confidence score changed "
                                               "(type `confidence.changed`).")
    REMINDER_DUE = strawberry.enum_value("REMINDER_DUE", description="A habit's reminder is due "
                                         "(type `reminder.due`).")


@strawberry.enum(name="WebhookDeliveryStatus", description="Where a delivery stands.")
class DeliveryStatusType(enum.Enum):
    PENDING = strawberry.enum_value("PENDING", description="Waiting for its first attempt or its next retry.")
    DELIVERED = strawberry.enum_value("DELIVERED", description="The receiver answered with a 2xx status.")
    FAILED = strawberry.enum_value("FAILED", description="Given up: out of attempts, a failed test, or the "
                                   "webhook was disabled.")


@strawberry.type(name="WebhookDelivery", description="One request (with its retries) to a webhook: the delivery "
                                                     "log.")
class DeliveryType:
    id: strawberry.ID = strawberry.field(description="Also the request's `webhook-id` header, after `msg_`.")
    event: str = strawberry.field(description="The request's `type`, e.g. `check_in.created`, or `webhook.test`.")
    attempt: int = strawberry.field(description="Attempts made so far.")
    status: DeliveryStatusType = strawberry.field(description="Delivered, failed for good, or still pending.")
    response_code: int | None = strawberry.field(description="The HTTP status of the last answer, if any.")
    last_error: str | None = strawberry.field(description="Why the last attempt failed, if it did.")
    next_attempt_at: datetime | None = strawberry.field(description="When a pending delivery is tried next.")
    created_at: datetime = strawberry.field(description="When the event happened and the delivery was queued.")

    @classmethod
    def from_domain(cls, d: model.Delivery) -> DeliveryType:
        return cls(id=strawberry.ID(str(d.id)), event=d.type, attempt=d.attempt,
                   status=DeliveryStatusType[d.status.name], response_code=d.response_code,
                   last_error=d.last_error,
                   next_attempt_at=d.next_attempt_at if d.status is model.DeliveryStatus.PENDING else None,
                   created_at=d.created_at)


@strawberry.type(name="Webhook", description="An HTTPS endpoint of yours that Comeback calls, signed per the "
                                             "Standard Webhooks spec, when the events it subscribes to happen.")
class WebhookType:
    id: strawberry.ID = strawberry.field(description="The webhook's id.")
    url: str = strawberry.field(description="Where requests are sent (POST, JSON).")
    events: list[WebhookEventType] = strawberry.field(description="The events it subscribes to.")
    enabled: bool = strawberry.field(description="False once it failed for 24 hours without a success; a "
                                                 "successful `webhookTest` enables it again.")
    last_error: str | None = strawberry.field(description="Why the latest failed attempt failed.")
    failing_since: datetime | None = strawberry.field(description="The first failure since the last success.")
    disabled_at: datetime | None = strawberry.field(description="When it was disabled, if it is.")
    created_at: datetime = strawberry.field(description="When it was created.")
    deliveries: list[DeliveryType] = strawberry.field(
        description=f"Its {service.DELIVERIES_SHOWN} latest deliveries, newest first.")

    @classmethod
    def from_domain(cls, w: model.Webhook) -> WebhookType:
        return cls(id=strawberry.ID(str(w.id)), url=w.url, events=[WebhookEventType[e.name] for e in w.events],
                   enabled=w.enabled, last_error=w.last_error, failing_since=w.failing_since,
                   disabled_at=w.disabled_at, created_at=w.created_at,
                   deliveries=[DeliveryType.from_domain(d) for d in w.deliveries])


@strawberry.type(description="A new webhook and its signing secret.")
class WebhookCreated:
    secret: str = strawberry.field(description="The signing secret (`whsec_...`). Store it now: it is never shown "
                                               "again. Verify each request's `webhook-signature` with it.")
    webhook: WebhookType = strawberry.field(description="The webhook.")


@strawberry.input(description="A new webhook.")
class WebhookCreateInput:
    url: str = strawberry.field(description="An https URL on the public internet, at most 2,048 characters.")
    events: list[WebhookEventType] = strawberry.field(description="The events to send it (at least one).")


WebhookCreateResult = Annotated[WebhookCreated | InvalidInputError | OutOfRangeError,
                                strawberry.union("WebhookCreateResult",
                                                 description="The new webhook, or why it was refused.")]
WebhookDeleteResult = Annotated[WebhookType | NotFoundError,
                                strawberry.union("WebhookDeleteResult",
                                                 description="The deleted webhook, or NOT_FOUND.")]
WebhookTestResult = Annotated[DeliveryType | NotFoundError,
                              strawberry.union("WebhookTestResult",
                                               description="The queued test delivery, or NOT_FOUND.")]


@strawberry.type
class WebhookQuery:
    @strawberry.field(description=f"Your webhooks (at most {service.WEBHOOKS_MAX}), oldest first, each with its "
                                  "latest deliveries.")
    async def webhooks(self, info: Info[Context, None]) -> list[WebhookType]:
        return [WebhookType.from_domain(w) for w in await service.list_webhooks(await info.context.require_viewer())]


@strawberry.type
class WebhookMutation:
    @strawberry.mutation(description=f"Create a webhook (at most {service.WEBHOOKS_MAX}); its signing secret is "
                                     "shown once.")
    @typed_errors
    async def webhook_create(self, info: Info[Context, None],
                             input: Annotated[WebhookCreateInput, strawberry.argument(
                                 description="Where to send which events.")]) -> WebhookCreateResult:
        created = await service.create_webhook(await info.context.require_viewer(), input.url,
                                               [model.WebhookEvent[e.name] for e in input.events])
        return WebhookCreated(secret=created.secret, webhook=WebhookType.from_domain(created.webhook))

    @strawberry.mutation(description="Delete a webhook and its delivery log; nothing more is sent to it.")
    @typed_errors
    async def webhook_delete(self, info: Info[Context, None], id: Annotated[strawberry.ID, strawberry.argument(
            description="The webhook's id.")]) -> WebhookDeleteResult:
        deleted = await service.delete_webhook(await info.context.require_viewer(), parse_id(id, "webhook"))
        return WebhookType.from_domain(deleted)

    @strawberry.mutation(description="Send the webhook one `webhook.test` request now (once, no retries); its "
                                     "outcome shows in the delivery log. While a test waits to be sent, asking "
                                     "again answers with that one.")
    @typed_errors
    async def webhook_test(self, info: Info[Context, None], id: Annotated[strawberry.ID, strawberry.argument(
            description="The webhook's id.")]) -> WebhookTestResult:
        delivery = await service.queue_test_delivery(await info.context.require_viewer(), parse_id(id, "webhook"))
        return DeliveryType.from_domain(delivery)
