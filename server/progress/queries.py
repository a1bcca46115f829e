"""Read side of derived state: confidence (stored by the engine) and achievement progress."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from server import clock
from server.accounts.model import Viewer
from server.achievements import catalogue
from server.achievements import repository as awards
from server.confidence import repository as store
from server.confidence.score import confidence_on
from server.progress import repository

HISTORY_MAX = 365


@dataclass(frozen=True, slots=True)
class ConfidenceView:
    day: date
    score: float
    components: list[dict[str, Any]]
    computed_at: datetime


@dataclass(frozen=True, slots=True)
class AchievementView:
    key: str
    title: str
    description: str
    current: int
    target: int
    unlocked_at: datetime | None


async def confidence(viewer: Viewer) -> ConfidenceView:
    """Today's score as the engine stored it; before its first run, the same formula computed now."""
    now = clock.now()
    today = viewer.account.today(now)
    latest = await store.latest(viewer.account.id)
    if latest is not None and latest.day == today:
        return ConfidenceView(latest.day, latest.score, latest.components, latest.computed_at)
    activity = await repository.load_activity(viewer.account, today)
    result = confidence_on(activity, today)
    return ConfidenceView(today, result.score, [
        {"key": c.key, "label": c.label, "weight": c.weight, "value": c.value} for c in result.components], now)


async def confidence_history(viewer: Viewer, days: int) -> list[tuple[date, float]]:
    today = viewer.account.today(clock.now())
    return await store.history(viewer.account.id, today - timedelta(days=days - 1), today)


async def achievements(viewer: Viewer) -> list[AchievementView]:
    """The whole catalogue with this user's progress; an award once made is never revoked."""
    today = viewer.account.today(clock.now())
    activity = await repository.load_activity(viewer.account, today)
    progress = catalogue.progress(activity)
    awarded = await awards.awarded(viewer.account.id)
    views = []
    for a in catalogue.CATALOGUE:
        p = progress[a.key]
        unlocked_at = awarded.get(a.key)
        current = p.target if unlocked_at else p.current
        views.append(AchievementView(a.key, a.title, a.description, current, p.target, unlocked_at))
    return views
