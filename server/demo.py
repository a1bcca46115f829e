"""`comeback demo`: a demo account with about three months of realistic history.

The history is written through the domain services while the clock is moved back day by
day (server.clock.travel), so every row looks as if it had been logged live: check-ins,
skips, journal entries, and the engine's recompute at the end of each day, which awards
achievements and opens steps on the day they were earned.
"""

from __future__ import annotations

import contextlib
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from uuid import UUID
from zoneinfo import ZoneInfo

from server import clock
from server.accounts import service as accounts
from server.accounts.model import Viewer
from server.errors import DomainError
from server.habits import service as habits
from server.habits.model import Category, Kind, Period, Schedule
from server.habits.records import Source
from server.journal import service as journal
from server.program import service as program
from server.progress.service import recompute_user

EMAIL = "demo@comeback.app"
PASSWORD = "comeback-demo"
DISPLAY_NAME = "Alex"
TIMEZONE = "Europe/Berlin"
DAYS = 90
SEED = 5  # the same story every time, relative to today


@dataclass
class DemoHabit:
    """One habit of the story: when it starts and how its days usually go."""

    name: str
    category: Category
    schedule: Schedule
    start: int  # day of the story it was created on
    kind: Kind = Kind.BUILD
    target: float = 1.0
    unit: str | None = None
    at: time = time(19, 0)
    odds: float = 0.9  # chance of a done (BUILD) or clean (QUIT) day
    misses: frozenset[int] = frozenset()  # days deliberately missed (broken streaks)
    skips: frozenset[int] = frozenset()  # days skipped (sick, travelling)
    notes: dict[int, str] = field(default_factory=dict)
    amount: Callable[[random.Random], float] | None = None  # quantity logged on a done day


LIGHTS_OUT_MISSES = frozenset({33, 34, 35})  # step 1's starter habit: one broken streak in week five
SICK = frozenset({44, 45, 46})  # a cold in week seven: skipped, streaks kept
# Reading lapses for three days every couple of weeks (more than two freezes cover), so the
# 14-day reading streak of step 5 is still to come: the demo stands in the middle of the path.
READING_LAPSES = frozenset(d for start in (15, 28, 39, 52, 64, 78) for d in range(start, start + 3))

STORY = [
    DemoHabit("Make your bed", Category.HYGIENE, Schedule(Period.DAILY), start=2, at=time(7, 40), odds=0.93,
              misses=frozenset({30, 31})),
    DemoHabit("Drink 8 glasses of water", Category.CUSTOM, Schedule(Period.DAILY), start=2, target=8,
              unit="glasses", at=time(20, 30), odds=0.75, amount=lambda r: float(r.choice([4, 6, 8, 8, 8, 9]))),
    DemoHabit("Evening walk", Category.WORKOUT, Schedule(Period.DAILY), start=3, target=30, unit="minutes",
              at=time(18, 30), odds=0.97, misses=frozenset({21, 22}), skips=SICK,
              amount=lambda r: float(r.choice([30, 30, 35, 40, 45, 60])),
              notes={3: "Around the park, slowly.", 12: "Rainy, went anyway.", 50: "First walk after the cold.",
                     70: "Took the long way by the river.", 88: "Met Sam on the way."}),
    DemoHabit("Read 10 pages", Category.READING, Schedule(Period.DAILY), start=6, target=10, unit="pages",
              at=time(22, 0), odds=0.92, misses=READING_LAPSES, skips=SICK,
              amount=lambda r: float(r.choice([10, 12, 15, 20, 25])),
              notes={6: "Started 'Attached'.", 40: "Finished the book!", 75: "New novel, hard to put down."}),
    DemoHabit("No contact", Category.CUSTOM, Schedule(Period.DAILY), start=5, kind=Kind.QUIT, at=time(23, 10),
              odds=1.0, misses=frozenset({12, 31}),
              notes={12: "Texted on their birthday. Back to day one.", 31: "Looked at old photos and called."}),
    DemoHabit("See friends or family", Category.FRIENDS, Schedule(Period.WEEKLY, times_per_week=2), start=10,
              at=time(20, 0), odds=0.35, notes={17: "Dinner at Mia's.", 60: "Board games night."}),
    DemoHabit("Strength training", Category.WORKOUT, Schedule(Period.WEEKDAYS, weekdays=(1, 3, 5)), start=20,
              at=time(7, 0), odds=0.85, skips=SICK),
]

JOURNAL = {
    0: ("awareness", 0, "I went quiet whenever I was hurt and expected them to guess. I can see that now."),
    1: ("awareness", 1, "Next time I'd say 'that hurt me' in the moment instead of sulking for a day."),
    3: ("not-perfect", 0, "They cancelled plans a lot and never apologised. It wasn't all on me."),
    9: ("face-your-fears", 0, "I'm afraid of being alone at weddings. Written down, it looks smaller."),
    24: (None, None, "Three weeks of walking. My head is clearer in the evenings."),
    38: (None, None, "Bad day. Read instead of scrolling, and it helped a bit."),
    52: ("no-pedestal", 0, "They were funny and kind, and also careless with my time. Both are true."),
    66: (None, None, "Saw friends twice this week. I'd forgotten how much I laugh with them."),
    80: (None, None, "I noticed I didn't think about them all morning."),
}


def _local(day: date, at: time, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, at, tzinfo=zone).astimezone(UTC)


def _travel_to(instant: datetime) -> None:
    clock.travel(timedelta(0))
    clock.travel(instant - clock.now())


async def _day(viewer: Viewer, ids: dict[str, UUID], index: int, day: date, is_today: bool,
               rng: random.Random) -> None:
    """One day of the story: each started habit is done, partly done, missed, skipped or slipped."""
    zone = ZoneInfo(TIMEZONE)
    now_today = clock.now()
    for habit in STORY:
        habit_id = ids.get(habit.name)
        if habit_id is None:
            continue
        if index in habit.skips:
            await habits.set_skipped(viewer, habit_id, day, True)
            continue
        at = _local(day, habit.at, zone)
        if is_today and at > now_today:
            continue  # later today: still to do
        note = habit.notes.get(index)
        if habit.kind is Kind.QUIT:
            if index in habit.misses:  # a slip
                await habits.check_in(viewer, habit_id, at, 1, note, source=Source.WEB)
            continue
        if index in habit.misses or rng.random() > habit.odds:
            continue
        amount = habit.amount(rng) if habit.amount else habit.target
        if amount > 1 and habit.unit == "glasses":  # water comes in through the day
            first = amount // 2
            await habits.check_in(viewer, habit_id, at - timedelta(hours=8), first, None, source=Source.MOBILE)
            amount -= first
        await habits.check_in(viewer, habit_id, at, amount, note, source=Source.WEB)


async def create_demo() -> tuple[str, str]:
    """Create (or recreate) the demo account and its history; returns the login."""
    from server.accounts import deletion

    with contextlib.suppress(DomainError):  # NOT_FOUND: no demo account yet
        await deletion.delete_by_email(EMAIL)
    rng = random.Random(SEED)
    zone = ZoneInfo(TIMEZONE)
    real_today = datetime.now(zone).date()
    first = real_today - timedelta(days=DAYS)
    ids: dict[str, UUID] = {}
    try:
        _travel_to(_local(first, time(8, 0), zone))
        session = await accounts.sign_up(EMAIL, PASSWORD, TIMEZONE, DISPLAY_NAME)
        viewer = await accounts.authenticate(session.token)
        assert viewer is not None
        kit = await program.adopt_starter_kit(viewer, "awareness")  # "Lights out by 11:30", from day one
        lights_out = kit[0].id
        for index in range(DAYS + 1):
            day = first + timedelta(days=index)
            is_today = index == DAYS
            if is_today:
                clock.travel(timedelta(0))
            else:
                _travel_to(_local(day, time(23, 30), zone))
            for habit in STORY:
                if habit.start == index:
                    record = await habits.create_habit(viewer, habits.HabitInput(
                        name=habit.name, category=habit.category, kind=habit.kind, schedule=habit.schedule,
                        target_quantity=habit.target, unit=habit.unit, start_date=day))
                    ids[habit.name] = record.id
            if not is_today and index not in LIGHTS_OUT_MISSES and index % 11 != 7:
                await habits.check_in(viewer, lights_out, _local(day, time(23, 20), zone), 1, None,
                                      source=Source.MOBILE)
            await _day(viewer, ids, index, day, is_today, rng)
            if index in JOURNAL:
                step, prompt_index, body = JOURNAL[index]
                prompt = None
                if step is not None and prompt_index is not None:
                    found = program.find_step(step)
                    prompt = found.prompts[prompt_index] if found else None
                    if not await program.is_unlocked(viewer, step):
                        step, prompt = None, None
                await journal.create_entry(viewer, body, prompt, step)
            await recompute_user(viewer.account.id)
    finally:
        clock.travel(timedelta(0))
    return EMAIL, PASSWORD


async def run() -> tuple[str, str]:
    """Apply migrations, then build the demo account on the configured database."""
    from server import database
    from server.migrations import migrate

    database.use_this_module()
    await migrate()
    await database.start()
    try:
        return await create_demo()
    finally:
        await database.stop()
