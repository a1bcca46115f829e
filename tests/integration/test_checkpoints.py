"""Stored checkpoints through the API: reads continue from them, and back-dated changes never leave a
stale answer (issue 13). The pure equivalence is tests/unit/habits/test_checkpoints.py."""

from __future__ import annotations

import json
import random
from datetime import date, timedelta
from typing import Any

import pytest

from server import clock
from server.database import count_queries
from server.habits import repository, service, tables, tally
from server.habits.checkpoints import Checkpoint, extend
from server.habits.model import Category, Kind, Period, Schedule
from server.habits.records import HabitRecord
from server.habits.summary import read
from server.progress import repository as progress_repository
from server.progress import service as progress
from tests import factories
from tests.integration.api import Api

READ = """query($id: ID!, $f: Date!, $t: Date!, $sf: Date!) { habit(id: $id) {
  currentStreak longestStreak strength doneToday freezesHeld
  daySeries(from: $f, to: $t) { statuses quantities }
  strengthSeries(from: $sf, to: $t) { from to values } } }"""

SCHEDULES = [
    ("Daily", Kind.BUILD, Schedule(Period.DAILY), 1.0, None),
    ("Weekdays", Kind.BUILD, Schedule(Period.WEEKDAYS, (1, 3, 5)), 1.0, None),
    ("Weekly", Kind.BUILD, Schedule(Period.WEEKLY, times_per_week=3), 1.0, None),
    ("Interval", Kind.BUILD, Schedule(Period.INTERVAL, times=2, days=5), 1.0, None),
    ("Monthly", Kind.BUILD, Schedule(Period.INTERVAL, times=3, days=30), 1.0, None),
    ("Total", Kind.BUILD, Schedule(Period.INTERVAL, times=1, days=7, total=True), 5.0, None),
    ("Quit", Kind.QUIT, Schedule(Period.DAILY), 1.0, 1.0),
]


async def _long_history(me: factories.User, today: date, days: int = 420) -> list[HabitRecord]:
    """Habits of every kind with `days` days of patchy history (runs of done and missed days, skips)."""
    rng = random.Random(13)
    start = today - timedelta(days=days)
    made = []
    for name, kind, schedule, target, limit in SCHEDULES:
        habit = await service.create_habit(me.viewer, service.HabitInput(
            name=name, category=Category.WORKOUT, kind=kind, schedule=schedule, target_quantity=target,
            start_date=start, daily_limit=limit))
        await factories.patchy_history(me, habit, today, rng, longest_run=12, marks="xx.s")
        made.append(habit)
    return made


async def _api_reads(api: Api, habit: HabitRecord, today: date) -> dict[str, Any]:
    # a year's heatmap and 400 days of strength: read mostly from the days the checkpoints keep
    variables = {"id": str(habit.id), "f": (today - timedelta(days=370)).isoformat(), "t": today.isoformat(),
                 "sf": (today - timedelta(days=399)).isoformat()}
    got: dict[str, Any] = (await api.data(READ, variables))["habit"]
    return got


async def _replayed(habit: HabitRecord, today: date) -> dict[str, Any]:
    """The same fields from a replay of the whole log, from start_date, as stored now."""
    log = (await repository.logs_for([habit.id]))[habit.id]
    reading = read(habit.rules, log, today)
    summary = reading.summary()
    days = reading.days(today - timedelta(days=370), today)
    return {
        "currentStreak": summary.current_streak, "longestStreak": summary.longest_streak,
        "strength": round(summary.strength, 4), "doneToday": summary.done_today, "freezesHeld": summary.freezes_held,
        "daySeries": {"statuses": [d.status.value for d in days], "quantities": [d.quantity for d in days]},
        "strengthSeries": {"from": (today - timedelta(days=399)).isoformat(), "to": today.isoformat(),
                           "values": [round(v, 4) for v in reading.strengths(today - timedelta(days=399), today)]},
    }


async def _stored(habit_id: Any) -> list[date]:
    rows = await tables.HabitCheckpoint.select(tables.HabitCheckpoint.day).where(
        tables.HabitCheckpoint.habit == habit_id).order_by(tables.HabitCheckpoint.day)
    return [r["day"] for r in rows]


async def test_reads_after_back_dated_changes_equal_a_fresh_replay(api: Api) -> None:
    # given a user with 14 months of every kind of habit, checkpointed by the recompute
    me = await factories.user()
    api.as_user(me)
    today = me.account.today(clock.now())
    habits = await _long_history(me, today)
    await progress.recompute_user(me.id)
    for habit in habits:
        assert len(await _stored(habit.id)) >= 13
        assert await _api_reads(api, habit, today) == await _replayed(habit, today), habit.name

    # when changes land far back: a check-in, an undo, a skip and an unskip, on each habit
    for n, habit in enumerate(habits):
        back = today - timedelta(days=300 - 20 * n)
        check_in = await factories.check_in(me, habit.id, occurred_at=clock.now() - (today - back))
        await service.set_skipped(me.viewer, habit.id, back - timedelta(days=40), True)
        await service.undo_check_in(me.viewer, check_in.id) if n % 2 else None
        await service.set_skipped(me.viewer, habit.id, back - timedelta(days=40), n % 3 != 0)
        # then the checkpoints the change touched are gone (the recompute may not have run yet)...
        stored = await _stored(habit.id)
        if habit.schedule.period is Period.INTERVAL and not habit.schedule.total:
            assert stored == [] or len(stored) >= 13  # all dropped, or already rebuilt by the recompute
        else:
            assert all(d < back - timedelta(days=40) for d in stored) or len(stored) >= 13

    # ...and every read equals a replay, before the recompute and after it rebuilt the checkpoints
    for habit in habits:
        assert await _api_reads(api, habit, today) == await _replayed(habit, today), habit.name
    await progress.recompute_user(me.id)
    for habit in habits:
        assert len(await _stored(habit.id)) >= 13
        assert await _api_reads(api, habit, today) == await _replayed(habit, today), habit.name


async def test_reads_continue_from_the_stored_checkpoint(api: Api) -> None:
    # given a daily habit checkpointed by the recompute
    me = await factories.user()
    api.as_user(me)
    today = me.account.today(clock.now())
    start = today - timedelta(days=120)
    habit = await factories.habit(me, start_date=start)
    await factories.history(me, habit.id, [start + timedelta(days=i) for i in range(120)])
    await progress.recompute_user(me.id)
    honest = await _api_reads(api, habit, today)
    assert honest["currentStreak"] == 120
    # when the last checkpoint is tampered with (a wrong streak, written straight into the table)
    last = (await _stored(habit.id))[-1]
    K = tables.HabitCheckpoint
    await K.update({K.streak: 1000, K.longest: 1000}).where((K.habit == habit.id) & (K.day == last))
    # then the read continued from it instead of replaying: the proof that reads use checkpoints
    streak = "query($id: ID!) { habit(id: $id) { currentStreak } }"
    got = (await api.data(streak, {"id": str(habit.id)}))["habit"]["currentStreak"]
    assert got == 1000 + (today - last).days - 1  # today is not done yet
    # and a change on that day voids it: the answer is the replay's again
    await service.set_skipped(me.viewer, habit.id, last, True)
    await service.set_skipped(me.viewer, habit.id, last, False)
    assert await _api_reads(api, habit, today) == honest


async def test_long_windows_read_the_days_checkpoints_keep(api: Api) -> None:
    # given a daily habit done every day for 14 months, checkpointed by the recompute
    me = await factories.user()
    api.as_user(me)
    today = me.account.today(clock.now())
    start = today - timedelta(days=420)
    habit = await factories.habit(me, start_date=start)
    await factories.history(me, habit.id, [start + timedelta(days=i) for i in range(420)])
    await progress.recompute_user(me.id)
    # when a day the first checkpoint keeps is tampered with (written straight into the table)
    K = tables.HabitCheckpoint
    [row] = await K.select(K.day, K.days).where(K.habit == habit.id).order_by(K.day).limit(1)
    kept = json.loads(row["days"])
    assert kept["first"] == start.isoformat() and kept["statuses"][:3] == "DDD"
    kept["statuses"] = "M" + kept["statuses"][1:]
    await K.update({K.days: json.dumps(kept)}).where((K.habit == habit.id) & (K.day == row["day"]))
    query = "query($id: ID!, $f: Date!, $t: Date!) { habit(id: $id) { daySeries(from: $f, to: $t) { statuses } } }"
    variables = {"id": str(habit.id), "f": start.isoformat(), "t": (start + timedelta(days=2)).isoformat()}
    # then a year's window reads it instead of walking the log: the proof that reads use the kept days
    with count_queries() as counter:
        got = (await api.data(query, variables))["habit"]["daySeries"]["statuses"]
    assert got == ["MISSED", "DONE", "DONE"]
    assert counter.count == 4  # token, habit, checkpoints, the log from the latest one on
    # and a change on that day voids it: the answer is the replay's again
    await service.set_skipped(me.viewer, habit.id, start, True)
    await service.set_skipped(me.viewer, habit.id, start, False)
    assert (await api.data(query, variables))["habit"]["daySeries"]["statuses"] == ["DONE"] * 3


async def test_a_checkpoint_of_other_rules_is_never_read(api: Api) -> None:
    # given a checkpointed daily habit whose target then changes
    me = await factories.user()
    api.as_user(me)
    today = me.account.today(clock.now())
    start = today - timedelta(days=100)
    habit = await factories.habit(me, start_date=start)
    await factories.history(me, habit.id, [start + timedelta(days=i) for i in range(0, 100, 2)])
    await progress.recompute_user(me.id)
    assert await _stored(habit.id)
    changed = await service.update_habit(me.viewer, habit.id, service.HabitInput(target_quantity=2.0))
    # then reads are the new rules' replay (the stored checkpoints carry the old rules' digest)
    assert await _api_reads(api, changed, today) == await _replayed(changed, today)


async def test_the_dashboard_of_a_long_history_costs_the_same_statements(api: Api) -> None:
    me = await factories.user()
    api.as_user(me)
    today = me.account.today(clock.now())
    start = today - timedelta(days=3 * 365)
    for i in range(3):
        habit = await factories.habit(me, f"Habit {i}", start_date=start)
        await factories.history(me, habit.id, [start + timedelta(days=d) for d in range(0, 3 * 365, 1 + i)])
    query = """query($f: Date!, $t: Date!) { habits { id currentStreak longestStreak strength doneToday
      daySeries(from: $f, to: $t) { statuses quantities } } }"""
    variables = {"f": (today - timedelta(days=29)).isoformat(), "t": today.isoformat()}
    with count_queries() as before:
        replayed = await api.data(query, variables)
    await progress.recompute_user(me.id)
    with count_queries() as after:
        resumed = await api.data(query, variables)
    # token, habits, checkpoints, the log from them on (totals and skips in one statement)
    assert before.count == after.count == 4
    assert resumed == replayed


async def test_a_change_landing_under_the_recompute_leaves_no_stale_checkpoint(
        api: Api, monkeypatch: pytest.MonkeyPatch) -> None:
    # given a daily habit with four months of history and no checkpoints yet
    me = await factories.user()
    api.as_user(me)
    today = me.account.today(clock.now())
    start = today - timedelta(days=120)
    habit = await factories.habit(me, start_date=start)
    await factories.history(me, habit.id, [start + timedelta(days=i) for i in range(0, 120, 3)])
    real = progress_repository.read_activity
    back = start + timedelta(days=10)

    async def change_midway(account: Any, today: Any, first: Any) -> Any:
        read = await real(account, today, first)
        if back not in read.activity.habits[0].log.quantities:
            # a back-dated check-in commits after the recompute read the log it computes from
            await factories.check_in(me, habit.id, occurred_at=clock.now() - (today - back))
        return read

    monkeypatch.setattr(progress_repository, "read_activity", change_midway)
    # when the recompute runs under it (and again, as its job would, since the user is stale again)
    await progress.recompute_user(me.id)
    monkeypatch.undo()
    # then nothing was stored from the old log: the epoch had moved
    assert await _stored(habit.id) == []
    await progress.recompute_user(me.id)
    log = (await repository.logs_for([habit.id]))[habit.id]
    assert back in log.quantities
    K = tables.HabitCheckpoint
    rows = await K.select(K.day, K.strength, K.streak, K.longest, K.freezes, K.run, K.tally).where(
        K.habit == habit.id).order_by(K.day)
    assert [Checkpoint(**(r | {"tally": tally.from_json(r["tally"])})) for r in rows] == extend(
        habit.rules, log, today, None)
    assert await _api_reads(api, habit, today) == await _replayed(habit, today)


async def test_pauses_declared_or_called_off_after_checkpoints_are_read_as_skips(api: Api) -> None:
    """A pause's days become skips far back in a checkpointed history (and stop being skips when it
    is called off): reads equal a replay each time, before and after the recompute."""
    from server.habits import pause_service

    me = await factories.user()
    api.as_user(me)
    today = me.account.today(clock.now())
    habits = await _long_history(me, today)
    await progress.recompute_user(me.id)
    some = await pause_service.create_pause(me.viewer, [habits[0].id, habits[3].id], today - timedelta(days=200),
                                            today - timedelta(days=170), "illness")
    every = await pause_service.create_pause(me.viewer, None, today - timedelta(days=90), today - timedelta(days=60),
                                             "holiday")
    for habit in habits:
        assert await _api_reads(api, habit, today) == await _replayed(habit, today), habit.name
    await progress.recompute_user(me.id)
    for habit in habits:
        assert await _api_reads(api, habit, today) == await _replayed(habit, today), habit.name
    await pause_service.delete_pause(me.viewer, some.id)
    await pause_service.delete_pause(me.viewer, every.id)
    for habit in habits:
        assert await _api_reads(api, habit, today) == await _replayed(habit, today), habit.name
    # the replay itself saw the pauses: with them, the daily habit's days 90-60 back were SKIPPED
