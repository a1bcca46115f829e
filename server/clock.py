"""The one place that reads the time, so tests can move it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

_offset = timedelta(0)


def now() -> datetime:
    """The current instant, aware, in UTC."""
    return datetime.now(UTC) + _offset


def travel(offset: timedelta) -> None:
    """Shift the clock (tests and demo data only)."""
    global _offset
    _offset = offset
