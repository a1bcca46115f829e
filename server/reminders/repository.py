"""Every reminders query."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import UTC, date, datetime
from typing import Any
from uuid import UUID, uuid4

from server.reminders import tables
from server.reminders.records import PushSubscriptionRecord, ReminderRecord
from server.reminders.timing import parse_time

R = tables.Reminder
D = tables.ReminderDelivery
P = tables.PushSubscription


def _uuid(value: Any) -> UUID:
    # Raw queries skip Piccolo's column conversion on SQLite, where UUIDs are text.
    return value if isinstance(value, UUID) else UUID(str(value))


def _date(value: Any) -> date | None:
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(str(value))


def _instant(value: Any) -> datetime | None:
    if value is None:
        return None
    at = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    return at.replace(tzinfo=UTC) if at.tzinfo is None else at.astimezone(UTC)


def weekdays_text(weekdays: Sequence[int]) -> str:
    return ",".join(str(d) for d in sorted(weekdays))


def reminder_of(row: dict[str, Any]) -> ReminderRecord:
    """A reminder row (as stored, or about to be) as its record."""
    return ReminderRecord(
        id=_uuid(row["id"]), owner_id=_uuid(row["owner"]), habit_id=_uuid(row["habit"]),
        time=parse_time(row["time"]), weekdays=tuple(int(d) for d in row["weekdays"].split(",") if d),
        enabled=bool(row["enabled"]), next_due_at=_instant(row["next_due_at"]),
        next_due_day=_date(row["next_due_day"]), fired_day=_date(row["fired_day"]))


async def get(owner: UUID, reminder_id: UUID) -> ReminderRecord | None:
    rows = await R.select().where((R.id == reminder_id) & (R.owner == owner))
    return reminder_of(rows[0]) if rows else None


async def count_for_habit(habit_id: UUID) -> int:
    return int(await R.count().where(R.habit == habit_id))


async def for_habits(habit_ids: Sequence[UUID]) -> dict[UUID, list[ReminderRecord]]:
    """Each habit's reminders, in their order of creation: one query for any number of habits."""
    found: dict[UUID, list[ReminderRecord]] = defaultdict(list)
    if habit_ids:
        for row in await R.select().where(R.habit.is_in(list(habit_ids))).order_by(R.created_at).order_by(R.id):
            found[_uuid(row["habit"])].append(reminder_of(row))
    return found


async def for_owner(owner: UUID) -> list[ReminderRecord]:
    return [reminder_of(r) for r in await R.select().where(R.owner == owner).order_by(R.created_at).order_by(R.id)]


async def insert(owner: UUID, habit_id: UUID, at: str, weekdays: str, enabled: bool, next_due_at: datetime | None,
                 next_due_day: date | None, now: datetime) -> UUID:
    reminder_id = uuid4()
    await R(id=reminder_id, owner=owner, habit=habit_id, time=at, weekdays=weekdays, enabled=enabled,
            next_due_at=next_due_at, next_due_day=next_due_day, created_at=now).save()
    return reminder_id


async def update(reminder_id: UUID, values: dict[str, Any]) -> None:
    await R.update({getattr(R, k): v for k, v in values.items()}).where(R.id == reminder_id)


async def delete(reminder_id: UUID) -> None:
    await R.delete().where(R.id == reminder_id)


async def due(now: datetime, limit: int) -> list[ReminderRecord]:
    """Enabled reminders whose next firing has come, soonest first: an index range, idle users unread."""
    rows = await R.select().where(R.next_due_at.is_not_null() & (R.next_due_at <= now) & (R.enabled == True)  # noqa: E712
                                  ).order_by(R.next_due_at).limit(limit)
    return [reminder_of(r) for r in rows]


async def advance(reminder: ReminderRecord, next_due_at: datetime | None, next_due_day: date | None,
                  fired_day: date | None) -> bool:
    """Move a reminder on from the firing it was read with (compare-and-set on next_due_at): False when
    another worker, or a change by its owner, moved it first."""
    rows = await R.update({R.next_due_at: next_due_at, R.next_due_day: next_due_day, R.fired_day: fired_day}).where(
        (R.id == reminder.id) & (R.next_due_at == reminder.next_due_at)).returning(R.id)
    return bool(rows)


async def claim_deliveries(reminder: ReminderRecord, day: date, channels: Sequence[str], due_at: datetime,
                           now: datetime) -> list[str]:
    """Record the deliveries not yet made for this reminder and habit day; returns the channels this call
    claimed (the unique index leaves the others to whoever claimed them first)."""
    if not channels:
        return []
    values = ", ".join("({}, {}, {}, {}, {}, {}, {})" for _ in channels)
    args = [v for channel in channels for v in (uuid4(), reminder.owner_id, reminder.id, day, channel, due_at, now)]
    rows = await D.raw(
        f"INSERT INTO reminder_delivery (id, owner, reminder, day, channel, due_at, created_at) VALUES {values} "
        "ON CONFLICT (reminder, day, channel) DO NOTHING RETURNING channel", *args)
    won = {r["channel"] for r in rows}
    return [c for c in channels if c in won]


async def deliveries(reminder_id: UUID) -> list[tuple[date, str]]:
    rows = await D.select(D.day, D.channel).where(D.reminder == reminder_id).order_by(D.day).order_by(D.channel)
    return [(_date(r["day"]), r["channel"]) for r in rows]  # type: ignore[misc]


# -- push subscriptions

def _push(row: dict[str, Any]) -> PushSubscriptionRecord:
    return PushSubscriptionRecord(id=_uuid(row["id"]), owner_id=_uuid(row["owner"]), endpoint=row["endpoint"],
                                  p256dh=row["p256dh"], auth=row["auth"], user_agent=row["user_agent"],
                                  created_at=row["created_at"])


async def push_subscriptions(owner: UUID) -> list[PushSubscriptionRecord]:
    return [_push(r) for r in await P.select().where(P.owner == owner).order_by(P.created_at).order_by(P.id)]


async def count_push_subscriptions(owner: UUID) -> int:
    return int(await P.count().where(P.owner == owner))


async def upsert_push_subscription(owner: UUID, endpoint: str, p256dh: str, auth: str, user_agent: str | None,
                                   now: datetime) -> None:
    """A browser subscribing again (new keys, or signed in as someone else) replaces its old subscription:
    an endpoint is one browser's, and reaches one user."""
    await P.delete().where(P.endpoint == endpoint)
    await P(id=uuid4(), owner=owner, endpoint=endpoint, p256dh=p256dh, auth=auth, user_agent=user_agent,
            created_at=now).save()


async def delete_push_subscription(owner: UUID | None, endpoint: str) -> bool:
    """Remove one subscription (of `owner`; None: whoever's, when its push service says it is gone)."""
    query = P.delete().where(P.endpoint == endpoint)
    if owner is not None:
        query = query.where(P.owner == owner)
    rows = await query.returning(P.id)
    return bool(rows)

