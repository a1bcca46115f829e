"""Custom scalars, and our own definitions of Date and DateTime.

Date and DateTime are RFC 3339 (`@specifiedBy` tells code generators so). A DateTime with an
offset is turned into UTC at the door: an instant that UTC cannot hold (year 9999 at -14:00 is
already year 10000 in UTC) is refused there as bad input, for every argument at once, instead of
overflowing later in a service. (One without an offset reaches the use case, which refuses it as
a typed error naming its field.)
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import NewType

import strawberry
from strawberry.exceptions import StrawberryInputCoercionError
from strawberry.types.scalar import ScalarDefinition


def _parse_date(value: object) -> date:
    if not isinstance(value, str):
        raise StrawberryInputCoercionError(f'Date cannot represent "{value}": expected a "YYYY-MM-DD" string.')
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise StrawberryInputCoercionError(f'Date cannot represent "{value}": expected "YYYY-MM-DD".') from None


def _parse_datetime(value: object) -> datetime:
    if not isinstance(value, str):
        raise StrawberryInputCoercionError(f'DateTime cannot represent "{value}": expected an RFC 3339 string.')
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise StrawberryInputCoercionError(
            f'DateTime cannot represent "{value}": expected RFC 3339, e.g. "2026-03-01T07:30:00+01:00".') from None
    if parsed.tzinfo is None or parsed.utcoffset() is None:
        return parsed  # the use case names the field that needs an offset, as a typed error
    try:
        return parsed.astimezone(UTC)
    except OverflowError:
        raise StrawberryInputCoercionError(f'DateTime "{value}" is outside the years UTC can hold.') from None


DATE = ScalarDefinition(
    name="Date", description='A calendar date, RFC 3339 full-date: "YYYY-MM-DD".',
    specified_by_url="https://datatracker.ietf.org/doc/html/rfc3339#section-5.6",
    serialize=date.isoformat, parse_value=_parse_date, parse_literal=None, origin=date)

DATETIME = ScalarDefinition(
    name="DateTime",
    description='An instant, RFC 3339 date-time with its offset ("2026-03-01T07:30:00+01:00"); answers are in UTC.',
    specified_by_url="https://datatracker.ietf.org/doc/html/rfc3339#section-5.6",
    serialize=datetime.isoformat, parse_value=_parse_datetime, parse_literal=None, origin=datetime)

AccountExport = NewType("AccountExport", object)

SCALARS: dict[object, ScalarDefinition] = {
    date: DATE,
    datetime: DATETIME,
    AccountExport: strawberry.scalar(
        name="AccountExport",
        description='Everything you own as one JSON document: {"format": "comeback-export", "version": 4, '
                    '"profile", "habits", "checkIns", "skips", "pauses", "reminders", "journalEntries", '
                    '"achievements", "program"}. accountImport reads it back. Web Push subscriptions and '
                    "webhooks are not in it: set them up again where you restore it.",
        serialize=lambda value: value, parse_value=lambda value: value),
}
