"""recompute_user: a user's confidence, achievements and unlocked steps, from the database alone.

Idempotent and safe to run twice at once: writes are upserts and inserts guarded by unique
indexes, in one transaction; events are returned for the caller to publish after commit.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import lru_cache
from uuid import UUID
from zoneinfo import ZoneInfo

from server import clock
from server.accounts import repository as accounts
from server.achievements import catalogue
from server.achievements import repository as awards
from server.confidence import repository as confidence_store
from server.confidence.score import ConfidenceResult, confidence_history
from server.database import concurrently, reads_together
from server.engine.events import AchievementUnlocked, ConfidenceChanged, LiveEvent, StepUnlocked
from server.engine.unit_of_work import StaleMark, write_transaction
from server.habits import repository as habit_store
from server.habits.days import local_day
from server.program import repository as unlocks
from server.program.service import get_program
from server.program.unlocking import next_unlocks
from server.progress import repository, window
from server.webhooks import payloads

log = logging.getLogger(__name__)

HISTORY_DAYS = 90  # days of confidence kept exact (backfill can change past days)


@dataclass
class Outcome:
    user_id: UUID
    events: list[LiveEvent] = field(default_factory=list)
    score: float | None = None
    version: int = 0  # the stale version read before everything else
    # The stale version once the results were recorded; None when nothing was recorded because a
    # recompute that read a later version had already finished (or the user is gone).
    stale_version: int | None = None
    skipped: bool = False  # asked only if stale, and the user was up to date
    computed_from: date | None = None  # the first day whose confidence was computed (the rest kept)

    @property
    def still_stale(self) -> bool:
        """A change landed after this recompute's first read: it must go round again."""
        return self.stale_version is not None and self.stale_version != self.version


def components_json(result: ConfidenceResult) -> str:
    """The components as stored: the text json.dumps(..., sort_keys=True) gives for them, written out
    here (a recompute serialises 90 days of them; tests/unit/test_recompute_equivalence.py compares)."""
    return "[" + ", ".join(f"{_component_head(c.key, c.label)}{c.value!r}, \"weight\": {c.weight!r}}}"
                           for c in result.components) + "]"


@lru_cache(maxsize=64)
def _component_head(key: str, label: str) -> str:
    return f'{{"key": {json.dumps(key)}, "label": {json.dumps(label)}, "value": '


def changed_days(history: Sequence[ConfidenceResult],
                 stored: Mapping[date, tuple[float, str]]) -> list[tuple[date, float, str]]:
    """(day, score, components JSON) of the days whose score or components differ from the stored
    ones. Components compare as JSON values; equal texts are equal values, so only differing texts
    (say, written by an older version) are parsed."""
    changed = []
    for r in history:
        text = components_json(r)
        previous = stored.get(r.day)
        if previous is None or previous[0] != r.score or (
                previous[1] != text and json.loads(previous[1]) != json.loads(text)):
            changed.append((r.day, r.score, text))
    return changed


async def recompute_user(user_id: UUID, *, only_if_stale: bool = False) -> Outcome:
    """Recompute and store the user's derived state; with `only_if_stale`, only if it is stale.

    Confidence is computed from the stale mark's day (window.compute_from) with strength continued
    from a checkpoint before it, so only that habit log is read: a check-in today costs today's
    score, whatever the history. The days before it keep their stored scores."""
    started = clock.now()
    outcome = Outcome(user_id)
    async with reads_together():
        # The stale version (with the earliest day its pending changes may alter) is read first, on
        # its own: every change it counts is committed, so the reads below see them all (and perhaps
        # later ones, which finish() then notices; their days are merged into stale_from, kept).
        found = await accounts.get_account_and_versions(user_id)
        if found is None:
            return outcome
        account, versions = found
        outcome.version = versions.stale
        if only_if_stale and versions.stale == versions.derived:
            outcome.skipped = True
            return outcome
        today = account.today(started)
        first = window.window_start(today, HISTORY_DAYS)
        start = window.marked_start(today, HISTORY_DAYS, versions.stale_from)
        # The reads do not depend on each other: on PostgreSQL their round trips overlap. The activity
        # comes with each habit's log only from its checkpoints on, and what the rules read of it
        # (carried) is continued from them: the same whatever the history's length.
        (activity, carried, checkpoints), stored, unlocked, awarded_before = await concurrently(
            repository.load_progress(account, today, start),
            confidence_store.scores_since(user_id, first),
            unlocks.unlocked(user_id),
            awards.awarded(user_id),
        )
        begin = window.compute_from(today, HISTORY_DAYS, versions.stale_from, stored)
        if begin < start:
            # A day before the mark was never stored (a first recompute, or days without one): its
            # strength needs a base before it, so the activity is read again from there. Rare.
            start = begin
            activity, carried, checkpoints = await repository.load_progress(account, today, start)
    outcome.computed_from = start
    history = confidence_history(activity, (today - start).days + 1, carried.strengths)
    changed = changed_days(history, stored)
    progress = catalogue.progress(activity, carried.facts)
    to_award = [key for key, p in progress.items() if p.met and key not in awarded_before]
    program = get_program()
    confidence_by_day = window.scores_by_day(history, stored, start)
    new_steps = next_unlocks(program, activity, confidence_by_day, frozenset(unlocked), carried.standings)

    won: list[str] = []
    opened: list[str] = []
    if changed or to_award or new_steps or checkpoints:
        async with write_transaction() as uow:
            # Checkpoints first: they guard themselves, habit by habit (a change since our read voids
            # ours), whatever finish says; and every writer locks habit rows before its user's row (a
            # check-in voids checkpoints, then marks the user stale), so taking the user's row first
            # here could deadlock with one. Then the compare-and-set: on PostgreSQL it takes the
            # user's row lock, so two recomputes of one user record one after the other, and one that
            # read an older version than the other writes nothing more.
            await habit_store.save_checkpoints(checkpoints)
            outcome.stale_version = await repository.finish(user_id, outcome.version, today)
            if outcome.stale_version is not None:
                await confidence_store.upsert_days(user_id, changed, started)
                won = await awards.award(user_id, to_award, started)
                opened = await unlocks.unlock(user_id, [(k, program.step(k).version) for k in new_steps], started)
                outcome.events = _events(won, opened, history[-1], stored, started)
                # The user's webhooks hear of it from the outbox, written in this same transaction.
                for event in outcome.events:
                    uow.emit(user_id, *payloads.from_live(event))
    else:
        # Nothing to write but the bookkeeping: one statement, atomic on its own. Nothing changed,
        # so there is nothing to announce either (no award, no step, today's score as stored).
        outcome.stale_version = await repository.finish(user_id, outcome.version, today)
    if outcome.stale_version is None:
        return outcome  # a later recompute's results stand; announcing ours would be out of order
    outcome.score = history[-1].score
    return outcome


def _events(won: Sequence[str], opened: Sequence[str], today_result: ConfidenceResult,
            stored: Mapping[date, tuple[float, str]], at: datetime) -> list[LiveEvent]:
    """What a recompute announces: new awards, newly opened steps (but step 1), a changed score today."""
    titles = {a.key: a for a in catalogue.CATALOGUE}
    program = get_program()
    events: list[LiveEvent] = [AchievementUnlocked(key=key, title=titles[key].title, at=at) for key in won]
    for key in opened:
        step = program.step(key)
        if step.position == 1:  # open from sign-up: recording it is bookkeeping, not news
            continue
        events.append(StepUnlocked(key=key, title=step.title, position=step.position, at=at))
    previous = stored.get(today_result.day)
    if previous is None or previous[0] != today_result.score:
        events.append(ConfidenceChanged(score=today_result.score, previous=previous[0] if previous else None, at=at))
    return events


async def stale_users(limit: int = 500, grace: timedelta = timedelta(seconds=2)) -> list[UUID]:
    """Users still marked stale a moment after the change (their own job normally got them)."""
    return await repository.stale_users(clock.now() - grace, limit)


async def roll_over() -> tuple[int, list[StaleMark]]:
    """Mark stale everyone whose local day changed since their last recompute; returns the zones
    checked and the marks (those that made a user stale need a job)."""
    now = clock.now()
    pairs = await repository.day_boundaries()
    marks: list[StaleMark] = []
    for zone, hour in pairs:
        try:
            today = local_day(now, ZoneInfo(zone), hour)
        except Exception:  # an unknown zone in old data must not stop the others
            log.warning("skipping unknown time zone %r in roll-over", zone)
            continue
        marks += [StaleMark(uid, version, became_stale)
                  for uid, version, became_stale in await repository.mark_rolled_over(zone, hour, today, now)]
    return len(pairs), marks


async def still_stale(user_id: UUID) -> bool:
    return await repository.still_stale(user_id)


