"""Confidence, achievements and live events in GraphQL."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncGenerator
from datetime import date, datetime
from enum import StrEnum
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


class ConfidencePart(StrEnum):
    """ConfidenceComponent.key as an enum, with Category's names (the score's OTHER is Category's CUSTOM)."""

    WORKOUT = "WORKOUT"
    READING = "READING"
    HYGIENE = "HYGIENE"
    FRIENDS = "FRIENDS"
    CUSTOM = "CUSTOM"
    NO_CONTACT = "NO_CONTACT"
    REFLECTION = "REFLECTION"

    @classmethod
    def from_key(cls, key: str) -> ConfidencePart:
        return cls.CUSTOM if key == "OTHER" else cls(key)


ConfidencePartType = strawberry.enum(
    ConfidencePart, name="ConfidencePart",
    description="A part of the confidence score. WORKOUT, READING, HYGIENE, FRIENDS, CUSTOM: the strength of "
                "your BUILD habits of that category. NO_CONTACT: your QUIT habits. REFLECTION: your journal.")

log = logging.getLogger(__name__)


@strawberry.type(description="One part of the confidence score.")
class ConfidenceComponent:
    key: str = strawberry.field(description="WORKOUT, READING, HYGIENE, FRIENDS, OTHER, NO_CONTACT or REFLECTION.",
                                deprecation_reason="Use part: the same as an enum, CUSTOM for OTHER.")
    part: ConfidencePart = strawberry.field(description="Which part of the score this is.")
    label: str = strawberry.field(description="For people.")
    weight: float = strawberry.field(description="Share of the score (weights sum to 1).")
    value: float = strawberry.field(description="0-100; score = sum of weight x value.")


@strawberry.type(description="The score on one day.")
class ConfidencePoint:
    date: date = strawberry.field(description="The local day.")
    score: float = strawberry.field(description="0-100.")


@strawberry.type(description="Your confidence score (0-100), recomputed in the background after each change.")
class Confidence:
    score: float = strawberry.field(description="0-100.")
    computed_at: datetime = strawberry.field(description="When it was last recomputed.")
    components: list[ConfidenceComponent] = strawberry.field(description="The parts; score is the sum of weight "
                                                                         "x value.")

    @strawberry.field(description=f"One point per day that has a score, oldest first (at most {HISTORY_MAX}).")
    async def history(self, info: Info[Context, None], days: Annotated[int, strawberry.argument(
            description="How many days back from today (default 30).")] = 30) -> list[ConfidencePoint]:
        if not 1 <= days <= HISTORY_MAX:
            raise ApiError(ErrorCode.BAD_USER_INPUT, f"days must be between 1 and {HISTORY_MAX}", field="days")
        points = await queries.confidence_history(await info.context.require_viewer(), days)
        return [ConfidencePoint(date=d, score=s) for d, s in points]


@strawberry.type(description="An achievement of the catalogue, with your progress.")
class Achievement:
    key: str = strawberry.field(description="Stable, e.g. first-check-in.")
    title: str = strawberry.field(description="Its title.")
    description: str = strawberry.field(description="What earns it.")
    unlocked: bool = strawberry.field(description="You have earned it (never taken back).")
    unlocked_at: datetime | None = strawberry.field(description="When; null while locked.")
    current: int = strawberry.field(description="Your progress towards target.")
    target: int = strawberry.field(description="What earns it, in the same unit as current.")


@strawberry.type(description="Event: you earned an achievement.")
class AchievementUnlocked:
    key: str = strawberry.field(description="The achievement's key.")
    title: str = strawberry.field(description="Its title.")
    at: datetime = strawberry.field(description="When.")


@strawberry.type(description="Event: a program step opened.")
class StepUnlocked:
    key: str = strawberry.field(description="The step's key.")
    title: str = strawberry.field(description="Its title.")
    position: int = strawberry.field(description="Its position, 1-10.")
    at: datetime = strawberry.field(description="When.")


@strawberry.type(description="Event: your confidence score was recomputed to a new value.")
class ConfidenceChanged:
    score: float = strawberry.field(description="The new score, 0-100.")
    previous: float | None = strawberry.field(description="The score before; null for the first.")
    at: datetime = strawberry.field(description="When.")


Event = Annotated[AchievementUnlocked | StepUnlocked | ConfidenceChanged | ReminderDue, strawberry.union(
    "Event", description="Something that happened to you, live.")]


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
    @strawberry.field(description="Your confidence score and its parts.")
    async def confidence(self, info: Info[Context, None]) -> Confidence:
        view = await queries.confidence(await info.context.require_viewer())
        return Confidence(score=view.score, computed_at=view.computed_at, components=[
            ConfidenceComponent(key=c["key"], part=ConfidencePart.from_key(c["key"]), label=c["label"],
                                weight=c["weight"], value=c["value"])
            for c in view.components])

    @strawberry.field(description="The whole catalogue, with your progress.")
    async def achievements(self, info: Info[Context, None]) -> list[Achievement]:
        views = await queries.achievements(await info.context.require_viewer())
        return [Achievement(key=v.key, title=v.title, description=v.description, unlocked=v.unlocked_at is not None,
                            unlocked_at=v.unlocked_at, current=v.current, target=v.target) for v in views]


@strawberry.type(description="Live events over WebSocket (graphql-transport-ws).")
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
