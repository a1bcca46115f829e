"""Reading `--at` and `--day` the way people type them, and the automatic idempotency key (pure)."""

from __future__ import annotations

import hashlib
import re
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from server.habits.days import day_start

_CLOCK = re.compile(r"^(?:(today|yesterday)[ T])?(\d{1,2}):(\d{2})$")
# A wall time typed without a date is the latest one not in the future (with this much slack).
_SLACK = timedelta(minutes=5)


def habit_day_instant(day: date, zone: ZoneInfo, day_start_hour: int) -> datetime:
    """The instant a habit day starts: inside that day, never in the future for today, and the same
    on every run (so a repeated command carries the same content under the same idempotency key)."""
    return day_start(day, zone, day_start_hour)


def parse_at(text: str, zone: ZoneInfo, day_start_hour: int, now: datetime, today: date) -> datetime:
    """`--at`: an ISO date-time (offset optional: your time zone), `HH:MM` (the latest one not in the
    future), `yesterday HH:MM`, or a whole day: an ISO date, `today`, `yesterday` (its first instant)."""
    value = text.strip().lower()
    if value in ("today", "yesterday"):
        return habit_day_instant(today - timedelta(days=value == "yesterday"), zone, day_start_hour)
    match = _CLOCK.match(value)
    if match:
        word, hour, minute = match.group(1), int(match.group(2)), int(match.group(3))
        if hour > 23 or minute > 59:
            raise ValueError(f"{text!r} is not a time of day")
        local_now = now.astimezone(zone)
        at = datetime.combine(local_now.date(), time(hour, minute)).replace(tzinfo=zone)
        if word == "yesterday":
            at = datetime.combine(local_now.date() - timedelta(days=1), time(hour, minute)).replace(tzinfo=zone)
        elif word is None and at > local_now + _SLACK:
            at = datetime.combine(local_now.date() - timedelta(days=1), time(hour, minute)).replace(tzinfo=zone)
        return at.astimezone(UTC)
    try:
        if len(value) == 10:
            return habit_day_instant(date.fromisoformat(value), zone, day_start_hour)
        parsed = datetime.fromisoformat(text.strip())
    except ValueError:
        raise ValueError(f"{text!r} is not a time: use 2026-03-10T08:30, 08:30, 'yesterday 21:00' or 2026-03-10") \
            from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=zone)
    return parsed.astimezone(UTC)


def parse_day(text: str, today: date) -> date:
    """`--day`: an ISO date, `today`, `yesterday`, or `-N` for N days ago."""
    value = text.strip().lower()
    if value == "today":
        return today
    if value == "yesterday":
        return today - timedelta(days=1)
    if re.fullmatch(r"-\d{1,4}", value):
        return today - timedelta(days=int(value[1:]))
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ValueError(f"{text!r} is not a day: use 2026-03-10, today, yesterday or -2") from None


def idempotency_key(habit_id: str, at: datetime | None, now: datetime, quantity: float, note: str | None) -> str:
    """Same habit, same moment (--at, or else the current minute), same quantity and note: same key.

    So re-running a command within the same minute, or with the same --at, never logs twice.
    """
    moment = at.astimezone(UTC).isoformat() if at else now.astimezone(UTC).strftime("%Y-%m-%dT%H:%MZ")
    raw = "\n".join((habit_id, moment, repr(float(quantity)), (note or "").strip()))
    return "cli:" + hashlib.sha256(raw.encode()).hexdigest()[:40]
