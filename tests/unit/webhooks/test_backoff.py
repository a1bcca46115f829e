"""The retry schedule and the 24-hour switch-off, as pure functions."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from server.webhooks.backoff import CAP, DISABLE_AFTER, JITTER, MAX_ATTEMPTS, retry_delay, should_disable

BASE = 10.0


@pytest.mark.parametrize(("attempt", "seconds"), [
    (1, 10), (2, 40), (3, 160), (4, 640), (5, 2560), (6, 10240), (7, 21600), (11, 21600),
])
def test_each_failed_attempt_waits_four_times_longer_up_to_six_hours(attempt: int, seconds: int) -> None:
    assert retry_delay(attempt, BASE, 0.0) == timedelta(seconds=seconds)


def test_the_last_attempt_gives_up() -> None:
    assert retry_delay(MAX_ATTEMPTS - 1, BASE, 0.0) is not None
    assert retry_delay(MAX_ATTEMPTS, BASE, 0.0) is None


def test_at_least_six_attempts_over_at_least_an_hour_even_with_no_jitter() -> None:
    # the contract's floor: the first six retries alone, at their shortest, span more than an hour
    waits = [retry_delay(n, BASE, 0.0) for n in range(1, 7)]
    assert MAX_ATTEMPTS >= 6
    assert sum((w for w in waits if w is not None), timedelta()) > timedelta(hours=1)


def test_attempts_go_on_past_the_switch_off_so_a_webhook_is_disabled_before_a_delivery_gives_up() -> None:
    longest_without_jitter = sum((retry_delay(n, BASE, 0.0) or timedelta() for n in range(1, MAX_ATTEMPTS)),
                                 timedelta())
    assert longest_without_jitter > DISABLE_AFTER


@given(attempt=st.integers(1, MAX_ATTEMPTS - 1), spread=st.floats(0, 1, exclude_max=True))
def test_jitter_only_stretches_a_delay_and_by_at_most_a_quarter(attempt: int, spread: float) -> None:
    plain = retry_delay(attempt, BASE, 0.0)
    jittered = retry_delay(attempt, BASE, spread)
    assert plain is not None and jittered is not None
    assert plain <= jittered <= plain * (1 + JITTER)
    assert jittered <= CAP * (1 + JITTER)


def test_a_webhook_is_disabled_after_24_hours_of_failures_only() -> None:
    since = datetime(2026, 3, 1, 12, tzinfo=UTC)
    assert not should_disable(None, since + timedelta(days=9))
    assert not should_disable(since, since + DISABLE_AFTER - timedelta(seconds=1))
    assert should_disable(since, since + DISABLE_AFTER)
