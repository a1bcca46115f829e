"""The achievement catalogue: catalogue.toml, validated once at import, and every user's progress on it."""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources
from types import MappingProxyType
from typing import Any

from server.achievements.rules import FIXED_TARGETS, PARAMS, Facts, Progress, Rule, RuleKind, evaluate, facts_of
from server.activity import Activity

_KEY = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
_REQUIRED = ("key", "title", "description", "rule", "target")
_FIELDS = frozenset((*_REQUIRED, "params"))


@dataclass(frozen=True, slots=True)
class AchievementDef:
    key: str
    title: str
    description: str
    kind: RuleKind
    params: Mapping[str, int]
    target: int

    @property
    def rule(self) -> Rule:
        return Rule(self.kind, self.params, self.target)


def parse_catalogue(text: str) -> tuple[AchievementDef, ...]:
    """A catalogue is a non-empty list of [[achievement]] tables, each valid, with unique keys."""
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise ValueError(f"achievement catalogue is not valid TOML: {error}") from error
    unknown = set(document) - {"achievement"}
    if unknown:
        raise ValueError(f"achievement catalogue: unknown top-level entry {sorted(unknown)[0]!r}")
    entries = document.get("achievement")
    if not isinstance(entries, list) or not entries:
        raise ValueError("achievement catalogue: needs at least one [[achievement]]")
    catalogue: list[AchievementDef] = []
    seen: set[str] = set()
    for position, entry in enumerate(entries, start=1):
        achievement = _parse_entry(entry, position)
        if achievement.key in seen:
            raise ValueError(f"achievement {achievement.key!r}: duplicate key")
        seen.add(achievement.key)
        catalogue.append(achievement)
    return tuple(catalogue)


def progress(activity: Activity, facts: Facts | None = None) -> dict[str, Progress]:
    """Progress on every achievement of the catalogue, keyed by achievement key, in catalogue order
    (`facts`: the activity's, if already known)."""
    facts = facts if facts is not None else facts_of(activity)
    return {achievement.key: evaluate(achievement.rule, facts) for achievement in CATALOGUE}


def _parse_entry(entry: Any, position: int) -> AchievementDef:
    if not isinstance(entry, dict):
        raise ValueError(f"achievement #{position}: must be a table")
    raw_key = entry.get("key")
    if not isinstance(raw_key, str) or not _KEY.fullmatch(raw_key):
        raise ValueError(f"achievement #{position}: field 'key' must be lowercase-kebab text, got {raw_key!r}")
    where = f"achievement {raw_key!r}"
    for name in _REQUIRED:
        if name not in entry:
            raise ValueError(f"{where}: missing field {name!r}")
    extra = sorted(set(entry) - _FIELDS)
    if extra:
        raise ValueError(f"{where}: unknown field {extra[0]!r}")
    for name in ("title", "description"):
        if not isinstance(entry[name], str) or not entry[name].strip():
            raise ValueError(f"{where}: field {name!r} must be non-empty text")
    try:
        kind = RuleKind(entry["rule"])
    except ValueError:
        raise ValueError(f"{where}: field 'rule' has unknown kind {entry['rule']!r}") from None
    target = _positive_int(entry["target"], f"{where}: field 'target'")
    fixed = FIXED_TARGETS.get(kind)
    if fixed is not None and target != fixed:
        raise ValueError(f"{where}: field 'target' must be {fixed} for {kind.value}, got {target}")
    return AchievementDef(
        raw_key,
        entry["title"].strip(),
        entry["description"].strip(),
        kind,
        _params(entry.get("params", {}), kind, where),
        target,
    )


def _params(raw: Any, kind: RuleKind, where: str) -> Mapping[str, int]:
    if not isinstance(raw, dict):
        raise ValueError(f"{where}: field 'params' must be a table")
    expected = PARAMS[kind]
    for name in expected:
        if name not in raw:
            raise ValueError(f"{where}: missing param {name!r} for {kind.value}")
    extra = sorted(set(raw) - set(expected))
    if extra:
        raise ValueError(f"{where}: unknown param {extra[0]!r} for {kind.value}")
    return MappingProxyType({name: _positive_int(raw[name], f"{where}: param {name!r}") for name in expected})


def _positive_int(value: Any, what: str) -> int:
    # bool is an int in Python, but `target = true` is a mistake, not a 1.
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValueError(f"{what} must be a positive whole number, got {value!r}")
    return value


CATALOGUE: tuple[AchievementDef, ...] = parse_catalogue(
    resources.files("server.achievements").joinpath("catalogue.toml").read_text(encoding="utf-8")
)
