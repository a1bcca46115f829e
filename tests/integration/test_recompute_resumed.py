"""The recompute continued from stored checkpoints stores exactly what a recompute from scratch stores
(issue 13), on the real database (both engines): confidence days, awards, unlocked steps and the
checkpoints themselves, after back-dated changes, skips and pauses; and it costs the same statements
for three years of history as for thirty days. The pure equivalence is tests/unit/progress/test_derive.py."""

from __future__ import annotations

import random
from datetime import date, timedelta
from typing import Any
from uuid import UUID

import pytest

from server import clock
from server.achievements.tables import AchievementAward
from server.confidence.score import confidence_history
from server.confidence.tables import ConfidenceDay
from server.database import count_queries
from server.habits import pause_service, repository, service, tables
from server.habits.model import Category, Kind, Period, Schedule
from server.habits.records import HabitRecord
from server.journal import service as journal
from server.program.tables import StepUnlock
from server.progress import repository as progress_repository
from server.progress import service as progress
from server.progress.derive import FROM_START, derive
from server.progress.service import HISTORY_DAYS
from tests import factories

# name, category, kind, schedule, target, unit, daily limit
HABITS = [
    ("Run", Category.WORKOUT, Kind.BUILD, Schedule(Period.DAILY), 1.0, None, None),
    ("Read", Category.READING, Kind.BUILD, Schedule(Period.DAILY), 10.0, "pages", None),
    ("Floss", Category.HYGIENE, Kind.BUILD, Schedule(Period.WEEKDAYS, (1, 3, 5)), 1.0, None, None),
    ("Call", Category.FRIENDS, Kind.BUILD, Schedule(Period.WEEKLY, times_per_week=2), 1.0, None, None),
    ("Swim", Category.WORKOUT, Kind.BUILD, Schedule(Period.INTERVAL, times=2, days=5), 1.0, None, None),
    ("Walk", Category.CUSTOM, Kind.BUILD, Schedule(Period.INTERVAL, times=1, days=7, total=True), 5.0, None, None),
    ("No contact", Category.FRIENDS, Kind.QUIT, Schedule(Period.DAILY), 1.0, None, 1.0),
]


async def _seed(me: factories.User, today: date, days: int, seed: int) -> list[HabitRecord]:
    """Habits of every kind with `days` days of patchy history (runs of done and missed days, skips)."""
    rng = random.Random(seed)
    start = today - timedelta(days=days)
    made = []
    for name, category, kind, schedule, target, unit, limit in HABITS:
        habit = await service.create_habit(me.viewer, service.HabitInput(
            name=name, category=category, kind=kind, schedule=schedule, target_quantity=target, unit=unit,
            start_date=start, daily_limit=limit))
        await factories.patchy_history(me, habit, today, rng, longest_run=25, marks="xxx.s")
        made.append(habit)
    await journal.create_entry(me.viewer, "a first entry", None, None)
    return made


async def _changes(me: factories.User, habits: list[HabitRecord], today: date) -> None:
    """Back-dated changes far behind the checkpoints, a pause, and a check-in today."""
    for back, habit in zip((200, 150, 120, 100, 95, 45, 30), habits, strict=True):
        await factories.check_in(me, habit.id, occurred_at=clock.now() - timedelta(days=back))
    await factories.history(me, habits[0].id, [], skips=[today - timedelta(days=130)])
    await pause_service.create_pause(me.viewer, [habits[1].id, habits[4].id], today - timedelta(days=170),
                                     today - timedelta(days=160), "illness")
    await factories.check_in(me, habits[2].id)


async def _stored(owner: UUID, habits: list[HabitRecord]) -> dict[str, Any]:
    C, A, S, K = ConfidenceDay, AchievementAward, StepUnlock, tables.HabitCheckpoint
    days = await C.select(C.day, C.score, C.components).where(C.owner == owner).order_by(C.day)
    awards = await A.select(A.key).where(A.owner == owner)
    steps = await S.select(S.step_key).where(S.owner == owner)
    checkpoints = []
    for habit in habits:  # by position: the two users' habits are made alike, in one order
        checkpoints.append(await K.select(K.day, K.rules, K.strength, K.streak, K.longest, K.freezes, K.run,
                                          K.tally).where(K.habit == habit.id).order_by(K.day))
    return {"days": days, "awards": sorted(r["key"] for r in awards),
            "steps": sorted(r["step_key"] for r in steps), "checkpoints": checkpoints}


async def _forget_results(owner: UUID) -> None:
    """The derived results go (not the checkpoints): the next recompute stores them all again."""
    await ConfidenceDay.delete().where(ConfidenceDay.owner == owner)
    await AchievementAward.delete().where(AchievementAward.owner == owner)
    await StepUnlock.delete().where(StepUnlock.owner == owner)


async def test_a_recompute_from_checkpoints_stores_what_one_from_scratch_stores() -> None:
    # given two users with the same year and a half of history
    resumed, scratch = await factories.user(), await factories.user()
    today = resumed.account.today(clock.now())
    mine = await _seed(resumed, today, 540, seed=5)
    theirs = await _seed(scratch, today, 540, seed=5)
    # and the first with checkpoints stored by a recompute
    await progress.recompute_user(resumed.id)
    assert all(await _stored(resumed.id, mine))
    # when both get the same back-dated changes, and the first recomputes from what its checkpoints kept
    for user, habits in ((resumed, mine), (scratch, theirs)):
        await _changes(user, habits, today)
    await _forget_results(resumed.id)
    read = await progress_repository.read_activity(
        resumed.account, today, today - timedelta(days=HISTORY_DAYS - 1))
    kept = [b for b in read.bases.values() if b.walk is not None and b.strength is not None]
    assert kept  # it does continue from checkpoints (those of the INTERVAL habit without a total are all gone)
    await progress.recompute_user(resumed.id)
    # and the second from scratch
    assert await tables.HabitCheckpoint.count().where(tables.HabitCheckpoint.habit.is_in([h.id for h in theirs])) == 0
    await progress.recompute_user(scratch.id)
    # then they stored the same confidence, awards, steps and checkpoints
    got, expected = await _stored(resumed.id, mine), await _stored(scratch.id, theirs)
    assert got["awards"] and got["days"] and len(got["days"]) == HISTORY_DAYS
    assert got == expected


async def test_a_recompute_costs_the_same_statements_for_three_years_as_for_thirty_days() -> None:
    counts = []
    for days in (3 * 365, 30):
        me = await factories.user()
        today = me.account.today(clock.now())
        habits = await _seed(me, today, days, seed=days)
        await progress.recompute_user(me.id)  # stores the checkpoints, as after every change
        await factories.check_in(me, habits[0].id)
        with count_queries() as counter:
            await progress.recompute_user(me.id)
        counts.append(counter.count)
    assert counts[0] == counts[1]


async def test_checkpoints_without_a_tally_or_under_other_rules_are_made_again_not_resumed_from() -> None:
    # given two users alike, the first with checkpoints that cannot serve the recompute: stored before
    # tallies were (NULL), and for one habit under other rules (another digest)
    stale, scratch = await factories.user(), await factories.user()
    today = stale.account.today(clock.now())
    mine, theirs = await _seed(stale, today, 400, seed=9), await _seed(scratch, today, 400, seed=9)
    await progress.recompute_user(stale.id)
    K = tables.HabitCheckpoint
    await K.update({K.tally: None}).where(K.habit.is_in([h.id for h in mine[1:]]))
    await K.update({K.rules: "0" * 16}).where(K.habit == mine[0].id)
    await _forget_results(stale.id)
    read = await progress_repository.read_activity(stale.account, today, today - timedelta(days=HISTORY_DAYS - 1))
    assert all(b.walk is None and b.strength is None for b in read.bases.values())
    # when both recompute
    await progress.recompute_user(stale.id)
    await progress.recompute_user(scratch.id)
    # then the first replayed: the same results, and its checkpoints made again, tallies and digests right
    assert await _stored(stale.id, mine) == await _stored(scratch.id, theirs)


async def test_a_change_committed_between_the_checkpoints_and_the_log_read_is_read_whole(
        monkeypatch: pytest.MonkeyPatch) -> None:
    me = await factories.user()
    today = me.account.today(clock.now())
    habits = await _seed(me, today, 300, seed=11)
    await progress.recompute_user(me.id)
    first = today - timedelta(days=HISTORY_DAYS - 1)
    back = today - timedelta(days=150)
    real = repository.logs_since
    changed: list[UUID] = []

    async def change_first(bounds: Any) -> Any:
        if not changed:  # commits after the checkpoints were read, before the log is
            changed.append((await factories.check_in(me, habits[0].id, occurred_at=clock.now() - (today - back))).id)
        return await real(bounds)

    monkeypatch.setattr(repository, "logs_since", change_first)
    read = await progress_repository.read_activity(me.account, today, first)
    monkeypatch.undo()
    # then that habit's checkpoints (voided by the change) are not resumed from: it is read whole
    assert changed and read.bases[habits[0].id] == FROM_START
    assert back in read.activity.habits[0].log.quantities
    assert all(read.bases[h.id].walk is not None for h in habits[1:5])  # the others resume
    # and what the recompute derives from that read is what a replay of everything now stored gives
    whole = await progress_repository.load_activity(me.account, today)
    carried, replayed = derive(read.activity, read.bases), derive(whole)
    assert carried.facts == replayed.facts and carried.standings == replayed.standings
    assert confidence_history(read.activity, HISTORY_DAYS, carried.strengths) == confidence_history(whole,
                                                                                                    HISTORY_DAYS)
