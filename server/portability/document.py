"""The account export document (format "comeback-export", version 4): its shape, writing and checking.

Version 4 adds `reminders` (each with its habit's id in the document, its local "HH:MM", its own weekdays or
null for the habit's days, and its switch), judged by the rules reminderSet applies. An older server must
refuse it rather than restore the habits without their reminders. Left out on purpose: Web Push
subscriptions (one browser's endpoint and keys, meaningless anywhere else) and webhooks (their signing
secret never leaves the server); a user sets those up again where they move.

Version 3 (issue 15) adds `pauses` (a break's days, for some habits or all: `habitIds: null`) and each
habit's `position`; an older server must refuse it rather than restore the history without its breaks.

Version 2 (issue 14) adds INTERVAL schedules (`times`, `days`, `total`) and the habit fields
`dailyLimit`, `description`, `question` and `color`; a version 1 document is read as before (none of
them). The bump makes an older server refuse a newer document outright instead of dropping a quit
habit's limit without a word. The classes keep their V1 names: they read both versions.

Field names are the API's (camelCase). Reading checks every field, so a restore never stores what
the API itself would refuse; days are taken as written, because a check-in's day is fixed when it
is logged and must not be recomputed with another profile.
"""

from __future__ import annotations

import math
from datetime import UTC, date, datetime
from typing import Annotated, Any, Literal
from uuid import UUID

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic.alias_generators import to_camel

from server.errors import DomainError, invalid
from server.habits.model import Category, Kind, Period, Schedule
from server.habits.pauses import REASON_MAX, range_problem
from server.habits.service import (
    DESCRIPTION_MAX,
    KEY_MAX,
    NAME_MAX,
    NOTE_MAX,
    QUANTITY_MAX,
    QUESTION_MAX,
    UNIT_MAX,
)
from server.journal.service import BODY_MAX, PROMPT_MAX
from server.reminders.timing import parse_time, weekdays_problem

FORMAT = "comeback-export"
VERSION: Literal[4] = 4
READS = (1, 2, 3, 4)
EARLIEST_DAY = date(1970, 1, 1)


def _in_utc(value: datetime) -> datetime:
    try:
        return value.astimezone(UTC)
    except OverflowError:
        raise ValueError("is outside the years UTC can hold") from None


# Every instant of the document, as aware UTC (what is stored), or a clear problem.
Instant = Annotated[AwareDatetime, AfterValidator(_in_utc)]


def _day_in_range(value: date, info: ValidationInfo) -> date:
    """Days are from 1970 up to the latest day anywhere on Earth now (the parse's `latest_day`)."""
    latest = (info.context or {}).get("latest_day")
    if value < EARLIEST_DAY:
        raise ValueError(f"must be on or after {EARLIEST_DAY.isoformat()}")
    if latest is not None and value > latest:
        raise ValueError("must not be in the future")
    return value


Day = Annotated[date, AfterValidator(_day_in_range)]


class _Model(BaseModel):
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, extra="ignore", frozen=True)


def _positive(value: float) -> float:
    if not math.isfinite(value) or not 0 < value <= QUANTITY_MAX:
        raise ValueError(f"must be greater than 0 and at most {QUANTITY_MAX:g}")
    return value


class ProfileV1(_Model):
    id: UUID | None = None
    email: str | None = None
    display_name: str | None = Field(default=None, max_length=80)
    timezone: str = "UTC"
    day_start_hour: int = Field(default=0, ge=0, le=23)
    created_at: Instant | None = None


class ScheduleV1(_Model):
    period: Period
    weekdays: list[int] = Field(default_factory=list)
    times_per_week: int | None = None
    times: int | None = None
    days: int | None = None
    total: bool = False

    def to_domain(self) -> Schedule:
        return Schedule(self.period, tuple(sorted(self.weekdays)), self.times_per_week, self.times, self.days,
                        self.total)

    @model_validator(mode="after")
    def _valid(self) -> ScheduleV1:
        problem = self.to_domain().validation_error()
        if problem:
            raise ValueError(problem)
        return self


class HabitV1(_Model):
    id: UUID
    name: str = Field(min_length=1, max_length=NAME_MAX)
    category: Category
    kind: Kind
    schedule: ScheduleV1
    target_quantity: float = 1.0
    unit: str | None = Field(default=None, max_length=UNIT_MAX)
    start_date: date
    archived: bool = False
    archived_at: Instant | None = None
    created_at: Instant
    daily_limit: float | None = Field(default=None, ge=0, le=QUANTITY_MAX, allow_inf_nan=False)
    description: str | None = Field(default=None, max_length=DESCRIPTION_MAX)
    question: str | None = Field(default=None, max_length=QUESTION_MAX)
    color: str | None = Field(default=None, pattern=r"^#[0-9A-Fa-f]{6}$")
    # Version 3: the owner's order. A restore appends the habits after the account's own, in this order.
    position: int | None = Field(default=None, ge=0)

    _target = field_validator("target_quantity")(_positive)

    @model_validator(mode="after")
    def _limit_on_quit_only(self) -> HabitV1:
        if self.daily_limit and self.kind is not Kind.QUIT:
            raise ValueError("dailyLimit is for QUIT habits")
        return self

    @field_validator("name")
    @classmethod
    def _name(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("must not be blank")
        return value.strip()

    @field_validator("start_date")
    @classmethod
    def _not_ancient(cls, value: date, info: ValidationInfo) -> date:
        if value < EARLIEST_DAY:
            raise ValueError("must be after 1970")
        latest = (info.context or {}).get("latest_day")
        if latest is not None and (value - latest).days > 366:
            raise ValueError("must be within a year from today")
        return value


class CheckInV1(_Model):
    id: UUID
    habit_id: UUID
    day: Day
    occurred_at: Instant
    quantity: float = 1.0
    note: str | None = Field(default=None, max_length=NOTE_MAX)
    source: str = "IMPORT"
    idempotency_key: str | None = Field(default=None, min_length=1, max_length=KEY_MAX)
    created_at: Instant | None = None
    undone: bool = False
    undone_at: Instant | None = None

    _quantity = field_validator("quantity")(_positive)


class SkipV1(_Model):
    habit_id: UUID
    day: Day
    created_at: Instant | None = None


class PauseV1(_Model):
    id: UUID
    habit_ids: list[UUID] | None = None  # None: every habit
    start: date = Field(alias="from")
    end: date = Field(alias="to")
    reason: str | None = Field(default=None, max_length=REASON_MAX)
    created_at: Instant | None = None

    @model_validator(mode="after")
    def _range(self) -> PauseV1:
        # Order, length and 1970 as pauseCreate checks them; how far ahead it starts was judged on
        # the day it was declared, and a planned break stays planned when moved to another server.
        problem = range_problem(self.start, self.end, today=self.start)
        if problem is not None:
            raise ValueError(problem.message)
        return self


class ReminderV1(_Model):
    """Version 4: a reminder of one of the document's habits, checked as reminderSet checks one."""

    id: UUID
    habit_id: UUID
    time: str
    weekdays: list[int] | None = None  # None: the habit's scheduled days, whatever they become
    enabled: bool = True
    created_at: Instant | None = None  # keeps a habit's reminders in their order

    @field_validator("time")
    @classmethod
    def _time(cls, value: str) -> str:
        parse_time(value)  # its ValueError names the expected form
        return value

    @field_validator("weekdays")
    @classmethod
    def _weekdays(cls, value: list[int] | None) -> list[int] | None:
        problem = None if value is None else weekdays_problem(value)
        if problem is not None:
            raise ValueError(problem)
        return None if value is None else sorted(value)


class JournalEntryV1(_Model):
    id: UUID
    prompt: str | None = Field(default=None, max_length=PROMPT_MAX)
    body: str = Field(min_length=1, max_length=BODY_MAX)
    step_key: str | None = Field(default=None, max_length=64)
    day: Day
    created_at: Instant


class AwardV1(_Model):
    key: str = Field(max_length=64)
    unlocked_at: Instant


class ProgramV1(_Model):
    unlocked_steps: list[AwardV1] = Field(default_factory=list)


class ExportV1(_Model):
    format: Literal["comeback-export"]
    version: Literal[1, 2, 3, 4]
    exported_at: Instant | None = None
    profile: ProfileV1 = Field(default_factory=ProfileV1)
    habits: list[HabitV1] = Field(default_factory=list)
    check_ins: list[CheckInV1] = Field(default_factory=list)
    skips: list[SkipV1] = Field(default_factory=list)
    pauses: list[PauseV1] = Field(default_factory=list)
    reminders: list[ReminderV1] = Field(default_factory=list)
    journal_entries: list[JournalEntryV1] = Field(default_factory=list)
    achievements: list[AwardV1] = Field(default_factory=list)
    program: ProgramV1 = Field(default_factory=ProgramV1)

    @model_validator(mode="after")
    def _references(self) -> ExportV1:
        for name, ids in (("habits", [h.id for h in self.habits]), ("checkIns", [c.id for c in self.check_ins]),
                          ("pauses", [p.id for p in self.pauses]), ("reminders", [r.id for r in self.reminders]),
                          ("journalEntries", [e.id for e in self.journal_entries])):
            if len(set(ids)) != len(ids):
                raise ValueError(f"{name}: an id appears twice")
        starts = {h.id: h.start_date for h in self.habits}
        dated: list[tuple[str, list[tuple[UUID, date]]]] = [
            ("checkIns", [(c.habit_id, c.day) for c in self.check_ins]),
            ("skips", [(s.habit_id, s.day) for s in self.skips])]
        for name, rows in dated:
            for index, (habit_id, day) in enumerate(rows):
                if habit_id not in starts:
                    raise ValueError(f"{name}[{index}].habitId: no habit with this id in the export")
                if day < starts[habit_id]:
                    raise ValueError(f"{name}[{index}].day: before its habit's start date "
                                     f"{starts[habit_id].isoformat()}")
        for index, pause in enumerate(self.pauses):
            if any(h not in starts for h in pause.habit_ids or ()):
                raise ValueError(f"pauses[{index}].habitIds: no habit with this id in the export")
        for index, reminder in enumerate(self.reminders):
            if reminder.habit_id not in starts:
                raise ValueError(f"reminders[{index}].habitId: no habit with this id in the export")
        return self


def dump(document: ExportV1) -> dict[str, Any]:
    data: dict[str, Any] = document.model_dump(mode="json", by_alias=True)
    return data


def parse(data: Any, latest_day: date | None = None) -> ExportV1:
    """The document, checked (days no later than `latest_day`); a problem becomes INVALID_INPUT on `data`
    naming where it is."""
    if not isinstance(data, dict):
        raise invalid("data", "expected a JSON object (a Comeback export)")
    if data.get("format") != FORMAT:
        raise invalid("data", f"not a Comeback export: expected \"format\": \"{FORMAT}\"")
    if data.get("version") not in READS:
        raise invalid("data", f"unsupported export version {data.get('version')!r}; this server reads "
                              f"{', '.join(map(str, READS[:-1]))} and {READS[-1]}")
    try:
        return ExportV1.model_validate(data, context={"latest_day": latest_day})
    except ValidationError as error:
        raise _problem(error) from None


def _problem(error: ValidationError) -> DomainError:
    problems = error.errors(include_url=False)
    first = problems[0]
    where = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in first["loc"]).lstrip(".")
    more = f" (and {len(problems) - 1} more problems)" if len(problems) > 1 else ""
    return invalid("data", f"{where or 'export'}: {first['msg']}{more}")
