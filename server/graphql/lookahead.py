"""What the fields under a list of habits will read, looked ahead from the selection (Strawberry's
`info.selected_fields`), so that the list's resolver walks every habit once, up front, and the
fields that read the walk answer without awaiting anything.

The saving is per field, not per query: an awaited field costs graphql-core and Strawberry about
four times what a plain one does (a coroutine, a future, a gather), and a phone dashboard has five of
them per habit (`bench/README.md`). A `from` the look-ahead cannot read is left out; its field then
loads its own reading, one batch later: slower, never different."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from strawberry.types.nodes import FragmentSpread, InlineFragment, SelectedField, Selection

# Habit fields answered from the walk through today, and those reading it from their `from` on.
SUMMARY_FIELDS = frozenset({"currentStreak", "longestStreak", "strength", "doneToday", "freezesHeld"})
RANGED_FIELDS = frozenset({"days", "daySeries", "strengthSeries"})


def reading_days(selections: Iterable[Selection], today: date) -> tuple[bool, set[date]]:
    """Whether the summary fields are asked, and every day a field will load a habit's reading from
    (today for the summary, `from` for a range); (False, empty) when nothing reads the walk."""
    summary = False
    days: set[date] = set()
    for selection in _fields(selections):
        if selection.name in SUMMARY_FIELDS:
            summary = True
            days.add(today)
        elif selection.name in RANGED_FIELDS:
            start = _as_date(selection.arguments.get("from"))
            if start is not None:
                days.add(start)
    return summary, days


def _fields(selections: Iterable[Selection]) -> Iterable[SelectedField]:
    for selection in selections:
        if isinstance(selection, SelectedField):
            yield selection
        elif isinstance(selection, (FragmentSpread, InlineFragment)):
            yield from _fields(selection.selections)


def _as_date(value: object) -> date | None:
    # A variable arrives coerced (a date); a literal as the document's text.
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value)
        except ValueError:
            return None
    return None
