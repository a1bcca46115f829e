"""Habits, check-ins and days in GraphQL; the math lives in server.habits."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from datetime import date, datetime, timedelta
from typing import Annotated, TypeVar

import strawberry
from strawberry.types import Info

from server.errors import DomainError, ErrorCode, not_found
from server.graphql.context import Context
from server.graphql.errors import (
    ApiError,
    DuplicateError,
    InvalidInputError,
    NotFoundError,
    OutOfRangeError,
    typed_errors,
)
from server.graphql.ids import parse_id, try_parse_id
from server.graphql.loaders import CheckInCountKey, CheckInPageKey, ReadingKey
from server.graphql.lookahead import reading_days
from server.graphql.pagination import Edge, PageInfo, decode_cursor, encode_cursor, page_size
from server.graphql.reminders import Reminder
from server.habits import queries, service
from server.habits.model import Category, DayStatus, HabitSummary, Kind, Period, Schedule, StreakUnit
from server.habits.records import CheckInRecord, HabitRecord, Source
from server.habits.summary import HabitReading

DAYS_MAX = 1000
FROM = "The first local day (inclusive)."
TO = "The last local day (inclusive)."
FIRST = "Page size: 0-100 (default 20)."
AFTER = "The endCursor of the previous page."
HABIT_ID = "The habit's id."
T = TypeVar("T")

CategoryType = strawberry.enum(
    Category, name="Category",
    description="What a habit is about; confidence weighs each. WORKOUT: exercise. READING: reading. HYGIENE: "
                "looking after yourself. FRIENDS: seeing your people. CUSTOM: anything else.")
KindType = strawberry.enum(Kind, name="HabitKind", description="BUILD a good habit (check-ins are the work "
                                                               "done), or QUIT a bad one (check-ins are slips).")
PeriodType = strawberry.enum(
    Period, name="Period",
    description="DAILY: every day. WEEKDAYS: the chosen ISO weekdays. WEEKLY: `timesPerWeek` days per calendar "
                "week (Monday first). INTERVAL: `times` days in any `days` days (Loop Habit Tracker's frequency: "
                "rolling intervals, not calendar weeks).")
StreakUnitType = strawberry.enum(StreakUnit, name="StreakUnit",
                                 description="What a streak counts: DAYS, or WEEKS (WEEKLY habits: calendar weeks "
                                             "that met timesPerWeek).")
DayStatusType = strawberry.enum(
    DayStatus, name="DayStatus",
    description="DONE: the day's check-ins reach the target. PARTIAL: something, short of the target. MISSED: "
                "due and not done. SKIPPED: skipped (keeps a streak, adds nothing). FROZEN: a missed day covered by "
                "an earned freeze. COVERED: INTERVAL habits: no check-in, none needed, because check-ins nearby meet "
                "the interval (Loop's automatic check); it counts for the streak. NOT_DUE: not a scheduled day, or "
                "before the start. CLEAN: QUIT habits: no slip. SLIP: QUIT habits: more than the daily limit logged. "
                "FUTURE: after today. PENDING: today, due and not done yet.")
SourceType = strawberry.enum(
    Source, name="CheckInSource",
    description="Where a check-in came from. API: a client that did not say (the default). WEB: the dashboard. "
                "MOBILE: the phone app (or a shortcut). SCRIPT: the comeback CLI or a script. IMPORT: an import.")


@strawberry.type(name="Schedule", description="How often a habit is due; see Period.")
class ScheduleType:
    period: Period = strawberry.field(description="The kind of schedule; the other fields say its numbers.")
    weekdays: list[int] = strawberry.field(description="WEEKDAYS only: 1 = Monday ... 7 = Sunday.")
    times_per_week: int | None = strawberry.field(description="WEEKLY only: 1-7 per calendar week.")
    times: int | None = strawberry.field(description="INTERVAL only: how many done days in any `days` days, "
                                                      "1 to `days`.")
    days: int | None = strawberry.field(description="INTERVAL only: the length of the rolling interval, 1-365 (30 "
                                                     "or 31: a calendar month, as in Loop).")
    total: bool = strawberry.field(description="INTERVAL only. false: a day counts when its own check-ins reach "
                                               "targetQuantity. true: targetQuantity is a total to reach over any "
                                               "`days` days (Loop's numeric habits, e.g. 20 km a week: times 1, "
                                               "days 7); `times` then only sets how fast strength moves, and times "
                                               "equal to days is every day, as in Loop.")

    @classmethod
    def from_domain(cls, schedule: Schedule) -> ScheduleType:
        return cls(period=schedule.period, weekdays=list(schedule.weekdays), times_per_week=schedule.times_per_week,
                   times=schedule.times, days=schedule.days, total=schedule.total)


@strawberry.type(description="One local day of a habit.")
class HabitDay:
    date: date = strawberry.field(description="The local day.")
    quantity: float = strawberry.field(description="The sum of the day's live check-ins.")
    # The enum's values, not its members: graphql-core names a value with one dict lookup, while
    # Strawberry compares a member with each of the ten statuses (most of a year heatmap's cost).
    status: str = strawberry.field(graphql_type=DayStatus, description="What the day counts as.")


@strawberry.type(description="Days in a compact shape: one status and one quantity per date from `start`.")
class DaySeries:
    start: date = strawberry.field(description="The first day (`from`).")
    end: date = strawberry.field(description="The last day (`to`).")
    statuses: list[str] = strawberry.field(graphql_type=list[DayStatus],  # values: see HabitDay.status
                                           description="One status per day, from `start`.")
    quantities: list[float] = strawberry.field(description="One quantity (the day's sum) per day, from `start`.")


@strawberry.type(description="A habit's strength day by day, as `Habit.strength` gives it for today.")
class StrengthSeries:
    from_: date = strawberry.field(name="from", description="The first day of `values`, as asked.")
    to: date = strawberry.field(description="The last day of `values`: the `to` asked, or today when that is "
                                            "later (strength is not known ahead; the day before `from` when "
                                            "`from` is after today and `values` is empty).")
    values: list[float] = strawberry.field(description="Strength from 0 to 100 at the end of each day from "
                                                       "`from` to `to`, one per day, rounded to 4 decimals.")


@strawberry.type(description="Something you do (BUILD) or stop doing (QUIT) on a schedule, with its streaks and "
                              "strength.")
class Habit:
    id: strawberry.ID = strawberry.field(description="Stable; opaque.")
    name: str = strawberry.field(description="Unique among your habits.")
    category: Category = strawberry.field(description="What it is about; confidence weighs each category.")
    kind: Kind = strawberry.field(description="BUILD or QUIT; fixed at creation.")
    schedule: ScheduleType = strawberry.field(description="When it is due.")
    target_quantity: float = strawberry.field(description="A BUILD day is done when its check-ins reach it (an "
                                                          "INTERVAL total: the interval's, see Schedule.total).")
    unit: str | None = strawberry.field(description="The unit of quantities (pages, km); null: a count.")
    start_date: date = strawberry.field(description="Its first local day; nothing before it counts.")
    archived: bool = strawberry.field(description="Hidden from today's list; history kept (habitRestore).")
    daily_limit: float | None = strawberry.field(
        description="QUIT only: a day is a slip when its check-ins add up to more than this (e.g. at most 2 "
                    "coffees); null: any check-in is a slip.")
    description: str | None = strawberry.field(description="Free text about the habit (up to 1000 characters).")
    question: str | None = strawberry.field(description="The question to ask when checking in, e.g. \"Did you "
                                                         "meditate this morning?\" (up to 200 characters).")
    color: str | None = strawberry.field(description="The habit's colour as #RRGGBB; null: the app's choice.")
    position: int = strawberry.field(description="Where the habit stands in your order (0 first): `habits` lists "
                                                 "by it, new habits go last, habitsReorder changes it.")
    record: strawberry.Private[HabitRecord]
    # Set when the resolver that listed the habit walked it up front (with_readings).
    summary: strawberry.Private[HabitSummary | None] = None
    reading: strawberry.Private[HabitReading | None] = None  # walked from each of reading_days on
    reading_days: strawberry.Private[frozenset[date]] = frozenset()

    @classmethod
    def from_domain(cls, h: HabitRecord) -> Habit:
        return cls(
            id=strawberry.ID(str(h.id)), name=h.name, category=h.category, kind=h.kind,
            schedule=ScheduleType.from_domain(h.schedule),
            target_quantity=h.target_quantity, unit=h.unit, start_date=h.start_date, archived=h.archived,
            daily_limit=h.daily_limit, description=h.description, question=h.question, color=h.color,
            position=h.position, record=h,
        )

    async def _reading(self, info: Info[Context, None], needed_from: date | None = None) -> HabitReading:
        loaders = await info.context.loaders()
        reading: HabitReading = await loaders.habit_reading.load(ReadingKey(self.record, needed_from or loaders.today))
        return reading

    def _now(self, info: Info[Context, None], pick: Callable[[HabitSummary], T]) -> T | Awaitable[T]:
        """The answer at once when the habit was walked up front; otherwise awaited (graphql-core takes
        either from a plain resolver)."""
        if self.summary is not None:
            return pick(self.summary)
        return self._later(info, pick)

    async def _later(self, info: Info[Context, None], pick: Callable[[HabitSummary], T]) -> T:
        return pick((await self._reading(info)).summary())

    @strawberry.field(graphql_type=int,
                      description="Scheduled days (or weeks, for WEEKLY) done in a row; today not done yet "
                                  "does not break it. INTERVAL: DONE and COVERED days in a row, as Loop counts.")
    def current_streak(self, info: Info[Context, None]) -> int | Awaitable[int]:
        return self._now(info, _current_streak)

    @strawberry.field(graphql_type=int, description="The longest streak ever, in streakUnit.")
    def longest_streak(self, info: Info[Context, None]) -> int | Awaitable[int]:
        return self._now(info, _longest_streak)

    @strawberry.field(description="What currentStreak and longestStreak count.")
    def streak_unit(self) -> StreakUnit:
        return StreakUnit.DAYS if self.record.kind is Kind.QUIT else self.record.schedule.streak_unit

    @strawberry.field(graphql_type=float, description="0-100, Loop Habit Tracker's habit score.")
    def strength(self, info: Info[Context, None]) -> float | Awaitable[float]:
        return self._now(info, _strength)

    @strawberry.field(graphql_type=bool,
                      description="BUILD: today's status is DONE (its check-ins reach the target; for an INTERVAL "
                                  "total, the interval's total is reached with a check-in today). QUIT: no slip "
                                  "today.")
    def done_today(self, info: Info[Context, None]) -> bool | Awaitable[bool]:
        return self._now(info, _done_today)

    @strawberry.field(graphql_type=int, description="Streak freezes held (earned by 7 done days in a row, at most 2).")
    def freezes_held(self, info: Info[Context, None]) -> int | Awaitable[int]:
        return self._now(info, _freezes_held)

    @strawberry.field(description="Live (not undone) check-ins, newest first; from/to filter by local day.")
    async def check_ins(self, info: Info[Context, None],
                        from_: Annotated[date | None, strawberry.argument(name="from", description=FROM)] = None,
                        to: Annotated[date | None, strawberry.argument(description=TO)] = None,
                        first: Annotated[int | None, strawberry.argument(description=FIRST)] = None,
                        after: Annotated[str | None, strawberry.argument(description=AFTER)] = None,
                        ) -> CheckInConnection:
        size = page_size(first)
        key = CheckInPageKey(self.record.id, from_, to, decode_cursor(after), size)
        rows = await (await info.context.loaders()).check_in_page.load(key)
        return CheckInConnection.build(rows, size, CheckInCountKey(self.record.id, from_, to))

    @strawberry.field(description="Its reminders (at most 5), oldest first.")
    async def reminders(self, info: Info[Context, None]) -> list[Reminder]:
        items = await (await info.context.loaders()).reminders.load(self.record.id)
        return [Reminder.from_domain(r, self.record) for r in items]

    @strawberry.field(graphql_type=list[HabitDay],
                      description=f"One entry per local day in [from, to] (at most {DAYS_MAX} days).")
    def days(self, info: Info[Context, None],
             from_: Annotated[date, strawberry.argument(name="from", description=FROM)],
             to: Annotated[date, strawberry.argument(description=TO)]) -> list[HabitDay] | Awaitable[list[HabitDay]]:
        _check_range(from_, to)
        return self._from_reading(info, from_, lambda reading: [
            HabitDay(date=d.date, quantity=d.quantity, status=d.status.value) for d in reading.days(from_, to)])

    @strawberry.field(graphql_type=DaySeries,
                      description=f"The same as `days`, as two arrays (heatmaps: a year costs two fields, "
                                  f"not a thousand); at most {DAYS_MAX} days.")
    def day_series(self, info: Info[Context, None],
                   from_: Annotated[date, strawberry.argument(name="from", description=FROM)],
                   to: Annotated[date, strawberry.argument(description=TO)]) -> DaySeries | Awaitable[DaySeries]:
        _check_range(from_, to)
        return self._from_reading(info, from_, lambda reading: _day_series(reading, from_, to))

    @strawberry.field(graphql_type=StrengthSeries,
                      description=f"Strength (0-100, as `strength`) at the end of each day from `from` to `to` "
                                  f"(at most {DAYS_MAX} days), computed by the service so that no client "
                                  f"re-implements the formula; 0 before the habit's startDate.")
    def strength_series(self, info: Info[Context, None],
                        from_: Annotated[date, strawberry.argument(
                            name="from", description="The first day (at most 1,000 days before `to`).")],
                        to: Annotated[date, strawberry.argument(
                            description="The last day; a day after today stops the series at today.")],
                        ) -> StrengthSeries | Awaitable[StrengthSeries]:
        _check_range(from_, to)
        return self._from_reading(info, from_, lambda reading: _strength_series(reading, from_, to))

    def _from_reading(self, info: Info[Context, None], needed_from: date,
                      make: Callable[[HabitReading], T]) -> T | Awaitable[T]:
        """`make` of the habit's reading from `needed_from` on: at once when the habit was walked up front
        from that day (with_readings), otherwise awaited from the request's loader."""
        if self.reading is not None and needed_from in self.reading_days:
            return make(self.reading)
        return self._reading_later(info, needed_from, make)

    async def _reading_later(self, info: Info[Context, None], needed_from: date,
                             make: Callable[[HabitReading], T]) -> T:
        return make(await self._reading(info, needed_from))


def _day_series(reading: HabitReading, from_: date, to: date) -> DaySeries:
    statuses, quantities = reading.series(from_, to)
    return DaySeries(start=from_, end=to, statuses=[s.value for s in statuses], quantities=quantities)


def _strength_series(reading: HabitReading, from_: date, to: date) -> StrengthSeries:
    # Tomorrow has no strength yet: the series stops at today.
    end = min(to, reading.today)
    values = [round(v, 4) for v in reading.strengths(from_, end)] if from_ <= end else []
    return StrengthSeries(from_=from_, to=end if from_ <= end else from_ - timedelta(days=1), values=values)


def _current_streak(s: HabitSummary) -> int:
    return s.current_streak


def _longest_streak(s: HabitSummary) -> int:
    return s.longest_streak


def _strength(s: HabitSummary) -> float:
    return round(s.strength, 4)


def _done_today(s: HabitSummary) -> bool:
    return s.done_today


def _freezes_held(s: HabitSummary) -> int:
    return s.freezes_held


async def with_readings(info: Info[Context, None], records: Sequence[HabitRecord]) -> list[Habit]:
    """The habits as GraphQL objects, each walked once up front when the selection reads the walk
    (server/graphql/lookahead.py): one batch for all, from the earliest day any field reads, primed
    for every day a field will ask, so no field waits on a loader."""
    habits = [Habit.from_domain(r) for r in records]
    if not habits:
        return habits
    loaders = await info.context.loaders()
    summary, days = reading_days(info.selected_fields[0].selections, loaders.today)
    if not days:
        return habits
    earliest = min(days)
    readings = await loaders.habit_reading.load_many([ReadingKey(h.record, earliest) for h in habits])
    for habit, reading in zip(habits, readings, strict=True):
        for day in days:
            loaders.habit_reading.prime(ReadingKey(habit.record, day), reading)
        habit.reading, habit.reading_days = reading, frozenset(days)
        if summary:
            habit.summary = reading.summary()
    return habits


def _check_range(from_: date, to: date) -> None:
    if to < from_ or (to - from_).days >= DAYS_MAX:
        raise ApiError(ErrorCode.BAD_USER_INPUT, f"to must be on or after from, at most {DAYS_MAX} days",
                       field="to")


@strawberry.type(description="One logged doing of a habit (on a QUIT habit: a slip), with its amount.")
class CheckIn:
    id: strawberry.ID = strawberry.field(description="Stable; opaque.")
    occurred_at: datetime = strawberry.field(description="When it happened (given, or the moment it was logged).")
    day: date = strawberry.field(description="The local day it counts for, fixed when it was logged.")
    quantity: float = strawberry.field(description="How much (1 for a yes/no habit).")
    note: str | None = strawberry.field(description="Your note, if any.")
    source: Source = strawberry.field(description="Where it was logged from.")
    undone: bool = strawberry.field(description="Taken back with checkInUndo: it counts for nothing.")
    record: strawberry.Private[CheckInRecord]

    @classmethod
    def from_domain(cls, c: CheckInRecord) -> CheckIn:
        return cls(id=strawberry.ID(str(c.id)), occurred_at=c.occurred_at, day=c.day, quantity=c.quantity,
                   note=c.note, source=c.source, undone=c.undone_at is not None, record=c)

    @strawberry.field(description="The habit it was logged for.")
    async def habit(self, info: Info[Context, None]) -> Habit:
        record = await (await info.context.loaders()).habit.load(self.record.habit_id)
        assert record is not None, "a check-in's habit is the viewer's and outlives it"
        return Habit.from_domain(record)


@strawberry.type(description="A page of check-ins (Relay cursor connection).")
class CheckInConnection:
    edges: list[Edge[CheckIn]] = strawberry.field(description="The page's check-ins, with their cursors.")
    page_info: PageInfo = strawberry.field(description="Whether there is a next page, and where it starts.")
    count_key: strawberry.Private[CheckInCountKey]

    @strawberry.field(description="Live check-ins in the whole range (from/to), over every page.")
    async def total_count(self, info: Info[Context, None]) -> int:
        count: int = await (await info.context.loaders()).check_in_count.load(self.count_key)
        return count

    @classmethod
    def build(cls, rows: list[CheckInRecord], size: int, count_key: CheckInCountKey) -> CheckInConnection:
        page = rows[:size]
        edges = [Edge(cursor=encode_cursor(r.occurred_at, r.id), node=CheckIn.from_domain(r)) for r in page]
        return cls(edges=edges, page_info=PageInfo(has_next_page=len(rows) > size,
                                                   end_cursor=edges[-1].cursor if edges else None),
                   count_key=count_key)


HabitResult = Annotated[Habit | NotFoundError | InvalidInputError | OutOfRangeError, strawberry.union(
    "HabitResult", description="The habit, or why not.")]
HabitCheckInResult = Annotated[CheckIn | NotFoundError | InvalidInputError | OutOfRangeError | DuplicateError,
                               strawberry.union(
                                   "HabitCheckInResult", description="The check-in (a replay: the original), or "
                                                                     "why not.")]


@strawberry.type(description="A habit was deleted, with its check-ins, skips and pauses.")
class HabitDeleted:
    id: strawberry.ID = strawberry.field(description="The deleted habit's id.")


HabitDeleteResult = Annotated[HabitDeleted | NotFoundError,
                              strawberry.union("HabitDeleteResult", description="The deleted habit's id, or "
                                                                                "NOT_FOUND.")]
CheckInUndoResult = Annotated[CheckIn | NotFoundError, strawberry.union(
    "CheckInUndoResult", description="The undone check-in, or NotFoundError.")]


@strawberry.input(description="How often a habit is due: the period and the numbers it needs.")
class ScheduleInput:
    period: Period = strawberry.field(description="The kind of schedule.")
    weekdays: list[int] | None = strawberry.field(default=None, description="WEEKDAYS: 1 = Monday ... 7 = Sunday.")
    times_per_week: int | None = strawberry.field(default=None, description="WEEKLY: 1-7.")
    times: int | None = strawberry.field(default=None, description="INTERVAL: done days wanted in any `days` "
                                                                   "days, 1 to `days`.")
    days: int | None = strawberry.field(default=None, description="INTERVAL: 1-365; e.g. times 2, days 3 is "
                                                                  "\"2 times in any 3 days\".")
    total: bool | None = strawberry.field(default=None, description="INTERVAL: true makes targetQuantity a total "
                                                                    "over any `days` days (default false).")

    def to_domain(self) -> Schedule:
        return Schedule(self.period, tuple(sorted(self.weekdays or ())), self.times_per_week, self.times, self.days,
                        bool(self.total))


_LIMIT = "QUIT only: a day is a slip when its check-ins add up to more than this (0 to 1000000)."


@strawberry.input(description="A new habit.")
class HabitCreateInput:
    name: str = strawberry.field(description="1 to 80 characters, unique among your habits.")
    category: Category = strawberry.field(description="What it is about.")
    kind: Kind = strawberry.field(default=Kind.BUILD, description="BUILD (the default) or QUIT; fixed once created.")
    schedule: ScheduleInput = strawberry.field(description="When it is due.")
    target_quantity: float | None = strawberry.field(default=None, description="Defaults to 1.")
    unit: str | None = strawberry.field(default=None, description="The unit of quantities (pages, km).")
    start_date: date | None = strawberry.field(default=None, description="Defaults to your today; may be past.")
    daily_limit: float | None = strawberry.field(default=None, description=_LIMIT)
    description: str | None = strawberry.field(default=None, description="Up to 1000 characters.")
    question: str | None = strawberry.field(default=None, description="Up to 200 characters.")
    color: str | None = strawberry.field(default=None, description="#RRGGBB.")


@strawberry.input(description="What to change in a habit; null or missing fields stay as they are.")
class HabitUpdateInput:
    name: str | None = strawberry.field(default=None, description="A new name, unique among your habits.")
    category: Category | None = strawberry.field(default=None, description="A new category.")
    schedule: ScheduleInput | None = strawberry.field(default=None, description="A new schedule; history is "
                                                                                 "re-read with it.")
    target_quantity: float | None = strawberry.field(default=None, description="A new target; 1 makes it a plain "
                                                                               "yes/no habit again.")
    unit: str | None = strawberry.field(default=None, description="A new unit; blank clears it.")
    start_date: date | None = strawberry.field(default=None, description="A new first day.")
    daily_limit: float | None = strawberry.field(default=None, description=_LIMIT + " 0 removes the limit.")
    description: str | None = strawberry.field(default=None, description="Blank clears it.")
    question: str | None = strawberry.field(default=None, description="Blank clears it.")
    color: str | None = strawberry.field(default=None, description="#RRGGBB; blank clears it.")


@strawberry.input(description="A check-in to log.")
class HabitCheckInInput:
    habit_id: strawberry.ID = strawberry.field(description=HABIT_ID)
    occurred_at: datetime | None = strawberry.field(default=None, description="Defaults to now.")
    quantity: float | None = strawberry.field(default=None, description="Defaults to 1.")
    note: str | None = strawberry.field(default=None, description="Up to 500 characters.")
    idempotency_key: str | None = strawberry.field(
        default=None, description="Retry-safe: the same key and content return the original check-in.")
    source: Source | None = strawberry.field(default=None, description="Where it is logged from (default API).")


def _input(data: HabitCreateInput | HabitUpdateInput) -> service.HabitInput:
    return service.HabitInput(
        name=data.name, category=data.category, kind=getattr(data, "kind", None),
        schedule=data.schedule.to_domain() if data.schedule else None,
        target_quantity=data.target_quantity, unit=data.unit, start_date=data.start_date,
        daily_limit=data.daily_limit, description=data.description, question=data.question, color=data.color)


@strawberry.type
class HabitQuery:
    @strawberry.field(description="Your habits, oldest first.")
    async def habits(self, info: Info[Context, None],
                     include_archived: Annotated[bool | None, strawberry.argument(
                         description="Archived habits too (default false).")] = False) -> list[Habit]:
        loaders = await info.context.loaders()
        records = await queries.habits(loaders.viewer, bool(include_archived))
        for record in records:  # check-ins asking for their habit need no further query
            loaders.habit.prime(record.id, record)
        return await with_readings(info, records)

    @strawberry.field(description="null when missing or not yours.")
    async def habit(self, info: Info[Context, None],
                    id: Annotated[strawberry.ID, strawberry.argument(description=HABIT_ID)]) -> Habit | None:
        habit_id = try_parse_id(id)
        record = await (await info.context.loaders()).habit.load(habit_id) if habit_id else None
        return (await with_readings(info, [record]))[0] if record else None


HabitArg = Annotated[strawberry.ID, strawberry.argument(description=HABIT_ID)]
SkipDay = Annotated[date, strawberry.argument(description="The local day.")]


@strawberry.type
class HabitMutation:
    @strawberry.mutation(description="Create a habit.")
    @typed_errors
    async def habit_create(self, info: Info[Context, None],
                           input: Annotated[HabitCreateInput, strawberry.argument(description="The habit.")],
                           ) -> HabitResult:
        habit = await service.create_habit(await info.context.require_viewer(), _input(input))
        return Habit.from_domain(habit)

    @strawberry.mutation(description="Change a habit; its kind cannot change.")
    @typed_errors
    async def habit_update(self, info: Info[Context, None], id: Annotated[strawberry.ID, strawberry.argument(
            description=HABIT_ID)], input: Annotated[HabitUpdateInput, strawberry.argument(
            description="What to change.")]) -> HabitResult:
        viewer = await info.context.require_viewer()
        return Habit.from_domain(await service.update_habit(viewer, parse_id(id, "habit"), _input(input)))

    @strawberry.mutation(description="Hide a habit from today's list; its history stays.")
    @typed_errors
    async def habit_archive(self, info: Info[Context, None],
                            id: Annotated[strawberry.ID, strawberry.argument(description=HABIT_ID)]) -> HabitResult:
        viewer = await info.context.require_viewer()
        return Habit.from_domain(await service.set_archived(viewer, parse_id(id, "habit"), True))

    @strawberry.mutation(description="Bring an archived habit back.")
    @typed_errors
    async def habit_restore(self, info: Info[Context, None],
                            id: Annotated[strawberry.ID, strawberry.argument(description=HABIT_ID)]) -> HabitResult:
        viewer = await info.context.require_viewer()
        return Habit.from_domain(await service.set_archived(viewer, parse_id(id, "habit"), False))

    @strawberry.mutation(description="Delete a habit for good, with its check-ins, skips and pauses (a pause of "
                                     "other habits too keeps those). Achievements and steps already earned stay. "
                                     "habitArchive is the reversible way.")
    @typed_errors
    async def habit_delete(self, info: Info[Context, None],
                           id: Annotated[strawberry.ID, strawberry.argument(description="The habit's id.")]
                           ) -> HabitDeleteResult:
        viewer = await info.context.require_viewer()
        deleted = await service.delete_habit(viewer, parse_id(id, "habit"))
        return HabitDeleted(id=strawberry.ID(str(deleted.id)))

    @strawberry.mutation(description="Put habits in this order. They take, in the order given, the places they "
                                     "held among all your habits, so listing only the active ones leaves the "
                                     "archived ones where they are. Answers every habit (archived ones included) in "
                                     "the new order. A habit that is not yours is a NOT_FOUND error, a repeated one "
                                     "BAD_USER_INPUT (field `ids`).")
    async def habits_reorder(self, info: Info[Context, None],
                             ids: Annotated[list[strawberry.ID], strawberry.argument(
                                 description="Your habits' ids in the order you want them.")]) -> list[Habit]:
        viewer = await info.context.require_viewer()
        parsed = [try_parse_id(i) for i in ids]
        try:
            if any(p is None for p in parsed):
                raise not_found("habit")
            records = await service.reorder_habits(viewer, [p for p in parsed if p is not None])
        except DomainError as error:
            # The contract answers a plain list, so its failures are top-level errors with their codes.
            code = ErrorCode.BAD_USER_INPUT if error.code is ErrorCode.INVALID_INPUT else error.code
            raise ApiError(code, error.message, field="ids") from error
        loaders = await info.context.loaders()
        for record in records:
            loaders.habit.prime(record.id, record)
        return [Habit.from_domain(r) for r in records]

    @strawberry.mutation(description="Log a check-in (on a QUIT habit: a slip).")
    @typed_errors
    async def habit_check_in(self, info: Info[Context, None], input: Annotated[
            HabitCheckInInput, strawberry.argument(description="The check-in.")]) -> HabitCheckInResult:
        viewer = await info.context.require_viewer()
        record = await service.check_in(
            viewer, parse_id(input.habit_id, "habit"), input.occurred_at, input.quantity, input.note,
            input.idempotency_key, input.source or Source.API)
        return CheckIn.from_domain(record)

    @strawberry.mutation(description="Undo a check-in. Undoing twice is harmless.")
    @typed_errors
    async def check_in_undo(self, info: Info[Context, None], id: Annotated[
            strawberry.ID, strawberry.argument(description="The check-in's id.")]) -> CheckInUndoResult:
        viewer = await info.context.require_viewer()
        return CheckIn.from_domain(await service.undo_check_in(viewer, parse_id(id, "check-in")))

    @strawberry.mutation(description="Mark a day skipped (sick, travelling): keeps the streak, adds nothing.")
    @typed_errors
    async def habit_skip(self, info: Info[Context, None], habit_id: HabitArg, day: SkipDay) -> HabitResult:
        viewer = await info.context.require_viewer()
        return Habit.from_domain(await service.set_skipped(viewer, parse_id(habit_id, "habit"), day, True))

    @strawberry.mutation(description="Take back a skip.")
    @typed_errors
    async def habit_unskip(self, info: Info[Context, None], habit_id: HabitArg, day: SkipDay) -> HabitResult:
        viewer = await info.context.require_viewer()
        return Habit.from_domain(await service.set_skipped(viewer, parse_id(habit_id, "habit"), day, False))


