"""Live events: the one definition shared by their producers (jobs) and their consumer (the subscription).

Each event is a frozen dataclass; `encode` writes it as JSON with its class name under "type", and
`decode` reads it back or raises `InvalidEvent` (an unknown type included: a message this version
cannot represent is an error, never guessed at). A new event (issue 16's `ReminderDue`, say) is one
more dataclass here, listed in `LiveEvent` and `_TYPES`, and one more member of the GraphQL union.
"""

from __future__ import annotations

import dataclasses
import json
import typing
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final


@dataclass(frozen=True, slots=True)
class AchievementUnlocked:
    key: str
    title: str
    at: datetime


@dataclass(frozen=True, slots=True)
class StepUnlocked:
    key: str
    title: str
    position: int
    at: datetime


@dataclass(frozen=True, slots=True)
class ConfidenceChanged:
    score: float
    previous: float | None
    at: datetime


@dataclass(frozen=True, slots=True)
class TokensRevoked:
    """Some of the user's tokens stopped working (log-out everywhere, a password change, a revoked
    session, the account deleted): every open subscription of theirs checks its token again now,
    instead of at its next event or idle re-check. Never shown to a client."""

    at: datetime


@dataclass(frozen=True, slots=True)
class ReminderDue:
    """A habit's reminder came due (ids as strings: the subscriber loads what it shows, scoped to its user)."""

    habit_id: str
    reminder_id: str
    due_at: datetime


# What a subscriber is sent; LiveEvent also carries the engine's own signals.
ClientEvent = AchievementUnlocked | StepUnlocked | ConfidenceChanged | ReminderDue
LiveEvent = ClientEvent | TokensRevoked

_TYPES: Final[dict[str, type[LiveEvent]]] = {
    cls.__name__: cls for cls in (AchievementUnlocked, StepUnlocked, ConfidenceChanged, ReminderDue, TokensRevoked)}
# Each type's fields and the Python types a field may hold (`float | None` gives float and NoneType).
_FIELDS: Final[dict[str, dict[str, tuple[Any, ...]]]] = {
    name: {f: typing.get_args(hint) or (hint,) for f, hint in typing.get_type_hints(cls).items()}
    for name, cls in _TYPES.items()}


class InvalidEvent(ValueError):
    """A message that is not one of the events above (unknown type, missing or mistyped field)."""


def encode(event: LiveEvent) -> str:
    body: dict[str, Any] = {"type": type(event).__name__}
    for field in dataclasses.fields(event):
        value = getattr(event, field.name)
        body[field.name] = value.isoformat() if isinstance(value, datetime) else value
    return json.dumps(body)


def decode(raw: str | bytes) -> LiveEvent:
    try:
        body = json.loads(raw)
    except ValueError as error:
        raise InvalidEvent(f"not JSON: {error}") from None
    if not isinstance(body, dict):
        raise InvalidEvent("an event is a JSON object")
    kind = body.pop("type", None)
    cls = _TYPES.get(kind) if isinstance(kind, str) else None
    if cls is None:
        raise InvalidEvent(f"unknown event type {kind!r}")
    fields = _FIELDS[kind]
    if set(body) != set(fields):
        raise InvalidEvent(f"{kind} has fields {sorted(fields)}, got {sorted(body)}")
    return cls(**{name: _value(kind, name, allowed, body[name]) for name, allowed in fields.items()})


def _value(kind: str, name: str, allowed: tuple[Any, ...], value: Any) -> Any:
    if value is None and type(None) in allowed:
        return None
    if datetime in allowed and isinstance(value, str):
        try:
            return datetime.fromisoformat(value)
        except ValueError:
            pass
    elif float in allowed and isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    elif any(t in (str, int) and type(value) is t for t in allowed):
        return value
    raise InvalidEvent(f"{kind}.{name} cannot be {value!r}")
