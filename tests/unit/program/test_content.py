"""Program content: the shipped step files load, and every schema violation names the file and the field."""

from pathlib import Path

import pytest

from server.habits.model import Category, Kind, Period, Schedule
from server.program.content import (
    CONTENT_FOLDER,
    ContentError,
    StepDef,
    SuggestedHabit,
    build_program,
    load_program,
    parse_step,
)
from server.program.requirements import CategoryStreak, JournalEntries

REQUIREMENT = """
[[requirements]]
kind = "JOURNAL_ENTRIES"
count = 2
step = "awareness"
"""

HABIT = """
[[suggested_habits]]
name = "Evening walk"
category = "WORKOUT"
kind = "BUILD"
schedule = { period = "WEEKDAYS", weekdays = [1, 3, 5] }
target_quantity = 30
unit = "minutes"
"""


def _text(key: str = "awareness", position: int = 1, tables: str = HABIT + REQUIREMENT, body: str = "## Hi\n") -> str:
    return f"""+++
key = "{key}"
position = {position}
version = 2
title = "Awareness"
summary = "Name the patterns that wore the relationship down."
prompts = ["Which patterns do you see in yourself?", "What did they ask of you?"]
{tables.replace('"awareness"', f'"{key}"')}+++
{body}"""


def _with(old: str, new: str, text: str | None = None) -> str:
    text = _text() if text is None else text
    assert old in text, old
    return text.replace(old, new, 1)


def _error(text: str, source: str = "01-awareness.md") -> str:
    with pytest.raises(ContentError) as caught:
        parse_step(text, source)
    return str(caught.value)


# The shipped content


def test_the_shipped_program_loads_and_validates() -> None:
    if not any(CONTENT_FOLDER.glob("[0-9]*.md")):
        pytest.skip(f"no step files in {CONTENT_FOLDER} yet")

    # when
    program = load_program()

    # then
    assert (program.key, program.title) == ("comeback", "The Comeback path")
    assert [step.position for step in program.steps] == list(range(1, len(program.steps) + 1))
    assert all(step.requirements for step in program.steps[:-1])
    assert program.steps[-1].requirements == ()
    assert program.step(program.steps[0].key) is program.steps[0]


# A valid step


def test_a_valid_step_parses_into_typed_values() -> None:
    # when
    step = parse_step(_text(body="\n## Hi\n\nSome words.\n\n"), "01-awareness.md")

    # then
    assert step == StepDef(
        key="awareness",
        position=1,
        version=2,
        title="Awareness",
        summary="Name the patterns that wore the relationship down.",
        prompts=("Which patterns do you see in yourself?", "What did they ask of you?"),
        suggested_habits=(SuggestedHabit(
            "Evening walk", Category.WORKOUT, Kind.BUILD, Schedule(Period.WEEKDAYS, (1, 3, 5)), 30.0, "minutes"),),
        requirements=(JournalEntries(2, "awareness"),),
        body="## Hi\n\nSome words.",
        source="01-awareness.md",
    )


def test_optional_tables_and_fields_may_be_left_out() -> None:
    # given no habits, no requirements, a habit without unit and a requirement without its optional step
    text = _text(tables="requirements = []\n")
    minimal_habit = HABIT.replace('unit = "minutes"\n', "")
    requirement = REQUIREMENT.replace('step = "awareness"\n', "")

    # when
    bare = parse_step(text, "10-end.md")
    other = parse_step(_text(tables=minimal_habit + requirement), "01-awareness.md")

    # then
    assert (bare.suggested_habits, bare.requirements) == ((), ())
    assert other.suggested_habits[0].unit is None
    assert other.requirements == (JournalEntries(2, None),)


PROMPTS = 'prompts = ["Which patterns do you see in yourself?", "What did they ask of you?"]'

# One broken field at a time: (old text, new text, the error's beginning)
FIELD_ERRORS = [
    ('key = "awareness"\n', "", "01-awareness.md: key: missing"),
    ('key = "awareness"', 'key = "Awareness Now"', "01-awareness.md: key: expected a slug"),
    ('key = "awareness"', 'key = "a--b"', "01-awareness.md: key: expected a slug"),
    ('key = "awareness"', f'key = "{"a" * 65}"', "01-awareness.md: key: expected a slug"),
    ("position = 1", "position = 0", "01-awareness.md: position: expected a positive integer"),
    ("position = 1", 'position = "1"', "01-awareness.md: position: expected a positive integer"),
    ("position = 1", "position = true", "01-awareness.md: position: expected a positive integer"),
    ("version = 2", "version = 0", "01-awareness.md: version: expected a positive integer"),
    ("version = 2\n", "", "01-awareness.md: version: missing"),
    ('title = "Awareness"', 'title = "  "', "01-awareness.md: title: expected a non-empty string"),
    ('title = "Awareness"', "title = 3", "01-awareness.md: title: expected a non-empty string"),
    ("summary = \"Name the patterns that wore the relationship down.\"", f'summary = "{"s" * 141}"',
     "01-awareness.md: summary: expected at most 140 characters, got 141"),
    (PROMPTS, "prompts = []", "01-awareness.md: prompts: expected a list of 1 to 3 strings"),
    (PROMPTS, 'prompts = ["1", "2", "3", "4"]', "01-awareness.md: prompts: expected a list of 1 to 3 strings"),
    (PROMPTS, 'prompts = "Why?"', "01-awareness.md: prompts: expected a list of 1 to 3 strings"),
    (PROMPTS + "\n", "", "01-awareness.md: prompts: missing"),
    ('"What did they ask of you?"', '""', "01-awareness.md: prompts[1]: expected a non-empty string"),
    ("version = 2", 'version = 2\ncolour = "red"', "01-awareness.md: colour: unknown key"),
    # suggested habits
    ('name = "Evening walk"\n', "", "01-awareness.md: suggested_habits[0].name: missing"),
    ('name = "Evening walk"', f'name = "{"n" * 81}"',
     "01-awareness.md: suggested_habits[0].name: expected at most 80 characters, got 81"),
    ('category = "WORKOUT"', 'category = "SLEEP"',
     "01-awareness.md: suggested_habits[0].category: expected one of WORKOUT, READING, HYGIENE, FRIENDS, CUSTOM, "
     "got 'SLEEP'"),
    ('kind = "BUILD"', 'kind = "build"', "01-awareness.md: suggested_habits[0].kind: expected one of BUILD, QUIT"),
    ("weekdays = [1, 3, 5]", "weekdays = [1, 8]",
     "01-awareness.md: suggested_habits[0].schedule: weekdays must be ISO weekdays from 1 (Monday) to 7 (Sunday)"),
    ('{ period = "WEEKDAYS", weekdays = [1, 3, 5] }', '{ period = "WEEKLY" }',
     "01-awareness.md: suggested_habits[0].schedule: a weekly schedule needs times_per_week from 1 to 7"),
    ('{ period = "WEEKDAYS", weekdays = [1, 3, 5] }', '{ period = "DAILY", every = 2 }',
     "01-awareness.md: suggested_habits[0].schedule.every: unknown key"),
    ('{ period = "WEEKDAYS", weekdays = [1, 3, 5] }', '{ period = "HOURLY" }',
     "01-awareness.md: suggested_habits[0].schedule.period: expected one of DAILY, WEEKDAYS, WEEKLY, INTERVAL"),
    ('{ period = "WEEKDAYS", weekdays = [1, 3, 5] }', '{ period = "INTERVAL", times = 4, days = 3 }',
     "01-awareness.md: suggested_habits[0].schedule: an interval schedule needs times from 1 to days"),
    ('{ period = "WEEKDAYS", weekdays = [1, 3, 5] }', '{ period = "INTERVAL", times = 2, days = "3" }',
     "01-awareness.md: suggested_habits[0].schedule.days: expected an integer"),
    ('{ period = "WEEKDAYS", weekdays = [1, 3, 5] }', '{ period = "DAILY", days = 3 }',
     "01-awareness.md: suggested_habits[0].schedule: times, days and total belong to an interval schedule only"),
    ("weekdays = [1, 3, 5]", 'weekdays = ["mon"]',
     "01-awareness.md: suggested_habits[0].schedule.weekdays: expected a list of integers"),
    ('{ period = "WEEKDAYS", weekdays = [1, 3, 5] }', '{ period = "WEEKLY", times_per_week = 2.5 }',
     "01-awareness.md: suggested_habits[0].schedule.times_per_week: expected an integer from 1 to 7"),
    ('schedule = { period = "WEEKDAYS", weekdays = [1, 3, 5] }', 'schedule = "DAILY"',
     "01-awareness.md: suggested_habits[0].schedule: expected a table"),
    ("target_quantity = 30", "target_quantity = 0",
     "01-awareness.md: suggested_habits[0].target_quantity: expected a number above 0 and at most 1000000"),
    ("target_quantity = 30", "target_quantity = nan",
     "01-awareness.md: suggested_habits[0].target_quantity: expected a number above 0"),
    ('unit = "minutes"', 'unit = ""', "01-awareness.md: suggested_habits[0].unit: expected a non-empty string"),
    ('unit = "minutes"', 'unit = "minutes"\nicon = "walk"', "01-awareness.md: suggested_habits[0].icon: unknown key"),
    # requirements
    ('kind = "JOURNAL_ENTRIES"', 'kind = "VIBES"',
     "01-awareness.md: requirements[0].kind: expected one of JOURNAL_ENTRIES, HABITS_CREATED, CATEGORY_STREAK, "
     "HABIT_STRENGTH, QUIT_STREAK, CONFIDENCE_AT_LEAST, got 'VIBES'"),
    ('kind = "JOURNAL_ENTRIES"\n', "", "01-awareness.md: requirements[0].kind: missing"),
    ("count = 2", "count = 0", "01-awareness.md: requirements[0].count: expected a positive integer"),
    ("count = 2", "count = 1.5", "01-awareness.md: requirements[0].count: expected a positive integer"),
    ("count = 2\n", "", "01-awareness.md: requirements[0].count: missing"),
    ("count = 2", "count = 2\ndays = 3", "01-awareness.md: requirements[0].days: unknown key"),
    ('step = "awareness"', 'step = "face-your-fears"',
     "01-awareness.md: requirements[0].step: expected this step's own key 'awareness', got 'face-your-fears'"),
    ('step = "awareness"', "step = 1", "01-awareness.md: requirements[0].step: expected a slug"),
    ("[[requirements]]", "[requirements]", "01-awareness.md: requirements: expected an array of tables"),
    ("[[suggested_habits]]", "[suggested_habits]",
     "01-awareness.md: suggested_habits: expected an array of tables"),
    # the file's shape
    ("+++\nkey", "key", "01-awareness.md: front matter: expected the file to start with a '+++' line"),
    ("+++\n## Hi", "## Hi", "01-awareness.md: front matter: no closing '+++' line"),
    ("position = 1", "position = ", "01-awareness.md: front matter: invalid TOML"),
    ("## Hi\n", " \n\n", "01-awareness.md: body: expected Markdown text after the front matter"),
]


@pytest.mark.parametrize(("old", "new", "expected"), FIELD_ERRORS)
def test_each_broken_field_is_named_in_the_error(old: str, new: str, expected: str) -> None:
    # when
    message = _error(_with(old, new))

    # then
    assert message.startswith(expected), message


REQUIREMENT_ERRORS = [
    ('kind = "CATEGORY_STREAK"\ncategory = "WORKOUT"\ndays = 0\n',
     "05-focus-on-yourself.md: requirements[0].days: expected a positive integer"),
    ('kind = "CATEGORY_STREAK"\ncategory = "WORKOUT"\n', "05-focus-on-yourself.md: requirements[0].days: missing"),
    ('kind = "CATEGORY_STREAK"\ncategory = "GYM"\ndays = 14\n',
     "05-focus-on-yourself.md: requirements[0].category: expected one of WORKOUT"),
    ('kind = "HABITS_CREATED"\ncount = 2\ncategory = "workout"\n',
     "05-focus-on-yourself.md: requirements[0].category: expected one of WORKOUT"),
    ('kind = "HABIT_STRENGTH"\ncategory = "READING"\nthreshold = 120\n',
     "05-focus-on-yourself.md: requirements[0].threshold: expected a number above 0 and at most 100"),
    ('kind = "HABIT_STRENGTH"\ncategory = "READING"\nthreshold = "60"\n',
     "05-focus-on-yourself.md: requirements[0].threshold: expected a number above 0 and at most 100"),
    ('kind = "QUIT_STREAK"\ndays = 30\ncategory = "FRIENDS"\n',
     "05-focus-on-yourself.md: requirements[0].category: unknown key"),
    ('kind = "CONFIDENCE_AT_LEAST"\ndays = 3\n', "05-focus-on-yourself.md: requirements[0].score: missing"),
    ('kind = "CONFIDENCE_AT_LEAST"\nscore = 0\ndays = 3\n',
     "05-focus-on-yourself.md: requirements[0].score: expected a number above 0 and at most 100"),
]


@pytest.mark.parametrize(("requirement", "expected"), REQUIREMENT_ERRORS)
def test_each_requirement_kind_takes_exactly_its_parameters(requirement: str, expected: str) -> None:
    # given a second, valid requirement after the broken one
    tables = f"[[requirements]]\n{requirement}\n[[requirements]]\nkind = \"QUIT_STREAK\"\ndays = 30\n"

    # when
    message = _error(_text("focus-on-yourself", 5, tables), "05-focus-on-yourself.md")

    # then
    assert message.startswith(expected), message


def test_requirements_parse_into_their_kinds() -> None:
    # given
    tables = '[[requirements]]\nkind = "CATEGORY_STREAK"\ncategory = "WORKOUT"\ndays = 14\n'

    # when
    step = parse_step(_text("focus-on-yourself", 5, tables), "05-focus-on-yourself.md")

    # then
    assert step.requirements == (CategoryStreak(Category.WORKOUT, 14),)


# Steps together


def _steps(*specs: tuple[str, int, bool]) -> list[StepDef]:
    """Steps from (key, position, has requirements)."""
    return [parse_step(_text(key, position, REQUIREMENT if gated else ""), f"{position:02d}-{key}.md")
            for key, position, gated in specs]


def _program_error(*specs: tuple[str, int, bool]) -> str:
    with pytest.raises(ContentError) as caught:
        build_program(_steps(*specs))
    return str(caught.value)


def test_steps_are_ordered_by_position() -> None:
    # when
    program = build_program(_steps(("c", 3, False), ("a", 1, True), ("b", 2, True)))

    # then
    assert [step.key for step in program.steps] == ["a", "b", "c"]
    assert program.step("b").position == 2


def test_an_unknown_step_key_is_a_key_error() -> None:
    # given
    program = build_program(_steps(("a", 1, False)))

    # when / then
    with pytest.raises(KeyError):
        program.step("b")


def test_duplicate_keys_are_rejected() -> None:
    assert _program_error(("a", 1, True), ("a", 2, False)) == "02-a.md: key: 'a' is also the key of 01-a.md"


def test_duplicate_positions_are_rejected() -> None:
    assert _program_error(("a", 1, True), ("b", 1, True), ("c", 2, False)) == (
        "01-b.md: position: 1 is also used by 01-a.md")


def test_a_gap_in_positions_is_rejected() -> None:
    assert _program_error(("a", 1, True), ("c", 3, False)) == (
        "03-c.md: position: 3 is outside 1..2 (no gaps allowed)")


def test_the_last_step_must_not_have_requirements() -> None:
    assert _program_error(("a", 1, True), ("b", 2, True)) == (
        "02-b.md: requirements: the last step must have none (no step comes after it)")


def test_every_other_step_needs_a_requirement() -> None:
    assert _program_error(("a", 1, False), ("b", 2, False)) == (
        "01-a.md: requirements: expected at least one (they unlock the next step)")


def test_a_program_needs_steps() -> None:
    assert _program_error() == "program: no steps"


def test_load_program_reads_the_step_files_of_a_folder(tmp_path: Path) -> None:
    # given two step files, a README and a note that are not steps
    (tmp_path / "02-b.md").write_text(_text("b", 2, ""), encoding="utf-8")
    (tmp_path / "01-a.md").write_text(_text("a", 1), encoding="utf-8")
    (tmp_path / "README.md").write_text("# not a step\n", encoding="utf-8")
    (tmp_path / "notes.md").write_text("not a step either\n", encoding="utf-8")

    # when
    program = load_program(tmp_path)

    # then
    assert [(step.key, step.source) for step in program.steps] == [("a", "01-a.md"), ("b", "02-b.md")]


def test_load_program_names_the_broken_file(tmp_path: Path) -> None:
    # given
    (tmp_path / "01-a.md").write_text(_with("version = 2", "version = -1", _text("a", 1)), encoding="utf-8")

    # when / then
    with pytest.raises(ContentError, match=r"^01-a\.md: version: expected a positive integer$"):
        load_program(tmp_path)


def test_an_empty_folder_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(ContentError, match="no step files"):
        load_program(tmp_path)
