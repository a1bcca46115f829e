"""The habit math gives exactly the outputs recorded for 420 fixed histories (tests/fixtures/golden).

Strength series, streak walks, achievement progress and confidence histories were recorded once
from the code (`python -m tests.golden.record`, whose docstring says when rerecording is legitimate)
and replace the copy of the old code this suite used to compare against. A failure names the case;
`python -m tests.golden.record --check` lists every case that moved.
"""

from __future__ import annotations

from typing import Any

from tests.golden import cases
from tests.golden.record import load

HABITS = load("habits.json")
V2_HABITS = load("habits-v2.json")  # INTERVAL schedules and QUIT daily limits
ACTIVITIES = load("activities.json")


def test_every_family_has_all_its_cases() -> None:
    assert [c["case"] for c in HABITS] == list(range(cases.HABIT_CASES))
    assert [c["case"] for c in ACTIVITIES] == list(range(cases.ACTIVITY_CASES))
    assert [c["case"] for c in V2_HABITS] == list(range(cases.V2_HABIT_CASES))
    # the recorded inputs are the ones the recorder draws (a changed generator means rerecording)
    assert [c["input"] for c in HABITS[:5]] == [cases.draw_habit_case(i) for i in range(5)]
    assert [c["input"] for c in ACTIVITIES[:5]] == [cases.draw_activity_case(i) for i in range(5)]
    assert [c["input"] for c in V2_HABITS[:5]] == [cases.draw_v2_habit_case(i) for i in range(5)]


def test_the_cases_cover_the_hard_parts() -> None:
    """Not a sample of easy days: freezes, skips, slips, broken and long streaks all occur."""
    statuses = " ".join(c["output"]["walk"]["statuses"] for c in HABITS)
    assert all(s in statuses for s in ("DONE", "PARTIAL", "MISSED", "SKIPPED", "FROZEN", "NOT_DUE", "CLEAN",
                                       "SLIP"))
    assert max(c["output"]["walk"]["longest"] for c in HABITS) >= 30
    assert sum(c["output"]["walk"]["freezes"] > 0 for c in HABITS) >= 5
    assert sum("!" in c["output"]["achievements"] for c in ACTIVITIES) >= 20
    assert {c["input"]["confidence_days"] for c in ACTIVITIES} == {1, 14, 90}
    v2 = " ".join(c["output"]["walk"]["statuses"] for c in V2_HABITS)
    assert all(s in v2 for s in ("DONE", "COVERED", "MISSED", "CLEAN", "SLIP"))


def _moved(family: list[dict[str, Any]], outputs: Any) -> str:
    """'' when every case gives its recorded output, else which cases moved and how the first did."""
    moved = [(c, got) for c in family for got in [outputs(c["input"])] if got != c["output"]]
    if not moved:
        return ""
    case, got = moved[0]
    return (f"{len(moved)} cases moved: {[c['case'] for c, _ in moved][:30]}; case {case['case']}:\n"
            f"recorded {case['output']}\nnow      {got}\n(python -m tests.golden.record --check)")


def test_strength_and_streak_walks_match_the_recorded_outputs() -> None:
    assert _moved(HABITS, cases.habit_outputs) == ""


def test_interval_schedules_and_quit_limits_match_the_recorded_outputs() -> None:
    assert _moved(V2_HABITS, cases.habit_outputs) == ""


def test_achievements_and_confidence_match_the_recorded_outputs() -> None:
    assert _moved(ACTIVITIES, cases.activity_outputs) == ""
