"""Habit use cases: create, update, archive, delete, check in, undo, skip. One use case, one transaction."""

from __future__ import annotations

import dataclasses
import math
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any
from uuid import UUID

from server import clock
from server.accounts.model import Viewer
from server.database import is_unique_violation
from server.engine.unit_of_work import write_transaction
from server.errors import DomainError, ErrorCode, invalid, not_found
from server.habits import repository
from server.habits.checkpoints import needs_invalidation
from server.habits.days import local_day
from server.habits.model import Category, Kind, Schedule
from server.habits.order import reordered
from server.habits.records import CheckInRecord, HabitRecord, Source
from server.webhooks import payloads
from server.webhooks.model import WebhookEvent

NAME_MAX = 80
UNIT_MAX = 24
NOTE_MAX = 1000
DESCRIPTION_MAX = 1000
QUESTION_MAX = 200
KEY_MAX = 128
QUANTITY_MAX = 1_000_000.0
FUTURE_TOLERANCE = timedelta(minutes=5)
# Habits per user, archived ones included (they are still read and recomputed).
HABITS_MAX = 300
EARLIEST_START = date(1970, 1, 1)
# Columns no score reads (confidence reads a habit's rules, category, start and archive days only).
_COSMETIC = frozenset({"name", "description", "question", "color", "unit"})


@dataclass(frozen=True, slots=True)
class HabitInput:
    """Fields of habitCreate/habitUpdate; None means "not given" (update keeps the old value)."""

    name: str | None = None
    category: Category | None = None
    kind: Kind | None = None
    schedule: Schedule | None = None
    target_quantity: float | None = None
    unit: str | None = None
    start_date: date | None = None
    # QUIT only: the most a day may add up to before it is a slip (0: any check-in is a slip).
    daily_limit: float | None = None
    # Blank clears these three on update.
    description: str | None = None
    question: str | None = None
    color: str | None = None


_COLOR = re.compile(r"#[0-9A-Fa-f]{6}")


def _name(value: str) -> str:
    value = value.strip()
    if not 1 <= len(value) <= NAME_MAX:
        raise invalid("name", f"name must be 1 to {NAME_MAX} characters")
    return value


def _quantity(field: str, value: float) -> float:
    if not math.isfinite(value) or not 0 < value <= QUANTITY_MAX:
        raise invalid(field, f"{field} must be greater than 0 and at most {QUANTITY_MAX:g}")
    return value


def _columns(data: HabitInput, today: date) -> dict[str, Any]:
    values: dict[str, Any] = {}
    if data.name is not None:
        values["name"] = _name(data.name)
    if data.category is not None:
        values["category"] = data.category.value
    if data.kind is not None:
        values["kind"] = data.kind.value
    if data.schedule is not None:
        problem = data.schedule.validation_error()
        if problem:
            raise invalid("schedule", problem)
        values.update(repository.schedule_columns(data.schedule))
    if data.target_quantity is not None:
        values["target_quantity"] = _quantity("targetQuantity", data.target_quantity)
    if data.unit is not None:
        unit = data.unit.strip()
        if len(unit) > UNIT_MAX:
            raise invalid("unit", f"unit must be at most {UNIT_MAX} characters")
        values["unit"] = unit or None
    if data.start_date is not None:
        if not EARLIEST_START <= data.start_date <= today + timedelta(days=366):
            raise invalid("startDate", "start date must be after 1970 and within a year from today")
        values["start_date"] = data.start_date
    if data.daily_limit is not None:
        limit = data.daily_limit
        if not math.isfinite(limit) or not 0 <= limit <= QUANTITY_MAX:
            raise invalid("dailyLimit", f"dailyLimit must be from 0 to {QUANTITY_MAX:g}")
        values["daily_limit"] = limit or None
    for field, column, limit in (("description", "description", DESCRIPTION_MAX),
                                 ("question", "question", QUESTION_MAX)):
        text = getattr(data, column)
        if text is not None:
            text = text.strip()
            if len(text) > limit:
                raise invalid(field, f"{field} must be at most {limit} characters")
            values[column] = text or None
    if data.color is not None:
        color = data.color.strip()
        if color and not _COLOR.fullmatch(color):
            raise invalid("color", "color must be #RRGGBB (hexadecimal)")
        values["color"] = color or None
    return values


def _check_kind(kind: Kind, values: dict[str, Any]) -> None:
    if kind is not Kind.QUIT and values.get("daily_limit") is not None:
        raise invalid("dailyLimit", "dailyLimit is for QUIT habits: a BUILD habit has a targetQuantity")


async def create_habit(viewer: Viewer, data: HabitInput) -> HabitRecord:
    if data.name is None or data.category is None or data.kind is None or data.schedule is None:
        raise invalid("input", "name, category, kind and schedule are required")
    now = clock.now()
    values = {"target_quantity": 1.0, "start_date": viewer.account.today(now)}
    values.update(_columns(data, viewer.account.today(now)))
    _check_kind(data.kind, values)
    async with write_transaction() as uow:
        await _room_for(viewer, 1)
        habit = await repository.insert_habit(viewer.account.id, values, now)
        uow.mark_stale(viewer.account.id, from_day=habit.start_date)  # it counts from its start date
    return habit


async def adopt_kit(viewer: Viewer, kit: list[tuple[str, HabitInput]]) -> list[HabitRecord]:
    """Create the kit's habits that this user does not have yet; adopting twice creates nothing."""
    now = clock.now()
    today = viewer.account.today(now)
    rows = []
    for kit_key, data in kit:
        values = {"target_quantity": 1.0, "start_date": today, "kit_key": kit_key}
        values.update(_columns(data, today))
        _check_kind(data.kind or Kind.BUILD, values)
        rows.append((kit_key, values))
    keys = [k for k, _ in rows]
    try:
        async with write_transaction() as uow:
            existing = await repository.habits_by_kit_keys(viewer.account.id, keys)
            await _room_for(viewer, sum(k not in existing for k in keys))
            for kit_key, values in rows:
                if kit_key not in existing:
                    habit = await repository.insert_habit(viewer.account.id, values, now)
                    uow.mark_stale(viewer.account.id, from_day=habit.start_date)
    except Exception as error:
        if not is_unique_violation(error):  # a concurrent adoption won: its habits stand
            raise
    found = await repository.habits_by_kit_keys(viewer.account.id, keys)
    return [found[k] for k in keys if k in found]


async def ensure_room(owner: UUID, more: int, field: str = "input") -> None:
    """Refuse to go past HABITS_MAX habits; call inside the transaction that creates them."""
    if more and await repository.count_habits(owner) + more > HABITS_MAX:
        raise DomainError(ErrorCode.OUT_OF_RANGE, f"you can have at most {HABITS_MAX} habits (this would make "
                                                  f"{await repository.count_habits(owner) + more}); archive or "
                                                  "delete some first", field)


async def _room_for(viewer: Viewer, more: int) -> None:
    await ensure_room(viewer.account.id, more)


async def _owned(viewer: Viewer, habit_id: UUID) -> HabitRecord:
    habit = await repository.get_habit(viewer.account.id, habit_id)
    if habit is None:
        raise not_found("habit")
    return habit


async def update_habit(viewer: Viewer, habit_id: UUID, data: HabitInput) -> HabitRecord:
    now = clock.now()
    values = _columns(data, viewer.account.today(now))
    async with write_transaction() as uow:
        habit = await _owned(viewer, habit_id)
        if data.kind is not None and data.kind is not habit.kind:
            # A slip and a done day are opposite meanings of the same row: history would invert.
            raise invalid("kind", "a habit's kind cannot change; create a new habit instead")
        _check_kind(habit.kind, values)
        if values:
            await repository.update_habit(habit_id, values)
            # A changed schedule, target, category or start date alters strength, or where the
            # habit counts, on any day; a changed name, note or colour alters no score.
            uow.mark_stale(viewer.account.id,
                           from_day=viewer.account.today(now) if values.keys() <= _COSMETIC else None)
    return await _owned(viewer, habit_id)


async def set_archived(viewer: Viewer, habit_id: UUID, archived: bool) -> HabitRecord:
    now = clock.now()
    async with write_transaction() as uow:
        habit = await _owned(viewer, habit_id)
        if habit.archived != archived:
            await repository.update_habit(habit_id, {"archived_at": now if archived else None})
            uow.mark_stale(viewer.account.id, from_day=None)  # unarchiving counts it again from long ago
    return await _owned(viewer, habit_id)


async def delete_habit(viewer: Viewer, habit_id: UUID) -> HabitRecord:
    """Remove a habit for good, with its history, in one transaction (archive is the reversible way).
    Achievements and steps it helped earn stay: the recompute never takes one back."""
    async with write_transaction() as uow:
        habit = await _owned(viewer, habit_id)
        await repository.delete_habit(habit_id)
        uow.mark_stale(viewer.account.id, from_day=None)  # its strength leaves every day it counted
    return habit


async def reorder_habits(viewer: Viewer, habit_ids: list[UUID]) -> list[HabitRecord]:
    """Put these habits in this order, in the places they hold among all the owner's habits: a list of
    the active habits reorders them and leaves the archived ones where they are. Returns every habit
    in the new order, positions renumbered 0, 1, 2..."""
    if len(set(habit_ids)) != len(habit_ids):
        raise invalid("ids", "each habit may appear once")
    if len(habit_ids) > HABITS_MAX:
        raise invalid("ids", f"at most {HABITS_MAX} habits")
    async with write_transaction():
        habits = await repository.list_habits(viewer.account.id, include_archived=True)
        known = {h.id for h in habits}
        if any(h not in known for h in habit_ids):
            raise not_found("habit")
        order = reordered([h.id for h in habits], habit_ids)
        by_id = {h.id: h for h in habits}
        await repository.set_positions({hid: n for n, hid in enumerate(order) if by_id[hid].position != n})
    # No derived state depends on the order: nothing to mark stale.
    return await repository.list_habits(viewer.account.id, include_archived=True)


async def check_in(
    viewer: Viewer,
    habit_id: UUID,
    occurred_at: datetime | None = None,
    quantity: float | None = None,
    note: str | None = None,
    idempotency_key: str | None = None,
    source: Source = Source.API,
) -> CheckInRecord:
    """Log a check-in; a replay of the same idempotency key returns the original."""
    qty = _quantity("quantity", 1.0 if quantity is None else quantity)
    if note is not None:
        note = note.strip() or None
        if note and len(note) > NOTE_MAX:
            raise invalid("note", f"note must be at most {NOTE_MAX} characters")
    if idempotency_key is not None and not 1 <= len(idempotency_key) <= KEY_MAX:
        raise invalid("idempotencyKey", f"idempotency key must be 1 to {KEY_MAX} characters")
    if occurred_at is not None:
        if occurred_at.tzinfo is None:
            raise invalid("occurredAt", "occurredAt needs a time zone offset")
        occurred_at = occurred_at.astimezone(UTC)
    try:
        record = await _check_in_once(viewer, habit_id, occurred_at, qty, note, idempotency_key, source)
    except Exception as error:
        if idempotency_key is None or not is_unique_violation(error):
            raise
        # A concurrent request with the same key committed first: answer as a replay.
        existing = await repository.check_in_by_key(viewer.account.id, idempotency_key)
        if existing is None:  # pragma: no cover - the violating row must exist
            raise
        return _replay(existing, habit_id, occurred_at, qty, note)
    return record


def _replay(existing: CheckInRecord, habit_id: UUID, occurred_at: datetime | None, quantity: float,
            note: str | None) -> CheckInRecord:
    if not existing.same_content(habit_id, occurred_at, quantity, note):
        raise DomainError(ErrorCode.DUPLICATE,
                          "this idempotency key was already used for a different check-in",
                          "idempotencyKey")
    return existing


async def _check_in_once(viewer: Viewer, habit_id: UUID, occurred_at: datetime | None, quantity: float,
                         note: str | None, key: str | None, source: Source) -> CheckInRecord:
    account = viewer.account
    async with write_transaction() as uow:
        if key is not None:
            existing = await repository.check_in_by_key(account.id, key)
            if existing is not None:
                return _replay(existing, habit_id, occurred_at, quantity, note)
        habit = await _owned(viewer, habit_id)
        if habit.archived:
            raise invalid("habitId", "this habit is archived; restore it to log check-ins")
        now = clock.now()
        at = occurred_at or now
        if at > now + FUTURE_TOLERANCE:
            raise DomainError(ErrorCode.OUT_OF_RANGE, "a check-in cannot be in the future", "occurredAt")
        day = local_day(at, account.zone, account.day_start_hour)
        if day < habit.start_date:
            raise DomainError(ErrorCode.OUT_OF_RANGE,
                              f"this habit starts on {habit.start_date.isoformat()}", "occurredAt")
        record = await repository.insert_check_in({
            "owner": account.id, "habit": habit_id, "occurred_at": at, "day": day, "quantity": quantity,
            "note": note, "source": source.value, "idempotency_key": key, "created_at": now,
        }, invalidate=needs_invalidation(habit.rules, day, account.today(now)))
        uow.mark_stale(account.id, from_day=day)
        uow.emit(account.id, WebhookEvent.CHECK_IN_CREATED, payloads.check_in_created(record))
    return record


async def undo_check_in(viewer: Viewer, check_in_id: UUID) -> CheckInRecord:
    """Undo is idempotent: undoing an undone check-in returns it unchanged."""
    now = clock.now()
    async with write_transaction() as uow:
        record = await repository.get_check_in(viewer.account.id, check_in_id)
        if record is None:
            raise not_found("check-in")
        if record.undone_at is None:
            await repository.mark_undone(check_in_id, now)
            uow.mark_stale(viewer.account.id, from_day=record.day)
            uow.emit(viewer.account.id, WebhookEvent.CHECK_IN_UNDONE,
                     payloads.check_in_undone(dataclasses.replace(record, undone_at=now)))
    undone = await repository.get_check_in(viewer.account.id, check_in_id)
    assert undone is not None
    return undone


async def set_skipped(viewer: Viewer, habit_id: UUID, day: date, skipped: bool) -> HabitRecord:
    """Skipping (sick, travelling) keeps a streak alive without adding to it; idempotent."""
    now = clock.now()
    async with write_transaction() as uow:
        habit = await _owned(viewer, habit_id)
        if day > viewer.account.today(now):
            raise DomainError(ErrorCode.OUT_OF_RANGE, "a future day cannot be skipped", "day")
        if day < habit.start_date:
            raise DomainError(ErrorCode.OUT_OF_RANGE,
                              f"this habit starts on {habit.start_date.isoformat()}", "day")
        exists = await repository.skip_exists(habit_id, day)
        if skipped and not exists:
            await repository.insert_skip(viewer.account.id, habit_id, day, now)
            uow.mark_stale(viewer.account.id, from_day=day)
        elif not skipped and exists:
            await repository.delete_skip(habit_id, day)
            uow.mark_stale(viewer.account.id, from_day=day)
    return habit
