"""Test data made through the services, for tests whose subject is something else.

A test about check-ins needs a user and a habit, not a trip through `signUp` and `habitCreate`:

    me = await factories.user(timezone="Europe/Berlin")
    walk = await factories.habit(me, name="Walk", start_date=date(2026, 3, 1))
    await factories.check_in(me, walk.id, occurred_at=datetime(2026, 3, 2, 8, tzinfo=UTC))
    api.as_user(me)                      # the GraphQL client now sends me.token

Everything goes through the same use cases the API calls (validation, one transaction, the stale
mark), so the data is what a client would have made; only the HTTP and GraphQL layers are skipped.
Passwords are hashed with the suite's cheap argon2 profile (tests/conftest.py). Keep real sign-up
through the API in the tests where signing up is the subject.
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from uuid import UUID

from server.accounts import service as accounts
from server.accounts.model import Account, Viewer
from server.habits import service as habits
from server.habits.model import Category, Kind, Period, Schedule
from server.habits.records import CheckInRecord, HabitRecord
from server.portability.checkins import import_check_ins
from server.portability.rows import CheckInRow, RowStatus, SkipRow

PASSWORD = "correct horse battery"
DAILY = Schedule(Period.DAILY)


@dataclass(frozen=True, slots=True)
class User:
    """A signed-up account with a live session token (READ and WRITE), as `signUp` returns."""

    viewer: Viewer
    token: str
    password: str

    @property
    def account(self) -> Account:
        return self.viewer.account

    @property
    def id(self) -> UUID:
        return self.viewer.account.id

    @property
    def email(self) -> str:
        return self.viewer.account.email


async def user(email: str | None = None, *, password: str = PASSWORD, timezone: str = "UTC",
               display_name: str | None = None, day_start_hour: int | None = None) -> User:
    """A new account and a session, made by the sign-up use case (a unique e-mail unless given)."""
    session = await accounts.sign_up(email or f"user-{uuid.uuid4().hex[:10]}@example.com", password, timezone,
                                     display_name)
    viewer = await accounts.authenticate(session.token)
    assert viewer is not None
    if day_start_hour is not None:
        await accounts.update_profile(viewer, None, day_start_hour, None)
        viewer = await accounts.authenticate(session.token)
        assert viewer is not None
    return User(viewer, session.token, password)


async def habit(owner: User, name: str = "Walk", *, category: Category = Category.WORKOUT, kind: Kind = Kind.BUILD,
                schedule: Schedule = DAILY, target_quantity: float | None = None, unit: str | None = None,
                start_date: date | None = None) -> HabitRecord:
    """A habit of `owner`, made by the habitCreate use case (a DAILY workout unless told otherwise)."""
    return await habits.create_habit(owner.viewer, habits.HabitInput(
        name=name, category=category, kind=kind, schedule=schedule, target_quantity=target_quantity, unit=unit,
        start_date=start_date))


async def check_in(owner: User, habit_id: UUID, *, occurred_at: datetime | None = None,
                   quantity: float | None = None, note: str | None = None,
                   idempotency_key: str | None = None) -> CheckInRecord:
    """A check-in logged by the habitCheckIn use case (now, quantity 1, unless told otherwise)."""
    return await habits.check_in(owner.viewer, habit_id, occurred_at, quantity, note, idempotency_key)


async def history(owner: User, habit_id: UUID, days: Iterable[date], *, quantity: float = 1.0,
                  skips: Iterable[date] = ()) -> None:
    """Check-ins at noon UTC on each of `days` and skipped `skips`, by the checkInsImport use case: a long
    history in one transaction (at most 5,000 of each)."""
    report = await import_check_ins(
        owner.viewer, [CheckInRow(habit_id, datetime.combine(day, time(12), tzinfo=UTC), quantity) for day in days],
        [SkipRow(habit_id, day) for day in skips], dry_run=False)
    assert report.committed, [o for o in report.rows + report.skips if o.status is RowStatus.REJECTED][:3]


async def patchy_history(owner: User, habit: HabitRecord, today: date, rng: random.Random, *, longest_run: int,
                         marks: str) -> None:
    """From the habit's start to yesterday, runs (1 to `longest_run` days) of one mark drawn from `marks`:
    done ("x"), nothing (".": a QUIT habit's slip) or skipped ("s"); logged by checkInsImport."""
    done, skips = [], []
    day = habit.start_date
    while day < today:
        run, mark = rng.randint(1, longest_run), rng.choice(marks)
        for _ in range(run):
            if mark == "x" or (habit.kind is Kind.QUIT and mark == "."):
                done.append(day)
            elif mark == "s":
                skips.append(day)
            day += timedelta(days=1)
    await history(owner, habit.id, [d for d in done if d < today],
                  quantity=2.0 if habit.kind is Kind.QUIT else habit.target_quantity,
                  skips=[d for d in skips if d < today])
