"""Writing Loop Habit Tracker's "Export as CSV" ZIP from our habits (pure), file for file as Loop's
HabitsCSVExporter writes it: the same files in the same order, columns, date format ("yyyy-MM-dd"),
number formats (scores with 4 decimals rounded half up, target values as Java prints a double,
amounts in thousandths) and CSV quoting (opencsv's: a field is quoted only when it holds a comma,
a quote or a line break; quotes are doubled; lines end with LF).

A habit becomes the Loop habit it would be in Loop: DAILY is 1/1, WEEKLY n is n/7, WEEKDAYS with k
days is k/7 (Loop has no weekday schedule), INTERVAL t/d is t/d. A habit without unit and with
target 1 is a yes/no habit whose covered days Loop's own rule fills in (YES_AUTO); any other BUILD
habit is numeric "at least" its target, and a QUIT habit numeric "at most" its daily limit (0 by
default, which Loop reads as "any amount is too much"). Scores.csv holds our strength. Two things
Loop's format cannot say are written as close as it allows: a habit's start date before its first
entry (Scores.csv then starts at the start date), and a habit without a colour (Loop's default,
#00897B).
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from server.habits.intervals import intervals
from server.habits.model import HabitLog, HabitRules, Kind
from server.habits.strength import strength_scores

DEFAULT_COLOR = "#00897B"  # Loop's PaletteColor(8), what a new Loop habit gets
YES_MANUAL, YES_AUTO, NO, UNKNOWN, SKIP = 2, 1, 0, -1, 3
_CODES = {YES_MANUAL: "YES_MANUAL", YES_AUTO: "YES_AUTO", NO: "NO", SKIP: "SKIP", UNKNOWN: "UNKNOWN"}
_UNSAFE = re.compile(r"[^ a-zA-Z0-9._-]+")


@dataclass(frozen=True, slots=True)
class ExportHabit:
    """What the writer needs to know about one of our habits."""

    name: str
    rules: HabitRules
    log: HabitLog
    unit: str | None = None
    question: str | None = None
    description: str | None = None
    color: str | None = None
    archived: bool = False
    notes: Mapping[date, str] = field(default_factory=dict)  # per day, check-ins' notes joined


def loop_frequency(rules: HabitRules) -> tuple[int, int]:
    """(numerator, denominator) as Loop stores the habit's frequency (n/n is 1/1)."""
    if rules.kind is Kind.QUIT:
        return (1, 1)
    num, den = rules.schedule.frequency()
    return (1, 1) if num == den else (num, den)


def is_numerical(habit: ExportHabit) -> bool:
    """Yes/no in Loop: a BUILD habit with target 1, no unit and no interval total; numeric otherwise."""
    rules = habit.rules
    return rules.kind is Kind.QUIT or bool(habit.unit) or rules.target != 1.0 or rules.schedule.total


def entries(habit: ExportHabit) -> dict[date, tuple[int, str]]:
    """Loop's computed entries: day -> (stored value, notes), as Loop keeps them for this history."""
    rules, log = habit.rules, habit.log
    out: dict[date, tuple[int, str]] = {}
    if is_numerical(habit):
        for day, quantity in log.quantities.items():
            if quantity > 0:
                out[day] = (round(quantity * 1000), "")
        for day in log.skips:
            out.setdefault(day, (SKIP, ""))
    else:
        done = sorted(d for d, q in log.quantities.items() if q >= rules.target)
        num, den = loop_frequency(rules)
        first = rules.start_date.toordinal()
        for begin, _, end in intervals([d.toordinal() for d in done], num, den):
            # An interval snapped back past the start date covers days the habit did not exist yet.
            for ordinal in range(max(begin, first), end + 1):
                out[date.fromordinal(ordinal)] = (YES_AUTO, "")
        for day in log.skips:
            out[day] = (SKIP, "")
        for day in done:
            out[day] = (YES_MANUAL, "")
    for day, note in habit.notes.items():
        if note:
            value = out.get(day, (UNKNOWN, ""))[0]
            out[day] = (value, note)
    return out


def formatted(value: int) -> str:
    """Loop's Entry.formattedValue: the code's name, or the stored integer."""
    return _CODES.get(value, str(value))


def score_text(strength: float) -> str:
    """Loop writes String.format(Locale.US, "%.4f", score): Java rounds the shortest decimal half up."""
    return str(Decimal(repr(strength / 100)).quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP))


def java_double(value: float) -> str:
    """Double.toString: shortest digits; plain from 10^-3 to 10^7, else d.dddE±n; always a fraction digit."""
    if value == 0:
        return "0.0"
    sign = "-" if value < 0 else ""
    digits_tuple = Decimal(repr(abs(value))).normalize().as_tuple()
    digits = "".join(map(str, digits_tuple.digits))
    exponent = int(digits_tuple.exponent) + len(digits) - 1  # of the first digit
    if 1e-3 <= abs(value) < 1e7:
        if exponent >= 0:
            whole = digits[:exponent + 1].ljust(exponent + 1, "0")
            fraction = digits[exponent + 1:] or "0"
        else:
            whole, fraction = "0", "0" * (-exponent - 1) + digits
        return f"{sign}{whole}.{fraction}"
    return f"{sign}{digits[0]}.{digits[1:] or '0'}E{exponent}"


def csv_line(fields: Sequence[str]) -> str:
    """opencsv's CSVWriter.writeNext(fields, false)."""
    out = []
    for text in fields:
        if any(c in text for c in ',"\n\r'):
            text = '"' + text.replace('"', '""') + '"'
        out.append(text)
    return ",".join(out) + "\n"


def folder(position: int, name: str) -> str:
    """Loop's habit folder: "%03d %s" of the position and the name stripped to [ a-zA-Z0-9._-] (100 at most)."""
    sane = _UNSAFE.sub("", name)[:100]
    return f"{position:03d} {sane}".strip(" ") + "/"


def write_zip(habits: Sequence[ExportHabit], today: date) -> bytes:
    """The whole export, files in the order Loop adds them to its ZIP."""
    computed = [entries(h) for h in habits]
    scores = [_scores(h, today) for h in habits]
    files: list[tuple[str, str]] = [("Habits.csv", _habits_csv(habits))]
    for position, (habit, known, strength) in enumerate(zip(habits, computed, scores, strict=True), start=1):
        directory = folder(position, habit.name)
        files.append((directory + "Scores.csv", _scores_csv(habit, known, strength, today)))
        files.append((directory + "Checkmarks.csv", _checkmarks_csv(known)))
    scores_all, checks_all = _multiple(habits, computed, scores, today)
    files += [("Scores.csv", scores_all), ("Checkmarks.csv", checks_all)]
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, text in files:
            archive.writestr(name, text.encode())
    return out.getvalue()


def _habits_csv(habits: Sequence[ExportHabit]) -> str:
    lines = [csv_line(("Position", "Name", "Type", "Question", "Description", "FrequencyNumerator",
                       "FrequencyDenominator", "Color", "Unit", "Target Type", "Target Value", "Archived?"))]
    for position, habit in enumerate(habits, start=1):
        numerical = is_numerical(habit)
        num, den = loop_frequency(habit.rules)
        quit_ = habit.rules.kind is Kind.QUIT
        target = habit.rules.limit if quit_ else habit.rules.target
        lines.append(csv_line((
            f"{position:03d}", habit.name, "NUMERICAL" if numerical else "YES_NO", habit.question or "",
            habit.description or "", str(num), str(den), habit.color or DEFAULT_COLOR,
            (habit.unit or "") if numerical else "", ("AT_MOST" if quit_ else "AT_LEAST") if numerical else "",
            java_double(target) if numerical else "", "true" if habit.archived else "false")))
    return "".join(lines)


def _scores(habit: ExportHabit, today: date) -> dict[date, float]:
    start = habit.rules.start_date
    return {start + timedelta(days=i): s for i, s in enumerate(strength_scores(habit.rules, habit.log, today))}


def _scores_csv(habit: ExportHabit, known: Mapping[date, tuple[int, str]], strength: Mapping[date, float],
                today: date) -> str:
    # Loop: from the oldest computed entry (today when there is none) to today, newest first.
    oldest = min([*known, habit.rules.start_date, today]) if known else min(habit.rules.start_date, today)
    lines = [csv_line(("Date", "Score"))]
    day = today
    while day >= oldest:
        lines.append(csv_line((day.isoformat(), score_text(strength.get(day, 0.0)))))
        day -= timedelta(days=1)
    return "".join(lines)


def _checkmarks_csv(known: Mapping[date, tuple[int, str]]) -> str:
    lines = [csv_line(("Date", "Value", "Notes"))]
    for day in sorted(known, reverse=True):
        value, notes = known[day]
        lines.append(csv_line((day.isoformat(), formatted(value), notes)))
    return "".join(lines)


def _multiple(habits: Sequence[ExportHabit], computed: Sequence[Mapping[date, tuple[int, str]]],
              scores: Sequence[Mapping[date, float]], today: date) -> tuple[str, str]:
    # Loop writes these two by hand: names are not quoted, every value is followed by a comma.
    header = "Date," + "".join(f"{h.name}," for h in habits) + "\n"
    originals = [d for h in habits for d in _original_days(h)]
    if not originals:
        return header, header
    scores_out, checks_out = [header], [header]
    day = today
    oldest = min(originals)
    while day >= oldest:
        stamp = day.isoformat() + ","
        checks_out.append(stamp + "".join(formatted(known.get(day, (UNKNOWN, ""))[0]) + "," for known in computed)
                          + "\n")
        scores_out.append(stamp + "".join(score_text(s.get(day, 0.0)) + "," for s in scores) + "\n")
        day -= timedelta(days=1)
    return "".join(scores_out), "".join(checks_out)


def _original_days(habit: ExportHabit) -> list[date]:
    """The days the user entered something (Loop's originalEntries): check-ins, skips, notes."""
    return [*(d for d, q in habit.log.quantities.items() if q > 0), *habit.log.skips,
            *(d for d, n in habit.notes.items() if n)]

