"""stale_from, the earliest day pending changes may alter: each use case marks from the day it
changes (or everything), marks merge to the earliest within a
transaction and across transactions (in SQL), a mark without a day means the whole window, and a
recompute clears it only if no change landed meanwhile (issue 13)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable
from datetime import UTC, date, datetime, timedelta
from uuid import UUID, uuid4

import pytest

from server import clock
from server.accounts import repository as account_store
from server.accounts import service as accounts
from server.accounts import tables as account_tables
from server.engine import unit_of_work
from server.engine.unit_of_work import write_transaction
from server.habits import pause_service
from server.habits import service as habits
from server.journal import service as journal
from server.progress import repository as progress
from tests import factories

DAY = date(2026, 1, 20)


@pytest.fixture
async def user() -> AsyncIterator[UUID]:
    uid = uuid4()
    await account_tables.User(id=uid, email=f"{uid.hex[:12]}@example.com", password_hash="x", timezone="UTC",
                        day_start_hour=0, created_at=datetime(2026, 1, 1, tzinfo=UTC)).save()
    yield uid
    unit_of_work.set_stale_handler(None)


async def _stale_from(uid: UUID) -> tuple[int, date | None]:
    found = await account_store.get_account_and_versions(uid)
    assert found is not None
    return found[1].stale, found[1].stale_from


async def _mark(uid: UUID, *days: date | None) -> None:
    async with write_transaction() as uow:
        for day in days:
            uow.mark_stale(uid, from_day=day)


async def test_marks_in_one_transaction_merge_to_the_earliest(user: UUID) -> None:
    await _mark(user, date(2026, 1, 12), date(2026, 1, 5), date(2026, 1, 9))
    assert await _stale_from(user) == (1, date(2026, 1, 5))


async def test_a_mark_without_a_day_in_one_transaction_means_everything(user: UUID) -> None:
    await _mark(user, date(2026, 1, 12), None, date(2026, 1, 9))
    assert await _stale_from(user) == (1, None)


async def test_marks_of_several_transactions_merge_to_the_earliest(user: UUID) -> None:
    await _mark(user, date(2026, 1, 12))
    await _mark(user, date(2026, 1, 15))  # later: the pending earlier day stays
    assert await _stale_from(user) == (2, date(2026, 1, 12))
    await _mark(user, date(2026, 1, 3))
    assert await _stale_from(user) == (3, date(2026, 1, 3))
    await _mark(user, None)
    await _mark(user, date(2026, 1, 1))  # a day after a mark of everything: still everything
    assert await _stale_from(user) == (5, None)


async def test_a_recompute_that_caught_up_clears_it_and_the_next_mark_starts_afresh(user: UUID) -> None:
    await _mark(user, date(2026, 1, 3))
    assert await progress.finish(user, 1, DAY) == 1
    assert await _stale_from(user) == (1, None)
    await _mark(user, date(2026, 1, 18))  # fresh before: its own day, not the cleared one's
    assert await _stale_from(user) == (2, date(2026, 1, 18))


async def test_a_change_that_landed_during_a_recompute_keeps_the_earliest_pending_day(user: UUID) -> None:
    await _mark(user, date(2026, 1, 10))
    # a recompute reads version 1 (from Jan 10); meanwhile a change from Jan 14 commits
    await _mark(user, date(2026, 1, 14))
    assert await progress.finish(user, 1, DAY) == 2
    # then the user is still stale from Jan 10: what the recompute read may predate the second change
    assert await _stale_from(user) == (2, date(2026, 1, 10))


async def test_the_roll_over_marks_from_the_new_today_merged_with_pending_days(user: UUID) -> None:
    now = datetime(2026, 1, 21, 1, tzinfo=UTC)
    assert await progress.finish(user, 0, DAY) is not None  # derived for Jan 20, up to date
    assert [r[0] for r in await progress.mark_rolled_over("UTC", 0, date(2026, 1, 21), now)] == [user]
    assert await _stale_from(user) == (1, date(2026, 1, 21))
    await _mark(user, date(2026, 1, 19))
    assert await progress.mark_rolled_over("UTC", 0, date(2026, 1, 22), now)
    assert await _stale_from(user) == (3, date(2026, 1, 19))


async def test_each_use_case_marks_from_the_earliest_day_its_change_may_alter() -> None:
    me = await factories.user()
    today = me.account.today(clock.now())
    ago = [today - timedelta(days=n) for n in range(60)]

    async def marked_by(change: Awaitable[object]) -> date | None:
        found = await account_store.get_account_and_versions(me.id)
        assert found is not None
        await progress.finish(me.id, found[1].stale, today)  # up to date: the next mark is the change's own
        await change
        after = await account_store.get_account_and_versions(me.id)
        assert after is not None and after[1].stale == found[1].stale + 1
        return after[1].stale_from

    walk = await factories.habit(me, start_date=ago[50])
    assert await marked_by(factories.habit(me, "Read", start_date=ago[40])) == ago[40]
    check_in = await factories.check_in(me, walk.id, occurred_at=clock.now() - timedelta(days=30))
    assert check_in.day == ago[30]
    assert await marked_by(factories.check_in(me, walk.id, occurred_at=clock.now() - timedelta(days=20))) == ago[20]
    assert await marked_by(habits.undo_check_in(me.viewer, check_in.id)) == ago[30]
    assert await marked_by(habits.set_skipped(me.viewer, walk.id, ago[12], True)) == ago[12]
    assert await marked_by(habits.set_skipped(me.viewer, walk.id, ago[12], False)) == ago[12]
    assert await marked_by(factories.history(me, walk.id, [ago[9], ago[33]], skips=[ago[35]])) == ago[35]
    pause = await pause_service.create_pause(me.viewer, [walk.id], ago[25], ago[15], None)
    assert await marked_by(pause_service.delete_pause(me.viewer, pause.id)) == ago[25]
    assert await marked_by(pause_service.create_pause(me.viewer, None, ago[8], ago[2], None)) == ago[8]
    entry = await journal.create_entry(me.viewer, "a day", None, None)
    assert entry.day == today
    assert await marked_by(journal.update_entry(me.viewer, entry.id, "another", None)) == today
    assert await marked_by(journal.delete_entry(me.viewer, entry.id)) == today
    assert await marked_by(habits.update_habit(me.viewer, walk.id, habits.HabitInput(name="Stroll"))) == today
    assert await marked_by(habits.update_habit(me.viewer, walk.id, habits.HabitInput(target_quantity=2.0))) is None
    assert await marked_by(habits.set_archived(me.viewer, walk.id, True)) is None
    assert await marked_by(habits.set_archived(me.viewer, walk.id, False)) is None
    assert await marked_by(accounts.update_profile(me.viewer, None, None, "Me")) == today
    assert await marked_by(accounts.update_profile(me.viewer, "Europe/Berlin", None, None)) is None
    assert await marked_by(habits.delete_habit(me.viewer, walk.id)) is None
