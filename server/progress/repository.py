"""Queries of the background engine: a user's whole activity, and the stale bookkeeping."""

from __future__ import annotations

from datetime import date, datetime
from uuid import UUID

from server.accounts import tables as accounts
from server.accounts.model import Account
from server.activity import Activity, HabitActivity, JournalActivity
from server.database import concurrently
from server.habits import repository as habits
from server.journal import repository as journal

U = accounts.User


async def load_activity(account: Account, today: date) -> Activity:
    """Everything the pure rules need about one user, whatever the history length: 2 queries on
    PostgreSQL (run concurrently), 4 on SQLite."""
    (records, logs), entries = await concurrently(habits.habits_with_logs(account.id), journal.activity(account.id))

    def local(at: datetime) -> date:
        return account.today(at)

    return Activity(
        today=today,
        signed_up_on=local(account.created_at),
        habits=tuple(
            HabitActivity(id=h.id, name=h.name, category=h.category, rules=h.rules, log=logs[h.id],
                          created_on=local(h.created_at),
                          archived_on=local(h.archived_at) if h.archived_at else None, unit=h.unit)
            for h in records),
        journal=tuple(JournalActivity(day=d, step_key=k) for d, k in entries),
    )


async def finish(account_id: UUID, started_at: datetime, today: date) -> None:
    """Record the day derived for, and clear the stale mark unless something changed after this
    recompute started: one statement, atomic on its own."""
    await U.raw(
        "UPDATE app_user SET derived_for = {}, "
        "stale_since = CASE WHEN stale_since <= {} THEN NULL ELSE stale_since END WHERE id = {}",
        today, started_at, account_id)


async def still_stale(account_id: UUID) -> bool:
    return await U.exists().where((U.id == account_id) & U.stale_since.is_not_null())


async def stale_users(older_than: datetime, limit: int) -> list[UUID]:
    rows = await U.select(U.id).where(U.stale_since.is_not_null() & (U.stale_since <= older_than)).order_by(
        U.stale_since).limit(limit)
    return [r["id"] for r in rows]


async def day_boundaries() -> list[tuple[str, int]]:
    """The distinct (time zone, day start) pairs in use: the roll-over works per pair, set-based."""
    rows = await U.select(U.timezone, U.day_start_hour).distinct()
    return [(r["timezone"], r["day_start_hour"]) for r in rows]


async def mark_rolled_over(timezone: str, day_start_hour: int, today: date, now: datetime) -> None:
    """Users of this zone whose derived state is from an earlier day become stale."""
    await U.update({U.stale_since: now}).where(
        (U.timezone == timezone) & (U.day_start_hour == day_start_hour) & U.stale_since.is_null()
        & (U.derived_for.is_null() | (U.derived_for < today)))

