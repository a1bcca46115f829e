"""Writing Loop's CSV export (pure): Loop's reference export comes back byte for byte where Loop's format
allows, number and quoting formats are Java's and opencsv's, and our own exports read back exactly.

The reference is Loop's uhabits-core/assets/test/csv_export at iSoron/uhabits
5aa8744ef4c8e391c875bbb482e3e79740b5fd81, read from the local mirror (tests/loop_reference.py).
"""

from __future__ import annotations

import io
import zipfile
from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from server.habits.model import HabitLog, HabitRules, Kind, Period, Schedule
from server.portability.loop import read_zip
from server.portability.loop_plan import plan_import, verify
from server.portability.loop_zip import ExportHabit, csv_line, folder, java_double, score_text, write_zip
from tests.loop_reference import FILES, reference_files, reference_zip

REFERENCE_DAY = date(2015, 1, 25)


def _files(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def _export_of_import(data: bytes, today: date) -> dict[str, bytes]:
    plan = plan_import(read_zip(data), today)
    habits = [ExportHabit(h.name, HabitRules(h.kind, h.schedule, h.target, h.start_date, h.daily_limit or 0.0),
                          h.log(), h.unit, h.question, h.description, h.color, h.archived,
                          {c.day: c.note for c in h.check_ins if c.note}) for h in plan.habits]
    return _files(write_zip(habits, today))


def test_loops_reference_export_round_trips() -> None:
    # given Loop's reference export, imported
    reference = reference_files()

    # when written out again on the same day
    ours = _export_of_import(reference_zip(), REFERENCE_DAY)

    # then the same files in the same order, equal byte for byte...
    assert list(ours) == list(FILES)
    same = ["Habits.csv", "001 Meditate/Scores.csv", "001 Meditate/Checkmarks.csv", "002 Wake up early/Scores.csv",
            "Scores.csv"]
    assert {name: ours[name] for name in same} == {name: reference[name] for name in same}
    # ...except what Comeback cannot hold: Loop's explicit NO (here a day without a check-in is simply
    # missed) and notes on days without a check-in (here notes belong to check-ins)
    assert _diff(reference["002 Wake up early/Checkmarks.csv"], ours["002 Wake up early/Checkmarks.csv"]) == [
        ("2015-01-24,NO,Sick", None),
        ('2015-01-23,YES_AUTO,"Forgot to do it, really"', "2015-01-23,YES_AUTO,"),
        ('2015-01-19,YES_AUTO,"""Vacation"""', "2015-01-19,YES_AUTO,")]
    assert _diff(reference["Checkmarks.csv"], ours["Checkmarks.csv"]) == [
        ("2015-01-24,UNKNOWN,NO,", "2015-01-24,UNKNOWN,UNKNOWN,")]


def _diff(theirs: bytes, ours: bytes) -> list[tuple[str | None, str | None]]:
    """Lines that differ, matched by their date."""
    def by_day(data: bytes) -> dict[str, str]:
        return {line.split(",")[0]: line for line in data.decode().splitlines()}

    a, b = by_day(theirs), by_day(ours)
    return [(a.get(day), b.get(day)) for day in sorted(a.keys() | b.keys(), reverse=True) if a.get(day) != b.get(day)]


@pytest.mark.parametrize(("value", "text"), [
    (20.0, "20.0"), (0.5, "0.5"), (2.5, "2.5"), (100.0, "100.0"), (1234567.0, "1234567.0"), (10000000.0, "1.0E7"),
    (0.001, "0.001"), (0.0001, "1.0E-4"), (0.00012, "1.2E-4"), (12345678.9, "1.23456789E7"), (1e6, "1000000.0"),
    (0.1 + 0.2, "0.30000000000000004"), (0.0, "0.0")])
def test_target_values_are_printed_as_java_prints_a_double(value: float, text: str) -> None:
    assert java_double(value) == text


@pytest.mark.parametrize(("strength", "text"), [
    (25.57, "0.2557"), (0.0, "0.0000"), (100.0, "1.0000"), (3.125, "0.0313"),  # Java rounds half up
    (5.192248566082858, "0.0519"), (99.99999, "1.0000")])
def test_scores_have_four_decimals(strength: float, text: str) -> None:
    assert score_text(strength) == text


def test_fields_are_quoted_as_opencsv_quotes_them() -> None:
    assert csv_line(("a", "b, c", 'say "hi"', "", "line\nbreak", "cr\r")) == (
        'a,"b, c","say ""hi""",,"line\nbreak","cr\r"\n')


def test_folders_are_named_as_loop_names_them() -> None:
    assert [folder(1, "Wake up early"), folder(12, "Réveil tôt!"), folder(1000, "Run 5km"), folder(3, "???")] == [
        "001 Wake up early/", "012 Rveil tt/", "1000 Run 5km/", "003/"]
    assert folder(7, "x" * 150) == "007 " + "x" * 100 + "/"


def test_every_kind_of_habit_is_written() -> None:
    # given a numeric daily habit, a quit habit with a limit, a weekly habit and an empty one
    start = date(2026, 3, 1)
    today = date(2026, 3, 5)
    habits = [
        ExportHabit("Read", HabitRules(Kind.BUILD, Schedule(Period.DAILY), 20.0, start), HabitLog(
            {start: 25.0, start + timedelta(days=2): 0.002}, frozenset({start + timedelta(days=1)})), unit="pages",
            notes={start: 'a "good" one'}),
        ExportHabit("Coffee, black", HabitRules(Kind.QUIT, Schedule(Period.DAILY), 1.0, start, limit=2.0),
                    HabitLog({start: 3.0}), archived=True, color="#aaaaaa"),
        ExportHabit("Gym", HabitRules(Kind.BUILD, Schedule(Period.WEEKLY, times_per_week=3), 1.0, start),
                    HabitLog({start: 1.0, start + timedelta(days=1): 1.0, start + timedelta(days=3): 1.0})),
    ]

    # when
    files = _files(write_zip(habits, today))

    # then
    assert files["Habits.csv"].decode().splitlines()[1:] == [
        "001,Read,NUMERICAL,,,1,1,#00897B,pages,AT_LEAST,20.0,false",
        '002,"Coffee, black",NUMERICAL,,,1,1,#aaaaaa,,AT_MOST,2.0,true',
        "003,Gym,YES_NO,,,3,7,#00897B,,,,false"]
    assert files["001 Read/Checkmarks.csv"].decode().splitlines() == [
        "Date,Value,Notes", "2026-03-03,YES_MANUAL,", "2026-03-02,SKIP,", '2026-03-01,25000,"a ""good"" one"']
    assert files["002 Coffee black/Checkmarks.csv"].decode().splitlines() == ["Date,Value,Notes", "2026-03-01,3000,"]
    # Loop's own rule fills in 3 in any 7 days: 1, 2 and 4 March open an interval from 1 March
    assert files["003 Gym/Checkmarks.csv"].decode().splitlines() == [
        "Date,Value,Notes", "2026-03-07,YES_AUTO,", "2026-03-06,YES_AUTO,", "2026-03-05,YES_AUTO,",
        "2026-03-04,YES_MANUAL,", "2026-03-03,YES_AUTO,", "2026-03-02,YES_MANUAL,", "2026-03-01,YES_MANUAL,"]
    assert files["Checkmarks.csv"].decode().splitlines()[:2] == [
        "Date,Read,Coffee, black,Gym,", "2026-03-05,UNKNOWN,UNKNOWN,YES_AUTO,"]
    assert len(files["Scores.csv"].decode().splitlines()) == 1 + 5


def test_nothing_to_write_gives_the_headers() -> None:
    files = _files(write_zip([], date(2026, 3, 5)))
    assert files == {"Habits.csv": b"Position,Name,Type,Question,Description,FrequencyNumerator,FrequencyDenominator,"
                                   b"Color,Unit,Target Type,Target Value,Archived?\n",
                     "Scores.csv": b"Date,\n", "Checkmarks.csv": b"Date,\n"}


@settings(max_examples=60, deadline=None)
@given(st.sampled_from([(1, 1), (2, 3), (1, 2), (3, 7), (1, 7), (5, 30), (2, 31), (4, 10)]),
       st.lists(st.sampled_from("xx.s"), min_size=1, max_size=120), st.booleans())
def test_our_exports_import_back_with_the_same_numbers(frequency: tuple[int, int], marks: list[str],
                                                       numeric: bool) -> None:
    # given a yes/no interval habit, or a numeric total, written as Loop's export
    today = date(2026, 3, 31)
    start = today - timedelta(days=len(marks) - 1)
    times, days = frequency
    schedule = Schedule(Period.DAILY) if frequency == (1, 1) else Schedule(Period.INTERVAL, times=times, days=days,
                                                                           total=numeric)
    target = 3.0 if numeric else 1.0
    quantities = {start + timedelta(days=i): target for i, m in enumerate(marks) if m == "x"}
    skips = frozenset(start + timedelta(days=i) for i, m in enumerate(marks) if m == "s")
    habit = ExportHabit("h", HabitRules(Kind.BUILD, schedule, target, start), HabitLog(quantities, skips),
                        unit="km" if numeric else None)

    # when it is read back as a Loop export
    (planned,) = plan_import(read_zip(write_zip([habit], today)), today).habits
    check = verify(planned, HabitRules(planned.kind, planned.schedule, planned.target, planned.start_date), today)

    # then it is the same habit, and the numbers it carries are the ones we compute again
    assert (planned.schedule, planned.target) == (schedule, target)
    assert planned.start_date == start
    assert (check.exact, check.mismatches) == (True, ())
