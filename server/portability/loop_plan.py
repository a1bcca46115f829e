"""What a Loop Habit Tracker export becomes here, and whether we then reproduce Loop's numbers (pure).

Mapping (docs/loop-import.md says the same for people):
- frequency 1/1 is DAILY; any other num/den is INTERVAL(times=num, days=den): Loop's own rolling
  intervals, so strength, covered days (YES_AUTO) and streaks follow Loop day for day;
- yes/no habits are BUILD habits with target 1; numeric "at least" habits are BUILD habits whose
  target is Loop's per-period total (an INTERVAL total when the period is longer than a day);
- numeric "at most" habits are QUIT habits with that limit as the daily slip threshold;
- YES_MANUAL and amounts become check-ins (with the day's notes), SKIP a skipped day; YES_AUTO is
  derived and recomputed here, NO and UNKNOWN are simply no check-in.
Nothing is dropped without a word: every note on a day without a check-in, every entry after
today, every cut name and every unreadable colour is named in the habit's warnings.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from datetime import date

from server.habits.model import DayStatus, HabitLog, HabitRules, Kind, Period, Schedule
from server.habits.service import DESCRIPTION_MAX, NAME_MAX, NOTE_MAX, QUANTITY_MAX, QUESTION_MAX, UNIT_MAX
from server.habits.summary import habit_days, strength_series
from server.portability.loop import LoopEntry, LoopExport, LoopHabit, Mark

# Loop's Scores.csv has 4 decimals of 0..1, so 0.005 points of rounding; we promise 0.05.
SCORE_TOLERANCE = 0.05
_COLOR = re.compile(r"#[0-9A-Fa-f]{6}")
_SHOWN = 5  # notes named one by one in a warning; the rest are counted


@dataclass(frozen=True, slots=True)
class PlannedCheckIn:
    day: date
    quantity: float
    note: str | None
    line: int  # in the habit's Checkmarks.csv


@dataclass(frozen=True, slots=True)
class PlannedHabit:
    loop: LoopHabit
    name: str
    kind: Kind
    schedule: Schedule
    target: float
    daily_limit: float | None
    unit: str | None
    description: str | None
    question: str | None
    color: str | None
    start_date: date
    archived: bool
    check_ins: tuple[PlannedCheckIn, ...]
    skips: tuple[date, ...]
    source: str  # a stable identity of the Loop habit, for idempotency keys
    warnings: tuple[str, ...] = ()

    def key(self, day: date) -> str:
        """The idempotency key of this habit's check-in on `day`: importing again never logs it twice."""
        return f"loop:{self.source}:{day.isoformat()}"

    @property
    def label(self) -> str:
        """How messages name the Loop habit: its folder in the ZIP, or its name."""
        return self.loop.folder or f"{self.loop.position:03d} {self.loop.name}"

    def log(self) -> HabitLog:
        return HabitLog({c.day: c.quantity for c in self.check_ins}, frozenset(self.skips))


@dataclass
class ImportPlan:
    habits: list[PlannedHabit] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    exported_on: date | None = None


def plan_import(export: LoopExport, today: date) -> ImportPlan:
    """Every Loop habit as a Comeback habit; names are made unique within the import."""
    out = ImportPlan(exported_on=export.exported_on)
    out.warnings += export.notices
    out.warnings += [f"{name}: not part of Loop's export format, not imported" for name in export.ignored]
    out.warnings += [f"{name}: its number matches no habit in Habits.csv, not imported" for name in export.orphans]
    taken: set[str] = set()
    for habit in export.habits:
        out.habits.append(plan_habit(habit, _unique(_name(habit), taken), today, export.exported_on))
    return out


def _name(habit: LoopHabit) -> str:
    return habit.name[:NAME_MAX].strip() or f"Habit {habit.position}"


def _unique(name: str, taken: set[str]) -> str:
    candidate, n = name, 2
    while candidate.lower() in taken:
        suffix = f" ({n})"
        candidate, n = name[:NAME_MAX - len(suffix)] + suffix, n + 1
    taken.add(candidate.lower())
    return candidate


def schedule_for(numerator: int, denominator: int, total: bool = False) -> Schedule:
    """1/1 (and n/n, which Loop stores as 1/1) is DAILY; num/den is INTERVAL(num, den) within its limits."""
    if numerator >= denominator:
        return Schedule(Period.DAILY)
    days = min(denominator, 365)
    return Schedule(Period.INTERVAL, times=min(numerator, days), days=days, total=total)


def plan_habit(habit: LoopHabit, name: str, today: date, exported_on: date | None = None) -> PlannedHabit:
    """One Loop habit as it will be stored, with a warning for everything that is not kept as it was."""
    warnings: list[str] = []
    num, den = habit.numerator, habit.denominator
    at_most = habit.numerical and habit.target_type == "AT_MOST"
    schedule = schedule_for(num, den, total=habit.numerical and not at_most)
    if num > den:
        warnings.append(f"frequency {num}/{den} (more than once a day) became every day")
    elif den > 365:
        warnings.append(f"frequency {num}/{den} became {schedule.times} in any 365 days (the longest interval)")
    if name != habit.name:
        warnings.append(f"named {name!r} here (Loop: {habit.name!r})")
    kind, target, limit = Kind.BUILD, 1.0, None
    if at_most:
        kind = Kind.QUIT
        schedule = Schedule(Period.DAILY)
        limit = max(0.0, habit.target_value) / (1 if num >= den else den)
        if num < den:
            warnings.append(f"'at most {habit.target_value:g} per {den} days' became a daily limit of {limit:g}: "
                            "Comeback judges quit habits day by day")
    elif habit.numerical:
        target = habit.target_value
        if not 0 < target <= QUANTITY_MAX:
            warnings.append(f"target {habit.target_value:g} is not usable here: using 1")
            target = 1.0
    unit = _cut(habit.unit, UNIT_MAX, "unit", warnings) if habit.numerical else None
    description = _cut(habit.description, DESCRIPTION_MAX, "description", warnings)
    question = _cut(habit.question, QUESTION_MAX, "question", warnings)
    color = habit.color or None
    if color is not None and not _COLOR.fullmatch(color):
        warnings.append(f"colour {color!r} is not #RRGGBB: not kept")
        color = None

    check_ins: list[PlannedCheckIn] = []
    skips: list[date] = []
    later: list[LoopEntry] = []
    lost_notes: list[LoopEntry] = []
    for entry in habit.entries:
        counts = (entry.mark is Mark.YES_MANUAL and not habit.numerical) or (
            entry.mark is Mark.AMOUNT and entry.amount > 0)
        if entry.day > today:
            # YES_AUTO days after today are Loop's intervals reaching into the future: derived, recomputed here.
            if counts or entry.mark is Mark.SKIP or entry.notes:
                later.append(entry)
            continue
        note = entry.notes[:NOTE_MAX] or None
        if entry.notes and len(entry.notes) > NOTE_MAX:
            warnings.append(f"the note of {entry.day} was cut to {NOTE_MAX} characters")
        if counts:
            quantity = 1.0 if entry.mark is Mark.YES_MANUAL else entry.amount
            if quantity > QUANTITY_MAX:
                warnings.append(f"{entry.day}: {quantity:g} was cut to the largest amount, {QUANTITY_MAX:g}")
                quantity = QUANTITY_MAX
            check_ins.append(PlannedCheckIn(entry.day, quantity, note, entry.line))
        else:
            if entry.mark is Mark.SKIP:
                skips.append(entry.day)
            if entry.notes:
                lost_notes.append(entry)
    if later:
        warnings.append(f"{len(later)} entries after today ({later[0].day} to {later[-1].day}) left out")
    if lost_notes:
        shown = "; ".join(f"{e.day} ({e.mark.value}) {e.notes!r}" for e in lost_notes[:_SHOWN])
        more = f"; and {len(lost_notes) - _SHOWN} more" if len(lost_notes) > _SHOWN else ""
        warnings.append(f"{len(lost_notes)} notes on days without a check-in are not kept (Comeback keeps notes "
                        f"with check-ins): {shown}{more}")
    # Loop scores a habit from its oldest entry (its oldest Scores.csv row); an empty habit from the day
    # Loop wrote the export, which is as close to its creation as the file tells.
    firsts = [e.day for e in habit.entries if e.day <= today] + [d for d, _ in habit.scores or () if d <= today]
    start = min(firsts, default=min(exported_on or today, today))
    source = hashlib.sha256(f"{habit.position}\n{habit.name}".encode()).hexdigest()[:16]
    return PlannedHabit(loop=habit, name=name, kind=kind, schedule=schedule, target=target, daily_limit=limit,
                        unit=unit, description=description, question=question, color=color, start_date=start,
                        archived=habit.archived, check_ins=tuple(check_ins), skips=tuple(skips), source=source,
                        warnings=tuple(warnings))


def _cut(text: str, limit: int, what: str, warnings: list[str]) -> str | None:
    if len(text) > limit:
        warnings.append(f"the {what} was cut to {limit} characters")
    return text[:limit].strip() or None


# -- checking the result against Loop's own numbers


@dataclass(frozen=True, slots=True)
class Verification:
    exact: bool  # every Scores.csv day within SCORE_TOLERANCE and every Checkmarks.csv day agreeing
    max_score_difference: float | None  # in points (0-100); None without a Scores.csv
    days_compared: int
    mismatches: tuple[str, ...]  # the first days that disagree, for the report


def verify(planned: PlannedHabit, rules: HabitRules, today: date) -> Verification:
    """Our strength and day statuses for the planned history under `rules`, against Loop's files."""
    log = planned.log()
    loop = planned.loop
    start = rules.start_date
    ends = [d for d, _ in loop.scores or ()] + [e.day for e in loop.entries]
    end = min(max(ends, default=start), today)
    mismatches: list[str] = []
    difference: float | None = None
    if loop.scores is not None:
        strengths = dict(strength_series(rules, log, today))
        difference = 0.0
        for day, score in loop.scores:
            if day > today:
                continue
            gap = abs(strengths.get(day, 0.0) - 100 * score)
            difference = max(difference, gap)
            if gap > SCORE_TOLERANCE and len(mismatches) < _SHOWN:
                mismatches.append(f"{day}: strength {strengths.get(day, 0.0):.2f} here, {100 * score:.2f} in Loop")
    compared = 0
    if end >= start:
        marks = {e.day: e for e in loop.entries}
        for ours in habit_days(rules, log, today, start, end):
            compared += 1
            entry = marks.get(ours.date)
            if not _agrees(entry, ours.status, ours.quantity, loop.numerical) and len(mismatches) < _SHOWN:
                mismatches.append(f"{ours.date}: {ours.status.value} here, {entry.mark.value if entry else 'UNKNOWN'} "
                                  "in Loop")
    exact = not mismatches and (difference is None or difference <= SCORE_TOLERANCE)
    if rules.kind is Kind.QUIT:
        # Known before any comparison: Loop scores an "at most" habit from 100% by how far over its limit
        # each period went, Comeback a quit habit by clean days from 0 (contract v2).
        exact = False
        mismatches.insert(0, "strength: Loop scores 'at most' habits from 100% by how far over the limit they "
                             "go; Comeback scores quit habits by clean days, from 0")
    return Verification(exact, None if difference is None else round(difference, 4), compared, tuple(mismatches))


_MISSED = frozenset({DayStatus.MISSED, DayStatus.FROZEN, DayStatus.PENDING})


def _agrees(entry: LoopEntry | None, status: DayStatus, quantity: float, numerical: bool) -> bool:
    mark = entry.mark if entry else Mark.UNKNOWN
    if numerical:
        amount = entry.amount if entry and mark is Mark.AMOUNT else 0.0
        if mark is Mark.SKIP:
            return status is DayStatus.SKIPPED or quantity > 0
        return abs(quantity - amount) < 1e-9
    if mark is Mark.YES_MANUAL:
        return status is DayStatus.DONE
    if mark is Mark.YES_AUTO:
        return status is DayStatus.COVERED
    if mark is Mark.SKIP:
        return status is DayStatus.SKIPPED
    return status in _MISSED
