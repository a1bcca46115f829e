"""Confidence, achievements and live events in GraphQL."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncGenerator
from datetime import date, datetime
from typing import Annotated, assert_never
from uuid import UUID

import strawberry
from strawberry.types import Info

from server.engine import events as live_events
from server.engine import live
from server.errors import ErrorCode
from server.graphql.context import Context
from server.graphql.errors import ApiError
from server.graphql.reminders import ReminderDue, reminder_due
from server.progress import queries

HISTORY_MAX = 365
TOKEN_RECHECK_SECONDS = 30.0
SUBSCRIPTIONS_MAX = 10  # open at once per user, over every server process

log = logging.getLogger(__name__)


@strawberry.type
class ConfidenceComponent:
    key: str
    label: str
    weight: float = strawberry.field(description="Share of the score (weights sum to 1).")
    value: float = strawberry.field(description="0-100; score = sum of weight x value.")


@strawberry.type
class ConfidencePoint:
    date: date
    score: float


@strawberry.type(description="Your confidence score (0-100), recomputed in the background after each change.")
class Confidence:
    score: float
    computed_at: datetime
    components: list[ConfidenceComponent]

    @strawberry.field(description=f"One point per day that has a score, oldest first (at most {HISTORY_MAX}).")
    async def history(self, info: Info[Context, None], days: int = 30) -> list[ConfidencePoint]:
        if not 1 <= days <= HISTORY_MAX:
            raise ApiError(ErrorCode.BAD_USER_INPUT, f"days must be between 1 and {HISTORY_MAX}", field="days")
        points = await queries.confidence_history(await info.context.require_viewer(), days)
        return [ConfidencePoint(date=d, score=s) for d, s in points]


@strawberry.type
class Achievement:
    key: str
    title: str
    description: str
    unlocked: bool
    unlocked_at: datetime | None
    current: int
    target: int


@strawberry.type
class AchievementUnlocked:
    key: str
    title: str
    at: datetime


@strawberry.type
class StepUnlocked:
    key: str
    title: str
    position: int
    at: datetime


@strawberry.type
class ConfidenceChanged:
    score: float
    previous: float | None
    at: datetime


Event = Annotated[AchievementUnlocked | StepUnlocked | ConfidenceChanged | ReminderDue, strawberry.union("Event")]


async def event_from(owner: UUID, event: live_events.ClientEvent
                     ) -> AchievementUnlocked | StepUnlocked | ConfidenceChanged | ReminderDue | None:
    """The GraphQL event for a live one (None: a reminder deleted since it fired, nothing to show)."""
    match event:
        case live_events.AchievementUnlocked(key=key, title=title, at=at):
            return AchievementUnlocked(key=key, title=title, at=at)
        case live_events.StepUnlocked(key=key, title=title, position=position, at=at):
            return StepUnlocked(key=key, title=title, position=position, at=at)
        case live_events.ConfidenceChanged(score=score, previous=previous, at=at):
            return ConfidenceChanged(score=score, previous=previous, at=at)
        case live_events.ReminderDue():
            return await reminder_due(owner, event)
    assert_never(event)


@strawberry.type
class ProgressQuery:
    @strawberry.field
    async def confidence(self, info: Info[Context, None]) -> Confidence:
        view = await queries.confidence(await info.context.require_viewer())
        return Confidence(score=view.score, computed_at=view.computed_at, components=[
            ConfidenceComponent(key=c["key"], label=c["label"], weight=c["weight"], value=c["value"])
            for c in view.components])

    @strawberry.field(description="The whole catalogue, with your progress.")
    async def achievements(self, info: Info[Context, None]) -> list[Achievement]:
        views = await queries.achievements(await info.context.require_viewer())
        return [Achievement(key=v.key, title=v.title, description=v.description, unlocked=v.unlocked_at is not None,
                            unlocked_at=v.unlocked_at, current=v.current, target=v.target) for v in views]


@strawberry.type
class Subscription:
    @strawberry.subscription(description="Unlocks, confidence changes and due reminders for the signed-in user "
                                         "only. Ends with an UNAUTHENTICATED error as soon as the token is revoked "
                                         "or expires.")
    async def events(self, info: Info[Context, None]) -> AsyncGenerator[Event, None]:
        viewer = await info.context.viewer()
        if viewer is None:
            raise ApiError(ErrorCode.UNAUTHENTICATED, "send {\"authorization\": \"Bearer <token>\"} in "
                                                      "connection_init")
        try:
            async for event in live.listen(viewer.account.id, idle_seconds=TOKEN_RECHECK_SECONDS,
                                           limit=SUBSCRIPTIONS_MAX):
                # The token is checked again before every event (and while idle): a revoked or
                # expired token gets no further event, whatever the socket's age.
                info.context.forget_viewer()
                current = await info.context.viewer()
                if current is None or current.token_id != viewer.token_id:
                    raise ApiError(ErrorCode.UNAUTHENTICATED, "the token was revoked or has expired; sign in again")
                if event is not None and not isinstance(event, live_events.TokensRevoked):
                    shown = await event_from(viewer.account.id, event)
                    if shown is not None:
                        yield shown
        except live.TooManySubscriptions:
            raise ApiError(ErrorCode.RATE_LIMITED, f"You already have {SUBSCRIPTIONS_MAX} live subscriptions open; "
                                                   "close one first.", limit="maxSubscriptions",
                           max=SUBSCRIPTIONS_MAX) from None
        except live.LiveUnavailable:
            raise ApiError(ErrorCode.UNAVAILABLE, "Live events are unavailable for a moment (their Redis is "
                                                  "unreachable); subscribe again shortly.") from None
        except (ApiError, asyncio.CancelledError, GeneratorExit):
            raise
        except Exception:  # e.g. Redis went away: say so without internals, log once
            log.exception("live events for %s stopped", viewer.account.id)
            raise ApiError(ErrorCode.INTERNAL, "Live events are interrupted; subscribe again.") from None
