"""Reading Loop's CSV export (pure): values, layouts, and every kind of broken file as a clear error."""

from __future__ import annotations

from datetime import date

import pytest

from server.habits import service
from server.portability import loop, loop_plan
from server.portability.loop import LoopEntry, LoopFormatError, Mark
from tests.loop_faults import HEADER, corrupt_deflate, garbage, lone_cr, make_zip, truncated, understated_size


def test_limits_are_the_habit_rules() -> None:
    assert (loop_plan.NAME_MAX, loop_plan.UNIT_MAX, loop_plan.NOTE_MAX, loop_plan.QUANTITY_MAX) == (
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


def test_a_bad_value_names_its_file_and_line() -> None:
    with pytest.raises(LoopFormatError, match=r"001 Walk/Checkmarks\.csv line 3: unknown value 'MAYBE'"):
        loop.parse_checkmarks("Date,Value,Notes\n2026-01-02,YES_MANUAL,\n2026-01-01,MAYBE,\n", False,
                              "001 Walk/Checkmarks.csv")


def test_habits_csv_needs_its_columns_and_sane_frequencies() -> None:
    with pytest.raises(LoopFormatError, match="lacks the column"):
        loop.parse_habits("Position,Name\n001,Walk\n")
    with pytest.raises(LoopFormatError, match="line 2: frequency 1/0"):
        loop.parse_habits(HEADER + "001,Walk,YES_NO,,,1,0,#000000,,,,false\n")
    with pytest.raises(LoopFormatError, match="line 3: Position and frequency must be whole numbers"):
        loop.parse_habits(HEADER + "001,Walk,YES_NO,,,1,1,#000000,,,,false\nx,Run,YES_NO,,,1,1,,,,,false\n")


def test_a_zip_with_a_wrapping_folder_quoted_names_and_scores() -> None:
    data = make_zip({
        "export/Habits.csv": HEADER + '001,"Walk, outside",YES_NO,Out?,Fresh air,1,1,#388E3C,,,,false\n'
                                      "002,Read,NUMERICAL,,,1,7,#000000,pages,AT_LEAST,100.0,true\n",
        "export/001 Walk outside/Checkmarks.csv": "Date,Value,Notes\n2026-01-02,YES_MANUAL,\"a, b\"\n"
                                                  "2026-01-01,NO,\n",
        "export/001 Walk outside/Scores.csv": "Date,Score\n2026-01-02,0.1011\n2026-01-01,0.0519\n",
        "export/002 Read/Checkmarks.csv": "Date,Value,Notes\n2026-01-01,40000,\n",
        "export/Checkmarks.csv": "Date,Walk outside,Read,\n2026-01-02,YES_MANUAL,40000,\n",
        "export/Scores.csv": "Date,Walk outside,Read,\n2026-01-02,0.1011,0.0000,\n",
        "export/notes.txt": "mine",
    })
    export = loop.read_zip(data)
    walk, read = export.habits
    assert (walk.name, walk.numerical, walk.archived, walk.question, walk.description, walk.color) == (
        "Walk, outside", False, False, "Out?", "Fresh air", "#388E3C")
    assert walk.entries == (LoopEntry(date(2026, 1, 1), Mark.NO, line=3),
                            LoopEntry(date(2026, 1, 2), Mark.YES_MANUAL, notes="a, b", line=2))
    assert walk.scores == ((date(2026, 1, 1), 0.0519), (date(2026, 1, 2), 0.1011))
    assert (read.numerical, read.unit, read.target_value, read.archived, read.scores) == (
        True, "pages", 100.0, True, None)
    assert read.entries == (LoopEntry(date(2026, 1, 1), Mark.AMOUNT, 40.0, line=2),)
    assert (export.exported_on, export.ignored, export.orphans) == (date(2026, 1, 2), ("export/notes.txt",), ())


def test_a_thousand_habits_and_more_are_all_read() -> None:
    # Loop names folders "%03d <name>": from the 1,000th habit on, the number has four digits
    rows = "".join(f"{n:03d},Habit {n},YES_NO,,,1,1,#000000,,,,false\n" for n in range(1, 1003))
    files: dict[str, str | bytes] = {"Habits.csv": HEADER + rows}
    for n in range(1, 1003):
        files[f"{n:03d} Habit {n}/Checkmarks.csv"] = f"Date,Value,Notes\n2026-01-{1 + n % 28:02d},YES_MANUAL,\n"
    export = loop.read_zip(make_zip(files))
    assert len(export.habits) == 1002
    assert [h.folder for h in export.habits[998:]] == ["999 Habit 999", "1000 Habit 1000", "1001 Habit 1001",
                                                      "1002 Habit 1002"]
    assert all(len(h.entries) == 1 for h in export.habits)


def test_a_folder_without_a_habit_is_named() -> None:
    export = loop.read_zip(make_zip({"Habits.csv": HEADER + "001,Walk,YES_NO,,,1,1,,,,,false\n",
                                     "001 Walk/Checkmarks.csv": "Date,Value,Notes\n",
                                     "007 Gone/Checkmarks.csv": "Date,Value,Notes\n2026-01-01,YES_MANUAL,\n"}))
    assert export.orphans == ("007 Gone/Checkmarks.csv",)


def test_latin_1_files_are_read_and_said_so() -> None:
    habits = (HEADER + "001,Réveil tôt,YES_NO,Levé avant 6 h ?,,2,3,#00897B,,,,false\n").encode("latin-1")
    checks = "Date,Value,Notes\n2026-01-02,YES_MANUAL,café\n".encode("cp1252")
    export = loop.read_zip(make_zip({"Habits.csv": habits, "001 Rveil tt/Checkmarks.csv": checks}))
    (habit,) = export.habits
    assert (habit.name, habit.question, habit.entries[0].notes) == ("Réveil tôt", "Levé avant 6 h ?", "café")
    assert export.notices == ("Habits.csv is not UTF-8: read as Windows-1252 (Latin-1)",
                              "001 Rveil tt/Checkmarks.csv is not UTF-8: read as Windows-1252 (Latin-1)")


def test_utf8_with_a_byte_order_mark() -> None:
    export = loop.read_zip(make_zip({"Habits.csv": ("\ufeff" + HEADER + "001,Réveil,YES_NO,,,1,1,,,,,false\n")
                                     .encode()}))
    assert (export.habits[0].name, export.notices) == ("Réveil", ())


# -- broken files: each a LoopFormatError saying what and where, never a crash


@pytest.mark.parametrize(("data", "message"), [
    (garbage(), "not a ZIP file"),
    (truncated(), "not a ZIP file"),
    (corrupt_deflate(), r"001 Walk/Checkmarks\.csv is damaged in the ZIP"),
    (understated_size(), r"001 Walk/Checkmarks\.csv is damaged in the ZIP"),
    (make_zip({"Habits.csv": b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"}), r"Habits\.csv line 3: binary data"),
    (lone_cr(),
     r"Habits\.csv line 2: not valid CSV: a carriage return inside an unquoted field"),
    (make_zip({"Habits.csv": HEADER + "001,Walk,YES_NO,,,1,1,,,,,false\n",
               "001 Walk/Checkmarks.csv": "Date,Value,Notes\n2026-01-01,YES_MANUAL,a\rb\n"}),
     r"001 Walk/Checkmarks\.csv line 2: not valid CSV: a carriage return"),
    (make_zip({"Habits.csv": HEADER + "001,Walk,YES_NO,,,1,1,,,,,false\n",
               "001 Walk/Scores.csv": "Date,Score\n2026-01-01,1.5\n"}), r"001 Walk/Scores\.csv line 2"),
])
def test_broken_files_are_clear_errors(data: bytes, message: str) -> None:
    with pytest.raises(LoopFormatError, match=message):
        loop.read_zip(data)


def test_a_zip_bomb_stops_at_the_budget(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(loop, "ZIP_MAX_BYTES", 50_000)
    bomb = make_zip({"Habits.csv": HEADER + "001,Walk,YES_NO,,,1,1,,,,,false\n",
                     "001 Walk/Checkmarks.csv": "Date,Value,Notes\n" + " " * 100_000})
    with pytest.raises(LoopFormatError, match="inflates to more than"):
        loop.read_zip(bomb)


def test_not_a_loop_export() -> None:
    with pytest.raises(LoopFormatError, match="not a ZIP"):
        loop.read_zip(b"hello")
    with pytest.raises(LoopFormatError, match=r"no Habits\.csv"):
        loop.read_zip(make_zip({"notes.txt": "hi"}))
