"""Reminder use cases: set, delete, list what is coming; and keeping each reminder's next firing current.

A reminder's `next_due_at` is recomputed here whenever what it depends on changes (its own fields, the
owner's time zone or day start) and by the engine after each firing (server.reminders.firing).
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from uuid import UUID

from server import clock
from server.accounts.model import Account, Viewer
from server.engine.unit_of_work import write_transaction
from server.errors import DomainError, ErrorCode, invalid, not_found
from server.habits import repository as habits
from server.habits.model import Period
from server.habits.records import HabitRecord
from server.reminders import push, repository
from server.reminders.due import habit_open_on
from server.reminders.records import PushSubscriptionRecord, ReminderRecord
from server.reminders.timing import (
    ALL_WEEKDAYS,
    Occurrence,
    between,
    last_passed_day,
    next_due,
    parse_time,
    weekdays_problem,
)
from server.settings import get_settings

REMINDERS_PER_HABIT = 5
UPCOMING_HOURS_MAX = 168  # a week: what a phone schedules ahead of time
UPCOMING_MAX = 500


def effective_weekdays(reminder: ReminderRecord, habit: HabitRecord) -> tuple[int, ...]:
    """The reminder's own weekdays, or the habit's scheduled days (every day but for WEEKDAYS habits)."""
    if reminder.weekdays:
        return reminder.weekdays
    if habit.schedule.period is Period.WEEKDAYS:
        return habit.schedule.weekdays
    return tuple(sorted(ALL_WEEKDAYS))


def next_firing(reminder: ReminderRecord, account: Account, after: datetime,
                after_day: date | None) -> Occurrence | None:
    """When the engine should next look at this reminder (None: disabled). Reminders following the habit's
    days wake on every day: the habit's schedule may change meanwhile, and the firing checks it anyway."""
    if not reminder.enabled:
        return None
    return next_due(reminder.time, reminder.weekdays or ALL_WEEKDAYS, account.zone, account.day_start_hour, after,
                    after_day)


def restored_firing(reminder: ReminderRecord, account: Account, now: datetime) -> tuple[Occurrence | None, date]:
    """A reminder restored from an export at `now`: its next firing, and the day to record as last fired.

    It was running on the server it was exported from, so every habit day whose time had come at `now` counts
    as handled there: a later move west (or a day start change) never reaches back to fire one of them here."""
    handled = last_passed_day(reminder.time, account.zone, account.day_start_hour, now)
    return next_firing(reminder, account, now, handled), handled


def _weekdays(weekdays: Sequence[int] | None) -> tuple[int, ...]:
    if weekdays is None:
        return ()
    problem = weekdays_problem(weekdays)
    if problem is not None:
        raise invalid("weekdays", problem)
    return tuple(sorted(weekdays))


async def set_reminder(viewer: Viewer, habit_id: UUID, reminder_id: UUID | None, at: str,
                       weekdays: Sequence[int] | None, enabled: bool) -> tuple[ReminderRecord, HabitRecord]:
    """Create a reminder, or replace an existing one's time, weekdays and switch (`reminder_id`)."""
    try:
        time = parse_time(at)
    except ValueError as error:
        raise invalid("time", str(error)) from None
    days = _weekdays(weekdays)
    account = viewer.account
    now = clock.now()
    async with write_transaction():
        habit = await habits.get_habit(account.id, habit_id)
        if habit is None:
            raise not_found("habit")
        if reminder_id is None:
            if await repository.count_for_habit(habit_id) >= REMINDERS_PER_HABIT:
                raise DomainError(ErrorCode.OUT_OF_RANGE, f"a habit has at most {REMINDERS_PER_HABIT} reminders",
                                  "habitId")
            draft = ReminderRecord(UUID(int=0), account.id, habit_id, time, days, enabled, None, None, None)
            nxt = next_firing(draft, account, now, None)
            reminder_id = await repository.insert(
                account.id, habit_id, at, repository.weekdays_text(days), enabled, nxt.at if nxt else None,
                nxt.day if nxt else None, now)
        else:
            old = await repository.get(account.id, reminder_id)
            if old is None or old.habit_id != habit_id:
                raise not_found("reminder")
            draft = ReminderRecord(old.id, account.id, habit_id, time, days, enabled, None, None, old.fired_day)
            nxt = next_firing(draft, account, now, old.fired_day)
            await repository.update(reminder_id, {
                "time": at, "weekdays": repository.weekdays_text(days), "enabled": enabled,
                "next_due_at": nxt.at if nxt else None, "next_due_day": nxt.day if nxt else None})
    saved = await repository.get(account.id, reminder_id)
    assert saved is not None
    return saved, habit


async def delete_reminder(viewer: Viewer, reminder_id: UUID) -> tuple[ReminderRecord, HabitRecord]:
    """Delete one of the viewer's reminders; answers it as it was, with its habit."""
    async with write_transaction():
        reminder = await repository.get(viewer.account.id, reminder_id)
        habit = await habits.get_habit(viewer.account.id, reminder.habit_id) if reminder else None
        if reminder is None or habit is None:
            raise not_found("reminder")
        await repository.delete(reminder_id)
    return reminder, habit


async def reschedule_owner(account: Account, now: datetime) -> None:
    """The owner's time zone or day start changed: every reminder's next firing follows it. Runs in the
    caller's transaction, so the profile and the schedule change together."""
    for reminder in await repository.for_owner(account.id):
        if not reminder.enabled:
            continue
        nxt = next_firing(reminder, account, now, reminder.fired_day)
        await repository.update(reminder.id, {"next_due_at": nxt.at if nxt else None,
                                              "next_due_day": nxt.day if nxt else None})


@dataclass(frozen=True, slots=True)
class Upcoming:
    habit: HabitRecord
    reminder: ReminderRecord
    occurrence: Occurrence


async def upcoming(viewer: Viewer, hours: int) -> list[Upcoming]:
    """What will fire in the next `hours` hours as things stand (today's done or skipped habits left out),
    soonest first, at most UPCOMING_MAX."""
    if not 1 <= hours <= UPCOMING_HOURS_MAX:
        raise invalid("hours", f"hours must be from 1 to {UPCOMING_HOURS_MAX}")
    account = viewer.account
    now = clock.now()
    records, logs = await habits.habits_with_logs(account.id)
    live = {h.id: h for h in records if not h.archived}
    reminders = await repository.for_habits(list(live))
    today = account.today(now)
    found: list[Upcoming] = []
    for habit_id, items in reminders.items():
        habit = live[habit_id]
        for reminder in items:
            if not reminder.enabled:
                continue
            days = effective_weekdays(reminder, habit)
            for occ in between(reminder.time, days, account.zone, account.day_start_hour, now,
                               now + timedelta(hours=hours)):
                if occ.day < habit.start_date or not habit.schedule.is_due(occ.day):
                    continue
                if occ.day <= today and not habit_open_on(habit.rules, logs[habit_id], occ.day):
                    continue  # already settled; later days are still open as far as anyone knows
                found.append(Upcoming(habit, reminder, occ))
    found.sort(key=lambda u: (u.occurrence.at, str(u.reminder.id)))
    return found[:UPCOMING_MAX]


# -- Web Push subscriptions

PUSH_SUBSCRIPTIONS_MAX = 20
USER_AGENT_MAX = 200


def _b64url(field: str, value: str, size: int) -> str:
    value = value.strip()
    try:
        raw = base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))
    except (ValueError, binascii.Error):
        raise invalid(field, f"{field} must be base64url") from None
    if len(raw) != size:
        raise invalid(field, f"{field} must be {size} bytes, base64url-encoded")
    return value


async def add_push_subscription(viewer: Viewer, endpoint: str, p256dh: str, auth: str,
                                user_agent: str | None) -> PushSubscriptionRecord:
    """Keep a browser's push subscription (the one PushManager.subscribe gave it) for this user."""
    try:
        push.check_endpoint(endpoint.strip(), get_settings().push_allow_private)
    except push.EndpointRefused as error:
        raise invalid("endpoint", str(error)) from None
    key = _b64url("p256dh", p256dh, 65)
    if base64.urlsafe_b64decode(key + "=" * (-len(key) % 4))[0] != 4:
        raise invalid("p256dh", "p256dh must be an uncompressed P-256 point")
    secret = _b64url("auth", auth, 16)
    agent = (user_agent or "").strip()[:USER_AGENT_MAX] or None
    account = viewer.account
    async with write_transaction():
        mine = {s.endpoint for s in await repository.push_subscriptions(account.id)}
        if endpoint.strip() not in mine and len(mine) >= PUSH_SUBSCRIPTIONS_MAX:
            raise DomainError(ErrorCode.OUT_OF_RANGE, f"at most {PUSH_SUBSCRIPTIONS_MAX} browsers receive push; "
                                                      "remove one first", "endpoint")
        await repository.upsert_push_subscription(account.id, endpoint.strip(), key, secret, agent, clock.now())
    found = [s for s in await repository.push_subscriptions(account.id) if s.endpoint == endpoint.strip()]
    return found[0]


async def remove_push_subscription(viewer: Viewer, endpoint: str) -> bool:
    """Stop pushing to this browser; removing one that is not there is harmless (False)."""
    async with write_transaction():
        return await repository.delete_push_subscription(viewer.account.id, endpoint.strip())


async def push_subscriptions(viewer: Viewer) -> list[PushSubscriptionRecord]:
    return await repository.push_subscriptions(viewer.account.id)
