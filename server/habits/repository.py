"""Every habits query. Batch readers take many habit ids at once (for DataLoaders)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any
from uuid import UUID, uuid4

from server.database import DB
from server.habits import tables
from server.habits.model import Category, HabitLog, Kind, Period, Schedule
from server.habits.records import CheckInRecord, HabitRecord, Source

H = tables.Habit
C = tables.CheckIn
S = tables.HabitSkip


def _habit(row: dict[str, Any]) -> HabitRecord:
    weekdays = tuple(int(d) for d in row["weekdays"].split(",") if d)
    return HabitRecord(
        id=row["id"],
        owner_id=row["owner"],
        name=row["name"],
        category=Category(row["category"]),
        kind=Kind(row["kind"]),
        schedule=Schedule(Period(row["period"]), weekdays, row["times_per_week"], row["interval_times"],
                          row["interval_days"], bool(row["interval_total"])),
        target_quantity=row["target_quantity"],
        unit=row["unit"],
        start_date=row["start_date"],
        created_at=row["created_at"],
        archived_at=row["archived_at"],
        daily_limit=row["daily_limit"],
        description=row["description"],
        question=row["question"],
        color=row["color"],
    )


def _check_in(row: dict[str, Any]) -> CheckInRecord:
    return CheckInRecord(
        id=row["id"],
        owner_id=row["owner"],
        habit_id=row["habit"],
        occurred_at=row["occurred_at"],
        day=row["day"],
        quantity=row["quantity"],
        note=row["note"],
        source=Source(row["source"]),
        idempotency_key=row["idempotency_key"],
        created_at=row["created_at"],
        undone_at=row["undone_at"],
    )


def schedule_columns(schedule: Schedule) -> dict[str, Any]:
    return {
        "period": schedule.period.value,
        "weekdays": ",".join(str(d) for d in sorted(schedule.weekdays)),
        "times_per_week": schedule.times_per_week,
        "interval_times": schedule.times,
        "interval_days": schedule.days,
        "interval_total": schedule.total,
    }


# -- habits

async def insert_habit(owner: UUID, values: dict[str, Any], now: datetime) -> HabitRecord:
    row = H(id=uuid4(), owner=owner, created_at=now, **values)
    await row.save()
    return _habit(row.to_dict())


async def update_habit(habit_id: UUID, values: dict[str, Any]) -> None:
    await H.update({getattr(H, k): v for k, v in values.items()}).where(H.id == habit_id)


# Every check-in reads its habit: written out, since Piccolo's builder costs more than the query.
# `SELECT *` of table columns comes back with the same types as a Piccolo select on both engines.
_GET_HABIT = "SELECT * FROM habit WHERE id = {} AND owner = {}"


async def get_habit(owner: UUID, habit_id: UUID) -> HabitRecord | None:
    rows = await H.raw(_GET_HABIT, habit_id, owner)
    return _habit(rows[0]) if rows else None


async def count_habits(owner: UUID) -> int:
    return int(await H.count().where(H.owner == owner))


async def habits_by_ids(owner: UUID, ids: Sequence[UUID]) -> dict[UUID, HabitRecord]:
    if not ids:
        return {}
    rows = await H.select().where((H.owner == owner) & H.id.is_in(list(ids)))
    return {r["id"]: _habit(r) for r in rows}


async def habits_by_kit_keys(owner: UUID, keys: Sequence[str]) -> dict[str, HabitRecord]:
    if not keys:
        return {}
    rows = await H.select().where((H.owner == owner) & H.kit_key.is_in(list(keys)))
    return {r["kit_key"]: _habit(r) for r in rows}


async def list_habits(owner: UUID, include_archived: bool) -> list[HabitRecord]:
    query = H.select().where(H.owner == owner)
    if not include_archived:
        query = query.where(H.archived_at.is_null())
    rows = await query.order_by(H.created_at).order_by(H.id)
    return [_habit(r) for r in rows]


# -- check-ins

_CHECK_IN_COLUMNS = ("id", "owner", "habit", "occurred_at", "day", "quantity", "note", "source", "idempotency_key",
                     "created_at")
# Written out once: the hottest write there is, and Piccolo's builder costs more than the statement.
_INSERT_CHECK_IN = (f"INSERT INTO check_in ({', '.join(_CHECK_IN_COLUMNS)}) "
                    f"VALUES ({', '.join('{}' for _ in _CHECK_IN_COLUMNS)})")


async def insert_check_in(values: dict[str, Any]) -> CheckInRecord:
    row = {"id": uuid4(), "note": None, "idempotency_key": None, **values}
    await C.raw(_INSERT_CHECK_IN, *(row[c] for c in _CHECK_IN_COLUMNS))
    return _check_in({**row, "undone_at": None})


async def check_in_by_key(owner: UUID, key: str) -> CheckInRecord | None:
    row = await C.select().where((C.owner == owner) & (C.idempotency_key == key)).first()
    return _check_in(row) if row else None


async def get_check_in(owner: UUID, check_in_id: UUID) -> CheckInRecord | None:
    row = await C.select().where((C.id == check_in_id) & (C.owner == owner)).first()
    return _check_in(row) if row else None


async def mark_undone(check_in_id: UUID, now: datetime) -> None:
    await C.update({C.undone_at: now}).where((C.id == check_in_id) & C.undone_at.is_null())


# A day's total adds its check-ins in the order they happened. Float addition is not associative, so
# without an order a plan change (sort vs hash, another index) could move a total by its last bit;
# PostgreSQL honours ORDER BY in any aggregate. SQLite keeps plain SUM (ORDER BY inside an aggregate
# needs SQLite 3.44), and there habits_with_logs runs this very query.
_DAY_TOTAL = "SUM(quantity ORDER BY occurred_at, id)" if DB.engine_type == "postgres" else "SUM(quantity)"


async def logs_for(habit_ids: Sequence[UUID]) -> dict[UUID, HabitLog]:
    """Each habit's per-day totals and skips: two queries for any number of habits."""
    if not habit_ids:
        return {}
    ids = list(habit_ids)
    totals = await C.raw(
        f"SELECT habit, day, {_DAY_TOTAL} AS total FROM check_in "
        f"WHERE undone_at IS NULL AND habit IN ({', '.join('{}' for _ in ids)}) GROUP BY habit, day",
        *ids,
    )
    skips = await S.select(S.habit, S.day).where(S.habit.is_in(ids))
    quantities: dict[UUID, dict[date, float]] = defaultdict(dict)
    for row in totals:
        quantities[_uuid(row["habit"])][_date(row["day"])] = float(row["total"])
    skipped: dict[UUID, set[date]] = defaultdict(set)
    for row in skips:
        skipped[row["habit"]].add(row["day"])
    return {hid: HabitLog(quantities.get(hid, {}), frozenset(skipped.get(hid, ()))) for hid in ids}


# One round trip on PostgreSQL for what list_habits + logs_for read in three: each habit row with its
# per-day totals and its skips as arrays (a lateral aggregate per habit walks the (habit, day) index).
_HABITS_WITH_LOGS_PG = (
    "SELECT h.*, l.days AS log_days, l.totals AS log_totals, k.skips AS log_skips FROM habit h "
    "LEFT JOIN LATERAL (SELECT array_agg(g.day) AS days, array_agg(g.total) AS totals FROM "
    "(SELECT c.day, SUM(c.quantity ORDER BY c.occurred_at, c.id) AS total FROM check_in c "
    "WHERE c.habit = h.id AND c.undone_at IS NULL "
    "GROUP BY c.day) g) l ON true "
    "LEFT JOIN LATERAL (SELECT array_agg(s.day) AS skips FROM habit_skip s WHERE s.habit = h.id) k ON true "
    "WHERE h.owner = {} ORDER BY h.created_at, h.id"
)


async def habits_with_logs(owner: UUID) -> tuple[list[HabitRecord], dict[UUID, HabitLog]]:
    """All of an owner's habits, archived ones included, in list_habits order, with logs_for's logs."""
    if DB.engine_type != "postgres":
        records = await list_habits(owner, include_archived=True)
        return records, await logs_for([h.id for h in records])
    rows = await H.raw(_HABITS_WITH_LOGS_PG, owner)
    records, logs = [], {}
    for row in rows:
        record = _habit(row)
        records.append(record)
        days, totals = row["log_days"] or (), row["log_totals"] or ()
        logs[record.id] = HabitLog(dict(zip(days, map(float, totals), strict=True)),
                                   frozenset(row["log_skips"] or ()))
    return records, logs


def _uuid(value: Any) -> UUID:
    # Raw queries skip Piccolo's column conversion on SQLite, where UUIDs are text.
    return value if isinstance(value, UUID) else UUID(str(value))


def _date(value: Any) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value))


async def check_in_pages(
    habit_ids: Sequence[UUID], start: date | None, end: date | None, after: tuple[datetime, UUID] | None,
    limit: int,
) -> dict[UUID, list[CheckInRecord]]:
    """Up to `limit` live check-ins per habit, newest first, after a keyset cursor; one query.

    A window function numbers each habit's rows, so one round trip serves every habit.
    """
    if not habit_ids:
        return {}
    ids = list(habit_ids)
    where = [f"habit IN ({', '.join('{}' for _ in ids)})", "undone_at IS NULL"]
    args: list[Any] = list(ids)
    if start is not None:
        where.append("day >= {}")
        args.append(start)
    if end is not None:
        where.append("day <= {}")
        args.append(end)
    if after is not None:
        where.append("(occurred_at < {} OR (occurred_at = {} AND id < {}))")
        args += [after[0], after[0], after[1]]
    sql = (
        "SELECT id FROM (SELECT id, ROW_NUMBER() OVER "
        "(PARTITION BY habit ORDER BY occurred_at DESC, id DESC) AS n "
        f"FROM check_in WHERE {' AND '.join(where)}) AS ranked WHERE n <= {int(limit)}"
    )
    page_ids = [_uuid(r["id"]) for r in await C.raw(sql, *args)]
    if not page_ids:
        return {hid: [] for hid in ids}
    rows = await C.select().where(C.id.is_in(page_ids))
    pages: dict[UUID, list[CheckInRecord]] = {hid: [] for hid in ids}
    for row in rows:
        pages[row["habit"]].append(_check_in(row))
    for page in pages.values():
        page.sort(key=lambda c: (c.occurred_at, str(c.id)), reverse=True)
    return pages


async def check_in_counts(habit_ids: Sequence[UUID], start: date | None, end: date | None) -> dict[UUID, int]:
    """Live check-ins per habit with a day in [start, end] (either end open); one query."""
    ids = list(habit_ids)
    if not ids:
        return {}
    where = [f"habit IN ({', '.join('{}' for _ in ids)})", "undone_at IS NULL"]
    args: list[Any] = list(ids)
    if start is not None:
        where.append("day >= {}")
        args.append(start)
    if end is not None:
        where.append("day <= {}")
        args.append(end)
    rows = await C.raw(f"SELECT habit, COUNT(*) AS n FROM check_in WHERE {' AND '.join(where)} GROUP BY habit", *args)
    counts = {hid: 0 for hid in ids}
    counts.update({_uuid(r["habit"]): int(r["n"]) for r in rows})
    return counts


# -- skips

async def skip_exists(habit_id: UUID, day: date) -> bool:
    return await S.exists().where((S.habit == habit_id) & (S.day == day))


async def insert_skip(owner: UUID, habit_id: UUID, day: date, now: datetime) -> None:
    await S(id=uuid4(), owner=owner, habit=habit_id, day=day, created_at=now).save()


async def delete_skip(habit_id: UUID, day: date) -> None:
    await S.delete().where((S.habit == habit_id) & (S.day == day))
