"""End to end in the engine: a reminder due this minute reaches the live subscription channel and the push
service once each, while two arq workers run the reminder cron concurrently every second."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime, timedelta

from arq import create_pool, cron
from arq.worker import Worker

from server import clock
from server.engine.events import LiveEvent, ReminderDue
from server.engine.jobs import fire_reminders
from server.graphql.reminders import reminder_due
from server.reminders import repository, service
from tests import factories
from tests.integration.background import engine_without_worker
from tests.push_service import PushService

RUN_SECONDS = 2.5  # every worker fires the cron each second: a few rounds racing for the same reminder


async def test_two_workers_deliver_a_due_reminder_once_per_channel() -> None:
    push_service = PushService().start()
    me = await factories.user(timezone="Europe/Berlin")
    walk = await factories.habit(me, "Walk", start_date=date(2026, 1, 1))
    # Monday 12 January 2026, 07:29:30 Berlin: the reminder is due in 30 s
    clock.travel(datetime(2026, 1, 12, 6, 29, 30, tzinfo=UTC) - datetime.now(UTC))
    reminder, _ = await service.set_reminder(me.viewer, walk.id, None, "07:30", None, True)
    phone = push_service.browser("phone").as_input()
    await service.add_push_subscription(me.viewer, phone["endpoint"], phone["p256dh"], phone["auth"], "phone")
    heard: list[LiveEvent] = []
    workers: list[Worker] = []
    try:
        async with engine_without_worker() as engine:
            assert engine.broker is not None and engine.hub is not None
            async with engine.hub.inbox(me.id) as inbox:
                for _ in range(2):
                    # unique=False: both workers queue and run the job each second, as if arq's own
                    # per-tick lock were lost; the database alone must keep it once
                    jobs = [cron(fire_reminders, second=set(range(60)), run_at_startup=True, unique=False)]
                    workers.append(Worker(functions=[], cron_jobs=jobs, redis_pool=await create_pool(
                        engine.broker.settings), poll_delay=0.05, handle_signals=False, keep_result=0))
                tasks = [asyncio.create_task(w.async_run()) for w in workers]
                # the workers run, nothing is due yet
                await asyncio.sleep(1.2)
                assert inbox.empty() and push_service.received == []
                # 07:30:01 Berlin
                clock.travel(datetime(2026, 1, 12, 6, 30, 1, tzinfo=UTC) - datetime.now(UTC))
                first = await asyncio.wait_for(inbox.get(), 15)  # within a few seconds of its minute
                assert isinstance(first, LiveEvent)
                heard.append(first)
                await asyncio.sleep(RUN_SECONDS)  # more rounds of both workers (and the push sent meanwhile)
                for task in tasks:
                    task.cancel()
                await asyncio.gather(*tasks, return_exceptions=True)
                for worker in workers:
                    await worker.close()  # while the (maybe embedded) Redis still runs
                workers.clear()
                while not inbox.empty():
                    item = inbox.get_nowait()
                    assert isinstance(item, LiveEvent)
                    heard.append(item)
    finally:
        push_service.stop()
        clock.travel(timedelta(0))

    due_at = datetime(2026, 1, 12, 6, 30, tzinfo=UTC)
    assert heard == [ReminderDue(habit_id=str(walk.id), reminder_id=str(reminder.id), due_at=due_at)]
    assert push_service.refused == []
    assert [(r.browser, r.payload["reminderId"]) for r in push_service.received] == [("phone", str(reminder.id))]
    assert await repository.deliveries(reminder.id) == [(date(2026, 1, 12), "event"), (date(2026, 1, 12), "push")]
    # what the subscription shows for it
    shown = await reminder_due(me.id, heard[0])  # type: ignore[arg-type]
    assert shown is not None
    assert (shown.habit.name, shown.reminder.time, shown.due_at) == ("Walk", "07:30", due_at)
