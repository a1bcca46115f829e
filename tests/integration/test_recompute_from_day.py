"""A recompute from the stale mark's day stores what a recompute from scratch stores (issue 13), on the
real database (both engines): after random sequences of changes made through the use cases (back-dated
check-ins, undos, skips, journal entries, pauses, profile changes), each followed by a recompute from
the day its marks left in stale_from, the confidence days, awards and unlocked steps equal those of a
user with the same history recomputed from nothing each time. And a check-in today costs today's
score: it is the only day computed, from strength bases at the latest checkpoints. The pure
counterpart is tests/unit/progress/test_window.py."""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import date, timedelta
from typing import Any
from uuid import UUID

import pytest

from server import clock
from server.accounts import service as accounts
from server.achievements.tables import AchievementAward
from server.confidence.tables import ConfidenceDay
from server.errors import DomainError
from server.habits import pause_service, repository, service, tables
from server.habits.checkpoints import log_needed_from
from server.habits.model import Category, Kind, Period, Schedule
from server.habits.records import HabitRecord
from server.journal import service as journal
from server.program.tables import StepUnlock
from server.progress import service as progress
from server.progress.service import HISTORY_DAYS
from tests import factories

# name, category, kind, schedule, target, daily limit
HABITS = [
    ("Run", Category.WORKOUT, Kind.BUILD, Schedule(Period.DAILY), 1.0, None),
    ("Call", Category.FRIENDS, Kind.BUILD, Schedule(Period.WEEKLY, times_per_week=2), 1.0, None),
    ("Swim", Category.WORKOUT, Kind.BUILD, Schedule(Period.INTERVAL, times=2, days=5), 1.0, None),
    ("No contact", Category.FRIENDS, Kind.QUIT, Schedule(Period.DAILY), 1.0, 1.0),
]
KINDS = ["check-in", "check-in", "undo", "skip", "unskip", "journal", "unjournal", "pause", "unpause", "profile"]


async def _seed(me: factories.User, today: date, days: int, seed: int, marks: str = "xxx.s") -> list[HabitRecord]:
    rng = random.Random(seed)
    made = []
    for name, category, kind, schedule, target, limit in HABITS:
        habit = await service.create_habit(me.viewer, service.HabitInput(
            name=name, category=category, kind=kind, schedule=schedule, target_quantity=target,
            start_date=today - timedelta(days=days), daily_limit=limit))
        await factories.patchy_history(me, habit, today, rng, longest_run=20, marks=marks)
        made.append(habit)
    return made


async def _stored(owner: UUID, today: date | None = None) -> dict[str, Any]:
    """What the recompute stored: confidence days (of the window ending `today`, if given), awards, steps."""
    C, A, S = ConfidenceDay, AchievementAward, StepUnlock
    days = await C.select(C.day, C.score, C.components).where(C.owner == owner).order_by(C.day)
    if today is not None:  # a moved day start leaves days of another window behind, alike for both
        days = [d for d in days if today - timedelta(days=HISTORY_DAYS) < d["day"] <= today]
    awards = await A.select(A.key).where(A.owner == owner)
    steps = await S.select(S.step_key).where(S.owner == owner)
    return {"days": days, "awards": sorted(r["key"] for r in awards), "steps": sorted(r["step_key"] for r in steps)}


class Twin:
    """One of two users given the same changes; what each change made, to undo it alike later."""

    def __init__(self, me: factories.User, habits: list[HabitRecord]) -> None:
        self.me, self.habits = me, habits
        self.check_ins: list[UUID] = []
        self.entries: list[UUID] = []
        self.pauses: list[UUID] = []

    async def change(self, kind: str, rng: random.Random) -> None:
        """One change of `kind`, its choices drawn from `rng` (seeded alike for both twins)."""
        viewer, today = self.me.viewer, self.me.account.today(clock.now())
        habit = self.habits[rng.randrange(len(self.habits))]
        back = rng.randrange(0, 140 if rng.random() < 0.2 else 60)  # mostly within the window
        try:
            if kind == "check-in":
                # 3: a BUILD habit's target met, a QUIT habit's limit passed (a slip)
                record = await factories.check_in(self.me, habit.id, occurred_at=clock.now() - timedelta(days=back),
                                                  quantity=3.0)
                self.check_ins.append(record.id)
            elif kind == "undo" and self.check_ins:
                await service.undo_check_in(viewer, self.check_ins.pop(rng.randrange(len(self.check_ins))))
            elif kind in ("skip", "unskip"):
                await service.set_skipped(viewer, habit.id, today - timedelta(days=back), kind == "skip")
            elif kind == "journal":
                self.entries.append((await journal.create_entry(viewer, "a day", None, None)).id)
            elif kind == "unjournal" and self.entries:
                await journal.delete_entry(viewer, self.entries.pop(rng.randrange(len(self.entries))))
            elif kind == "pause":
                start = today - timedelta(days=back)
                pause = await pause_service.create_pause(viewer, [habit.id], start,
                                                         start + timedelta(days=rng.randrange(2, 15)), "away")
                self.pauses.append(pause.id)
            elif kind == "unpause" and self.pauses:
                await pause_service.delete_pause(viewer, self.pauses.pop(rng.randrange(len(self.pauses))))
            elif kind == "profile":
                await accounts.update_profile(viewer, None, rng.choice([0, 3, 23]), None)
                moved = await accounts.authenticate(self.me.token)
                assert moved is not None
                self.me = replace(self.me, viewer=moved)
        except DomainError:
            pass  # refused alike for both (a day before a habit's start, say): no change


@pytest.mark.parametrize("seed", [1, 2, 3])
async def test_recomputes_from_the_marked_day_store_what_recomputes_from_scratch_store(seed: int) -> None:
    # given two users with the same 160 days of history, both recomputed
    marked, scratch = await factories.user(), await factories.user()
    today = marked.account.today(clock.now())
    # (sparse: many missed days, where a check-in, a skip or a pause changes what a day's strength does)
    twins = [Twin(user, await _seed(user, today, 160, seed, marks="x..s")) for user in (marked, scratch)]
    for twin in twins:
        await progress.recompute_user(twin.me.id)
    rng = random.Random(seed)
    starts, moved = [], 0
    previous = await _stored(scratch.id)
    # every kind of change at least once, in a random order, and a few more
    planned = rng.sample(KINDS, len(KINDS)) + [rng.choice(KINDS) for _ in range(4)]
    while planned:
        # when both get the same change (and now and then a second before the recompute)
        kinds = [planned.pop() for _ in range(min(len(planned), rng.choice([1, 1, 2])))]
        state = rng.getstate()
        for twin in twins:
            rng.setstate(state)
            for kind in kinds:
                await twin.change(kind, rng)
        # and the first recomputes from its marks' day, the second from nothing
        outcome = await progress.recompute_user(marked.id, only_if_stale=True)
        C, K = ConfidenceDay, tables.HabitCheckpoint
        await C.delete().where(C.owner == scratch.id)
        await K.delete().where(K.habit.is_in([h.id for h in twins[1].habits]))
        await progress.recompute_user(scratch.id)
        # then they store the same confidence days, awards and steps
        today = twins[0].me.account.today(clock.now())
        got, expected = await _stored(marked.id, today), await _stored(scratch.id, today)
        assert len(got["days"]) == HISTORY_DAYS
        assert got == expected, kinds
        # (days before today that changed: what a recompute from too late a day would miss)
        before = {d["day"]: d for d in previous["days"]}
        moved += sum(d["day"] < today and before.get(d["day"]) != d for d in expected["days"])
        previous = expected
        if outcome.computed_from is not None:
            starts.append(outcome.computed_from)
    # (the changes did alter past days' scores, and the first did not always recompute the whole window)
    first = twins[0].me.account.today(clock.now()) - timedelta(days=HISTORY_DAYS - 1)
    assert moved and any(start > first for start in starts)


async def test_a_recompute_after_a_check_in_today_computes_today_from_the_latest_checkpoints(
        monkeypatch: pytest.MonkeyPatch) -> None:
    # given a user with three years of history, recomputed (its checkpoints stored)
    me = await factories.user()
    today = me.account.today(clock.now())
    habits = await _seed(me, today, 3 * 365, seed=3)
    await progress.recompute_user(me.id)
    # when they check in today and the recompute runs
    await factories.check_in(me, habits[0].id)
    bounds: list[dict[UUID, date | None]] = []
    real = repository.logs_since

    async def logs_since(asked: dict[UUID, date | None]) -> Any:
        bounds.append(dict(asked))
        return await real(asked)

    monkeypatch.setattr(repository, "logs_since", logs_since)
    outcome = await progress.recompute_user(me.id, only_if_stale=True)
    monkeypatch.undo()
    # then today is the only day computed
    assert outcome.computed_from == today
    # and each habit's log is read from where its latest checkpoint before today needs it, within the
    # last two months: not from before the 90-day window, as a whole-window recompute reads it
    latest = await repository.resume_checkpoints([h.id for h in habits], today)
    expected = {h.id: log_needed_from(h.rules, latest[h.id][-1][1]) for h in habits}
    assert bounds == [expected]
    assert all(d is not None and (today - d).days < 62 for d in expected.values())


async def test_a_day_never_stored_before_the_mark_is_computed_again_from_there() -> None:
    # given a recomputed user whose stored score of 40 days ago is missing
    me = await factories.user()
    today = me.account.today(clock.now())
    habits = await _seed(me, today, 200, seed=4)
    await progress.recompute_user(me.id)
    before = await _stored(me.id)
    gap = today - timedelta(days=40)
    await ConfidenceDay.delete().where((ConfidenceDay.owner == me.id) & (ConfidenceDay.day == gap))
    # when a check-in today marks them stale from today
    await factories.check_in(me, habits[1].id)
    outcome = await progress.recompute_user(me.id, only_if_stale=True)
    # then the recompute starts at the missing day, and stores it as it was
    assert outcome.computed_from == gap
    after = await _stored(me.id)
    assert [d for d in after["days"] if d["day"] < today] == [d for d in before["days"] if d["day"] < today]
