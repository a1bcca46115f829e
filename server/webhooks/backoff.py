"""When a failed delivery is tried again, and when a failing webhook is switched off (pure).

Attempt n (1-based) failing waits `base * 4**(n-1)`, capped at 6 hours, then stretched by a random
0-25 %: with the default base of 10 s, 10 s, 40 s, 2m40, 10m40, 43 min, 2h50, then every 6 h. The
jitter only ever adds, so the schedule's lower bounds hold (six attempts span more than an hour)
while receivers coming back from an outage are not hit by every sender's retries at the same
second. After MAX_ATTEMPTS a delivery gives up; a webhook that has failed without a single success
for DISABLE_AFTER is disabled, whatever its deliveries' attempts.
"""

from __future__ import annotations

from datetime import datetime, timedelta

MAX_ATTEMPTS = 12  # about 40 hours with the default base: longer than DISABLE_AFTER
FACTOR = 4
CAP = timedelta(hours=6)
JITTER = 0.25
DISABLE_AFTER = timedelta(hours=24)


def retry_delay(attempt: int, base_seconds: float, spread: float) -> timedelta | None:
    """How long after failed attempt `attempt` (1-based) the next one is due; None: give up.
    `spread` in [0, 1) picks the jitter (random in production, fixed in tests)."""
    if attempt >= MAX_ATTEMPTS:
        return None
    plain = min(timedelta(seconds=base_seconds * FACTOR ** (attempt - 1)), CAP)
    return plain * (1 + JITTER * spread)


def should_disable(failing_since: datetime | None, now: datetime) -> bool:
    """A webhook that has failed without a success for DISABLE_AFTER is disabled."""
    return failing_since is not None and now - failing_since >= DISABLE_AFTER
