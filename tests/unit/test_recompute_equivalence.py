"""The recompute's changed-day detection gives exactly the old comparison's answer, on random histories.

(The strength series, streak walk, achievement progress and confidence history are pinned by golden
outputs instead: tests/unit/test_golden_outputs.py.)
"""

import json
from datetime import date, timedelta
from typing import Any
from uuid import uuid4

from hypothesis import given, settings
from hypothesis import strategies as st

from server.activity import Activity, HabitActivity, JournalActivity
from server.confidence.score import ConfidenceResult, confidence_history
from server.habits.model import Category, HabitLog, HabitRules, Kind, Period, Schedule
from server.progress.service import changed_days, components_json

TODAY = date(2025, 3, 12)  # a Wednesday

_SCHEDULES = st.one_of(
    st.just(Schedule(Period.DAILY)),
    st.sets(st.integers(1, 7), min_size=1).map(lambda days: Schedule(Period.WEEKDAYS, tuple(sorted(days)))),
    st.integers(1, 7).map(lambda n: Schedule(Period.WEEKLY, times_per_week=n)),
)

# Runs of one kind of day make long streaks, freezes and breaks common. Relative to the target:
# done, nothing, half, over, a little, an odd amount; plus odd data (zero and negative totals).
_MARKS = st.sampled_from(["x", ".", "p", "X", "t", "o", "0", "-"])


@st.composite
def _habits(draw: st.DrawFn) -> HabitActivity:
    target = draw(st.sampled_from([1.0, 2.0, 2.5, 0.3, 10.0]))
    start = TODAY - timedelta(days=draw(st.integers(-3, 400)))
    runs = draw(st.lists(st.tuples(_MARKS, st.integers(1, 40), st.booleans()), max_size=14))
    # From a few days before start_date (ignored) to a few after today (future check-ins).
    day = start - timedelta(days=draw(st.integers(0, 4)))
    quantities: dict[date, float] = {}
    skips: set[date] = set()
    amount = {"x": target, "X": target * 3, "p": target / 2, "t": 0.1, "o": 7.3, "0": 0.0, "-": -1.0}
    for mark, length, skipped in runs:
        for _ in range(length):
            if mark in amount:
                quantities[day] = amount[mark]
            if skipped and draw(st.booleans()):
                skips.add(day)
            day += timedelta(days=1)
    # Check-ins come back from SQL in no particular order: the faster code must not depend on it.
    items = draw(st.permutations(list(quantities.items())))
    archived = draw(st.none() | st.integers(-10, 400))
    return HabitActivity(
        id=uuid4(),
        name="h",
        category=draw(st.sampled_from(list(Category))),
        rules=HabitRules(draw(st.sampled_from(list(Kind))), draw(_SCHEDULES), target, start),
        log=HabitLog(dict(items), frozenset(skips)),
        created_on=start,
        archived_on=None if archived is None else TODAY - timedelta(days=archived),
        unit=draw(st.sampled_from([None, "pages", " Page ", "minutes"])),
    )


_ACTIVITIES = st.builds(
    lambda habits, journal, today: Activity(
        today=today, signed_up_on=TODAY - timedelta(days=500), habits=tuple(habits),
        journal=tuple(JournalActivity(TODAY - timedelta(days=back), key) for back, key in journal)),
    st.lists(_habits(), max_size=6),
    st.lists(st.tuples(st.integers(-3, 120), st.sampled_from([None, "step-1"])), max_size=10),
    st.sampled_from([TODAY, TODAY - timedelta(days=1), TODAY - timedelta(days=200)]),
)


def _old_changed(history: list[ConfidenceResult], stored: dict[date, tuple[float, list[Any]]]) -> list[Any]:
    """The recompute's comparison as it was: every day's components serialised and parsed again."""
    return [(r.day, r.score, components_json(r)) for r in history
            if r.day not in stored or stored[r.day][0] != r.score
            or json.loads(components_json(r)) != stored[r.day][1]]


@settings(max_examples=100, deadline=None)
@given(_ACTIVITIES, st.lists(st.sampled_from(["same", "compact", "reordered", "score", "value", "gone"]),
                             min_size=14, max_size=14))
def test_changed_days_matches_the_old_comparison(activity: Activity, edits: list[str]) -> None:
    history = confidence_history(activity, 14)
    stored: dict[date, tuple[float, str]] = {}
    for r, edit in zip(history, edits, strict=True):
        components = [{"key": c.key, "label": c.label, "weight": c.weight, "value": c.value} for c in r.components]
        if edit == "gone":
            continue
        if edit == "value" and components:
            components[0]["value"] = components[0]["value"] + 0.01
        text = {"compact": json.dumps(components, separators=(",", ":")),  # written by another serialiser
                "reordered": json.dumps(components)}.get(edit, json.dumps(components, sort_keys=True))
        stored[r.day] = (r.score + (0.5 if edit == "score" else 0.0), text)

    assert changed_days(history, stored) == _old_changed(
        history, {day: (score, json.loads(text)) for day, (score, text) in stored.items()})


@settings(max_examples=100, deadline=None)
@given(_ACTIVITIES)
def test_components_json_is_the_text_json_dumps_gives(activity: Activity) -> None:
    for r in confidence_history(activity, 30):
        assert components_json(r) == json.dumps(
            [{"key": c.key, "label": c.label, "weight": c.weight, "value": c.value} for c in r.components],
            sort_keys=True)
