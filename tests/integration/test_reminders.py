"""Reminders through the API and the engine's firing: storage, limits, upcoming, rescheduling, at most once."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any
from uuid import UUID

import pytest

from server import clock
from server.engine.events import LiveEvent, ReminderDue
from server.habits import service as habits
from server.habits.model import Period, Schedule
from server.reminders import firing, repository
from tests import factories
from tests.integration.api import ERROR, FIELD, Api

SET = f"""mutation($h: ID!, $input: ReminderInput!) {{ reminderSet(habitId: $h, input: $input) {{
  {ERROR} {FIELD} ... on Reminder {{ id time weekdays enabled nextDueAt }} }} }}"""
DELETE = f"mutation($id: ID!) {{ reminderDelete(id: $id) {{ {ERROR} ... on Reminder {{ id }} }} }}"
UPCOMING = """query($hours: Int) { upcomingReminders(hours: $hours) { habit { name } reminder { time } dueAt day } }"""
# Monday 12 January 2026, 06:00 in Berlin (UTC+1): a morning with its 07:30 still ahead.
MONDAY_6AM = datetime(2026, 1, 12, 5, 0, tzinfo=UTC)


def at(instant: datetime) -> None:
    clock.travel(instant - datetime.now(UTC))


@pytest.fixture
def monday() -> Iterator[datetime]:
    at(MONDAY_6AM)
    yield MONDAY_6AM
    clock.travel(timedelta(0))


async def set_reminder(api: Api, habit_id: str, **fields: Any) -> dict[str, Any]:
    out: dict[str, Any] = (await api.data(SET, {"h": habit_id, "input": fields}))["reminderSet"]
    return out


async def test_set_update_list_and_delete(api: Api, monday: datetime) -> None:
    me = await factories.user(timezone="Europe/Berlin")
    lift = await factories.habit(me, "Lift", schedule=Schedule(Period.WEEKDAYS, (1, 3, 5)),
                                 start_date=date(2026, 1, 1))
    api.as_user(me)

    # a reminder without weekdays follows the habit's days; its next firing is today's 07:30 Berlin
    made = await set_reminder(api, str(lift.id), time="07:30")
    assert (made["__typename"], made["time"], made["weekdays"], made["enabled"]) == ("Reminder", "07:30", [1, 3, 5],
                                                                                     True)
    assert datetime.fromisoformat(made["nextDueAt"]) == datetime(2026, 1, 12, 6, 30, tzinfo=UTC)

    # update in place: Tuesdays at 21:15
    changed = await set_reminder(api, str(lift.id), id=made["id"], time="21:15", weekdays=[2])
    assert (changed["id"], changed["time"], changed["weekdays"]) == (made["id"], "21:15", [2])
    assert datetime.fromisoformat(changed["nextDueAt"]) == datetime(2026, 1, 13, 20, 15, tzinfo=UTC)

    # disabled: kept, never due
    off = await set_reminder(api, str(lift.id), id=made["id"], time="21:15", weekdays=[2], enabled=False)
    assert (off["enabled"], off["nextDueAt"]) == (False, None)

    listed = (await api.data("query($id: ID!) { habit(id: $id) { reminders { id time enabled } } }",
                             {"id": str(lift.id)}))["habit"]["reminders"]
    assert listed == [{"id": made["id"], "time": "21:15", "enabled": False}]

    gone = (await api.data(DELETE, {"id": made["id"]}))["reminderDelete"]
    assert gone == {"__typename": "Reminder", "id": made["id"]}
    again = (await api.data(DELETE, {"id": made["id"]}))["reminderDelete"]
    assert again["code"] == "NOT_FOUND"


async def test_bad_input_limits_and_other_users(api: Api, monday: datetime) -> None:
    me = await factories.user()
    walk = await factories.habit(me)
    api.as_user(me)
    for fields, field in [({"time": "7:30"}, "time"), ({"time": "24:00"}, "time"),
                          ({"time": "07:30", "weekdays": []}, "weekdays"),
                          ({"time": "07:30", "weekdays": [0]}, "weekdays"),
                          ({"time": "07:30", "weekdays": [1, 1]}, "weekdays")]:
        out = await set_reminder(api, str(walk.id), **fields)
        assert (out["code"], out["field"]) == ("INVALID_INPUT", field), fields
    for minute in range(5):
        assert (await set_reminder(api, str(walk.id), time=f"08:0{minute}"))["__typename"] == "Reminder"
    sixth = await set_reminder(api, str(walk.id), time="09:00")
    assert sixth["code"] == "OUT_OF_RANGE"
    assert len(await repository.for_owner(me.id)) == 5

    # another user can neither add to my habit nor change or delete my reminders
    mine = (await repository.for_owner(me.id))[0]
    other = await factories.user()
    theirs = await factories.habit(other)
    api.as_user(other)
    assert (await set_reminder(api, str(walk.id), time="10:00"))["code"] == "NOT_FOUND"
    assert (await set_reminder(api, str(theirs.id), id=str(mine.id), time="10:00"))["code"] == "NOT_FOUND"
    assert (await set_reminder(api, str(walk.id), id=str(mine.id), time="10:00"))["code"] == "NOT_FOUND"
    assert (await api.data(DELETE, {"id": str(mine.id)}))["reminderDelete"]["code"] == "NOT_FOUND"
    assert (await api.data(UPCOMING, {"hours": 24}))["upcomingReminders"] == []
    assert await repository.get(me.id, mine.id) == mine


async def test_upcoming_leaves_out_settled_days_and_is_bounded(api: Api, monday: datetime) -> None:
    me = await factories.user(timezone="Europe/Berlin")
    walk = await factories.habit(me, "Walk", start_date=date(2026, 1, 1))
    read = await factories.habit(me, "Read", start_date=date(2026, 1, 1))
    api.as_user(me)
    await set_reminder(api, str(walk.id), time="07:30")
    await set_reminder(api, str(read.id), time="20:00")
    await factories.check_in(me, walk.id)  # walked already this morning

    items = (await api.data(UPCOMING, {"hours": 36}))["upcomingReminders"]
    assert [(i["habit"]["name"], i["reminder"]["time"], i["dueAt"], i["day"]) for i in items] == [
        ("Read", "20:00", "2026-01-12T19:00:00+00:00", "2026-01-12"),
        ("Walk", "07:30", "2026-01-13T06:30:00+00:00", "2026-01-13"),
    ]
    for hours in (0, 169):
        assert await api.codes(UPCOMING, {"hours": hours}) == ["BAD_USER_INPUT"]


async def test_a_time_zone_change_moves_the_next_firing(api: Api, monday: datetime) -> None:
    me = await factories.user(timezone="Europe/Berlin")
    walk = await factories.habit(me, start_date=date(2026, 1, 1))
    api.as_user(me)
    await set_reminder(api, str(walk.id), time="07:30")

    await api.data('mutation { profileUpdate(input: {timezone: "America/New_York"}) { __typename } }')

    (moved,) = await repository.for_owner(me.id)
    assert (moved.next_due_at, moved.next_due_day) == (datetime(2026, 1, 12, 12, 30, tzinfo=UTC), date(2026, 1, 12))


class Heard:
    def __init__(self) -> None:
        self.events: list[tuple[UUID, LiveEvent]] = []

    async def __call__(self, user_id: UUID, event: LiveEvent) -> None:
        self.events.append((user_id, event))


async def test_a_due_reminder_fires_once_with_two_workers(monday: datetime) -> None:
    me = await factories.user(timezone="Europe/Berlin")
    walk = await factories.habit(me, "Walk", start_date=date(2026, 1, 1))
    reminder = await _remind(me, walk.id, "07:30")

    # at 07:30:05 Berlin two workers look at once
    at(datetime(2026, 1, 12, 6, 30, 5, tzinfo=UTC))
    heard = Heard()
    reports = await asyncio.gather(firing.fire_due(clock.now(), heard), firing.fire_due(clock.now(), heard))

    assert heard.events == [(me.id, ReminderDue(str(walk.id), str(reminder), datetime(2026, 1, 12, 6, 30,
                                                                                      tzinfo=UTC)))]
    assert sum(r.fired for r in reports) == 1
    assert await repository.deliveries(reminder) == [(date(2026, 1, 12), "event")]
    # and it moved on to tomorrow; looking again fires nothing
    (moved,) = await repository.for_owner(me.id)
    assert (moved.next_due_day, moved.fired_day) == (date(2026, 1, 13), date(2026, 1, 12))
    assert (await firing.fire_due(clock.now(), heard)).fired == 0
    assert len(heard.events) == 1


async def test_done_skipped_and_late_days_do_not_fire(monday: datetime) -> None:
    me = await factories.user(timezone="Europe/Berlin")
    done = await factories.habit(me, "Done", start_date=date(2026, 1, 1))
    skipped = await factories.habit(me, "Skipped", start_date=date(2026, 1, 1))
    still_open = await factories.habit(me, "Open", start_date=date(2026, 1, 1))
    await factories.check_in(me, done.id)
    await habits.set_skipped(me.viewer, skipped.id, date(2026, 1, 12), True)
    for habit in (done, skipped, still_open):
        await _remind(me, habit.id, "07:30")
    late = await _remind(me, (await factories.habit(me, "Late", start_date=date(2026, 1, 1))).id, "07:31")

    heard = Heard()
    at(datetime(2026, 1, 12, 6, 30, 5, tzinfo=UTC))
    report = await firing.fire_due(clock.now(), heard)
    assert [e.habit_id for _, e in heard.events if isinstance(e, ReminderDue)] == [str(still_open.id)]
    assert (report.fired, report.skipped) == (1, 2)

    # the 07:31 one is looked at only at 07:50 (the workers were down): moved on, not sent
    at(datetime(2026, 1, 12, 6, 50, tzinfo=UTC))
    report = await firing.fire_due(clock.now(), heard)
    assert (report.fired, report.skipped) == (0, 1)
    assert len(heard.events) == 1
    assert await repository.deliveries(late) == []
    assert all(r.next_due_day == date(2026, 1, 13) for r in await repository.for_owner(me.id))


async def _remind(user: factories.User, habit_id: UUID, time: str) -> UUID:
    from server.reminders import service

    return (await service.set_reminder(user.viewer, habit_id, None, time, None, True))[0].id


async def test_reminders_of_many_habits_cost_one_query(api: Api) -> None:
    from server.database import count_queries

    me = await factories.user()
    api.as_user(me)

    async def count(n: int) -> int:
        for i in range(n):
            habit = await factories.habit(me, f"Habit {i}-{n}")
            await _remind(me, habit.id, "07:30")
            await _remind(me, habit.id, "21:00")
        with count_queries() as counter:
            data = await api.data("{ habits { id reminders { id time weekdays followsHabit enabled } } }")
        assert all(len(h["reminders"]) == 2 for h in data["habits"])
        return counter.count

    # token look-up, habit list, every habit's reminders
    assert await count(2) == await count(10) == 3


async def test_a_firing_that_fails_before_its_commit_is_retried_and_delivered_once(
        monday: datetime, monkeypatch: pytest.MonkeyPatch) -> None:
    me = await factories.user(timezone="Europe/Berlin")
    walk = await factories.habit(me, "Walk", start_date=date(2026, 1, 1))
    read = await factories.habit(me, "Read", start_date=date(2026, 1, 1))
    broken = await _remind(me, walk.id, "07:30")
    await _remind(me, read.id, "07:30")
    claim = repository.claim_deliveries

    async def crash_once(reminder: Any, *args: Any) -> list[str]:
        if reminder.id == broken:
            monkeypatch.setattr(repository, "claim_deliveries", claim)
            raise ConnectionError("the database went away mid-transaction")
        return await claim(reminder, *args)

    monkeypatch.setattr(repository, "claim_deliveries", crash_once)
    heard = Heard()
    at(datetime(2026, 1, 12, 6, 30, 5, tzinfo=UTC))

    first = await firing.fire_due(clock.now(), heard)
    # the other reminder fired; the broken one rolled back whole: not moved on, nothing claimed
    assert (first.fired, first.failed) == (1, 1)
    assert [e.habit_id for _, e in heard.events if isinstance(e, ReminderDue)] == [str(read.id)]
    assert await repository.deliveries(broken) == []

    second = await firing.fire_due(clock.now(), heard)
    third = await firing.fire_due(clock.now(), heard)
    assert (second.fired, second.failed, third.fired) == (1, 0, 0)
    assert sorted(e.habit_id for _, e in heard.events if isinstance(e, ReminderDue)) == sorted(
        [str(read.id), str(walk.id)])
    assert await repository.deliveries(broken) == [(date(2026, 1, 12), "event")]


async def test_a_day_start_change_moves_a_night_reminder_to_the_habit_day_before(api: Api, monday: datetime) -> None:
    me = await factories.user(timezone="Europe/Berlin")
    walk = await factories.habit(me, start_date=date(2026, 1, 1))
    api.as_user(me)
    await set_reminder(api, str(walk.id), time="01:00")
    (before,) = await repository.for_owner(me.id)
    # Monday 06:00: the next 01:00 is Tuesday's, for Tuesday
    assert (before.next_due_at, before.next_due_day) == (datetime(2026, 1, 13, 0, 0, tzinfo=UTC), date(2026, 1, 13))

    await api.data("mutation { profileUpdate(input: {dayStartHour: 4}) { __typename } }")

    # with days starting at 04:00, that same night belongs to Monday, and Monday's reminder is still ahead
    (after,) = await repository.for_owner(me.id)
    assert (after.next_due_at, after.next_due_day) == (datetime(2026, 1, 13, 0, 0, tzinfo=UTC), date(2026, 1, 12))


async def test_looking_for_due_reminders_reads_nothing_else(monday: datetime) -> None:
    from server.database import count_queries

    me = await factories.user(timezone="Europe/Berlin")
    for i in range(5):
        await _remind(me, (await factories.habit(me, f"Habit {i}", start_date=date(2026, 1, 1))).id, "07:30")
    # 06:00: nothing is due, however many reminders and users there are: one indexed range query
    with count_queries() as counter:
        report = await firing.fire_due(clock.now(), Heard())
    assert (counter.count, report.fired, report.skipped) == (1, 0, 0)


async def test_no_reminder_fires_on_a_paused_day() -> None:
    """A paused day is a skipped day (contract v2): its reminders stay quiet, and fire again after it."""
    from datetime import UTC, date, datetime, timedelta

    from server import clock
    from server.habits import pause_service
    from server.reminders import firing
    from server.reminders import service as reminders
    from tests import factories

    heard: list[object] = []

    async def publish(_user: object, event: object) -> None:
        heard.append(event)

    me = await factories.user(timezone="Europe/Berlin")
    walk = await factories.habit(me, "Walk", start_date=date(2026, 1, 1))
    try:
        clock.travel(datetime(2026, 1, 12, 6, 0, tzinfo=UTC) - datetime.now(UTC))  # Monday 07:00 Berlin
        await reminders.set_reminder(me.viewer, walk.id, None, "07:30", None, True)
        await pause_service.create_pause(me.viewer, None, date(2026, 1, 12), date(2026, 1, 12), "ill")
        clock.travel(datetime(2026, 1, 12, 6, 30, 5, tzinfo=UTC) - datetime.now(UTC))
        paused = await firing.fire_due(clock.now(), publish)
        clock.travel(datetime(2026, 1, 13, 6, 30, 5, tzinfo=UTC) - datetime.now(UTC))  # Tuesday: no break
        after = await firing.fire_due(clock.now(), publish)
    finally:
        clock.travel(timedelta(0))
    assert (paused.fired, paused.skipped) == (0, 1)
    assert after.fired == 1 and len(heard) == 1
