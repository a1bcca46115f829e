"""Firing due reminders: the engine's side of reminders (server.engine.jobs.fire_reminders calls it).

For each reminder whose indexed `next_due_at` has come (nobody else is read):
1. its habit day is checked against the owner's *current* profile (a profile change the reschedule has
   not caught up with moves it, unfired) and against the habit (due that day and still open);
2. in one transaction, the reminder moves on to its next firing with a compare-and-set on the instant it
   was read with (a second worker holding the same row loses and does nothing), and one delivery row per
   channel is inserted for (reminder, habit day, channel), unique: insert-then-send, so a retry, a second
   worker or a restart after a crash never delivers a channel twice (a crash between commit and sending
   loses that one delivery: at most once, as the contract says);
3. after the commit, the channels this call claimed are delivered: a live event, and Web Push to each of
   the owner's browsers (in threads; a browser whose push service answers 404/410 is removed).

The REMINDER_DUE webhook is one more channel: claimed in the same transaction, which also writes its
outbox row (server.webhooks.outbox), so it is delivered at least once from there, retried like any
webhook, and never twice for one reminder and day whatever the workers do.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any
from uuid import UUID

from server.accounts import repository as accounts
from server.engine.events import LiveEvent, ReminderDue
from server.engine.unit_of_work import write_transaction
from server.habits import repository as habits
from server.habits.records import HabitRecord
from server.reminders import push, repository, vapid
from server.reminders.due import habit_open_on
from server.reminders.records import ReminderRecord
from server.reminders.service import next_firing
from server.reminders.timing import occurrence
from server.settings import get_settings
from server.webhooks import payloads
from server.webhooks import repository as webhooks
from server.webhooks.model import WebhookEvent

log = logging.getLogger(__name__)

EVENT = "event"
PUSH = "push"
WEBHOOK = "webhook"
BATCH = 200
# A reminder found this late (workers were down) is moved on, not sent: a 07:30 nudge at noon helps nobody.
LATE_LIMIT = timedelta(minutes=15)

Publish = Callable[[UUID, LiveEvent], Awaitable[None]]


@dataclass
class Report:
    fired: int = 0  # reminders that reached at least one channel through this call
    skipped: int = 0  # due, but the habit was settled (done, skipped, not due) or too late
    moved: int = 0  # rescheduled without firing (a profile change), or taken by another worker
    failed: int = 0  # rolled back by an error: still due, tried again on the next round
    pushes: dict[str, int] = field(default_factory=dict)


async def fire_due(now: datetime, publish: Publish) -> Report:
    """Fire every reminder due at `now`, in batches, until none is left. One reminder's failure (its
    transaction rolled back: nothing claimed, nothing moved) leaves it due for the next round and
    stops no other reminder."""
    report = Report()
    while True:
        batch = await repository.due(now, BATCH)
        failed = 0
        for reminder in batch:
            try:
                await _fire_one(reminder, now, publish, report)
            except Exception:
                failed += 1
                log.exception("reminder %s could not fire; the next round tries again", reminder.id)
        report.failed += failed
        # A full batch that failed whole would come back the same: the next round tries it again.
        if len(batch) < BATCH or failed == len(batch):
            return report


async def _fire_one(reminder: ReminderRecord, now: datetime, publish: Publish, report: Report) -> None:
    account = await accounts.get_account(reminder.owner_id)
    day = reminder.next_due_day
    if account is None or day is None or reminder.next_due_at is None:
        return
    due_at = occurrence(day, reminder.time, account.zone, account.day_start_hour)
    nxt_at: datetime | None = due_at
    nxt_day: date | None = day
    fired_day = reminder.fired_day
    # The profile moved this day's minute later since it was scheduled: wait for it, unfired.
    waits = due_at > now
    fire = False
    habit: HabitRecord | None = None
    if not waits:
        nxt = next_firing(reminder, account, now, day)
        nxt_at, nxt_day = (nxt.at, nxt.day) if nxt else (None, None)
        fired_day = day
        habit = await habits.get_habit(account.id, reminder.habit_id)
        fire = habit is not None and now - due_at <= LATE_LIMIT and await _open(habit, day)
    subscriptions = await repository.push_subscriptions(account.id) if fire else []
    channels = [EVENT, PUSH] if subscriptions else [EVENT]
    if fire and any(WebhookEvent.REMINDER_DUE in hook.events for hook in await webhooks.subscribed([account.id])):
        channels.append(WEBHOOK)
    async with write_transaction() as uow:
        if not await repository.advance(reminder, nxt_at, nxt_day, fired_day):
            report.moved += 1  # another worker (or its owner) moved it first
            return
        claimed = await repository.claim_deliveries(reminder, day, channels, due_at, now) if fire else []
        if WEBHOOK in claimed and habit is not None:
            uow.emit(account.id, WebhookEvent.REMINDER_DUE, payloads.reminder_due(
                str(habit.id), habit.name, str(reminder.id), reminder.time.strftime("%H:%M"), day.isoformat(),
                due_at.isoformat()))
    if waits or not fire:
        if waits:
            report.moved += 1
        else:
            report.skipped += 1
        return
    if claimed:
        report.fired += 1
    if EVENT in claimed:
        await publish(account.id, ReminderDue(habit_id=str(reminder.habit_id), reminder_id=str(reminder.id),
                                              due_at=due_at))
    if PUSH in claimed and habit is not None:  # the habit read to decide to fire (fire implies it)
        await _push(habit, reminder, due_at, subscriptions, report)


async def _open(habit: HabitRecord, day: date) -> bool:
    if habit.archived:
        return False
    logs = await habits.logs_for([habit.id])
    return habit_open_on(habit.rules, logs[habit.id], day)


async def _push(habit: HabitRecord, reminder: ReminderRecord, due_at: datetime,
                subscriptions: list[Any], report: Report) -> None:
    settings = get_settings()
    keys = await vapid.keys(settings)
    payload = {"type": "ReminderDue", "habitId": str(habit.id), "reminderId": str(reminder.id),
               "dueAt": due_at.isoformat(), "title": habit.name,
               "body": habit.question or f"Time for {habit.name}."}
    # The owner's browsers at once (each in a thread: pywebpush blocks), so one slow push service
    # delays the others by nothing.
    outcomes = await asyncio.gather(*(
        asyncio.to_thread(push.send, subscription, payload, keys, settings.vapid_subject, settings.push_allow_private)
        for subscription in subscriptions))
    for subscription, outcome in zip(subscriptions, outcomes, strict=True):
        report.pushes[outcome.value] = report.pushes.get(outcome.value, 0) + 1
        if outcome is push.Outcome.GONE:
            await repository.delete_push_subscription(None, subscription.endpoint)
