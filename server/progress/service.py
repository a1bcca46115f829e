"""recompute_user: a user's confidence, achievements and unlocked steps, from the database alone.

Idempotent and safe to run twice at once: writes are upserts and inserts guarded by unique
indexes, in one transaction; events are returned for the caller to publish after commit.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from uuid import UUID
from zoneinfo import ZoneInfo

from server import clock
from server.accounts import repository as accounts
from server.achievements import catalogue
from server.achievements import repository as awards
from server.confidence import repository as confidence_store
from server.confidence.score import ConfidenceResult, confidence_history
from server.database import concurrently, write_transaction
from server.engine.events import AchievementUnlocked, ConfidenceChanged, LiveEvent, StepUnlocked
from server.habits.days import local_day
from server.program import repository as unlocks
from server.program.service import get_program
from server.program.unlocking import next_unlocks
from server.progress import repository

log = logging.getLogger(__name__)

HISTORY_DAYS = 90  # days of confidence kept exact (backfill can change past days)


@dataclass
class Outcome:
    user_id: UUID
    events: list[LiveEvent] = field(default_factory=list)
    score: float | None = None


def components_json(result: ConfidenceResult) -> str:
    return json.dumps([{"key": c.key, "label": c.label, "weight": c.weight, "value": c.value}
                       for c in result.components], sort_keys=True)


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


async def recompute_user(user_id: UUID) -> Outcome:
    started = clock.now()
    outcome = Outcome(user_id)
    account = await accounts.get_account(user_id)
    if account is None:
        return outcome
    today = account.today(started)
    # The reads do not depend on each other: on PostgreSQL their round trips overlap.
    activity, stored, unlocked, awarded_before = await concurrently(
        repository.load_activity(account, today),
        confidence_store.scores_since(user_id, today - timedelta(days=HISTORY_DAYS - 1)),
        unlocks.unlocked(user_id),
        awards.awarded(user_id),
    )
    history = confidence_history(activity, HISTORY_DAYS)
    changed = changed_days(history, stored)
    progress = catalogue.progress(activity)
    to_award = [key for key, p in progress.items() if p.met and key not in awarded_before]
    program = get_program()
    confidence_by_day = {r.day: r.score for r in history}
    new_steps = next_unlocks(program, activity, confidence_by_day, frozenset(unlocked))

    if changed or to_award or new_steps:
        async with write_transaction():
            await confidence_store.upsert_days(user_id, changed, started)
            won = await awards.award(user_id, to_award, started)
            opened = await unlocks.unlock(user_id, [(k, program.step(k).version) for k in new_steps], started)
            await repository.finish(user_id, started, today)
    else:
        # Nothing to write but the bookkeeping: one statement, atomic on its own.
        won, opened = [], []
        await repository.finish(user_id, started, today)

    titles = {a.key: a for a in catalogue.CATALOGUE}
    for key in won:
        outcome.events.append(AchievementUnlocked(key=key, title=titles[key].title, at=started))
    for key in opened:
        step = program.step(key)
        if step.position == 1:  # open from sign-up: recording it is bookkeeping, not news
            continue
        outcome.events.append(StepUnlocked(key=key, title=step.title, position=step.position, at=started))
    today_result = history[-1]
    outcome.score = today_result.score
    previous = stored.get(today_result.day)
    if previous is None or previous[0] != today_result.score:
        outcome.events.append(ConfidenceChanged(score=today_result.score,
                                                previous=previous[0] if previous else None, at=started))
    return outcome


async def stale_users(limit: int = 500, grace: timedelta = timedelta(seconds=2)) -> list[UUID]:
    """Users still marked stale a moment after the change (their own job normally got them)."""
    return await repository.stale_users(clock.now() - grace, limit)


async def roll_over() -> int:
    """Mark stale everyone whose local day changed since their last recompute; returns zones checked."""
    now = clock.now()
    pairs = await repository.day_boundaries()
    for zone, hour in pairs:
        try:
            today = local_day(now, ZoneInfo(zone), hour)
        except Exception:  # an unknown zone in old data must not stop the others
            log.warning("skipping unknown time zone %r in roll-over", zone)
            continue
        await repository.mark_rolled_over(zone, hour, today, now)
    return len(pairs)


async def still_stale(user_id: UUID) -> bool:
    return await repository.still_stale(user_id)


