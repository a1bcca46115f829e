"""Every habits query. Batch readers take many habit ids at once (for DataLoaders)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from uuid import UUID, uuid4

from server import clock
from server.database import DB
from server.habits import day_slices, tables, tally
from server.habits.checkpoints import Checkpoint, DaySlice
from server.habits.model import Category, HabitLog, Kind, Period, Schedule
from server.habits.pauses import with_pauses
from server.habits.records import CheckInRecord, HabitRecord, PauseRecord, Source

H = tables.Habit
C = tables.CheckIn
S = tables.HabitSkip
P = tables.Pause
PH = tables.PauseHabit
K = tables.HabitCheckpoint


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
        position=row["position"],
        checkpoint_epoch=row.get("checkpoint_epoch") or 0,
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

async def next_position(owner: UUID) -> int:
    """The position after the owner's last habit: new habits go last."""
    rows = await H.raw("SELECT MAX(position) AS last FROM habit WHERE owner = {}", owner)
    last = rows[0]["last"] if rows else None
    return 0 if last is None else int(last) + 1


async def insert_habit(owner: UUID, values: dict[str, Any], now: datetime) -> HabitRecord:
    row = H(id=uuid4(), owner=owner, created_at=now, position=await next_position(owner), **values)
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
    rows = await query.order_by(H.position).order_by(H.created_at).order_by(H.id)
    return [_habit(r) for r in rows]


async def set_positions(positions: dict[UUID, int]) -> None:
    for habit_id, position in positions.items():
        await H.update({H.position: position}).where(H.id == habit_id)


async def delete_habit(habit_id: UUID) -> None:
    """The habit and everything hanging off it: check-ins, skips, its links to pauses, and the pauses
    that paused nothing else (a pause of every habit stays). Call inside the use case's transaction."""
    await C.delete().where(C.habit == habit_id)
    await S.delete().where(S.habit == habit_id)
    linked = [r["pause"] for r in await PH.select(PH.pause).where(PH.habit == habit_id)]
    await PH.delete().where(PH.habit == habit_id)
    if linked:
        still = {r["pause"] for r in await PH.select(PH.pause).where(PH.pause.is_in(linked))}
        emptied = [p for p in linked if p not in still]
        if emptied:
            await P.delete().where(P.id.is_in(emptied))
    await H.delete().where(H.id == habit_id)


# -- check-ins

_CHECK_IN_COLUMNS = ("id", "owner", "habit", "occurred_at", "day", "quantity", "note", "source", "idempotency_key",
                     "created_at")
# Written out once: the hottest write there is, and Piccolo's builder costs more than the statement.
_INSERT_CHECK_IN = (f"INSERT INTO check_in ({', '.join(_CHECK_IN_COLUMNS)}) "
                    f"VALUES ({', '.join('{}' for _ in _CHECK_IN_COLUMNS)})")


async def insert_check_in(values: dict[str, Any], *, invalidate: bool = True) -> CheckInRecord:
    """`invalidate=False` only where checkpoints.needs_invalidation says the day reaches none."""
    row = {"id": uuid4(), "note": None, "idempotency_key": None, **values}
    await C.raw(_INSERT_CHECK_IN, *(row[c] for c in _CHECK_IN_COLUMNS))
    if invalidate:
        await invalidate_from([row["habit"]], row["day"])
    return _check_in({**row, "undone_at": None})


async def check_in_by_key(owner: UUID, key: str) -> CheckInRecord | None:
    row = await C.select().where((C.owner == owner) & (C.idempotency_key == key)).first()
    return _check_in(row) if row else None


async def get_check_in(owner: UUID, check_in_id: UUID) -> CheckInRecord | None:
    row = await C.select().where((C.id == check_in_id) & (C.owner == owner)).first()
    return _check_in(row) if row else None


async def mark_undone(check_in_id: UUID, now: datetime) -> None:
    rows = await C.raw("UPDATE check_in SET undone_at = {} WHERE id = {} AND undone_at IS NULL RETURNING habit, day",
                       now, check_in_id)
    for row in rows:
        await invalidate_from([_uuid(row["habit"])], _date(row["day"]))


# A day's total adds its check-ins in the order they happened. Float addition is not associative, so
# without an order a plan change (sort vs hash, another index) could move a total by its last bit;
# PostgreSQL honours ORDER BY in any aggregate. SQLite keeps plain SUM (ORDER BY inside an aggregate
# needs SQLite 3.44), and there habits_with_logs runs this very query.
_DAY_TOTAL = "SUM(quantity ORDER BY occurred_at, id)" if DB.engine_type == "postgres" else "SUM(quantity)"


# The pauses that apply to habit `h`: the owner's pauses of every habit, and those linking `h`.
_PAUSES_OF_HABIT = ("p.owner = h.owner AND (p.all_habits OR EXISTS "
                    "(SELECT 1 FROM pause_habit l WHERE l.pause = p.id AND l.habit = h.id))")


def _pause_horizon() -> date:
    """No local day anywhere is more than a day past today's UTC date (UTC+14), and the habit math
    never looks past today: the days of a planned break after this need not be read as skips."""
    return clock.now().date() + timedelta(days=1)


async def logs_for(habit_ids: Sequence[UUID]) -> dict[UUID, HabitLog]:
    """Each habit's per-day totals and skips, paused days counted as skips: two queries for any
    number of habits."""
    if not habit_ids:
        return {}
    ids = list(habit_ids)
    marks = ", ".join("{}" for _ in ids)
    totals = await C.raw(
        f"SELECT habit, day, {_DAY_TOTAL} AS total FROM check_in "
        f"WHERE undone_at IS NULL AND habit IN ({marks}) GROUP BY habit, day",
        *ids,
    )
    # Skips (one day each) and pauses (a span each) in one statement: a skip is a span of one day.
    spans = await S.raw(
        f"SELECT habit, day AS first_day, day AS last_day FROM habit_skip WHERE habit IN ({marks}) "
        f"UNION ALL SELECT h.id AS habit, p.from_day AS first_day, p.to_day AS last_day FROM habit h "
        f"JOIN pause p ON {_PAUSES_OF_HABIT} WHERE h.id IN ({marks})",
        *ids, *ids,
    )
    quantities: dict[UUID, dict[date, float]] = defaultdict(dict)
    for row in totals:
        quantities[_uuid(row["habit"])][_date(row["day"])] = float(row["total"])
    skipped: dict[UUID, list[tuple[date, date]]] = defaultdict(list)
    for row in spans:
        skipped[_uuid(row["habit"])].append((_date(row["first_day"]), _date(row["last_day"])))
    horizon = _pause_horizon()
    return {hid: with_pauses(HabitLog(quantities.get(hid, {})), skipped.get(hid, ()), horizon) for hid in ids}


# One round trip on PostgreSQL for what list_habits + logs_for read in three: each habit row with its
# per-day totals, its skips and the spans of its pauses as arrays (a lateral aggregate per habit
# walks the (habit, day) index).
_HABITS_WITH_LOGS_PG = (
    "SELECT h.*, l.days AS log_days, l.totals AS log_totals, k.skips AS log_skips, "
    "q.firsts AS pause_firsts, q.lasts AS pause_lasts FROM habit h "
    "LEFT JOIN LATERAL (SELECT array_agg(g.day) AS days, array_agg(g.total) AS totals FROM "
    "(SELECT c.day, SUM(c.quantity ORDER BY c.occurred_at, c.id) AS total FROM check_in c "
    "WHERE c.habit = h.id AND c.undone_at IS NULL "
    "GROUP BY c.day) g) l ON true "
    "LEFT JOIN LATERAL (SELECT array_agg(s.day) AS skips FROM habit_skip s WHERE s.habit = h.id) k ON true "
    "LEFT JOIN LATERAL (SELECT array_agg(p.from_day) AS firsts, array_agg(p.to_day) AS lasts FROM pause p "
    f"WHERE {_PAUSES_OF_HABIT}) q ON true "
    "WHERE h.owner = {} ORDER BY h.position, h.created_at, h.id"
)


async def habits_with_logs(owner: UUID) -> tuple[list[HabitRecord], dict[UUID, HabitLog]]:
    """All of an owner's habits, archived ones included, in list_habits order, with logs_for's logs."""
    if DB.engine_type != "postgres":
        records = await list_habits(owner, include_archived=True)
        return records, await logs_for([h.id for h in records])
    rows = await H.raw(_HABITS_WITH_LOGS_PG, owner)
    records, logs = [], {}
    horizon = _pause_horizon()
    for row in rows:
        record = _habit(row)
        records.append(record)
        days, totals = row["log_days"] or (), row["log_totals"] or ()
        pauses = zip(row["pause_firsts"] or (), row["pause_lasts"] or (), strict=True)
        logs[record.id] = with_pauses(HabitLog(dict(zip(days, map(float, totals), strict=True)),
                                               frozenset(row["log_skips"] or ())), pauses, horizon)
    return records, logs


def _uuid(value: Any) -> UUID:
    # Raw queries skip Piccolo's column conversion on SQLite, where UUIDs are text.
    return value if isinstance(value, UUID) else UUID(str(value))


def _date(value: Any) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value))


def _live_check_ins(ids: Sequence[UUID], start: date | None, end: date | None) -> tuple[list[str], list[Any]]:
    """WHERE terms and arguments for these habits' live check-ins with a day in [start, end]."""
    where = [f"habit IN {_in(ids)}", "undone_at IS NULL"]
    args: list[Any] = list(ids)
    if start is not None:
        where.append("day >= {}")
        args.append(start)
    if end is not None:
        where.append("day <= {}")
        args.append(end)
    return where, args


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
    where, args = _live_check_ins(ids, start, end)
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
    where, args = _live_check_ins(ids, start, end)
    rows = await C.raw(f"SELECT habit, COUNT(*) AS n FROM check_in WHERE {' AND '.join(where)} GROUP BY habit", *args)
    counts = {hid: 0 for hid in ids}
    counts.update({_uuid(r["habit"]): int(r["n"]) for r in rows})
    return counts


# -- skips

async def skip_exists(habit_id: UUID, day: date) -> bool:
    return await S.exists().where((S.habit == habit_id) & (S.day == day))


async def insert_skip(owner: UUID, habit_id: UUID, day: date, now: datetime) -> None:
    await S(id=uuid4(), owner=owner, habit=habit_id, day=day, created_at=now).save()
    await invalidate_from([habit_id], day)


async def delete_skip(habit_id: UUID, day: date) -> None:
    await S.delete().where((S.habit == habit_id) & (S.day == day))
    await invalidate_from([habit_id], day)


# -- pauses

async def insert_pause(owner: UUID, start: date, end: date, reason: str | None,
                       habit_ids: Sequence[UUID] | None, now: datetime) -> PauseRecord:
    pause_id = uuid4()
    await P(id=pause_id, owner=owner, from_day=start, to_day=end, reason=reason, all_habits=habit_ids is None,
            created_at=now).save()
    if habit_ids:
        await PH.insert(*(PH(id=uuid4(), pause=pause_id, habit=h) for h in habit_ids))
    # Its days become skips: the stored progress of its habits from its first day on no longer holds.
    if habit_ids is None:
        await invalidate_owner_from(owner, start)
    else:
        await invalidate_from(habit_ids, start)
    return PauseRecord(pause_id, owner, start, end, reason, None if habit_ids is None else tuple(habit_ids), now)


async def pauses_of(owner: UUID, pause_id: UUID | None = None) -> list[PauseRecord]:
    """The owner's pauses (or the one with this id), latest start first: two queries."""
    query = P.select().where(P.owner == owner)
    if pause_id is not None:
        query = query.where(P.id == pause_id)
    rows = await query.order_by(P.from_day, ascending=False).order_by(P.created_at, ascending=False)
    if not rows:
        return []
    links = await PH.select(PH.pause, PH.habit).where(PH.pause.is_in([r["id"] for r in rows]))
    linked: dict[UUID, list[UUID]] = defaultdict(list)
    for link in links:
        linked[link["pause"]].append(link["habit"])
    return [PauseRecord(r["id"], r["owner"], r["from_day"], r["to_day"], r["reason"],
                        None if r["all_habits"] else tuple(sorted(linked[r["id"]], key=str)), r["created_at"])
            for r in rows]


async def count_pauses(owner: UUID) -> int:
    return int(await P.count().where(P.owner == owner))


async def delete_pause(pause_id: UUID) -> None:
    pause = await P.select(P.owner, P.from_day, P.all_habits).where(P.id == pause_id).first()
    if pause is None:
        return
    # Its days count as logged again: the stored progress of its habits from its first day is void.
    if pause["all_habits"]:
        await invalidate_owner_from(pause["owner"], pause["from_day"])
    else:
        linked = [r["habit"] for r in await PH.select(PH.habit).where(PH.pause == pause_id)]
        await invalidate_from(linked, pause["from_day"])
    await PH.delete().where(PH.pause == pause_id)
    await P.delete().where(P.id == pause_id)



# -- stored progress (server/habits/checkpoints.py)
#
# Every write to a habit's days above (and in server/portability/repository.py) calls invalidate_from
# itself, so that no use case can forget it.

def _in(ids: Sequence[Any]) -> str:
    return f"({', '.join('{}' for _ in ids)})"


async def _lock_habits(ids: Sequence[UUID]) -> None:
    """Lock these habit rows in one order (by id) on PostgreSQL: two transactions each locking several
    of one owner's habits (a recompute storing checkpoints, a pause of every habit) then never wait on
    each other crosswise. Every writer locks its habit rows before its owner's row (the stale mark
    comes last), so habits-then-user is the one order (see progress.service). SQLite has one writer."""
    if DB.engine_type == "postgres" and ids:
        await H.raw(f"SELECT id FROM habit WHERE id IN {_in(ids)} ORDER BY id FOR NO KEY UPDATE", *ids)


async def invalidate_from(habit_ids: Sequence[UUID], day: date) -> None:
    """A change to these habits' days from `day` on (a check-in, an undo, a skip, a pause...) voids
    their checkpoints from `day` on; an INTERVAL habit's (without a total) all of them, since a
    check-in can slide Loop's intervals back through a whole chain of them.

    Call it in the write transaction of the change. It bumps each habit's checkpoint epoch first:
    that takes the habit rows' locks, so a recompute saving checkpoints computed from the log before
    this change either saves first (and this delete, a statement of its own, sees and removes them)
    or finds the epoch moved and saves nothing (save_checkpoints)."""
    ids = list(dict.fromkeys(habit_ids))
    if not ids:
        return
    await _lock_habits(ids)
    await H.raw(f"UPDATE habit SET checkpoint_epoch = checkpoint_epoch + 1 WHERE id IN {_in(ids)}", *ids)
    await K.raw(
        f"DELETE FROM habit_checkpoint WHERE habit IN {_in(ids)} AND (day >= {{}} OR habit IN "
        f"(SELECT id FROM habit WHERE id IN {_in(ids)} AND kind = 'BUILD' AND period = 'INTERVAL' "
        f"AND interval_total = {{}}))", *ids, day, *ids, False)


async def invalidate_days(days: Sequence[tuple[UUID, date]]) -> None:
    """invalidate_from for many (habit, day) changes at once (an import): each habit from its earliest."""
    earliest: dict[UUID, date] = {}
    for habit_id, day in days:
        earliest[habit_id] = min(earliest.get(habit_id, day), day)
    by_day: dict[date, list[UUID]] = defaultdict(list)
    for habit_id, day in earliest.items():
        by_day[day].append(habit_id)
    for day, ids in sorted(by_day.items()):
        await invalidate_from(ids, day)


async def invalidate_owner_from(owner: UUID, day: date) -> None:
    """invalidate_from for every habit of this owner (a change to all of their days, say "today" moving)."""
    rows = await H.select(H.id).where(H.owner == owner)
    await invalidate_from([r["id"] for r in rows], day)


def _checkpoint(row: dict[str, Any]) -> tuple[str, Checkpoint]:
    return row["rules"], Checkpoint(_date(row["day"]), float(row["strength"]), row["streak"], row["longest"],
                                    row["freezes"], row["run"], tally.from_json(row.get("tally")),
                                    row.get("days"))  # unpacked only if a read needs them (day_slices)


# What the walk resumes from; reads of long windows take the kept days too (the recompute never does).
_WALK_COLUMNS = "habit, day, rules, strength, streak, longest, freezes, run, tally"
_CHECKPOINT_COLUMNS = _WALK_COLUMNS + ", days"


async def checkpoints_between(habit_ids: Sequence[UUID], low: date,
                              high: date) -> dict[UUID, list[tuple[str, Checkpoint]]]:
    """Each habit's checkpoints (with their rules' digest) from `low` to before `high`, in day order."""
    found: dict[UUID, list[tuple[str, Checkpoint]]] = {hid: [] for hid in habit_ids}
    if not habit_ids:
        return found
    ids = list(habit_ids)
    rows = await K.raw(f"SELECT {_CHECKPOINT_COLUMNS} FROM habit_checkpoint WHERE habit IN {_in(ids)} "
                       "AND day >= {} AND day < {} ORDER BY habit, day", *ids, low, high)
    for row in rows:
        found[_uuid(row["habit"])].append(_checkpoint(row))
    return found


async def checkpoint_epochs(owner: UUID) -> dict[UUID, int]:
    """Each of the owner's habits' checkpoint epoch (see save_checkpoints)."""
    rows = await H.select(H.id, H.checkpoint_epoch).where(H.owner == owner)
    return {r["id"]: r["checkpoint_epoch"] for r in rows}


async def resume_checkpoints(habit_ids: Sequence[UUID], before: date) -> dict[UUID, list[tuple[str, Checkpoint]]]:
    """Each habit's latest checkpoint and its latest before `before` (the recompute continues its walk
    from the one, strength from the other), in day order: one statement, two index probes a habit,
    whatever the number of checkpoints."""
    found: dict[UUID, list[tuple[str, Checkpoint]]] = {hid: [] for hid in habit_ids}
    if not habit_ids:
        return found
    latest = f"SELECT * FROM (SELECT {_WALK_COLUMNS} FROM habit_checkpoint WHERE habit = {{}} "
    parts, args = [], []
    for hid in habit_ids:
        parts += [latest + "ORDER BY day DESC LIMIT 1) AS a", latest + "AND day < {} ORDER BY day DESC LIMIT 1) AS b"]
        args += [hid, hid, before]
    seen: set[tuple[UUID, date]] = set()
    for row in await K.raw(" UNION ALL ".join(parts), *args):
        hid, (digest, checkpoint) = _uuid(row["habit"]), _checkpoint(row)
        if (hid, checkpoint.day) not in seen:  # the latest may be the latest before `before` too
            seen.add((hid, checkpoint.day))
            found[hid].append((digest, checkpoint))
    for checkpoints in found.values():
        checkpoints.sort(key=lambda c: c[1].day)
    return found


@dataclass(frozen=True, slots=True)
class CheckpointUpdate:
    habit_id: UUID
    epoch: int  # the habit's checkpoint epoch read with the log the checkpoints come from
    rules: str  # checkpoints.digest of the rules they were computed under
    after: date | None  # replaces every checkpoint after this day (None: all of the habit's)
    checkpoints: Sequence[Checkpoint]


async def save_checkpoints(updates: Sequence[CheckpointUpdate]) -> int:
    """Store checkpoints for the habits whose epoch is still the one read with their log; returns how
    many were stored. Inside a write transaction: the epoch check locks the habit rows (see
    invalidate_from) until it commits."""
    updates = [u for u in updates if u.checkpoints or u.after is None]
    if not updates:
        return 0
    await _lock_habits([u.habit_id for u in updates])
    held_rows = await H.raw(
        "UPDATE habit SET checkpoint_epoch = checkpoint_epoch WHERE "
        + " OR ".join("(id = {} AND checkpoint_epoch = {})" for _ in updates) + " RETURNING id",
        *(v for u in updates for v in (u.habit_id, u.epoch)))
    held = {_uuid(r["id"]) for r in held_rows}
    updates = [u for u in updates if u.habit_id in held]
    for update in updates:
        if update.after is None:
            await K.delete().where(K.habit == update.habit_id)
        else:
            await K.delete().where((K.habit == update.habit_id) & (K.day > update.after))
    rows = [K(id=uuid4(), habit=u.habit_id, day=c.day, rules=u.rules, strength=c.strength, streak=c.streak,
              longest=c.longest, freezes=c.freezes, run=c.run,
              tally=tally.to_json(c.tally) if c.tally is not None else None,
              days=day_slices.pack(c.days) if isinstance(c.days, DaySlice) else c.days)
            for u in updates for c in u.checkpoints]
    if rows:
        await K.insert(*rows)
    return len(rows)


# logs_since on PostgreSQL: one row per habit with its days, totals, skips and pauses from its bound
# on as arrays (as _HABITS_WITH_LOGS_PG reads them), which asyncpg decodes far faster than a row a day.
_LOGS_SINCE_PG = (
    "SELECT b.habit, l.days, l.totals, k.skips, q.firsts, q.lasts "
    "FROM unnest({}::uuid[], {}::date[]) AS b(habit, low) JOIN habit h ON h.id = b.habit "
    "LEFT JOIN LATERAL (SELECT array_agg(g.day) AS days, array_agg(g.total) AS totals FROM "
    "(SELECT c.day, SUM(c.quantity ORDER BY c.occurred_at, c.id) AS total FROM check_in c "
    "WHERE c.habit = b.habit AND c.undone_at IS NULL AND c.day >= COALESCE(b.low, '-infinity'::date) "
    "GROUP BY c.day) g) l ON true "
    "LEFT JOIN LATERAL (SELECT array_agg(s.day) AS skips FROM habit_skip s "
    "WHERE s.habit = b.habit AND s.day >= COALESCE(b.low, '-infinity'::date)) k ON true "
    "LEFT JOIN LATERAL (SELECT array_agg(p.from_day) AS firsts, array_agg(p.to_day) AS lasts FROM pause p "
    f"WHERE {_PAUSES_OF_HABIT} AND p.to_day >= COALESCE(b.low, '-infinity'::date)) q ON true"
)


async def _logs_since_pg(bounds: Mapping[UUID, date | None]) -> dict[UUID, HabitLog]:
    ids = list(bounds)
    rows = await H.raw(_LOGS_SINCE_PG, ids, [bounds[hid] for hid in ids])
    horizon = _pause_horizon()
    logs = {hid: HabitLog({}) for hid in ids}
    for row in rows:
        days, totals = row["days"] or (), row["totals"] or ()
        pauses = zip(row["firsts"] or (), row["lasts"] or (), strict=True)
        logs[_uuid(row["habit"])] = with_pauses(HabitLog(dict(zip(days, map(float, totals), strict=True)),
                                                         frozenset(row["skips"] or ())), pauses, horizon)
    return logs


async def logs_since(bounds: Mapping[UUID, date | None]) -> dict[UUID, HabitLog]:
    """Each habit's per-day totals and skips from its bound on (None: all of them), as logs_for reads
    them, in one statement: a read continuing from a checkpoint needs only the days after it (and the
    few its windows reach back to), however long the history."""
    if not bounds:
        return {}
    if DB.engine_type == "postgres":
        return await _logs_since_pg(bounds)
    return await logs_since_rows(bounds)


async def logs_since_rows(bounds: Mapping[UUID, date | None]) -> dict[UUID, HabitLog]:
    """logs_since as a row a day, on either engine (SQLite's way; the test of the PostgreSQL way)."""
    if not bounds:
        return {}
    groups: dict[date | None, list[UUID]] = defaultdict(list)
    for hid, bound in bounds.items():
        groups[bound].append(hid)
    clauses: list[str] = []
    args: list[Any] = []
    for bound, ids in groups.items():
        if bound is None:
            clauses.append(f"habit IN {_in(ids)}")
            args += ids
        else:
            clauses.append(f"(habit IN {_in(ids)} AND day >= {{}})")
            args += [*ids, bound]
    where = " OR ".join(clauses)
    # The pauses reaching into each habit's window (a pause is a span of skipped days: pauses.py).
    pause_where = " OR ".join(c.replace("habit IN", "h.id IN").replace("day >=", "p.to_day >=") for c in clauses)
    rows = await C.raw(
        f"SELECT habit, day, {_DAY_TOTAL} AS total, 0 AS skipped, NULL AS last_day FROM check_in "
        f"WHERE undone_at IS NULL AND ({where}) GROUP BY habit, day "
        f"UNION ALL SELECT habit, day, NULL AS total, 1 AS skipped, day AS last_day FROM habit_skip WHERE {where} "
        f"UNION ALL SELECT h.id AS habit, p.from_day AS day, NULL AS total, 1 AS skipped, p.to_day AS last_day "
        f"FROM habit h JOIN pause p ON {_PAUSES_OF_HABIT} WHERE {pause_where}",
        *args, *args, *args)
    quantities: dict[UUID, dict[date, float]] = defaultdict(dict)
    skipped: dict[UUID, list[tuple[date, date]]] = defaultdict(list)
    for row in rows:
        hid, day = _uuid(row["habit"]), _date(row["day"])
        if row["skipped"]:
            skipped[hid].append((day, _date(row["last_day"])))
        else:
            quantities[hid][day] = float(row["total"])
    horizon = _pause_horizon()
    return {hid: with_pauses(HabitLog(quantities.get(hid, {})), skipped.get(hid, ()), horizon) for hid in bounds}
