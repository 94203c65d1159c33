"""When to come back: Retry-After, Cache-Control/Expires and the next-poll rule (pure)."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest

from syndicate.fetch import fresh_until, next_poll, retry_at

NOW = datetime(2026, 11, 29, 12, 0, tzinfo=UTC)
HOUR = 3600.0


def test_retry_after_seconds_and_dates() -> None:
    assert retry_at("120", NOW) == NOW + timedelta(seconds=120)
    assert retry_at("Sun, 29 Nov 2026 13:00:00 GMT", NOW) == NOW + timedelta(hours=1)
    # A date in the past means "now", not a time before now.
    assert retry_at("Sun, 29 Nov 2026 11:00:00 GMT", NOW) == NOW
    assert retry_at("soon", NOW) is None
    assert retry_at(None, NOW) is None


def test_max_age_wins_over_expires_and_counts_age() -> None:
    expires = "Sun, 29 Nov 2026 18:00:00 GMT"
    assert fresh_until("public, max-age=600", expires, "100", NOW) == NOW + timedelta(seconds=500)
    assert fresh_until(None, expires, None, NOW) == datetime(2026, 11, 29, 18, tzinfo=UTC)
    assert fresh_until("no-cache, max-age=600", None, None, NOW) is None
    assert fresh_until(None, "0", None, NOW) is None  # invalid Expires: already stale
    assert fresh_until(None, "Sun, 29 Nov 2026 11:00:00 GMT", None, NOW) is None


def test_next_poll_is_the_interval_when_nothing_else_applies() -> None:
    assert next_poll(NOW, 900, max_backoff=6 * HOUR) == NOW + timedelta(seconds=900)


@pytest.mark.parametrize(
    ("ttl", "not_before", "expected"),
    [
        (60, None, NOW + timedelta(minutes=60)),  # <ttl>60</ttl> beats a 15 min interval
        (5, None, NOW + timedelta(minutes=15)),  # a short <ttl> does not speed us up
        (None, NOW + timedelta(hours=2), NOW + timedelta(hours=2)),  # Retry-After / max-age
        (None, NOW + timedelta(minutes=1), NOW + timedelta(minutes=15)),
        (None, NOW + timedelta(days=30), NOW + timedelta(hours=6)),  # capped at max_backoff
        (60 * 24 * 7, None, NOW + timedelta(hours=6)),  # a week-long <ttl> too
    ],
)
def test_next_poll_takes_the_latest(
    ttl: float | None, not_before: datetime | None, expected: datetime
) -> None:
    when = next_poll(NOW, 900, max_backoff=6 * HOUR, ttl_minutes=ttl, not_before=not_before)
    assert when == expected


def test_backoff_doubles_with_jitter_and_is_capped() -> None:
    rng = random.Random(7)
    waits = [
        (next_poll(NOW, 900, failures=n, max_backoff=6 * HOUR, rng=rng) - NOW).total_seconds()
        for n in range(1, 12)
    ]
    for n, wait in enumerate(waits, start=1):
        doubled = min(900 * 2**n, 6 * HOUR)
        assert max(900, doubled / 2) <= wait <= doubled
    assert waits[-1] <= 6 * HOUR
    assert waits[0] < waits[3]


def test_jitter_spreads_sources_that_failed_together() -> None:
    rng = random.Random(1)
    times = {next_poll(NOW, 900, failures=3, max_backoff=6 * HOUR, rng=rng) for _ in range(20)}
    assert len(times) == 20


def test_huge_failure_counts_do_not_overflow() -> None:
    when = next_poll(NOW, 900, failures=10_000, max_backoff=6 * HOUR, rng=random.Random(0))
    assert NOW + timedelta(hours=3) <= when <= NOW + timedelta(hours=6)
