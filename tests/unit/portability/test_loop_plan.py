"""What Loop habits become here, and the check of our numbers against Loop's own files (pure).

The exact numbers come from Loop itself: its reference export (uhabits-core/assets/test/csv_export at
iSoron/uhabits 5aa8744ef4c8e391c875bbb482e3e79740b5fd81, read from the local mirror, see
tests/loop_reference.py) and the expected values of its ScoreListTest.kt and EntryListTest.kt at the
same commit, written here as Loop's Scores.csv and Checkmarks.csv would hold them.
"""

from __future__ import annotations

from datetime import date

import pytest

from server.habits.model import HabitRules, Kind, Period, Schedule
from server.portability.loop import LoopEntry, LoopExport, LoopHabit, Mark, read_zip
from server.portability.loop_plan import PlannedHabit, plan_habit, plan_import, schedule_for, verify
from tests.loop_reference import reference_zip
from tests.loop_vectors import LOOP_CASES, loop_habit

REFERENCE_DAY = date(2015, 1, 25)


def _rules(planned: PlannedHabit) -> HabitRules:
    return HabitRules(planned.kind, planned.schedule, planned.target, planned.start_date, planned.daily_limit or 0.0)


@pytest.mark.parametrize(("num", "den", "total", "schedule"), [
    (1, 1, False, Schedule(Period.DAILY)),
    (2, 2, False, Schedule(Period.DAILY)),
    (3, 2, False, Schedule(Period.DAILY)),
    (2, 3, False, Schedule(Period.INTERVAL, times=2, days=3)),
    (3, 7, False, Schedule(Period.INTERVAL, times=3, days=7)),
    (10, 30, False, Schedule(Period.INTERVAL, times=10, days=30)),
    (1, 7, True, Schedule(Period.INTERVAL, times=1, days=7, total=True)),
    (1, 400, False, Schedule(Period.INTERVAL, times=1, days=365)),
])
def test_frequencies(num: int, den: int, total: bool, schedule: Schedule) -> None:
    assert schedule_for(num, den, total) == schedule


def test_loops_reference_export_is_reproduced_exactly() -> None:
    # given Loop's own export: "Meditate" (empty, daily) and "Wake up early" (2 in 3 days)
    plan = plan_import(read_zip(reference_zip()), REFERENCE_DAY)
    meditate, wake = plan.habits

    # when
    checks = [verify(h, _rules(h), REFERENCE_DAY) for h in plan.habits]

    # then both agree with Loop's Scores.csv (within its 4 decimals) and Checkmarks.csv on every day
    assert [(c.exact, c.mismatches) for c in checks] == [(True, ()), (True, ())]
    assert [c.days_compared for c in checks] == [1, 10]
    assert all(c.max_score_difference is not None and c.max_score_difference <= 0.005 for c in checks)
    assert (meditate.schedule, meditate.start_date, meditate.check_ins, meditate.color, meditate.question) == (
        Schedule(Period.DAILY), REFERENCE_DAY, (), "#FF8F00", "Did you meditate this morning?")
    assert (wake.schedule, wake.start_date, [c.day.day for c in wake.check_ins]) == (
        Schedule(Period.INTERVAL, times=2, days=3), date(2015, 1, 16), [16, 17, 20, 21, 22, 25])
    # and what has no place here is named, not dropped in silence
    assert wake.warnings == ("3 notes on days without a check-in are not kept (Comeback keeps notes with check-ins): "
                             "2015-01-19 (YES_AUTO) '\"Vacation\"'; 2015-01-23 (YES_AUTO) 'Forgot to do it, really'; "
                             "2015-01-24 (NO) 'Sick'",)
    assert (plan.exported_on, plan.warnings) == (REFERENCE_DAY, [])


@pytest.mark.parametrize("case", list(LOOP_CASES))
def test_loops_own_test_vectors_are_reproduced_after_import(case: str) -> None:
    # given Loop's test fixture written as its export would hold it
    habit = LOOP_CASES[case]

    # when
    planned = plan_habit(habit, habit.name, REFERENCE_DAY)
    check = verify(planned, _rules(planned), REFERENCE_DAY)

    # then our strength is Loop's on the days its test states, and every day's status is Loop's
    assert (check.exact, check.mismatches) == (True, ())
    assert check.max_score_difference is None or check.max_score_difference <= 0.005 + 1e-9


def test_a_difference_is_found_and_shown() -> None:
    # given a Scores.csv that says 0.5 where Loop's rules give 0.0519
    habit = loop_habit(1, 1, {0: "YES_MANUAL"}, {0: 0.5})

    # when
    planned = plan_habit(habit, "h", REFERENCE_DAY)
    check = verify(planned, _rules(planned), REFERENCE_DAY)

    # then
    assert (check.exact, check.max_score_difference) == (False, 44.8078)
    assert check.mismatches == ("2015-01-25: strength 5.19 here, 50.00 in Loop",)


def test_at_most_habits_become_quit_habits_with_their_limit() -> None:
    # given "at most 2 coffees a day" and "at most 10 drinks a week"
    coffee = LoopHabit(1, "Coffee", True, 1, 1, target_type="AT_MOST", target_value=2,
                       entries=(LoopEntry(REFERENCE_DAY, Mark.AMOUNT, 3.0, line=2),))
    drinks = LoopHabit(2, "Drinks", True, 1, 7, target_type="AT_MOST", target_value=10)

    # when
    planned_coffee, planned_drinks = (plan_habit(h, h.name, REFERENCE_DAY) for h in (coffee, drinks))

    # then
    assert (planned_coffee.kind, planned_coffee.schedule, planned_coffee.daily_limit) == (
        Kind.QUIT, Schedule(Period.DAILY), 2.0)
    assert [(c.day, c.quantity) for c in planned_coffee.check_ins] == [(REFERENCE_DAY, 3.0)]
    assert (planned_drinks.kind, planned_drinks.daily_limit) == (Kind.QUIT, 10 / 7)
    # and the report never calls them exact: Loop's "at most" score is not the quit rule of contract v2
    check = verify(planned_coffee, _rules(planned_coffee), REFERENCE_DAY)
    assert (check.exact, check.mismatches[0]) == (False, "strength: Loop scores 'at most' habits from 100% by how "
                                                         "far over the limit they go; Comeback scores quit habits "
                                                         "by clean days, from 0")
    assert planned_drinks.warnings == ("'at most 10 per 7 days' became a daily limit of 1.42857: Comeback judges "
                                       "quit habits day by day",)


def test_the_plan_keeps_what_it_can_and_names_the_rest() -> None:
    today = date(2026, 1, 10)
    entries = (LoopEntry(date(2026, 1, 3), Mark.UNKNOWN, notes="only a note"),
               LoopEntry(date(2026, 1, 4), Mark.YES_MANUAL, notes="n" * 1200),
               LoopEntry(date(2026, 1, 5), Mark.YES_AUTO), LoopEntry(date(2026, 1, 6), Mark.SKIP),
               LoopEntry(date(2026, 1, 7), Mark.NO), LoopEntry(date(2026, 1, 11), Mark.YES_MANUAL),
               LoopEntry(date(2026, 1, 12), Mark.YES_AUTO))
    export = LoopExport(habits=(
        LoopHabit(1, "Walk", False, 1, 1, entries=entries, color="teal", question="q" * 250),
        LoopHabit(2, "walk", False, 2, 7, archived=True),
        LoopHabit(3, "", True, 1, 30, unit="pages", target_value=0)),
        exported_on=date(2026, 1, 8), notices=("Habits.csv is not UTF-8: read as Windows-1252 (Latin-1)",),
        ignored=("photo.jpg",), orphans=("009 Gone/Checkmarks.csv",))
    plan = plan_import(export, today)
    walk, second, third = plan.habits
    assert plan.warnings == ["Habits.csv is not UTF-8: read as Windows-1252 (Latin-1)",
                             "photo.jpg: not part of Loop's export format, not imported",
                             "009 Gone/Checkmarks.csv: its number matches no habit in Habits.csv, not imported"]
    assert (walk.start_date, walk.skips, walk.schedule, walk.color) == (
        date(2026, 1, 3), (date(2026, 1, 6),), Schedule(Period.DAILY), None)
    assert [(c.day, c.quantity, len(c.note or "")) for c in walk.check_ins] == [(date(2026, 1, 4), 1.0, 1000)]
    assert walk.warnings == (
        "the question was cut to 200 characters", "colour 'teal' is not #RRGGBB: not kept",
        "the note of 2026-01-04 was cut to 1000 characters",
        "1 entries after today (2026-01-11 to 2026-01-11) left out",
        "1 notes on days without a check-in are not kept (Comeback keeps notes with check-ins): "
        "2026-01-03 (UNKNOWN) 'only a note'")
    # an empty habit starts on the day Loop wrote the export, not on our today
    assert (second.name, second.archived, second.start_date, second.check_ins) == (
        "walk (2)", True, date(2026, 1, 8), ())
    assert (third.name, third.target, third.unit, third.schedule) == (
        "Habit 3", 1.0, "pages", Schedule(Period.INTERVAL, times=1, days=30, total=True))
    assert third.warnings == ("named 'Habit 3' here (Loop: '')", "target 0 is not usable here: using 1")
    assert walk.key(date(2026, 1, 4)).startswith("loop:") and walk.key(date(2026, 1, 4)) != second.key(
        date(2026, 1, 4))
