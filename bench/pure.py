"""Pure habit math on long histories: CPU time per call, and as a ratio of one bare pass over the same days.

    .venv/bin/python -m bench.pure [--runs 30]

- summarize: three years of a daily habit (a miss every 10th day, a skip every 13th), the
  streak walk plus the strength series behind one habit card;
- achievements: progress on the whole catalogue for five habits with a year of history each and
  100 journal entries (one walk per habit, shared by every rule).
The baseline, timed in the same run, is one plain loop over the same days looking up each day's
quantity and skip: the least any per-day rule must do. Best of `--runs` (`time.process_time`),
so a busy machine shows as spread, not as a slower figure. These timings used to be assertions in
tests/unit (under 10 ms and 50 ms); they live here now. Writes bench/results/pure.{json,md}.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any
from uuid import UUID

from bench.machine import describe
from server.achievements.catalogue import progress
from server.activity import Activity, HabitActivity, JournalActivity
from server.habits.model import Category, HabitLog, HabitRules, Kind, Period, Schedule
from server.habits.summary import summarize

RESULTS = Path(__file__).parent / "results"
TODAY = date(2024, 12, 31)
DAILY = Schedule(Period.DAILY)


def _three_years() -> tuple[HabitRules, HabitLog]:
    start = TODAY - timedelta(days=3 * 365 - 1)
    quantities = {start + timedelta(days=i): 1.0 for i in range(3 * 365) if i % 10 != 9}
    skips = frozenset(start + timedelta(days=i) for i in range(0, 3 * 365, 13))
    return HabitRules(Kind.BUILD, DAILY, 1.0, start), HabitLog(quantities, skips)


def _year_of(category: Category, every: int, kind: Kind = Kind.BUILD, n: int = 0) -> HabitActivity:
    start = TODAY - timedelta(days=364)
    quantities = {TODAY - timedelta(days=back): 1.0 for back in range(0, 365, every)}
    return HabitActivity(UUID(int=n), "h", category, HabitRules(kind, DAILY, 1.0, start), HabitLog(quantities), start)


def _five_habits() -> Activity:
    focus = (Category.WORKOUT, Category.READING, Category.HYGIENE, Category.FRIENDS)
    habits = (*(_year_of(c, 1 + i % 2, n=i) for i, c in enumerate(focus)),
              _year_of(Category.CUSTOM, 30, Kind.QUIT, n=9))
    journal = tuple(JournalActivity(TODAY - timedelta(days=3 * i)) for i in range(100))
    return Activity(TODAY, TODAY - timedelta(days=400), habits, journal)


def _bare_pass(logs: list[HabitLog], start: date, days: int) -> Callable[[], Any]:
    def run() -> float:
        total = 0.0
        for log in logs:
            for i in range(days):
                day = start + timedelta(days=i)
                if day not in log.skips:
                    total += log.quantities.get(day, 0.0)
        return total

    return run


def _best(call: Callable[[], Any], runs: int) -> dict[str, float]:
    timings = []
    for _ in range(runs):
        began = time.process_time()
        call()
        timings.append((time.process_time() - began) * 1000)
    return {"min_ms": min(timings), "median_ms": statistics.median(timings), "max_ms": max(timings)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()
    rules, log = _three_years()
    activity = _five_habits()
    figures = {}
    for name, call, baseline in (
        ("summarize, 3 years daily", lambda: summarize(rules, log, TODAY),
         _bare_pass([log], rules.start_date, 3 * 365)),
        ("achievements, 5 habits x 1 year", lambda: progress(activity),
         _bare_pass([h.log for h in activity.habits], TODAY - timedelta(days=364), 365)),
    ):
        measured, base = _best(call, args.runs), _best(baseline, args.runs)
        figures[name] = {**measured, "baseline_min_ms": base["min_ms"],
                         "bare_passes": measured["min_ms"] / base["min_ms"]}
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "pure.json").write_text(json.dumps({"machine": describe(), "runs": args.runs, "figures": figures},
                                                  indent=2))
    lines = [f"# Pure habit math (CPU ms, best of {args.runs})", "",
             "| call | min / median / max ms | bare pass ms | cost in bare passes |", "|---|---|---|---|"]
    lines += [f"| {name} | {f['min_ms']:.2f} / {f['median_ms']:.2f} / {f['max_ms']:.2f} | "
              f"{f['baseline_min_ms']:.2f} | {f['bare_passes']:.1f} |" for name, f in figures.items()]
    (RESULTS / "pure.md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
