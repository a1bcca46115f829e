"""Reading Loop Habit Tracker's "Export as CSV" ZIP (pure), whatever shape it arrives in.

The ZIP holds `Habits.csv` (Position, Name, Type, Question, Description, FrequencyNumerator,
FrequencyDenominator, Color, Unit, Target Type, Target Value, Archived?) and, per habit, a folder
`NNN <name>/` (NNN = Position, three digits or more) with `Checkmarks.csv` (Date, Value, Notes,
newest first) and `Scores.csv` (Date, Score from 0 to 1 with 4 decimals, newest first); the
top-level `Checkmarks.csv` and `Scores.csv` repeat those per day for all habits. Values are
YES_MANUAL, YES_AUTO, NO, SKIP, UNKNOWN or, for numeric habits, Loop's stored integer: the amount
in thousandths (Loop keeps 2.5 km as 2500), printed as a code name when it equals a code.

Every fault of the file (not a ZIP, a corrupt or truncated member, a size that lies, binary data
in a CSV, a stray carriage return, a bad value) is a LoopFormatError naming the file and line;
CSVs that are not UTF-8 are read as Windows-1252 (Latin-1) and say so.
"""

from __future__ import annotations

import csv
import io
import math
import re
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from datetime import date
from enum import StrEnum

HABIT_COLUMNS = ("Position", "Name", "Type", "FrequencyNumerator", "FrequencyDenominator", "Archived?")
# Uncompressed bytes read from one ZIP, counted as they are inflated (headers may lie about sizes):
# a decade of a hundred daily habits is well under this.
ZIP_MAX_BYTES = 64 * 1024 * 1024
_MEMBER = re.compile(r"^(\d{3,})(?: [^/]*)?/(Checkmarks|Scores)\.csv$")


class LoopFormatError(ValueError):
    """The file is not a Loop CSV export we can read; the message says what is wrong and where."""


class Mark(StrEnum):
    YES_MANUAL = "YES_MANUAL"  # the user checked the day
    YES_AUTO = "YES_AUTO"  # Loop filled the day in: an interval of the habit's frequency covers it
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
    line: int = 0  # in its Checkmarks.csv, for messages


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
    color: str = ""
    entries: tuple[LoopEntry, ...] = ()  # oldest first
    scores: tuple[tuple[date, float], ...] | None = None  # Loop's Scores.csv, oldest first, 0..1; None: no file
    folder: str = ""  # "NNN name/", for messages
    line: int = 0  # in Habits.csv


@dataclass(frozen=True, slots=True)
class LoopExport:
    habits: tuple[LoopHabit, ...]
    # The last day Loop scored (its "today" when it wrote the file), when a Scores.csv says so.
    exported_on: date | None = None
    notices: tuple[str, ...] = ()  # how the files were read (encodings)
    ignored: tuple[str, ...] = ()  # members that are not part of Loop's format
    orphans: tuple[str, ...] = ()  # habit folders whose number is in no Habits.csv row


@dataclass
class _Reading:
    notices: list[str] = field(default_factory=list)


# -- the ZIP


def read_zip(data: bytes) -> LoopExport:
    """The habits of a Loop CSV export ZIP, each with its entries and scores, in Loop's order."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError, OSError):
        raise LoopFormatError("not a ZIP file: use Loop's Settings > Export as CSV") from None
    with archive:
        try:
            infos = [i for i in archive.infolist() if not i.is_dir()]
        except (ValueError, OSError):  # pragma: no cover - infolist reads nothing more
            raise LoopFormatError("the ZIP's directory is damaged") from None
        habits_csv = min((i.filename for i in infos if i.filename.rsplit("/", 1)[-1] == "Habits.csv"),
                         key=lambda n: (n.count("/"), n), default=None)
        if habits_csv is None:
            raise LoopFormatError("no Habits.csv in the ZIP: is this Loop's 'Export as CSV' file?")
        root = habits_csv[: -len("Habits.csv")]
        budget = _Budget(ZIP_MAX_BYTES)
        reading = _Reading()
        habits = parse_habits(_text(archive, habits_csv, budget, reading))
        checkmarks: dict[int, str] = {}
        scores: dict[int, str] = {}
        ignored: list[str] = []
        for info in infos:
            name = info.filename
            relative = name[len(root):] if name.startswith(root) else None
            match = _MEMBER.match(relative) if relative is not None else None
            if match:
                (checkmarks if match.group(2) == "Checkmarks" else scores).setdefault(int(match.group(1)), name)
            elif relative not in ("Habits.csv", "Checkmarks.csv", "Scores.csv"):
                ignored.append(name)
        positions = {h.position for h in habits}
        orphans = sorted({checkmarks.get(p) or scores[p] for p in {*checkmarks, *scores} - positions})
        out: list[LoopHabit] = []
        for habit in habits:
            member = checkmarks.get(habit.position)
            entries = parse_checkmarks(_text(archive, member, budget, reading), habit.numerical, member) \
                if member else []
            score_member = scores.get(habit.position)
            habit_scores = parse_scores(_text(archive, score_member, budget, reading), score_member) \
                if score_member else None
            folder = (member or score_member or "").rsplit("/", 1)[0]
            out.append(replace(habit, entries=tuple(sorted(entries, key=lambda e: e.day)),
                               scores=None if habit_scores is None else tuple(sorted(habit_scores)),
                               folder=folder[len(root):]))
    ends = [h.scores[-1][0] for h in out if h.scores]
    return LoopExport(tuple(out), max(ends, default=None), tuple(dict.fromkeys(reading.notices)), tuple(ignored),
                      tuple(orphans))


class _Budget:
    def __init__(self, limit: int) -> None:
        self.left = limit

    def take(self, size: int) -> None:
        self.left -= size
        if self.left < 0:
            raise LoopFormatError(f"the ZIP inflates to more than {ZIP_MAX_BYTES // (1024 * 1024)} MB: too large "
                                  "to be a Loop export")


def _read(archive: zipfile.ZipFile, name: str, budget: _Budget) -> bytes:
    """A member's bytes, inflated in chunks against the budget: its header's sizes are not trusted."""
    chunks: list[bytes] = []
    try:
        with archive.open(name) as member:
            while chunk := member.read(65536):
                budget.take(len(chunk))
                chunks.append(chunk)
    except LoopFormatError:
        raise
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError) as error:
        # A corrupt deflate stream, a truncated member, a size or CRC that does not match.
        raise LoopFormatError(f"{name} is damaged in the ZIP ({_reason(error)}): export again from Loop") from None
    except (NotImplementedError, RuntimeError) as error:  # an unknown compression method, encryption
        raise LoopFormatError(f"{name} cannot be read: {error}") from None
    return b"".join(chunks)


def _reason(error: BaseException) -> str:
    text = str(error).strip()
    return text or type(error).__name__


def _text(archive: zipfile.ZipFile, name: str, budget: _Budget, reading: _Reading) -> str:
    return decode(_read(archive, name, budget), name, reading.notices)


def decode(raw: bytes, name: str, notices: list[str] | None = None) -> str:
    """UTF-8 (with or without a BOM); failing that, Windows-1252 (a superset of Latin-1's printable
    characters), and a notice saying so. NUL bytes mean this is no text file at all."""
    if b"\x00" in raw:
        line = raw[: raw.index(b"\x00")].count(b"\n") + 1
        raise LoopFormatError(f"{name} line {line}: binary data, not CSV text")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        text = raw.decode("cp1252")
    except UnicodeDecodeError:  # the five bytes cp1252 leaves undefined
        text = raw.decode("latin-1")
    if notices is not None:
        notices.append(f"{name} is not UTF-8: read as Windows-1252 (Latin-1)")
    return text


def _rows(text: str, name: str) -> Iterator[tuple[int, list[str]]]:
    """(line, fields) of a CSV text; a stray carriage return names its line.

    Lines end at LF (CRLF too); a CR elsewhere is only valid inside a quoted field, as Loop writes one.
    """
    reader = csv.reader(io.StringIO(text))
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            problem = "a carriage return inside an unquoted field" if "new-line" in str(error) else str(error)
            raise LoopFormatError(f"{name} line {reader.line_num}: not valid CSV: {problem}") from None
        yield reader.line_num, row


# -- Habits.csv


def parse_habits(text: str, name: str = "Habits.csv") -> list[LoopHabit]:
    """Rows of Habits.csv; a missing column or a bad number is a LoopFormatError naming the line."""
    rows = _rows(text, name)
    header = next(rows, (1, []))[1]
    missing = [c for c in HABIT_COLUMNS if c not in header]
    if missing:
        raise LoopFormatError(f"{name} lacks the column(s) {', '.join(missing)}")
    habits = []
    for line, values in rows:
        if not any(v.strip() for v in values):
            continue
        row = dict(zip(header, values, strict=False))
        try:
            position, num, den = (int(row.get(c) or "") for c in
                                  ("Position", "FrequencyNumerator", "FrequencyDenominator"))
        except ValueError:
            raise LoopFormatError(f"{name} line {line}: Position and frequency must be whole numbers") from None
        if num < 1 or den < 1:
            raise LoopFormatError(f"{name} line {line}: frequency {num}/{den} is not positive")
        numerical = (row.get("Type") or "").strip().upper() in ("NUMERICAL", "NUMERIC", "1")
        try:
            target = float(row.get("Target Value") or 0) if numerical else 0.0
        except ValueError:
            raise LoopFormatError(f"{name} line {line}: Target Value is not a number") from None
        if not math.isfinite(target):
            raise LoopFormatError(f"{name} line {line}: Target Value is not a number")
        habits.append(LoopHabit(
            position=position, name=(row.get("Name") or "").strip(), numerical=numerical, numerator=num,
            denominator=den, unit=(row.get("Unit") or "").strip(),
            target_type=(row.get("Target Type") or "AT_LEAST").strip().upper() or "AT_LEAST",
            target_value=target, archived=(row.get("Archived?") or "").strip().lower() == "true",
            question=(row.get("Question") or "").strip(), description=(row.get("Description") or "").strip(),
            color=(row.get("Color") or "").strip(), line=line))
    return habits


# -- Checkmarks.csv and Scores.csv

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
    try:
        amount = float(value) if "." in value else int(value) / 1000
    except ValueError:
        raise ValueError(f"unknown value {value!r}") from None
    if not math.isfinite(amount):
        raise ValueError(f"unknown value {value!r}")
    return (Mark.AMOUNT, amount) if amount > 0 else (Mark.NO, 0.0)


def parse_checkmarks(text: str, numerical: bool, name: str = "Checkmarks.csv") -> list[LoopEntry]:
    entries = []
    for line, row in _rows(text, name):
        if not row or (line == 1 and row[0].strip().lower() == "date"):
            continue
        try:
            day = date.fromisoformat(row[0].strip())
            mark, amount = parse_value(row[1] if len(row) > 1 else "", numerical)
        except ValueError as error:
            raise LoopFormatError(f"{name} line {line}: {error}") from None
        entries.append(LoopEntry(day, mark, amount, (row[2] if len(row) > 2 else "").strip(), line))
    return entries


def parse_scores(text: str, name: str = "Scores.csv") -> list[tuple[date, float]]:
    scores = []
    for line, row in _rows(text, name):
        if not row or (line == 1 and row[0].strip().lower() == "date"):
            continue
        try:
            day, score = date.fromisoformat(row[0].strip()), float(row[1])
        except (ValueError, IndexError):
            raise LoopFormatError(f"{name} line {line}: expected a date and a score") from None
        if not (math.isfinite(score) and 0 <= score <= 1):
            raise LoopFormatError(f"{name} line {line}: a score is from 0 to 1")
        scores.append((day, score))
    return scores
