"""The achievement catalogue: the shipped TOML, its validation, and progress over the whole of it."""

import re
from datetime import date, timedelta
from uuid import uuid4

import pytest

from server.achievements import rules
from server.achievements.catalogue import CATALOGUE, AchievementDef, parse_catalogue, progress
from server.achievements.rules import Progress, Rule, RuleKind
from server.activity import Activity, HabitActivity, JournalActivity
from server.habits.model import Category, HabitLog, HabitRules, Kind, Period, Schedule
from server.habits.timeline import Timeline

TODAY = date(2024, 12, 31)
DAILY = Schedule(Period.DAILY)

_VALID = """
[[achievement]]
key = "comeback"
title = "The comeback"
description = "Rebuilt a streak."
rule = "COMEBACK"
target = 1
params = { streak = 3 }

[[achievement]]
key = "streak-7"
title = "A whole week"
description = "Seven days."
rule = "HABIT_STREAK"
target = 7
"""


def _entry(key: str = "streak-7", rule: str = "HABIT_STREAK", target: str = "7", extra: str = "") -> str:
    return (
        f'[[achievement]]\nkey = "{key}"\ntitle = "T"\ndescription = "D"\nrule = "{rule}"\ntarget = {target}\n{extra}\n'
    )


# --- the shipped catalogue ------------------------------------------------------------------------


def test_the_catalogue_has_at_least_20_achievements_with_unique_kebab_keys() -> None:
    keys = [a.key for a in CATALOGUE]
    assert len(keys) >= 20
    assert len(set(keys)) == len(keys)
    assert all(re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", key) and len(key) <= 64 for key in keys)


def test_the_catalogue_covers_every_rule_kind() -> None:
    assert {a.kind for a in CATALOGUE} == set(RuleKind)


def test_every_achievement_has_a_title_and_a_description() -> None:
    assert all(a.title.strip() and len(a.description) >= 20 for a in CATALOGUE)


def test_the_catalogue_holds_the_briefs_milestones() -> None:
    targets = {(a.kind, a.target) for a in CATALOGUE}
    for days in (3, 7, 14, 30, 100):
        assert (RuleKind.HABIT_STREAK, days) in targets
    for days in (7, 30, 90):
        assert (RuleKind.NO_CONTACT, days) in targets
    for pages in (100, 500, 1000):
        assert (RuleKind.READING_TOTAL, pages) in targets


# --- parse_catalogue ------------------------------------------------------------------------------


def test_a_valid_catalogue_parses_into_definitions() -> None:
    # When
    parsed = parse_catalogue(_VALID)

    # Then
    assert parsed == (
        AchievementDef("comeback", "The comeback", "Rebuilt a streak.", RuleKind.COMEBACK, {"streak": 3}, 1),
        AchievementDef("streak-7", "A whole week", "Seven days.", RuleKind.HABIT_STREAK, {}, 7),
    )
    assert parsed[0].rule == Rule(RuleKind.COMEBACK, {"streak": 3}, 1)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (_entry(rule="HABIT_STREAKS"), "achievement 'streak-7': field 'rule' has unknown kind 'HABIT_STREAKS'"),
        (_entry("comeback", "COMEBACK", "1"), "achievement 'comeback': missing param 'streak' for COMEBACK"),
        (
            _entry("comeback", "COMEBACK", "1", "params = { streak = 3, days = 2 }"),
            "achievement 'comeback': unknown param 'days' for COMEBACK",
        ),
        (
            _entry("comeback", "COMEBACK", "1", "params = { streak = 0 }"),
            "achievement 'comeback': param 'streak' must be a positive whole number, got 0",
        ),
        (_entry() + _entry(target="14"), "achievement 'streak-7': duplicate key"),
        (_entry().replace('title = "T"\n', ""), "achievement 'streak-7': missing field 'title'"),
        (_entry(extra='icon = "star"'), "achievement 'streak-7': unknown field 'icon'"),
        (_entry(target="0"), "achievement 'streak-7': field 'target' must be a positive whole number, got 0"),
        (_entry(target="true"), "achievement 'streak-7': field 'target' must be a positive whole number, got True"),
        (_entry(target="7.5"), "achievement 'streak-7': field 'target' must be a positive whole number, got 7.5"),
        (
            _entry("foundation", "FOUNDATION_14", "7"),
            "achievement 'foundation': field 'target' must be 14 for FOUNDATION_14, got 7",
        ),
        (_entry(key="Streak_7"), "achievement #1: field 'key' must be lowercase-kebab text, got 'Streak_7'"),
        (
            _entry().replace('description = "D"', 'description = "  "'),
            "achievement 'streak-7': field 'description' must be non-empty text",
        ),
        ("", "achievement catalogue: needs at least one [[achievement]]"),
        ('[[achievements]]\nkey = "a"\n', "achievement catalogue: unknown top-level entry 'achievements'"),
        ("[[achievement]\n", "achievement catalogue is not valid TOML"),
    ],
)
def test_an_invalid_catalogue_names_the_key_and_the_field(text: str, message: str) -> None:
    with pytest.raises(ValueError, match="^" + re.escape(message)):
        parse_catalogue(text)


# --- progress over the whole catalogue ------------------------------------------------------------


def _daily(days: int, category: Category, every: int = 1, kind: Kind = Kind.BUILD) -> HabitActivity:
    """A daily habit of `days` days ending today, with a check-in on every `every`-th day counting back."""
    start = TODAY - timedelta(days=days - 1)
    quantities = {TODAY - timedelta(days=back): 1.0 for back in range(0, days, every)}
    return HabitActivity(uuid4(), "h", category, HabitRules(kind, DAILY, 1.0, start), HabitLog(quantities), start)


def test_progress_gives_every_achievement_in_catalogue_order() -> None:
    # Given a user with a 10-day workout streak and 2 journal entries
    activity = Activity(
        TODAY,
        TODAY - timedelta(days=20),
        (_daily(10, Category.WORKOUT),),
        (JournalActivity(TODAY), JournalActivity(TODAY - timedelta(days=3))),
    )

    # When
    result = progress(activity)

    # Then
    assert list(result) == [a.key for a in CATALOGUE]
    assert result["first-habit"] == Progress(1, 1, True)
    assert result["first-check-in"] == Progress(1, 1, True)
    assert result["first-journal"] == Progress(1, 1, True)
    assert result["streak-7"] == Progress(7, 7, True)
    assert result["streak-14"] == Progress(10, 14, False)
    assert result["foundation-14"] == Progress(10, 14, False)
    assert result["hygiene-month"] == Progress(0, 30, False)
    assert result["journal-5"] == Progress(2, 5, False)
    assert result["balanced-week"] == Progress(1, 4, False)
    assert result["comeback"] == Progress(0, 1, False)


def test_progress_for_a_year_of_five_habits_walks_each_habit_once(monkeypatch: pytest.MonkeyPatch) -> None:
    # Given five habits with a year of history each (one day in three missed) and 100 journal entries
    habits = (
        *(
            _daily(365, c, every=1 + i % 2)
            for i, c in enumerate((Category.WORKOUT, Category.READING, Category.HYGIENE, Category.FRIENDS))
        ),
        _daily(365, Category.CUSTOM, every=30, kind=Kind.QUIT),
    )
    journal = tuple(JournalActivity(TODAY - timedelta(days=3 * i)) for i in range(100))
    activity = Activity(TODAY, TODAY - timedelta(days=400), habits, journal)

    walked: list[HabitRules] = []
    real_walk = rules.walk

    def counting_walk(habit_rules: HabitRules, log: HabitLog, today: date) -> Timeline:
        walked.append(habit_rules)
        return real_walk(habit_rules, log, today)

    monkeypatch.setattr(rules, "walk", counting_walk)

    # When
    result = progress(activity)

    # Then every rule of the catalogue read one shared walk per habit (the cost is in
    # `python -m bench.pure`), and the year counted: friends met every week, a clean month between slips
    assert walked == [h.rules for h in habits]
    assert result["friends-12-weeks"] == Progress(12, 12, True)
    assert result["no-contact-30"] == Progress(29, 30, False)
    assert result["streak-100"] == Progress(100, 100, True)
