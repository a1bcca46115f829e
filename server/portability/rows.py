"""Judging a bulk check-in import, row by row, before anything is written (pure).

The rules are habitCheckIn's and habitSkip's, applied to every row against one snapshot of the
account: a row either would be created, is a replay of a check-in already stored (or of an
earlier row of the same batch), or is rejected with the code and message habitCheckIn gives.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from enum import StrEnum
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

from server.errors import ErrorCode
from server.habits.days import local_day
from server.habits.records import CheckInRecord, HabitRecord
from server.habits.service import FUTURE_TOLERANCE, KEY_MAX, NOTE_MAX, QUANTITY_MAX

ROWS_MAX = 5000
SKIPS_MAX = 5000


class RowStatus(StrEnum):
    CREATED = "CREATED"
    DUPLICATE = "DUPLICATE"  # already stored with the same content: skipped, nothing new
    REJECTED = "REJECTED"
    WOULD_CREATE = "WOULD_CREATE"  # valid; a dry run, or an import stopped by another row's rejection


@dataclass(frozen=True, slots=True)
class CheckInRow:
    habit_id: UUID | None  # None: not a valid id, which is simply not found
    occurred_at: datetime
    quantity: float | None = None
    note: str | None = None
    idempotency_key: str | None = None


@dataclass(frozen=True, slots=True)
class SkipRow:
    habit_id: UUID | None
    day: date


@dataclass(frozen=True, slots=True)
class RowOutcome:
    index: int
    status: RowStatus
    code: ErrorCode | None = None
    message: str | None = None
    field: str | None = None
    check_in: CheckInRecord | None = None  # the stored check-in a duplicate replays (or that was created)


@dataclass(frozen=True, slots=True)
class NewCheckIn:
    """A row that passed: the columns to insert (the service adds id, owner, created_at)."""

    index: int
    habit_id: UUID
    occurred_at: datetime
    day: date
    quantity: float
    note: str | None
    idempotency_key: str | None


@dataclass(frozen=True, slots=True)
class Snapshot:
    """What the rules need to know about the account, read once before judging."""

    habits: Mapping[UUID, HabitRecord]
    stored_by_key: Mapping[str, CheckInRecord]
    skipped: frozenset[tuple[UUID, date]]
    zone: ZoneInfo
    day_start_hour: int
    now: datetime
    today: date


@dataclass
class Plan:
    rows: list[RowOutcome] = field(default_factory=list)
    skips: list[RowOutcome] = field(default_factory=list)
    new_check_ins: list[NewCheckIn] = field(default_factory=list)
    new_skips: list[tuple[int, UUID, date]] = field(default_factory=list)

    @property
    def rejected(self) -> int:
        return sum(o.status is RowStatus.REJECTED for o in (*self.rows, *self.skips))


class _Rejected(Exception):
    def __init__(self, code: ErrorCode, message: str, field: str) -> None:
        super().__init__(message)
        self.code, self.message, self.field = code, message, field


def _invalid(field: str, message: str) -> _Rejected:
    return _Rejected(ErrorCode.INVALID_INPUT, message, field)


def _clean(row: CheckInRow) -> tuple[float, str | None, datetime]:
    """The row's quantity, note and instant as habitCheckIn would store them."""
    quantity = 1.0 if row.quantity is None else row.quantity
    if not math.isfinite(quantity) or not 0 < quantity <= QUANTITY_MAX:
        raise _invalid("quantity", f"quantity must be greater than 0 and at most {QUANTITY_MAX:g}")
    note = (row.note or "").strip() or None
    if note and len(note) > NOTE_MAX:
        raise _invalid("note", f"note must be at most {NOTE_MAX} characters")
    if row.idempotency_key is not None and not 1 <= len(row.idempotency_key) <= KEY_MAX:
        raise _invalid("idempotencyKey", f"idempotency key must be 1 to {KEY_MAX} characters")
    if row.occurred_at.tzinfo is None or row.occurred_at.utcoffset() is None:
        raise _invalid("occurredAt", "occurredAt needs a time zone offset")
    return quantity, note, row.occurred_at.astimezone(UTC)


def _habit(snapshot: Snapshot, habit_id: UUID | None, field: str) -> HabitRecord:
    habit = snapshot.habits.get(habit_id) if habit_id is not None else None
    if habit is None:
        raise _Rejected(ErrorCode.NOT_FOUND, "habit not found", field)
    return habit


def _judge_new(snapshot: Snapshot, index: int, row: CheckInRow, quantity: float, note: str | None,
               at: datetime) -> NewCheckIn:
    habit = _habit(snapshot, row.habit_id, "habitId")
    if habit.archived:
        raise _invalid("habitId", "this habit is archived; restore it to log check-ins")
    if at > snapshot.now + FUTURE_TOLERANCE:
        raise _Rejected(ErrorCode.OUT_OF_RANGE, "a check-in cannot be in the future", "occurredAt")
    day = local_day(at, snapshot.zone, snapshot.day_start_hour)
    if day < habit.start_date:
        raise _Rejected(ErrorCode.OUT_OF_RANGE, f"this habit starts on {habit.start_date.isoformat()}",
                        "occurredAt")
    return NewCheckIn(index, habit.id, at, day, quantity, note, row.idempotency_key)


def _content(habit_id: UUID | None, at: datetime, quantity: float, note: str | None) -> tuple[Any, ...]:
    return (habit_id, at, quantity, note)


def judge_rows(rows: Sequence[CheckInRow], skips: Sequence[SkipRow], snapshot: Snapshot) -> Plan:
    """Every row's fate, in order; a key used twice in the batch behaves as if sent twice in a row."""
    plan = Plan()
    in_batch: dict[str, tuple[tuple[Any, ...], RowOutcome]] = {}
    for index, row in enumerate(rows):
        try:
            quantity, note, at = _clean(row)
            key = row.idempotency_key
            if key is not None and key in snapshot.stored_by_key:
                stored = snapshot.stored_by_key[key]
                if row.habit_id is None or not stored.same_content(row.habit_id, at, quantity, note):
                    raise _Rejected(ErrorCode.DUPLICATE,
                                    "this idempotency key was already used for a different check-in",
                                    "idempotencyKey")
                outcome = RowOutcome(index, RowStatus.DUPLICATE, check_in=stored)
            elif key is not None and key in in_batch:
                content, first = in_batch[key]
                if content != _content(row.habit_id, at, quantity, note):
                    raise _Rejected(ErrorCode.DUPLICATE,
                                    f"row {first.index} already uses this idempotency key for a different check-in",
                                    "idempotencyKey")
                if first.status is RowStatus.REJECTED:
                    raise _Rejected(first.code or ErrorCode.INVALID_INPUT, first.message or "rejected",
                                    first.field or "rows")
                outcome = RowOutcome(index, RowStatus.DUPLICATE)
            else:
                plan.new_check_ins.append(_judge_new(snapshot, index, row, quantity, note, at))
                outcome = RowOutcome(index, RowStatus.WOULD_CREATE)
        except _Rejected as rejected:
            outcome = RowOutcome(index, RowStatus.REJECTED, rejected.code, rejected.message, rejected.field)
            quantity, note, at = (row.quantity or 1.0), (row.note or "").strip() or None, row.occurred_at
        if row.idempotency_key is not None and row.idempotency_key not in in_batch:
            in_batch[row.idempotency_key] = (_content(row.habit_id, at, quantity, note), outcome)
        plan.rows.append(outcome)
    seen: set[tuple[UUID, date]] = set()
    for index, skip in enumerate(skips):
        try:
            habit = _habit(snapshot, skip.habit_id, "habitId")
            if skip.day > snapshot.today:
                raise _Rejected(ErrorCode.OUT_OF_RANGE, "a future day cannot be skipped", "day")
            if skip.day < habit.start_date:
                raise _Rejected(ErrorCode.OUT_OF_RANGE, f"this habit starts on {habit.start_date.isoformat()}",
                                "day")
            pair = (habit.id, skip.day)
            if pair in snapshot.skipped or pair in seen:
                outcome = RowOutcome(index, RowStatus.DUPLICATE)
            else:
                seen.add(pair)
                plan.new_skips.append((index, habit.id, skip.day))
                outcome = RowOutcome(index, RowStatus.WOULD_CREATE)
        except _Rejected as rejected:
            outcome = RowOutcome(index, RowStatus.REJECTED, rejected.code, rejected.message, rejected.field)
        plan.skips.append(outcome)
    return plan
