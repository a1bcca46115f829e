"""The guided program's steps: Markdown files with TOML front matter, parsed and validated at load.

A step file is a `+++` line, TOML front matter, a closing `+++` line, then the Markdown body.
Any problem raises ContentError naming the file and the field, so a bad edit fails at start-up.
"""

from __future__ import annotations

import math
import re
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import MISSING, dataclass, fields
from enum import StrEnum
from pathlib import Path
from typing import Any, NoReturn, TypeVar

from server.habits.model import Category, Kind, Period, Schedule
from server.program.requirements import REQUIREMENT_TYPES, JournalEntries, RequirementDef, RequirementKind

__all__ = [
    "ContentError",
    "Program",
    "RequirementDef",
    "StepDef",
    "SuggestedHabit",
    "build_program",
    "load_program",
    "parse_step",
]

PROGRAM_KEY = "comeback"
PROGRAM_TITLE = "The Comeback path"
CONTENT_FOLDER = Path(__file__).with_name("content")
SUMMARY_MAX = 140
PROMPTS_MAX = 3
KEY_MAX = 64  # step_unlock.step_key is a VARCHAR(64)
# A suggested habit is adopted with one tap, so it must pass habitCreate's checks (server.habits.service).
HABIT_NAME_MAX = 80
HABIT_UNIT_MAX = 24
HABIT_QUANTITY_MAX = 1_000_000.0

_SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
_STEP_FIELDS = {"key", "position", "version", "title", "summary", "prompts", "suggested_habits", "requirements"}
_HABIT_FIELDS = {"name", "category", "kind", "schedule", "target_quantity", "unit"}
_SCHEDULE_FIELDS = {"period", "weekdays", "times_per_week", "times", "days", "total"}

E = TypeVar("E", bound=StrEnum)


class ContentError(ValueError):
    """Program content that breaks the schema; the message names the file and the field."""


@dataclass(frozen=True, slots=True)
class SuggestedHabit:
    name: str
    category: Category
    kind: Kind
    schedule: Schedule
    target_quantity: float
    unit: str | None = None


@dataclass(frozen=True, slots=True)
class StepDef:
    key: str
    position: int
    version: int  # bumped by the author on a meaningful edit; recorded with each unlock
    title: str
    summary: str
    prompts: tuple[str, ...]
    suggested_habits: tuple[SuggestedHabit, ...]
    requirements: tuple[RequirementDef, ...]  # what unlocks the next step
    body: str  # Markdown
    source: str  # the file it came from


@dataclass(frozen=True, slots=True)
class Program:
    key: str
    title: str
    steps: tuple[StepDef, ...]  # ordered by position, 1..N

    def step(self, key: str) -> StepDef:
        """The step with this key; KeyError when there is none."""
        for step in self.steps:
            if step.key == key:
                return step
        raise KeyError(key)


def load_program(folder: Path | None = None) -> Program:
    """The program is every `*.md` file of the content folder whose name starts with a digit, validated together."""
    folder = CONTENT_FOLDER if folder is None else folder
    files = sorted(folder.glob("[0-9]*.md"))
    if not files:
        raise ContentError(f"{folder}: no step files")
    return build_program(parse_step(path.read_text(encoding="utf-8"), path.name) for path in files)


def build_program(steps: Iterable[StepDef]) -> Program:
    """Steps form a program when keys are unique, positions run 1..N once each, and only the last lacks requirements."""
    ordered = sorted(steps, key=lambda step: step.position)
    if not ordered:
        raise ContentError("program: no steps")
    by_key: dict[str, StepDef] = {}
    by_position: dict[int, StepDef] = {}
    for step in ordered:
        if step.key in by_key:
            _fail(step.source, "key", f"{step.key!r} is also the key of {by_key[step.key].source}")
        if step.position in by_position:
            _fail(step.source, "position", f"{step.position} is also used by {by_position[step.position].source}")
        if step.position > len(ordered):
            _fail(step.source, "position", f"{step.position} is outside 1..{len(ordered)} (no gaps allowed)")
        by_key[step.key] = by_position[step.position] = step
    *rest, last = ordered
    if last.requirements:
        _fail(last.source, "requirements", "the last step must have none (no step comes after it)")
    for step in rest:
        if not step.requirements:
            _fail(step.source, "requirements", "expected at least one (they unlock the next step)")
    return Program(PROGRAM_KEY, PROGRAM_TITLE, tuple(ordered))


def parse_step(text: str, source: str) -> StepDef:
    """A step file is TOML front matter between `+++` lines followed by a non-empty Markdown body."""
    front, body = _split(text, source)
    try:
        meta = tomllib.loads(front)
    except tomllib.TOMLDecodeError as exc:
        _fail(source, "front matter", f"invalid TOML: {exc}")
    r = _Reader(source)
    r.known(meta, _STEP_FIELDS, "")
    step = StepDef(
        key=r.slug(meta, "key", ""),
        position=r.positive_int(meta, "position", ""),
        version=r.positive_int(meta, "version", ""),
        title=r.text(meta, "title", ""),
        summary=r.text(meta, "summary", "", most=SUMMARY_MAX),
        prompts=r.prompts(meta),
        suggested_habits=tuple(r.habit(table, f"suggested_habits[{i}]")
                               for i, table in enumerate(r.tables(meta, "suggested_habits"))),
        requirements=tuple(r.requirement(table, f"requirements[{i}]")
                           for i, table in enumerate(r.tables(meta, "requirements"))),
        body=body,
        source=source,
    )
    for i, req in enumerate(step.requirements):
        # Entries are written for an unlocked step; naming a later one would lock the path for good.
        if isinstance(req, JournalEntries) and req.step is not None and req.step != step.key:
            _fail(source, f"requirements[{i}].step", f"expected this step's own key {step.key!r}, got {req.step!r}")
    if not body:
        _fail(source, "body", "expected Markdown text after the front matter")
    return step


def _split(text: str, source: str) -> tuple[str, str]:
    lines = text.removeprefix("\ufeff").splitlines(keepends=True)
    if not lines or lines[0].strip() != "+++":
        _fail(source, "front matter", "expected the file to start with a '+++' line")
    for end in range(1, len(lines)):
        if lines[end].strip() == "+++":
            return "".join(lines[1:end]), "".join(lines[end + 1 :]).strip()
    _fail(source, "front matter", "no closing '+++' line")


def _fail(source: str, field: str, problem: str) -> NoReturn:
    raise ContentError(f"{source}: {field}: {problem}")


class _Reader:
    """Typed reads of TOML values, each failing with the file and the dotted path of the field."""

    def __init__(self, source: str) -> None:
        self.source = source

    def fail(self, path: str, problem: str) -> NoReturn:
        _fail(self.source, path, problem)

    def known(self, table: Mapping[str, Any], allowed: set[str], prefix: str) -> None:
        for name in table:
            if name not in allowed:
                self.fail(_at(prefix, name), f"unknown key (expected one of {', '.join(sorted(allowed))})")

    def value(self, table: Mapping[str, Any], name: str, prefix: str) -> Any:
        if name not in table:
            self.fail(_at(prefix, name), "missing")
        return table[name]

    def text(self, table: Mapping[str, Any], name: str, prefix: str, most: int | None = None) -> str:
        value = self.value(table, name, prefix)
        if not isinstance(value, str) or not value.strip():
            self.fail(_at(prefix, name), "expected a non-empty string")
        if most is not None and len(value.strip()) > most:
            self.fail(_at(prefix, name), f"expected at most {most} characters, got {len(value.strip())}")
        return value.strip()

    def slug(self, table: Mapping[str, Any], name: str, prefix: str) -> str:
        value = self.value(table, name, prefix)
        if not isinstance(value, str) or not _SLUG.fullmatch(value) or len(value) > KEY_MAX:
            self.fail(_at(prefix, name), f"expected a slug of lowercase letters, digits and single hyphens "
                                         f"(at most {KEY_MAX} characters), got {value!r}")
        return value

    def positive_int(self, table: Mapping[str, Any], name: str, prefix: str) -> int:
        value = self.value(table, name, prefix)
        if not _is_int(value) or value < 1:
            self.fail(_at(prefix, name), "expected a positive integer")
        return int(value)

    def positive_number(self, table: Mapping[str, Any], name: str, prefix: str, most: float = math.inf) -> float:
        value = self.value(table, name, prefix)
        if not _is_number(value) or not 0 < value <= most or not math.isfinite(value):
            bound = "" if most == math.inf else f" and at most {most:.15g}"
            self.fail(_at(prefix, name), f"expected a number above 0{bound}")
        return float(value)

    def choice(self, table: Mapping[str, Any], name: str, prefix: str, enum: type[E]) -> E:
        value = self.value(table, name, prefix)
        try:
            return enum(value)
        except ValueError:
            self.fail(_at(prefix, name), f"expected one of {', '.join(enum)}, got {value!r}")

    def tables(self, table: Mapping[str, Any], name: str) -> list[Mapping[str, Any]]:
        value = table.get(name, [])
        if not isinstance(value, list) or not all(isinstance(item, dict) for item in value):
            self.fail(name, f"expected an array of tables ([[{name}]])")
        return value

    def prompts(self, meta: Mapping[str, Any]) -> tuple[str, ...]:
        value = self.value(meta, "prompts", "")
        if not isinstance(value, list) or not 1 <= len(value) <= PROMPTS_MAX:
            self.fail("prompts", f"expected a list of 1 to {PROMPTS_MAX} strings")
        for i, prompt in enumerate(value):
            if not isinstance(prompt, str) or not prompt.strip():
                self.fail(f"prompts[{i}]", "expected a non-empty string")
        return tuple(prompt.strip() for prompt in value)

    def habit(self, table: Mapping[str, Any], prefix: str) -> SuggestedHabit:
        self.known(table, _HABIT_FIELDS, prefix)
        return SuggestedHabit(
            name=self.text(table, "name", prefix, most=HABIT_NAME_MAX),
            category=self.choice(table, "category", prefix, Category),
            kind=self.choice(table, "kind", prefix, Kind),
            schedule=self.schedule(table, prefix),
            target_quantity=self.positive_number(table, "target_quantity", prefix, most=HABIT_QUANTITY_MAX),
            unit=self.text(table, "unit", prefix, most=HABIT_UNIT_MAX) if "unit" in table else None,
        )

    def schedule(self, habit: Mapping[str, Any], prefix: str) -> Schedule:
        path = _at(prefix, "schedule")
        table = self.value(habit, "schedule", prefix)
        if not isinstance(table, dict):
            self.fail(path, "expected a table {period, weekdays?, times_per_week?}")
        self.known(table, _SCHEDULE_FIELDS, path)
        weekdays = table.get("weekdays", [])
        if not isinstance(weekdays, list) or not all(_is_int(day) for day in weekdays):
            self.fail(_at(path, "weekdays"), "expected a list of integers from 1 (Monday) to 7 (Sunday)")
        times = table.get("times_per_week")
        if times is not None and not _is_int(times):
            self.fail(_at(path, "times_per_week"), "expected an integer from 1 to 7")
        for name in ("times", "days"):
            if table.get(name) is not None and not _is_int(table[name]):
                self.fail(_at(path, name), "expected an integer (INTERVAL: times in any days days)")
        total = table.get("total", False)
        if not isinstance(total, bool):
            self.fail(_at(path, "total"), "expected true or false")
        schedule = Schedule(self.choice(table, "period", path, Period), tuple(weekdays), times,
                            table.get("times"), table.get("days"), total)
        error = schedule.validation_error()
        if error is not None:
            self.fail(path, error)
        return schedule

    def requirement(self, table: Mapping[str, Any], prefix: str) -> RequirementDef:
        cls = REQUIREMENT_TYPES[self.choice(table, "kind", prefix, RequirementKind)]
        params = {f.name: f.default is MISSING for f in fields(cls)}  # name -> required
        self.known(table, {"kind", *params}, prefix)
        # A parameter's name decides its type, whatever the kind.
        values: dict[str, Any] = {}
        for name, required in params.items():
            if not required and name not in table:
                continue
            if name in ("count", "days"):
                values[name] = self.positive_int(table, name, prefix)
            elif name == "step":
                values[name] = self.slug(table, name, prefix)
            elif name == "category":
                values[name] = self.choice(table, name, prefix, Category)
            elif name in ("threshold", "score"):  # percentages
                values[name] = self.positive_number(table, name, prefix, most=100)
            else:
                raise AssertionError(f"no reader for requirement parameter {name!r}")
        return cls(**values)


def _at(prefix: str, name: str) -> str:
    return f"{prefix}.{name}" if prefix else name


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)
