"""Live events: what the job encodes is what the subscription decodes, and nothing else decodes."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone

import pytest

from server.engine.events import (
    AchievementUnlocked,
    ConfidenceChanged,
    InvalidEvent,
    LiveEvent,
    ReminderDue,
    StepUnlocked,
    decode,
    encode,
)

AT = datetime(2026, 12, 3, 9, 30, 15, 250000, tzinfo=UTC)


@pytest.mark.parametrize("event", [
    AchievementUnlocked(key="first-check-in", title="First check-in", at=AT),
    StepUnlocked(key="reconnect", title="Reconnect", position=3, at=AT.astimezone(timezone(timedelta(hours=-5)))),
    ConfidenceChanged(score=41.5, previous=None, at=AT),
    ConfidenceChanged(score=40.0, previous=41.5, at=AT),
    ReminderDue(habit_id="5f0c6a9e-1d2b-4c1e-9f3a-0b6f6f1e2d3c", reminder_id="r", due_at=AT),
])
def test_an_event_survives_encoding(event: LiveEvent) -> None:
    decoded = decode(encode(event))
    assert decoded == event and type(decoded) is type(event)


def test_the_wire_format_names_the_type_and_every_field() -> None:
    assert json.loads(encode(StepUnlocked(key="k", title="T", position=2, at=AT))) == {
        "type": "StepUnlocked", "key": "k", "title": "T", "position": 2, "at": "2026-12-03T09:30:15.250000+00:00"}


def test_a_whole_number_score_decodes_as_a_float() -> None:
    event = decode('{"type": "ConfidenceChanged", "score": 40, "previous": 38, "at": "2026-12-03T09:30:15+00:00"}')
    assert isinstance(event, ConfidenceChanged) and (event.score, event.previous) == (40.0, 38.0)
    assert isinstance(event.score, float) and isinstance(event.previous, float)


@pytest.mark.parametrize(("raw", "problem"), [
    # an unknown type is an error, not a ConfidenceChanged
    ('{"type": "Nudge", "habit": "h", "at": "2026-12-03T09:30:15+00:00"}', "unknown event type 'Nudge'"),
    ('{"type": "ReminderDue", "habit_id": "h", "due_at": "2026-12-03T09:30:15+00:00"}', "has fields"),
    ('{"score": 40, "previous": null, "at": "2026-12-03T09:30:15+00:00"}', "unknown event type None"),
    ('{"type": 7}', "unknown event type 7"),
    ('{"type": "ConfidenceChanged", "score": 40, "at": "2026-12-03T09:30:15+00:00"}', "has fields"),
    ('{"type": "ConfidenceChanged", "score": 40, "previous": null, "at": "2026-12-03T09:30:15+00:00", "x": 1}',
     "has fields"),
    ('{"type": "ConfidenceChanged", "score": "40", "previous": null, "at": "2026-12-03T09:30:15+00:00"}',
     "ConfidenceChanged.score cannot be '40'"),
    ('{"type": "StepUnlocked", "key": "k", "title": "T", "position": true, "at": "2026-12-03T09:30:15+00:00"}',
     "StepUnlocked.position cannot be True"),
    ('{"type": "StepUnlocked", "key": "k", "title": "T", "position": 2.0, "at": "2026-12-03T09:30:15+00:00"}',
     "StepUnlocked.position cannot be 2.0"),
    ('{"type": "AchievementUnlocked", "key": "k", "title": null, "at": "2026-12-03T09:30:15+00:00"}',
     "AchievementUnlocked.title cannot be None"),
    ('{"type": "AchievementUnlocked", "key": "k", "title": "T", "at": "yesterday"}',
     "AchievementUnlocked.at cannot be 'yesterday'"),
    ('["ConfidenceChanged"]', "an event is a JSON object"),
    ("not json", "not JSON"),
])
def test_anything_else_is_an_invalid_event(raw: str, problem: str) -> None:
    with pytest.raises(InvalidEvent, match=problem.replace("(", r"\(").replace(")", r"\)")):
        decode(raw)
