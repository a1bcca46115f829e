"""Loop Habit Tracker's "Export as CSV" ZIP: reading it, and what it becomes here (pure).

The ZIP holds `Habits.csv` (Position, Name, Type, Question, Description, FrequencyNumerator,
FrequencyDenominator, Color, Unit, Target Type, Target Value, Archived?) and, per habit, a folder
`NNN <name>/` (NNN = Position) with `Checkmarks.csv` (Date, Value, Notes). Values are YES_MANUAL,
YES_AUTO, NO, SKIP, UNKNOWN or, for numeric habits, Loop's stored integer: the amount in
thousandths (Loop keeps 2.5 km as 2500), so an integer value is divided by 1000. docs/loop-import.md
explains every mapping and where our numbers can differ from Loop's.
"""

from __future__ import annotations

import csv
import hashlib
import io
import math
import re
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum

from server.habits.model import Period, Schedule

# habitCreate's and habitCheckIn's limits (server.habits.service; a unit test keeps them equal),
# repeated so the command-line client can read Loop files without loading the server.
NAME_MAX = 80
UNIT_MAX = 24
NOTE_MAX = 1000
QUANTITY_MAX = 1_000_000.0

HABIT_COLUMNS = ("Position", "Name", "Type", "FrequencyNumerator", "FrequencyDenominator", "Archived?")
ZIP_MAX_BYTES = 200 * 1024 * 1024  # uncompressed: a decade of daily habits is a few MB
_FOLDER = re.compile(r"(?:^|/)(\d{3})(?: [^/]*)?/Checkmarks\.csv$")


class LoopFormatError(ValueError):
    """The file is not a Loop CSV export we can read; the message says what is wrong."""


class Mark(StrEnum):
    YES_MANUAL = "YES_MANUAL"  # the user checked the day
    YES_AUTO = "YES_AUTO"  # Loop filled the day in because the frequency was already met: not a check-in
    NO = "NO"
    SKIP = "SKIP"
    UNKNOWN = "UNKNOWN"
    AMOUNT = "AMOUNT"  # a numeric habit's amount


@dataclass(frozen=True, slots=True)
class LoopEntry:
    day: date
    mark: Mark
    amount: float = 0.0
    notes: str = ""


@dataclass(frozen=True, slots=True)
class LoopHabit:
    position: int
    name: str
    numerical: bool
    numerator: int
    denominator: int
    unit: str = ""
    target_type: str = "AT_LEAST"
    target_value: float = 0.0
    archived: bool = False
    question: str = ""
    description: str = ""
    entries: tuple[LoopEntry, ...] = ()


# -- reading


def read_zip(data: bytes) -> list[LoopHabit]:
    """The habits of a Loop CSV export ZIP, each with its entries, in Loop's order."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        raise LoopFormatError("not a ZIP file: use Loop's Settings > Export as CSV") from None
    with archive:
        if sum(i.file_size for i in archive.infolist()) > ZIP_MAX_BYTES:
            raise LoopFormatError("the ZIP is too large to be a Loop export")
        names = archive.namelist()
        habits_csv = min((n for n in names if n == "Habits.csv" or n.endswith("/Habits.csv")),
                         key=lambda n: n.count("/"), default=None)
        if habits_csv is None:
            raise LoopFormatError("no Habits.csv in the ZIP: is this Loop's 'Export as CSV' file?")
        folders: dict[int, str] = {}
        for name in names:
            match = _FOLDER.search(name)
            if match:
                folders.setdefault(int(match.group(1)), name)
        habits = parse_habits(_text(archive.read(habits_csv)))
        return [_with_entries(h, parse_checkmarks(_text(archive.read(folders[h.position])), h.numerical))
                if h.position in folders else h for h in habits]


def _with_entries(habit: LoopHabit, entries: list[LoopEntry]) -> LoopHabit:
    return LoopHabit(habit.position, habit.name, habit.numerical, habit.numerator, habit.denominator, habit.unit,
                     habit.target_type, habit.target_value, habit.archived, habit.question, habit.description,
                     tuple(sorted(entries, key=lambda e: e.day)))


def _text(raw: bytes) -> str:
    return raw.decode("utf-8-sig", errors="replace")


def parse_habits(text: str) -> list[LoopHabit]:
    """Rows of Habits.csv; a missing required column or a bad frequency is a LoopFormatError."""
    reader = csv.DictReader(io.StringIO(text))
    missing = [c for c in HABIT_COLUMNS if c not in (reader.fieldnames or ())]
    if missing:
        raise LoopFormatError(f"Habits.csv lacks the column(s) {', '.join(missing)}")
    habits = []
    for line, row in enumerate(reader, start=2):
        try:
            position, num, den = int(row["Position"]), int(row["FrequencyNumerator"]), int(row["FrequencyDenominator"])
        except (TypeError, ValueError):
            raise LoopFormatError(f"Habits.csv line {line}: Position and frequency must be whole numbers") from None
        if num < 1 or den < 1:
            raise LoopFormatError(f"Habits.csv line {line}: frequency {num}/{den} is not positive")
        numerical = (row.get("Type") or "").strip().upper() in ("NUMERICAL", "NUMERIC", "1")
        try:
            target = float(row.get("Target Value") or 0) if numerical else 0.0
        except ValueError:
            raise LoopFormatError(f"Habits.csv line {line}: Target Value is not a number") from None
        habits.append(LoopHabit(
            position=position, name=(row.get("Name") or "").strip(), numerical=numerical, numerator=num,
            denominator=den, unit=(row.get("Unit") or "").strip(),
            target_type=(row.get("Target Type") or "AT_LEAST").strip().upper() or "AT_LEAST",
            target_value=target, archived=(row.get("Archived?") or "").strip().lower() == "true",
            question=(row.get("Question") or "").strip(), description=(row.get("Description") or "").strip()))
    return habits


_OLD_CODES = {"2": Mark.YES_MANUAL, "1": Mark.YES_AUTO, "0": Mark.NO, "-1": Mark.UNKNOWN, "3": Mark.SKIP,
              "-3": Mark.SKIP}
# Loop formats a numeric value that happens to equal one of its codes as the code's name.
_CODE_AMOUNTS = {Mark.YES_MANUAL: 0.002, Mark.YES_AUTO: 0.001, Mark.NO: 0.0}


def parse_value(value: str, numerical: bool) -> tuple[Mark, float]:
    """A Checkmarks.csv value: a mark, or a numeric habit's amount (integers are thousandths)."""
    value = value.strip()
    upper = value.upper()
    if upper in Mark.__members__ and upper != "AMOUNT":
        mark = Mark(upper)
        if numerical and mark in _CODE_AMOUNTS:
            return Mark.AMOUNT, _CODE_AMOUNTS[mark]
        return mark, 0.0
    if not numerical:
        if value in _OLD_CODES:  # exports of Loop 1.x wrote the codes as numbers
            return _OLD_CODES[value], 0.0
        raise ValueError(f"unknown value {value!r}")
    amount = float(value) if "." in value else int(value) / 1000
    if not math.isfinite(amount):
        raise ValueError(f"unknown value {value!r}")
    return (Mark.AMOUNT, amount) if amount > 0 else (Mark.NO, 0.0)


def parse_checkmarks(text: str, numerical: bool) -> list[LoopEntry]:
    entries = []
    for line, row in enumerate(csv.reader(io.StringIO(text)), start=1):
        if not row or (line == 1 and row[0].strip().lower() == "date"):
            continue
        try:
            day = date.fromisoformat(row[0].strip())
            mark, amount = parse_value(row[1] if len(row) > 1 else "", numerical)
        except (ValueError, IndexError) as error:
            raise LoopFormatError(f"Checkmarks.csv line {line}: {error}") from None
        entries.append(LoopEntry(day, mark, amount, (row[2] if len(row) > 2 else "").strip()))
    return entries


# -- mapping


def schedule_for(numerator: int, denominator: int, numerical: bool = False) -> tuple[Schedule, bool]:
    """Loop's frequency as a schedule, and whether strength then follows Loop's formula exactly.

    1/1 is DAILY and n/7 is WEEKLY n times: the same num/den, so the same score. Any other
    frequency becomes WEEKLY floor(7n/d) times (1 to 7): every 2 days -> 3 per week, 10 per
    month -> 2 per week; rounding down means a history Loop counts as kept never shows a failed
    week here. A numeric habit's score in Loop ignores the numerator (the target is a total per
    d days), so a non-daily numeric habit is WEEKLY once.
    """
    if numerator == denominator == 1:
        return Schedule(Period.DAILY), True
    if denominator == 7 and numerator <= 7 and not numerical:
        return Schedule(Period.WEEKLY, times_per_week=numerator), True
    if numerator >= denominator:
        return Schedule(Period.DAILY), False
    if numerical:
        return Schedule(Period.WEEKLY, times_per_week=1), False
    times = min(7, max(1, 7 * numerator // denominator))
    return Schedule(Period.WEEKLY, times_per_week=times), False


def target_for(habit: LoopHabit) -> float:
    """A numeric habit's target per day (daily habits) or per week (a total per d days, scaled to 7)."""
    if not habit.numerical:
        return 1.0
    value = habit.target_value if habit.denominator == 1 else habit.target_value * 7 / habit.denominator
    return value if 0 < value <= QUANTITY_MAX else 1.0


@dataclass(frozen=True, slots=True)
class PlannedCheckIn:
    day: date
    quantity: float
    note: str | None


@dataclass(frozen=True, slots=True)
class PlannedHabit:
    name: str
    schedule: Schedule
    target: float
    unit: str | None
    start_date: date
    archived: bool
    check_ins: tuple[PlannedCheckIn, ...]
    skips: tuple[date, ...]
    exact_strength: bool  # our strength is Loop's score to the last digit
    source: str  # a stable identity of the Loop habit, for idempotency keys
    warnings: tuple[str, ...] = ()

    def key(self, day: date) -> str:
        """The idempotency key of this habit's check-in on `day`: re-importing never logs it twice."""
        return f"loop:{self.source}:{day.isoformat()}"


@dataclass
class ImportPlan:
    habits: list[PlannedHabit] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def plan_import(habits: Iterable[LoopHabit], today: date) -> ImportPlan:
    """What each Loop habit becomes; habits we cannot represent are left out with a warning."""
    out = ImportPlan()
    names: set[str] = set()
    for habit in habits:
        label = habit.name or f"Habit {habit.position}"
        if habit.numerical and habit.target_type == "AT_MOST":
            out.warnings.append(f"{label!r} is an 'at most' numeric habit, which Comeback cannot represent: "
                                "not imported")
            continue
        name = _unique(label[:NAME_MAX].strip() or f"Habit {habit.position}", names)
        out.habits.append(plan_habit(habit, name, today))
    return out


def _unique(name: str, taken: set[str]) -> str:
    candidate, n = name, 2
    while candidate.lower() in taken:
        suffix = f" ({n})"
        candidate, n = name[:NAME_MAX - len(suffix)] + suffix, n + 1
    taken.add(candidate.lower())
    return candidate


def plan_habit(habit: LoopHabit, name: str, today: date) -> PlannedHabit:
    schedule, exact = schedule_for(habit.numerator, habit.denominator, habit.numerical)
    warnings: list[str] = []
    target = target_for(habit)
    if habit.numerical and not 0 < habit.target_value <= QUANTITY_MAX:
        warnings.append(f"target {habit.target_value:g} is not usable: using 1")
    if not exact:
        became = f"{schedule.times_per_week} per week" + (f", target {target:g}" if habit.numerical else "")
        warnings.append(f"frequency {habit.numerator}/{habit.denominator} became {became}: strength is close to "
                        "Loop's, not equal (see docs/loop-import.md)")
    entries = [e for e in habit.entries if e.day <= today]
    if len(entries) < len(habit.entries):
        warnings.append(f"{len(habit.entries) - len(entries)} entries after today left out")
    check_ins: list[PlannedCheckIn] = []
    skips: list[date] = []
    for entry in entries:
        note = entry.notes[:NOTE_MAX] or None
        if entry.mark is Mark.YES_MANUAL and not habit.numerical:
            check_ins.append(PlannedCheckIn(entry.day, 1.0, note))
        elif entry.mark is Mark.AMOUNT and entry.amount > 0:
            check_ins.append(PlannedCheckIn(entry.day, min(entry.amount, QUANTITY_MAX), note))
        elif entry.mark is Mark.SKIP:
            skips.append(entry.day)
    # Loop scores a habit from its oldest entry on, whatever its value: so does our start date.
    start = entries[0].day if entries else today
    unit = (habit.unit[:UNIT_MAX].strip() or None) if habit.numerical else None
    source = hashlib.sha256(f"{habit.position}\n{habit.name}".encode()).hexdigest()[:16]
    return PlannedHabit(name=name, schedule=schedule, target=target, unit=unit, start_date=start,
                        archived=habit.archived, check_ins=tuple(check_ins), skips=tuple(skips),
                        exact_strength=exact, source=source, warnings=tuple(warnings))
