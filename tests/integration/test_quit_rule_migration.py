"""The contract v2 QUIT rule reaches existing users: stored confidence made with the old rule is
cleared, those users are marked stale, and the recompute writes the corrected numbers; awards stay."""

from __future__ import annotations

import importlib
from datetime import date
from uuid import UUID

from server.accounts import tables as accounts
from server.confidence import tables as confidence
from server.progress import service as progress
from tests import factories
from tests.integration.api import Api

MIGRATION = "server.confidence.piccolo_migrations.confidence_2026_12_03t12_10_00_000000"


async def _user_with(api: Api, kind: str) -> UUID:
    api.as_user(await factories.user())
    await api.create_habit(name=f"{kind} habit", kind=kind, category="CUSTOM")
    me = UUID((await api.data("{ me { id } }"))["me"]["id"])
    await progress.recompute_user(me)
    return me


async def test_users_with_a_quit_habit_get_their_confidence_recomputed(api: Api) -> None:
    # given a user with a QUIT habit whose stored confidence was computed with the old rule (100 on day one,
    # stood in for here by an inflated stored score on an old day and today), and a user without one
    quitter = await _user_with(api, "QUIT")
    builder = await _user_with(api, "BUILD")
    await confidence.ConfidenceDay.update({confidence.ConfidenceDay.score: 60.0}).where(
        confidence.ConfidenceDay.owner == quitter)
    await confidence.ConfidenceDay.insert(confidence.ConfidenceDay(
        owner=quitter, day=date(2025, 1, 1), score=75.0, components="[]",
        computed_at=(await accounts.User.select(accounts.User.created_at).first())["created_at"]))
    builder_days = await confidence.ConfidenceDay.select().where(confidence.ConfidenceDay.owner == builder)
    await accounts.User.update({accounts.User.stale_since: None}).where(accounts.User.id.is_not_null())

    # when the migration runs, then the recompute
    manager = await importlib.import_module(MIGRATION).forwards()
    await manager.run()
    stale = {r["id"] for r in await accounts.User.select(accounts.User.id).where(
        accounts.User.stale_since.is_not_null())}
    left = await confidence.ConfidenceDay.count().where(confidence.ConfidenceDay.owner == quitter)
    await progress.recompute_user(quitter)

    # then only the quitter was cleared and marked stale; the recompute wrote the new rule's numbers
    assert (stale, left) == ({quitter}, 0)
    days = await confidence.ConfidenceDay.select().where(confidence.ConfidenceDay.owner == quitter).order_by(
        confidence.ConfidenceDay.day)
    # today: NO_CONTACT (weight 3/4) at one clean day, REFLECTION (1/4) at 0; the 89 days before: nothing yet
    assert (len(days), days[-1]["score"], {d["score"] for d in days[:-1]}) == (90, round(0.75 * 5.19, 2), {0.0})
    assert date(2025, 1, 1) not in {d["day"] for d in days}
    assert await confidence.ConfidenceDay.select().where(confidence.ConfidenceDay.owner == builder) == builder_days
