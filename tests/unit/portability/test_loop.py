"""Reading Loop's CSV export and mapping it onto our habits (pure)."""

from __future__ import annotations

import io
import zipfile
from datetime import date

import pytest

from server.habits import service
from server.habits.model import Period, Schedule
from server.portability import loop
from server.portability.loop import LoopEntry, LoopFormatError, LoopHabit, Mark

HEADER = ("Position,Name,Type,Question,Description,FrequencyNumerator,FrequencyDenominator,Color,Unit,"
          "Target Type,Target Value,Archived?\n")


def make_zip(files: dict[str, str]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, text in files.items():
            archive.writestr(name, text)
    return out.getvalue()


def test_limits_match_the_habit_rules() -> None:
    assert (loop.NAME_MAX, loop.UNIT_MAX, loop.NOTE_MAX, loop.QUANTITY_MAX) == (
        service.NAME_MAX, service.UNIT_MAX, service.NOTE_MAX, service.QUANTITY_MAX)


@pytest.mark.parametrize(("value", "numerical", "expected"), [
    ("YES_MANUAL", False, (Mark.YES_MANUAL, 0.0)),
    ("YES_AUTO", False, (Mark.YES_AUTO, 0.0)),
    ("NO", False, (Mark.NO, 0.0)),
    ("SKIP", False, (Mark.SKIP, 0.0)),
    ("UNKNOWN", False, (Mark.UNKNOWN, 0.0)),
    ("2", False, (Mark.YES_MANUAL, 0.0)),  # Loop 1.x wrote codes as numbers
    ("1", False, (Mark.YES_AUTO, 0.0)),
    ("-3", False, (Mark.SKIP, 0.0)),
    ("2500", True, (Mark.AMOUNT, 2.5)),  # thousandths
    ("20000", True, (Mark.AMOUNT, 20.0)),
    ("2.5", True, (Mark.AMOUNT, 2.5)),  # a decimal point: already in units (hand-edited files)
    ("0", True, (Mark.NO, 0.0)),
    ("NO", True, (Mark.AMOUNT, 0.0)),  # Loop prints a numeric 0 as NO
    ("YES_MANUAL", True, (Mark.AMOUNT, 0.002)),  # ...and 0.002 as YES_MANUAL
    ("SKIP", True, (Mark.SKIP, 0.0)),
])
def test_values(value: str, numerical: bool, expected: tuple[Mark, float]) -> None:
    assert loop.parse_value(value, numerical) == expected


def test_a_bad_value_names_its_line() -> None:
    with pytest.raises(LoopFormatError, match="line 3: unknown value 'MAYBE'"):
        loop.parse_checkmarks("Date,Value,Notes\n2026-01-02,YES_MANUAL,\n2026-01-01,MAYBE,\n", False)


def test_habits_csv_needs_its_columns_and_sane_frequencies() -> None:
    with pytest.raises(LoopFormatError, match="lacks the column"):
        loop.parse_habits("Position,Name\n001,Walk\n")
    with pytest.raises(LoopFormatError, match="line 2: frequency 1/0"):
        loop.parse_habits(HEADER + "001,Walk,YES_NO,,,1,0,#000000,,,,false\n")


def test_a_zip_with_a_wrapping_folder_and_quoted_names() -> None:
    data = make_zip({
        "export/Habits.csv": HEADER + '001,"Walk, outside",YES_NO,,,1,1,#000000,,,,false\n'
                                      "002,Read,NUMERICAL,,,1,7,#000000,pages,AT_LEAST,100.0,true\n",
        "export/001 Walk outside/Checkmarks.csv": "Date,Value,Notes\n2026-01-02,YES_MANUAL,\"a, b\"\n"
                                                  "2026-01-01,NO,\n",
        "export/002 Read/Checkmarks.csv": "Date,Value,Notes\n2026-01-01,40000,\n",
        "export/Checkmarks.csv": "Date,Walk outside,Read,\n2026-01-02,YES_MANUAL,40000,\n",
    })
    walk, read = loop.read_zip(data)
    assert (walk.name, walk.numerical, walk.archived) == ("Walk, outside", False, False)
    assert walk.entries == (LoopEntry(date(2026, 1, 1), Mark.NO), LoopEntry(date(2026, 1, 2), Mark.YES_MANUAL,
                                                                               notes="a, b"))
    assert (read.numerical, read.unit, read.target_value, read.archived) == (True, "pages", 100.0, True)
    assert read.entries == (LoopEntry(date(2026, 1, 1), Mark.AMOUNT, 40.0),)


def test_not_a_loop_export() -> None:
    with pytest.raises(LoopFormatError, match="not a ZIP"):
        loop.read_zip(b"hello")
    with pytest.raises(LoopFormatError, match=r"no Habits\.csv"):
        loop.read_zip(make_zip({"notes.txt": "hi"}))


@pytest.mark.parametrize(("num", "den", "numerical", "schedule", "exact"), [
    (1, 1, False, Schedule(Period.DAILY), True),
    (3, 7, False, Schedule(Period.WEEKLY, times_per_week=3), True),
    (7, 7, False, Schedule(Period.WEEKLY, times_per_week=7), True),
    (2, 2, False, Schedule(Period.DAILY), False),
    (1, 2, False, Schedule(Period.WEEKLY, times_per_week=3), False),  # every other day
    (1, 3, False, Schedule(Period.WEEKLY, times_per_week=2), False),
    (1, 10, False, Schedule(Period.WEEKLY, times_per_week=1), False),
    (10, 30, False, Schedule(Period.WEEKLY, times_per_week=2), False),
    (1, 1, True, Schedule(Period.DAILY), True),
    (1, 7, True, Schedule(Period.WEEKLY, times_per_week=1), False),
    (1, 30, True, Schedule(Period.WEEKLY, times_per_week=1), False),
])
def test_frequencies(num: int, den: int, numerical: bool, schedule: Schedule, exact: bool) -> None:
    assert loop.schedule_for(num, den, numerical) == (schedule, exact)


def test_targets_of_numeric_habits_are_per_day_or_per_week() -> None:
    def habit(den: int, target: float) -> LoopHabit:
        return LoopHabit(1, "Run", True, 1, den, target_value=target)

    assert [loop.target_for(habit(1, 5)), loop.target_for(habit(7, 20)), loop.target_for(habit(30, 90))] == [
        5, 20, 21]
    assert loop.target_for(habit(1, 0)) == 1.0


def test_the_plan_maps_marks_and_leaves_out_what_it_cannot_represent() -> None:
    today = date(2026, 1, 10)
    entries = (LoopEntry(date(2026, 1, 3), Mark.UNKNOWN, notes="only a note"),
               LoopEntry(date(2026, 1, 4), Mark.YES_MANUAL, notes="n" * 1200),
               LoopEntry(date(2026, 1, 5), Mark.YES_AUTO), LoopEntry(date(2026, 1, 6), Mark.SKIP),
               LoopEntry(date(2026, 1, 7), Mark.NO), LoopEntry(date(2026, 1, 11), Mark.YES_MANUAL))
    habits = [LoopHabit(1, "Walk", False, 1, 1, entries=entries),
              LoopHabit(2, "walk", False, 2, 7, archived=True),
              LoopHabit(3, "Sweets", True, 1, 1, target_type="AT_MOST", target_value=1)]
    plan = loop.plan_import(habits, today)
    walk, second = plan.habits
    assert plan.warnings == ["'Sweets' is an 'at most' numeric habit, which Comeback cannot represent: not imported"]
    assert (walk.start_date, walk.skips, walk.schedule) == (date(2026, 1, 3), (date(2026, 1, 6),),
                                                           Schedule(Period.DAILY))
    assert [(c.day, c.quantity, len(c.note or "")) for c in walk.check_ins] == [(date(2026, 1, 4), 1.0, 1000)]
    assert walk.warnings == ("1 entries after today left out",)
    assert (second.name, second.archived, second.start_date, second.check_ins) == ("walk (2)", True, today, ())
    assert walk.key(date(2026, 1, 4)).startswith("loop:") and walk.key(date(2026, 1, 4)) != second.key(
        date(2026, 1, 4))
