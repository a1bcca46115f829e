"""Every bulk query of imports and exports: whole-account reads, key look-ups, batched inserts."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import Any, TypeVar
from uuid import UUID, uuid4

from piccolo.table import Table

from server.achievements import tables as achievements
from server.habits import repository as habit_store
from server.habits import tables as habits
from server.habits.records import CheckInRecord, HabitRecord

# The habits repository's own row mappings, so a row read here is the same object as anywhere else.
from server.habits.repository import _check_in as check_in_record
from server.habits.repository import _habit as habit_record
from server.habits.repository import next_position
from server.journal import tables as journal
from server.journal.model import JournalRecord
from server.program import tables as program
from server.reminders import tables as reminders
from server.reminders.records import ReminderRecord
from server.reminders.repository import reminder_of

H = habits.Habit
C = habits.CheckIn
S = habits.HabitSkip
J = journal.JournalEntry
R = reminders.Reminder

# Both engines cap the parameters of one statement (SQLite 32766, asyncpg 32767): with at most
# 11 columns a row, 1000 rows a statement stays well below either.
INSERT_CHUNK = 1000
LOOKUP_CHUNK = 1000

T = TypeVar("T")


def _chunks(items: Sequence[T], size: int) -> Iterable[Sequence[T]]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


# -- reads of a whole account (export)

async def habits_of(owner: UUID) -> list[HabitRecord]:
    rows = await H.select().where(H.owner == owner).order_by(H.position).order_by(H.created_at).order_by(H.id)
    return [habit_record(r) for r in rows]


async def check_ins_of(owner: UUID) -> list[CheckInRecord]:
    """Every check-in, undone ones included, oldest first."""
    rows = await C.select().where(C.owner == owner).order_by(C.occurred_at).order_by(C.id)
    return [check_in_record(r) for r in rows]


async def skips_of(owner: UUID) -> list[tuple[UUID, date, datetime]]:
    rows = await S.select(S.habit, S.day, S.created_at).where(S.owner == owner).order_by(S.day).order_by(S.habit)
    return [(r["habit"], r["day"], r["created_at"]) for r in rows]


async def journal_of(owner: UUID) -> list[JournalRecord]:
    rows = await J.select().where(J.owner == owner).order_by(J.created_at).order_by(J.id)
    return [JournalRecord(r["id"], r["owner"], r["prompt"], r["body"], r["step_key"], r["day"], r["created_at"])
            for r in rows]


async def reminders_of(owner: UUID) -> list[tuple[ReminderRecord, datetime]]:
    """Every reminder with when it was made, in the order they were made (a habit lists them so)."""
    rows = await R.select().where(R.owner == owner).order_by(R.created_at).order_by(R.id)
    return [(reminder_of(r), r["created_at"]) for r in rows]


async def notes_of(owner: UUID) -> list[tuple[UUID, date, str]]:
    """(habit, day, note) of every live check-in with a note, in the order they happened."""
    rows = await C.select(C.habit, C.day, C.note).where(
        (C.owner == owner) & C.undone_at.is_null() & C.note.is_not_null()).order_by(C.occurred_at).order_by(C.id)
    return [(r["habit"], r["day"], r["note"]) for r in rows if r["note"]]


async def check_in_csv_page(owner: UUID, after: tuple[datetime, UUID] | None,
                            limit: int) -> list[dict[str, Any]]:
    """Live check-ins with their habit's name, oldest first, after a keyset cursor."""
    query = C.select(C.id, C.habit, C.habit.name.as_alias("habit_name"), C.day, C.occurred_at, C.quantity, C.note,
                     C.source).where((C.owner == owner) & C.undone_at.is_null())
    if after is not None:
        query = query.where((C.occurred_at > after[0]) | ((C.occurred_at == after[0]) & (C.id > after[1])))
    rows: list[dict[str, Any]] = await query.order_by(C.occurred_at).order_by(C.id).limit(limit)
    return rows


# -- look-ups before writing (imports)

async def habits_by_ids(owner: UUID, ids: Sequence[UUID]) -> dict[UUID, HabitRecord]:
    found: dict[UUID, HabitRecord] = {}
    for chunk in _chunks(list(ids), LOOKUP_CHUNK):
        rows = await H.select().where((H.owner == owner) & H.id.is_in(list(chunk)))
        found.update({r["id"]: habit_record(r) for r in rows})
    return found


async def check_ins_by_keys(owner: UUID, keys: Sequence[str]) -> dict[str, CheckInRecord]:
    found: dict[str, CheckInRecord] = {}
    for chunk in _chunks(list(keys), LOOKUP_CHUNK):
        rows = await C.select().where((C.owner == owner) & C.idempotency_key.is_in(list(chunk)))
        found.update({r["idempotency_key"]: check_in_record(r) for r in rows})
    return found


async def skipped_days(habit_ids: Sequence[UUID]) -> set[tuple[UUID, date]]:
    found: set[tuple[UUID, date]] = set()
    for chunk in _chunks(list(habit_ids), LOOKUP_CHUNK):
        rows = await S.select(S.habit, S.day).where(S.habit.is_in(list(chunk)))
        found.update((r["habit"], r["day"]) for r in rows)
    return found


async def owned_ids(table: type[Table], owner: UUID, ids: Sequence[UUID]) -> set[UUID]:
    """Which of these primary keys exist in this account (`table` has `id` and `owner` columns)."""
    found: set[UUID] = set()
    pk, owner_column = table._meta.primary_key, table._meta.get_column_by_name("owner")
    for chunk in _chunks(list(ids), LOOKUP_CHUNK):
        rows = await table.select(pk).where((owner_column == owner) & pk.is_in(list(chunk)))
        found.update(r[pk._meta.name] for r in rows)
    return found


# -- batched writes (inside the caller's transaction)

async def _insert(table: type[Table], rows: Sequence[dict[str, Any]]) -> None:
    for chunk in _chunks(rows, INSERT_CHUNK):
        await table.insert(*(table(**row) for row in chunk))


async def insert_habits(rows: Sequence[dict[str, Any]]) -> None:
    """New habits of one owner, after their existing ones in the order given."""
    if not rows:
        return
    first = await next_position(rows[0]["owner"])
    await _insert(H, [{**row, "position": first + n} for n, row in enumerate(rows)])


async def insert_check_ins(rows: Sequence[dict[str, Any]]) -> None:
    await _insert(C, rows)
    await habit_store.invalidate_days([(row["habit"], row["day"]) for row in rows])


async def insert_skips(rows: Sequence[dict[str, Any]]) -> None:
    await _insert(S, rows)
    await habit_store.invalidate_days([(row["habit"], row["day"]) for row in rows])


async def insert_pauses(pauses: Sequence[tuple[dict[str, Any], Sequence[UUID] | None]]) -> None:
    """Pause rows with the habits each one links (None: a pause of every habit, which links none)."""
    await _insert(habits.Pause, [row for row, _ in pauses])
    await _insert(habits.PauseHabit, [{"id": uuid4(), "pause": row["id"], "habit": habit}
                                      for row, linked in pauses for habit in linked or ()])


async def insert_reminders(rows: Sequence[dict[str, Any]]) -> None:
    await _insert(R, rows)


async def insert_journal_entries(rows: Sequence[dict[str, Any]]) -> None:
    await _insert(J, rows)


async def restore_awards(owner: UUID, awards: Sequence[tuple[str, datetime]]) -> int:
    """Awards this account does not hold yet, with their original dates; returns how many were new."""
    added = 0
    for key, at in awards:
        rows = await achievements.AchievementAward.raw(
            "INSERT INTO achievement_award (id, owner, key, unlocked_at) VALUES ({}, {}, {}, {}) "
            "ON CONFLICT (owner, key) DO NOTHING RETURNING key", uuid4(), owner, key, at)
        added += len(rows)
    return added


async def restore_unlocks(owner: UUID, unlocks: Sequence[tuple[str, int, datetime]]) -> int:
    """Step unlocks this account does not hold yet, with their original dates; returns how many were new."""
    added = 0
    for key, version, at in unlocks:
        rows = await program.StepUnlock.raw(
            "INSERT INTO step_unlock (id, owner, step_key, content_version, unlocked_at) "
            "VALUES ({}, {}, {}, {}, {}) ON CONFLICT (owner, step_key) DO NOTHING RETURNING step_key",
            uuid4(), owner, key, version, at)
        added += len(rows)
    return added
