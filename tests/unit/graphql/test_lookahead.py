"""What a habit list's fields will read, looked ahead from the selection (server/graphql/lookahead.py)."""

from __future__ import annotations

from datetime import date

from strawberry.types.nodes import FragmentSpread, InlineFragment, SelectedField, Selection

from server.graphql.lookahead import reading_days

TODAY = date(2026, 12, 3)


def field(name: str, selections: list[Selection] | None = None, **arguments: object) -> SelectedField:
    return SelectedField(name=name, directives={}, arguments=dict(arguments), selections=selections or [])


def test_nothing_read_from_the_walk_needs_no_reading() -> None:
    assert reading_days([field("id"), field("name"), field("checkIns", [field("totalCount")])], TODAY) == (False, set())


def test_summary_fields_read_from_today() -> None:
    assert reading_days([field("id"), field("strength")], TODAY) == (True, {TODAY})


def test_ranged_fields_read_from_their_from_given_as_a_variable_or_a_literal() -> None:
    selections: list[Selection] = [
        field("daySeries", [field("statuses")], **{"from": date(2026, 11, 4), "to": TODAY}),
        field("strengthSeries", [field("values")], **{"from": "2024-03-09", "to": "2026-12-03"}),
    ]
    assert reading_days(selections, TODAY) == (False, {date(2026, 11, 4), date(2024, 3, 9)})


def test_fields_inside_fragments_count() -> None:
    spread = FragmentSpread(name="HabitFields", type_condition="Habit", directives={},
                            selections=[field("currentStreak"),
                                        InlineFragment(type_condition=None, directives={},
                                                       selections=[field("days", **{"from": "2026-12-01"})])])
    assert reading_days([spread], TODAY) == (True, {TODAY, date(2026, 12, 1)})


def test_a_from_it_cannot_read_is_left_to_its_field() -> None:
    # The field then loads its own reading (and reports its own error for a bad date): slower, never different.
    assert reading_days([field("days", **{"from": "not a date"}), field("daySeries")], TODAY) == (False, set())
