"""The recompute's faster reads and bookkeeping say exactly what the plain queries say (issue 8).

On PostgreSQL `habits_with_logs` is one lateral query; on SQLite it is list_habits + logs_for
themselves. `finish` is one UPDATE, a compare-and-set on the stale version.
"""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta
from uuid import UUID, uuid4

from server.accounts import tables as accounts
from server.engine.unit_of_work import write_transaction
from server.habits import repository as habits
from server.habits import tables
from server.progress import repository as progress

NOW = datetime(2026, 3, 10, 12, tzinfo=UTC)


async def _user() -> UUID:
    uid = uuid4()
    await accounts.User(id=uid, email=f"{uid.hex[:12]}@example.com", password_hash="x", timezone="UTC",
                        day_start_hour=0, created_at=NOW - timedelta(days=90)).save()
    return uid


async def _habit(owner: UUID, created: datetime, archived: datetime | None = None, weekdays: str = "") -> UUID:
    hid = uuid4()
    await tables.Habit(id=hid, owner=owner, name="h", category="READING", kind="BUILD",
                       period="WEEKDAYS" if weekdays else "DAILY", weekdays=weekdays, target_quantity=2.5,
                       unit="pages", start_date=created.date(), created_at=created, archived_at=archived).save()
    return hid


async def _history(owner: UUID, habit: UUID, rng: random.Random) -> None:
    rows = []
    for back in range(60):
        day = NOW.date() - timedelta(days=back)
        for _ in range(rng.choice([0, 0, 1, 1, 2, 3])):  # several check-ins a day are summed
            at = datetime(day.year, day.month, day.day, rng.randrange(24), tzinfo=UTC)
            rows.append(tables.CheckIn(id=uuid4(), owner=owner, habit=habit, occurred_at=at, day=day,
                                       quantity=rng.choice([0.1, 0.7, 1.0, 2.5, 3.3]), source="API", created_at=at,
                                       undone_at=NOW if rng.random() < 0.15 else None))
        if rng.random() < 0.1:
            await tables.HabitSkip(id=uuid4(), owner=owner, habit=habit, day=day, created_at=NOW).save()
    if rows:
        await tables.CheckIn.insert(*rows)


async def test_habits_with_logs_matches_list_habits_and_logs_for() -> None:
    rng = random.Random(3)
    me, other = await _user(), await _user()
    mine = [await _habit(me, NOW - timedelta(days=50)), await _habit(me, NOW - timedelta(days=20), weekdays="1,3,5"),
            await _habit(me, NOW - timedelta(days=40), archived=NOW - timedelta(days=5)),
            await _habit(me, NOW - timedelta(days=3))]  # the last one has no history at all
    for hid in mine[:3]:
        await _history(me, hid, rng)
    await _history(other, await _habit(other, NOW - timedelta(days=30)), rng)
    # pauses: one of every habit of mine, one of two of my habits, one of the other user's (not mine)
    for owner, linked, first, last in ((me, None, 12, 9), (me, mine[1:3], 30, 25), (other, None, 8, 2)):
        pid = uuid4()
        await tables.Pause(id=pid, owner=owner, from_day=NOW.date() - timedelta(days=first),
                           to_day=NOW.date() - timedelta(days=last), all_habits=linked is None, created_at=NOW).save()
        for hid in linked or ():
            await tables.PauseHabit(id=uuid4(), pause=pid, habit=hid).save()

    records, logs = await habits.habits_with_logs(me)

    expected = await habits.list_habits(me, include_archived=True)
    assert records == expected and [r.id for r in records] != [] and len(records) == 4
    assert logs == await habits.logs_for([r.id for r in expected])
    assert logs[mine[3]].quantities == {}
    assert logs[mine[3]].skips == {NOW.date() - timedelta(days=d) for d in range(9, 13)}
    assert {NOW.date() - timedelta(days=d) for d in range(25, 31)} <= logs[mine[1]].skips
    assert all(isinstance(d, date) and isinstance(q, float) for log in logs.values() for d, q in log.quantities.items())


async def test_finish_clears_the_stale_mark_only_for_the_version_read_and_never_goes_back() -> None:
    U = accounts.User
    uid = await _user()
    # given a user made stale by two changes (versions 1 and 2)
    for _ in range(2):
        async with write_transaction() as uow:
            uow.mark_stale(uid)

    async def row() -> tuple[int, int, bool, date | None]:
        r = await U.select(U.stale_version, U.derived_version, U.stale_since, U.derived_for).where(U.id == uid).first()
        assert r is not None
        return r["stale_version"], r["derived_version"], r["stale_since"] is not None, r["derived_for"]

    assert await row() == (2, 0, True, None)
    # a recompute that read version 1 records it, but the user stays stale (version 2 came after)
    assert await progress.finish(uid, 1, NOW.date()) == 2
    assert await row() == (2, 1, True, NOW.date())
    # one that read version 2 brings the user up to date
    assert await progress.finish(uid, 2, NOW.date() + timedelta(days=1)) == 2
    assert await row() == (2, 2, False, NOW.date() + timedelta(days=1))
    # one that read version 1 and finishes last records nothing: what is stored is newer
    assert await progress.finish(uid, 1, NOW.date()) is None
    assert await row() == (2, 2, False, NOW.date() + timedelta(days=1))
    # a recompute of an up-to-date user (the same version again) keeps it so
    assert await progress.finish(uid, 2, NOW.date() + timedelta(days=1)) == 2
    assert await row() == (2, 2, False, NOW.date() + timedelta(days=1))


async def test_logs_since_reads_what_logs_for_reads_from_each_bound_on() -> None:
    """logs_since (an array per habit on PostgreSQL, a row a day on SQLite): each habit's days from its
    bound on as logs_for has them, skips and pauses reaching into them included."""
    rng = random.Random(7)
    me = await _user()
    mine = [await _habit(me, NOW - timedelta(days=50)), await _habit(me, NOW - timedelta(days=20), weekdays="1,3,5"),
            await _habit(me, NOW - timedelta(days=40), archived=NOW - timedelta(days=5)),
            await _habit(me, NOW - timedelta(days=3))]
    for hid in mine[:3]:
        await _history(me, hid, rng)
    for linked, first, last in ((None, 12, 9), (mine[1:3], 30, 25), (mine[:1], 45, 41)):
        pid = uuid4()
        await tables.Pause(id=pid, owner=me, from_day=NOW.date() - timedelta(days=first),
                           to_day=NOW.date() - timedelta(days=last), all_habits=linked is None, created_at=NOW).save()
        for hid in linked or ():
            await tables.PauseHabit(id=uuid4(), pause=pid, habit=hid).save()
    bounds = {mine[0]: NOW.date() - timedelta(days=43), mine[1]: None, mine[2]: NOW.date() - timedelta(days=10),
              mine[3]: NOW.date() - timedelta(days=1)}

    got = await habits.logs_since(bounds)

    assert got == await habits.logs_since_rows(bounds)
    whole = await habits.logs_for(mine)
    for hid, bound in bounds.items():
        low = bound or date.min
        assert {d: q for d, q in got[hid].quantities.items() if d >= low} == {
            d: q for d, q in whole[hid].quantities.items() if d >= low}
        assert {d for d in got[hid].skips if d >= low} == {d for d in whole[hid].skips if d >= low}
    assert any(d < bounds[mine[0]] for d in got[mine[0]].skips)  # a pause reaching into the window: all its days
