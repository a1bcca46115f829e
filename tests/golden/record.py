"""Record the golden outputs of the habit math: `.venv/bin/python -m tests.golden.record`.

Writes tests/fixtures/golden/habits.json (strength series and streak walks of 200 habits),
habits-v2.json (the same for 120 habits on contract v2's INTERVAL schedules and QUIT daily limits)
and activities.json (achievement progress and confidence history of 100 users), each case with its
inputs; tests/unit/test_golden_outputs.py proves the code still gives exactly these outputs.

Rerunning is legitimate only when a rule changes on purpose (a contract change such as a new QUIT
habit starting at strength 0, or a new schedule): rerun, then review the diff of the JSON case by
case. It must show the intended change and nothing else: every changed case explained by the rule
that moved. A diff you cannot explain is a regression, not a new golden. A new kind of input (say
INTERVAL schedules) gets its own family of cases in tests/golden/cases.py: the existing cases stay
as they are, so their outputs must not move.
`--check` compares without writing (what the test does, with a summary of what moved).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from tests.golden import cases

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "golden"
FILES: dict[str, tuple[int, Callable[[int], cases.Json], Callable[[cases.Json], cases.Json]]] = {
    "habits.json": (cases.HABIT_CASES, cases.draw_habit_case, cases.habit_outputs),
    "activities.json": (cases.ACTIVITY_CASES, cases.draw_activity_case, cases.activity_outputs),
    "habits-v2.json": (cases.V2_HABIT_CASES, cases.draw_v2_habit_case, cases.habit_outputs),
}


def record(count: int, draw: Callable[[int], cases.Json], outputs: Callable[[cases.Json], cases.Json]) -> str:
    """One case a line (inputs, then outputs), so a rule change shows up case by case in a diff."""
    lines = []
    for index in range(count):
        case = draw(index)
        lines.append(json.dumps({"case": index, "input": case, "output": outputs(case)}, separators=(",", ":")))
    return "[\n" + ",\n".join(lines) + "\n]\n"


def load(name: str) -> list[dict[str, Any]]:
    loaded: list[dict[str, Any]] = json.loads((FIXTURES / name).read_text())
    return loaded


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--check", action="store_true", help="compare with the recorded files, write nothing")
    args = parser.parse_args()
    moved = 0
    FIXTURES.mkdir(parents=True, exist_ok=True)
    for name, (count, draw, outputs) in FILES.items():
        text = record(count, draw, outputs)
        path = FIXTURES / name
        if args.check:
            old = {c["case"]: c for c in load(name)} if path.exists() else {}
            changed = [c["case"] for c in json.loads(text) if old.get(c["case"]) != c]
            moved += len(changed)
            print(f"{name}: {len(changed)} of {count} cases differ{': ' + str(changed[:20]) if changed else ''}")
        else:
            path.write_text(text)
            print(f"wrote {path.relative_to(Path.cwd()) if path.is_relative_to(Path.cwd()) else path} ({count} cases)")
    return 1 if moved else 0


if __name__ == "__main__":
    sys.exit(main())
