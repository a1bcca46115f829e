"""The unit of work: stale marks and after-commit work run after a commit, and never after a rollback."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Sequence
from datetime import UTC, datetime
from uuid import UUID, uuid4

import pytest

from server.accounts import tables as accounts
from server.database import read_only_request
from server.engine import unit_of_work
from server.engine.unit_of_work import StaleMark, write_transaction
from server.progress import repository as progress
from server.webhooks import tables as webhooks
from server.webhooks.model import WebhookEvent
from tests.integration.background import versions


@pytest.fixture
async def user() -> AsyncIterator[UUID]:
    uid = uuid4()
    await accounts.User(id=uid, email=f"{uid.hex[:12]}@example.com", password_hash="x", timezone="UTC",
                        day_start_hour=0, created_at=datetime(2026, 1, 1, tzinfo=UTC)).save()
    yield uid
    unit_of_work.set_stale_handler(None)
    unit_of_work.set_outbox_handler(None)


async def _webhook(owner: UUID, events: str) -> UUID:
    hook_id = uuid4()
    await webhooks.Webhook(id=hook_id, owner=owner, url="https://1.1.1.1/hook", events=events, secret="whsec_AA==",
                           enabled=True, created_at=datetime(2026, 1, 1, tzinfo=UTC)).save()
    return hook_id


async def test_marks_then_callbacks_run_after_the_commit_in_order(user: UUID) -> None:
    seen: list[object] = []

    async def handler(marks: Sequence[StaleMark]) -> None:
        # read outside the transaction: what another connection sees, so only committed rows
        seen.append(("stale", list(marks), await versions(user)))

    async def first() -> None:
        seen.append(("first", await versions(user)))

    async def second() -> None:
        seen.append("second")

    async def not_again() -> None:
        seen.append("not again")

    unit_of_work.set_stale_handler(handler)
    async with write_transaction() as uow:
        uow.mark_stale(user)
        uow.mark_stale(user)  # twice in one transaction: one change, one version
        uow.after_commit(first)
        uow.after_commit(second, key="kick")
        uow.after_commit(not_again, key="kick")  # one kick per transaction under a key
        assert seen == []
    assert seen == [("stale", [StaleMark(user, 1, True)], (1, 0, True)), ("first", (1, 0, True)), "second"]


async def test_nothing_runs_and_nothing_is_marked_after_a_rollback(user: UUID) -> None:
    seen: list[object] = []

    async def handler(marks: Sequence[StaleMark]) -> None:
        seen.append(marks)

    async def callback() -> None:
        seen.append("callback")

    unit_of_work.set_stale_handler(handler)
    with pytest.raises(LookupError):
        async with write_transaction() as uow:
            uow.mark_stale(user)
            uow.after_commit(callback)
            raise LookupError("the use case fails after marking")
    assert seen == []
    assert await versions(user) == (0, 0, False)


async def test_a_failing_after_commit_step_is_logged_and_the_rest_still_runs(
        user: UUID, caplog: pytest.LogCaptureFixture) -> None:
    seen: list[str] = []

    async def handler(marks: Sequence[StaleMark]) -> None:
        raise ConnectionError("Redis is down")

    async def broken() -> None:
        raise RuntimeError("delivery failed")

    async def after() -> None:
        seen.append("after")

    unit_of_work.set_stale_handler(handler)
    with caplog.at_level(logging.WARNING, logger="server.engine.unit_of_work"):
        async with write_transaction() as uow:
            uow.mark_stale(user)
            uow.after_commit(broken)
            uow.after_commit(after)
    assert seen == ["after"]
    assert await versions(user) == (1, 0, True)  # committed: the sweep will find the user
    assert [r.getMessage().split(";")[0].split(" (")[0] for r in caplog.records] == [
        f"could not schedule a recompute for {[user]}", "an after-commit callback failed"]


async def test_only_the_change_that_makes_a_fresh_user_stale_reports_it(user: UUID) -> None:
    marks: list[StaleMark] = []

    async def handler(committed: Sequence[StaleMark]) -> None:
        marks.extend(committed)

    unit_of_work.set_stale_handler(handler)
    for _ in range(2):
        async with write_transaction() as uow:
            uow.mark_stale(user)
    assert await progress.finish(user, 2, datetime(2026, 1, 2).date()) == 2  # a recompute caught up
    async with write_transaction() as uow:
        uow.mark_stale(user)
    assert marks == [StaleMark(user, 1, True), StaleMark(user, 2, False), StaleMark(user, 3, True)]


async def test_a_vanished_user_is_no_mark_and_use_cases_do_not_nest(user: UUID) -> None:
    marks: list[StaleMark] = []

    async def handler(committed: Sequence[StaleMark]) -> None:
        marks.extend(committed)

    unit_of_work.set_stale_handler(handler)
    async with write_transaction() as uow:
        uow.mark_stale(uuid4())
    assert marks == []
    with pytest.raises(RuntimeError, match="already open"):
        async with write_transaction(), write_transaction():
            pass


async def test_emitted_events_are_outbox_rows_of_the_same_transaction_handed_over_after_the_commit(
        user: UUID) -> None:
    hook = await _webhook(user, "CHECK_IN_CREATED,STEP_UNLOCKED")
    await _webhook(user, "REMINDER_DUE")  # not subscribed: no row
    handed: list[tuple[list[UUID], int]] = []

    async def handler(delivery_ids: Sequence[UUID]) -> None:
        # read outside the transaction: the rows are committed when the handler hears of them
        handed.append((list(delivery_ids), await webhooks.WebhookDelivery.count()))

    unit_of_work.set_outbox_handler(handler)
    async with write_transaction() as uow:
        uow.emit(user, WebhookEvent.CHECK_IN_CREATED, {"id": "c1"})
        uow.emit(user, WebhookEvent.STEP_UNLOCKED, {"key": "s"})
        uow.emit(user, WebhookEvent.CONFIDENCE_CHANGED, {"score": 1.0})
        uow.emit(uuid4(), WebhookEvent.CHECK_IN_CREATED, {"id": "someone else's"})
    rows = await webhooks.WebhookDelivery.select(webhooks.WebhookDelivery.id, webhooks.WebhookDelivery.webhook,
                                                 webhooks.WebhookDelivery.type)
    assert sorted(r["type"] for r in rows) == ["check_in.created", "step.unlocked"]
    assert {r["webhook"] for r in rows} == {hook}
    assert handed == [(uow.deliveries, 2)] and sorted(uow.deliveries) == sorted(r["id"] for r in rows)


async def test_a_rolled_back_change_leaves_no_outbox_row_and_hands_nothing_over(user: UUID) -> None:
    await _webhook(user, "CHECK_IN_CREATED")
    handed: list[Sequence[UUID]] = []

    async def handler(delivery_ids: Sequence[UUID]) -> None:
        handed.append(delivery_ids)

    unit_of_work.set_outbox_handler(handler)
    with pytest.raises(LookupError):
        async with write_transaction() as uow:
            uow.emit(user, WebhookEvent.CHECK_IN_CREATED, {"id": "c1"})
            raise LookupError("the use case fails after emitting")
    assert handed == []
    assert await webhooks.WebhookDelivery.count() == 0


async def test_a_write_inside_a_read_only_request_fails_loudly(user: UUID) -> None:
    # On SQLite it would join the request's read snapshot, which cannot always become a write.
    async with read_only_request():
        with pytest.raises(RuntimeError, match="read-only request"):
            async with write_transaction():
                pass
    # outside it, writing works as ever
    async with write_transaction():
        pass
