"""Reminders, upcoming reminders and Web Push subscriptions in GraphQL; the logic lives in server.reminders."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Annotated
from uuid import UUID

import strawberry
from strawberry.types import Info

from server.engine import events as live_events
from server.graphql.context import Context
from server.graphql.errors import InvalidInputError, NotFoundError, OutOfRangeError, typed_errors
from server.graphql.ids import parse_id
from server.habits.records import HabitRecord
from server.reminders import queries, service, vapid
from server.reminders.records import PushSubscriptionRecord, ReminderRecord
from server.reminders.timing import format_time
from server.settings import get_settings

if TYPE_CHECKING:
    from server.graphql.habits import Habit

LazyHabit = Annotated["Habit", strawberry.lazy("server.graphql.habits")]


@strawberry.type(description="A reminder of a habit: due at a local wall-clock time on chosen weekdays, in your "
                             "current time zone (travel and DST follow you), only while the habit is due and not yet "
                             "done or skipped that day.")
class Reminder:
    id: strawberry.ID = strawberry.field(description="The reminder's id.")
    time: str = strawberry.field(description="Local wall-clock time, \"HH:MM\" (24-hour). A time that does not "
                                             "exist on a spring-forward day fires at the first minute after the "
                                             "gap; a repeated time on a fall-back day fires once.")
    weekdays: list[int] = strawberry.field(description="ISO weekdays (1 = Monday ... 7 = Sunday) of the habit days "
                                                       "it fires on; the habit's scheduled days unless chosen.")
    follows_habit: bool = strawberry.field(description="true when no weekdays were chosen: `weekdays` are the "
                                                       "habit's scheduled days, and follow a change of its schedule.")
    enabled: bool = strawberry.field(description="false: kept, but never fires.")
    next_due_at: datetime | None = strawberry.field(description="When the service next looks at it (null when "
                                                                "disabled); it fires then if the habit is still "
                                                                "open that day.")

    @classmethod
    def from_domain(cls, reminder: ReminderRecord, habit: HabitRecord) -> Reminder:
        return cls(id=strawberry.ID(str(reminder.id)), time=format_time(reminder.time),
                   weekdays=list(service.effective_weekdays(reminder, habit)), follows_habit=not reminder.weekdays,
                   enabled=reminder.enabled,
                   next_due_at=reminder.next_due_at)


@strawberry.type(description="A reminder that will fire soon (for a phone to schedule local notifications).")
class UpcomingReminder:
    habit: LazyHabit = strawberry.field(description="The habit it reminds of.")
    reminder: Reminder = strawberry.field(description="The reminder.")
    due_at: datetime = strawberry.field(description="When it fires (UTC).")
    day: date = strawberry.field(description="The habit day it is for (your local day, with your day start).")


@strawberry.type(description="A reminder came due: the habit is due today and not done or skipped yet.")
class ReminderDue:
    habit: LazyHabit = strawberry.field(description="The habit it reminds of.")
    reminder: Reminder = strawberry.field(description="The reminder that fired.")
    due_at: datetime = strawberry.field(description="The minute it was due (UTC).")


async def reminder_due(owner: UUID, event: live_events.ReminderDue) -> ReminderDue | None:
    """The GraphQL event for a live one, read for its owner; None when the reminder is gone meanwhile."""
    from server.graphql.habits import Habit

    found = await queries.with_habit(owner, UUID(event.reminder_id), UUID(event.habit_id))
    if found is None:
        return None
    reminder, habit = found
    return ReminderDue(habit=Habit.from_domain(habit), reminder=Reminder.from_domain(reminder, habit),
                       due_at=event.due_at)


@strawberry.type(description="A browser that receives your reminders by Web Push.")
class PushSubscription:
    endpoint: str = strawberry.field(description="Its push service URL (as PushManager.subscribe gave it).")
    user_agent: str | None = strawberry.field(description="The browser, as it described itself.")
    created_at: datetime = strawberry.field(description="When it subscribed.")

    @classmethod
    def from_domain(cls, record: PushSubscriptionRecord) -> PushSubscription:
        return cls(endpoint=record.endpoint, user_agent=record.user_agent, created_at=record.created_at)


@strawberry.input(description="A reminder's settings; reminderSet replaces them all.")
class ReminderInput:
    id: strawberry.ID | None = strawberry.field(default=None, description="The reminder to change; leave out to "
                                                                           "create one (at most 5 per habit).")
    time: str = strawberry.field(description="Local wall-clock \"HH:MM\", 00:00 to 23:59.")
    weekdays: list[int] | None = strawberry.field(default=None, description="ISO weekdays 1-7 of the habit days "
                                                                            "to fire on; leave out for the "
                                                                            "habit's scheduled days.")
    enabled: bool = strawberry.field(default=True, description="false keeps it without firing.")


@strawberry.input(description="A browser's Web Push subscription, from PushSubscription.toJSON().")
class PushSubscriptionInput:
    endpoint: str = strawberry.field(description="The push service URL.")
    p256dh: str = strawberry.field(description="keys.p256dh: the browser's P-256 public key, base64url.")
    auth: str = strawberry.field(description="keys.auth: the 16-byte authentication secret, base64url.")
    user_agent: str | None = strawberry.field(default=None, description="A label for this browser (up to 200 "
                                                                        "characters).")


ReminderResult = Annotated[Reminder | NotFoundError | InvalidInputError | OutOfRangeError,
                           strawberry.union("ReminderResult", description="The reminder as saved, or why not.")]
ReminderDeleteResult = Annotated[Reminder | NotFoundError,
                                 strawberry.union("ReminderDeleteResult", description="The deleted reminder, or "
                                                                                      "NOT_FOUND.")]
PushSubscriptionResult = Annotated[PushSubscription | InvalidInputError | OutOfRangeError,
                                   strawberry.union("PushSubscriptionResult",
                                                    description="The kept subscription, or why not.")]


@strawberry.type
class ReminderQuery:
    @strawberry.field(description=f"Reminders due in the next `hours` hours (1-{service.UPCOMING_HOURS_MAX}), "
                                  "soonest first, leaving out habits already done or skipped today; at most "
                                  f"{service.UPCOMING_MAX}.")
    async def upcoming_reminders(
        self, info: Info[Context, None],
        hours: Annotated[int, strawberry.argument(description="How far ahead to look, 1-168.")] = 24,
    ) -> list[UpcomingReminder]:
        from server.graphql.habits import Habit

        items = await service.upcoming(await info.context.require_viewer(), hours)
        return [UpcomingReminder(habit=Habit.from_domain(u.habit), reminder=Reminder.from_domain(u.reminder, u.habit),
                                 due_at=u.occurrence.at, day=u.occurrence.day) for u in items]

    @strawberry.field(description="The VAPID public key (base64url) to pass to PushManager.subscribe as "
                                  "applicationServerKey.")
    async def web_push_public_key(self, info: Info[Context, None]) -> str:
        await info.context.require_viewer()
        return vapid.public_key(await vapid.keys(get_settings()))

    @strawberry.field(description="Your browsers that receive reminders by Web Push.")
    async def push_subscriptions(self, info: Info[Context, None]) -> list[PushSubscription]:
        records = await service.push_subscriptions(await info.context.require_viewer())
        return [PushSubscription.from_domain(r) for r in records]


@strawberry.type
class ReminderMutation:
    @strawberry.mutation(description="Create a reminder for a habit, or change one (input.id).")
    @typed_errors
    async def reminder_set(
        self, info: Info[Context, None],
        habit_id: Annotated[strawberry.ID, strawberry.argument(description="The habit to remind of.")],
        input: Annotated[ReminderInput, strawberry.argument(description="The reminder's settings.")],
    ) -> ReminderResult:
        viewer = await info.context.require_viewer()
        habit = parse_id(habit_id, "habit")
        reminder, record = await service.set_reminder(
            viewer, habit, parse_id(input.id, "reminder") if input.id else None, input.time, input.weekdays,
            input.enabled)
        return Reminder.from_domain(reminder, record)

    @strawberry.mutation(description="Delete a reminder.")
    @typed_errors
    async def reminder_delete(
        self, info: Info[Context, None],
        id: Annotated[strawberry.ID, strawberry.argument(description="The reminder to delete.")],
    ) -> ReminderDeleteResult:
        viewer = await info.context.require_viewer()
        reminder, habit = await service.delete_reminder(viewer, parse_id(id, "reminder"))
        return Reminder.from_domain(reminder, habit)

    @strawberry.mutation(description="Receive reminders in this browser by Web Push (subscribing again replaces "
                                     "the old keys).")
    @typed_errors
    async def push_subscription_add(
        self, info: Info[Context, None],
        input: Annotated[PushSubscriptionInput, strawberry.argument(description="The browser's subscription.")],
    ) -> PushSubscriptionResult:
        record = await service.add_push_subscription(await info.context.require_viewer(), input.endpoint,
                                                     input.p256dh, input.auth, input.user_agent)
        return PushSubscription.from_domain(record)

    @strawberry.mutation(description="Stop Web Push to this browser; true when it was subscribed.")
    async def push_subscription_remove(
        self, info: Info[Context, None],
        endpoint: Annotated[str, strawberry.argument(description="The subscription's endpoint.")],
    ) -> bool:
        return await service.remove_push_subscription(await info.context.require_viewer(), endpoint)
