"""Fixed inputs for the golden outputs, their compact JSON form, and the outputs recorded for them.

Case `i` of a family is drawn from its own `random.Random(f"{family}-{i}")`, so the inputs never
depend on a library's example generation, and a family added later changes no existing case.
Inputs are stored with the outputs (tests/fixtures/golden/*.json): the test reads them back and
never regenerates them. The histories are built to make the hard parts common: runs of done,
missed, partial and over-target days (long streaks, freezes and breaks), skips, check-ins before
the start date and after today, zero and negative totals, archived habits, reading units.
"""

from __future__ import annotations

import hashlib
import random
from datetime import date, timedelta
from typing import Any
from uuid import UUID

from server.achievements import catalogue
from server.achievements.rules import Rule, RuleKind, evaluate, facts_of
from server.activity import Activity, HabitActivity, JournalActivity
from server.confidence.score import confidence_history
from server.habits.model import Category, HabitLog, HabitRules, Kind, Period, Schedule
from server.habits.strength import strength_scores
from server.habits.timeline import walk

TODAY = date(2025, 3, 12)  # a Wednesday
HABIT_CASES = 200
ACTIVITY_CASES = 100
V2_HABIT_CASES = 120  # contract v2 inputs: INTERVAL schedules, QUIT habits with a daily limit
# A day of a history, relative to the habit's target: done, nothing, half, over (x3), a little, an odd
# amount, and odd data (zero and negative totals); "." is a day without check-ins.
MARKS = "x.pXto0-"
TARGETS = (1.0, 2.0, 2.5, 0.3, 10.0)
UNITS = (None, "pages", " Page ", "minutes")
# Floats are compared exactly as digits up to this many decimals: well past any visible figure,
# and safe from a last-bit difference between two C maths libraries.
DECIMALS = 9

Json = dict[str, Any]


def _amount(mark: str, target: float) -> float | None:
    return {"x": target, "X": target * 3, "p": target / 2, "t": 0.1, "o": 7.3, "0": 0.0, "-": -1.0}.get(mark)


# --- drawing inputs -------------------------------------------------------------------------------

def _draw_schedule(rng: random.Random) -> Json:
    period = rng.choice([Period.DAILY, Period.WEEKDAYS, Period.WEEKLY])
    if period is Period.WEEKDAYS:
        return {"period": period.value, "weekdays": sorted(rng.sample(range(1, 8), rng.randint(1, 7)))}
    if period is Period.WEEKLY:
        return {"period": period.value, "times_per_week": rng.randint(1, 7)}
    return {"period": period.value}


def draw_habit(rng: random.Random) -> Json:
    """A habit with a history of up to 14 runs of 1-40 like days, from a few days before its start."""
    start = TODAY - timedelta(days=rng.randint(-3, 400))
    first = start - timedelta(days=rng.randint(0, 4))  # check-ins before start_date are ignored
    runs, skips, offset = [], [], 0
    for _ in range(rng.randint(0, 14)):
        mark, length, skipped = rng.choice(MARKS), rng.randint(1, 40), rng.random() < 0.5
        runs.append(f"{mark}{length}")
        skips += [offset + d for d in range(length) if skipped and rng.random() < 0.5]
        offset += length
    archived = None if rng.random() < 0.5 else rng.randint(-10, 400)
    return {
        "id": str(UUID(int=rng.getrandbits(128))),
        "category": rng.choice(list(Category)).value,
        "kind": rng.choice(list(Kind)).value,
        "schedule": _draw_schedule(rng),
        "target": rng.choice(TARGETS),
        "start": start.isoformat(),
        "archived": None if archived is None else (TODAY - timedelta(days=archived)).isoformat(),
        "unit": rng.choice(UNITS),
        "first": first.isoformat(),
        "days": " ".join(runs),  # run-length marks from `first`: "x12 .3 p4"
        "skips": skips,  # day offsets from `first`
    }


def draw_habit_case(index: int) -> Json:
    rng = random.Random(f"habit-{index}")
    return {"habit": draw_habit(rng), "today": (TODAY + timedelta(days=rng.randint(-5, 5))).isoformat()}


def draw_v2_habit_case(index: int) -> Json:
    """Even cases: a BUILD habit on "times in any days" (per day or, with `total`, a total over the window);
    odd cases: a QUIT habit that slips only past a daily limit."""
    rng = random.Random(f"habit-v2-{index}")
    habit, today = draw_habit(rng), (TODAY + timedelta(days=rng.randint(-5, 5))).isoformat()
    if index % 2 == 0:
        days = rng.choice([1, 2, 3, 7, 10, 14, 30, 31, 90])
        habit.update(kind=Kind.BUILD.value, schedule={"period": Period.INTERVAL.value, "times": rng.randint(1, days),
                                                      "days": days, "total": rng.random() < 0.3})
    else:
        habit.update(kind=Kind.QUIT.value, limit=rng.choice([0.5, 1.0, 2.0, 3.0]))
    return {"habit": habit, "today": today}


def draw_activity_case(index: int) -> Json:
    rng = random.Random(f"activity-{index}")
    return {
        "today": (TODAY - timedelta(days=rng.choice([0, 1, 200]))).isoformat(),
        "signed_up": (TODAY - timedelta(days=500)).isoformat(),
        "habits": [draw_habit(rng) for _ in range(rng.randint(0, 6))],
        "journal": [[rng.randint(-3, 120), rng.choice([None, "step-1"])] for _ in range(rng.randint(0, 10))],
        "confidence_days": rng.choice([1, 14, 90]),
        # one more rule of every kind beside the catalogue's, with these parameters
        "rule_target": rng.randint(1, 60),
        "rule_streak": rng.randint(1, 6),
    }


# --- reading inputs back --------------------------------------------------------------------------

def habit_of(data: Json) -> HabitActivity:
    spec = data["schedule"]
    schedule = Schedule(Period(spec["period"]), tuple(spec.get("weekdays", ())), spec.get("times_per_week"),
                        spec.get("times"), spec.get("days"), spec.get("total", False))
    target, first = data["target"], date.fromisoformat(data["first"])
    quantities: dict[date, float] = {}
    offset = 0
    for run in data["days"].split():
        for day in range(offset, offset + int(run[1:])):
            amount = _amount(run[0], target)
            if amount is not None:
                quantities[first + timedelta(days=day)] = amount
        offset += int(run[1:])
    start = date.fromisoformat(data["start"])
    return HabitActivity(
        id=UUID(data["id"]),
        name="h",
        category=Category(data["category"]),
        # newest first: the code must not depend on the order rows come back from SQL in
        rules=HabitRules(Kind(data["kind"]), schedule, target, start, data.get("limit", 0.0)),
        log=HabitLog(dict(reversed(quantities.items())),
                     frozenset(first + timedelta(days=d) for d in data["skips"])),
        created_on=start,
        archived_on=None if data["archived"] is None else date.fromisoformat(data["archived"]),
        unit=data["unit"],
    )


def activity_of(case: Json) -> Activity:
    return Activity(
        today=date.fromisoformat(case["today"]),
        signed_up_on=date.fromisoformat(case["signed_up"]),
        habits=tuple(habit_of(h) for h in case["habits"]),
        journal=tuple(JournalActivity(TODAY - timedelta(days=back), key) for back, key in case["journal"]),
    )


# --- outputs --------------------------------------------------------------------------------------

def _number(value: float) -> float:
    return round(value, DECIMALS)


def _digest(values: list[Any]) -> str:
    """A short fingerprint of a long series (every value, at DECIMALS places): any change shows."""
    return hashlib.sha256(repr(values).encode()).hexdigest()[:16]


def _run_lengths(statuses: tuple[Any, ...]) -> str:
    """DONE DONE MISSED FROZEN -> 'DONE2 MISSED FROZEN' (readable in a diff)."""
    out: list[str] = []
    for status in statuses:
        if out and out[-1].rstrip("0123456789") == status.value:
            name = status.value
            count = int(out[-1][len(name):] or 1) + 1
            out[-1] = f"{name}{count}"
        else:
            out.append(status.value)
    return " ".join(out)


def habit_outputs(case: Json) -> Json:
    """Strength series and streak walk of one habit on one day."""
    habit, today = habit_of(case["habit"]), date.fromisoformat(case["today"])
    scores = [_number(s) for s in strength_scores(habit.rules, habit.log, today)]
    timeline = walk(habit.rules, habit.log, today)
    return {
        "strength": {"days": len(scores), "last": scores[-1] if scores else None, "all": _digest(scores)},
        "walk": {"start": timeline.start.isoformat(), "today": timeline.today.isoformat(),
                 "statuses": _run_lengths(timeline.statuses), "current": timeline.current_streak,
                 "longest": timeline.longest_streak, "freezes": timeline.freezes_held},
    }


def _rules(case: Json) -> dict[str, Rule]:
    """The catalogue's rules by key, and one more rule of every kind (upper case) with the case's target."""
    rules = {a.key: a.rule for a in catalogue.CATALOGUE}
    for kind in RuleKind:
        params = {"streak": case["rule_streak"]} if kind is RuleKind.COMEBACK else {}
        rules[kind.value] = Rule(kind, params, case["rule_target"])
    return rules


def activity_outputs(case: Json) -> Json:
    """Every achievement rule's progress, and the confidence history, of one user's activity."""
    activity = activity_of(case)
    facts = facts_of(activity)
    # "streak-7 3/7 first-habit 1/1! ...": current/target, "!" when met
    progress = " ".join(f"{name} {p.current}/{p.target}{'!' if p.met else ''}" for name, rule in _rules(case).items()
                        for p in [evaluate(rule, facts)])
    history = confidence_history(activity, case["confidence_days"])
    series = [[r.day.isoformat(), _number(r.score),
               [[c.key, c.label, _number(c.weight), _number(c.value)] for c in r.components]] for r in history]
    return {
        "achievements": progress,
        "confidence": {"days": len(series), "first": series[0][:2] if series else None,
                       "last": series[-1] if series else None, "all": _digest(series)},
    }
