"""When may we come back? Response headers and failure counts → datetimes. Pure functions.

Input: header values (`Retry-After`, `Cache-Control`, `Expires`, `Age`), the time of the
response, a source's interval, its feed `<ttl>` and its failure count. Output: aware
datetimes. Nothing here does I/O or reads a clock; callers pass `now`.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime


def http_date(value: str) -> datetime | None:
    """An HTTP-date (RFC 9110 section 5.6.7) as an aware UTC datetime, or None if invalid."""
    try:
        when = parsedate_to_datetime(value.strip())
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:  # RFC 9110: HTTP-dates are always GMT
        when = when.replace(tzinfo=UTC)
    return when.astimezone(UTC)


def retry_at(value: str | None, now: datetime) -> datetime | None:
    """`Retry-After` (delay-seconds or HTTP-date, RFC 9110 section 10.2.3) as a datetime."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return now + timedelta(seconds=int(value))
    when = http_date(value)
    return max(when, now) if when else None


def fresh_until(
    cache_control: str | None, expires: str | None, age: str | None, now: datetime
) -> datetime | None:
    """Until when the server says the response stays fresh (RFC 9111 section 4.2.1).

    `max-age` wins over `Expires`; `Age` (time already spent in caches) is subtracted.
    `no-cache`/`no-store` mean "always ask", so they impose no wait.
    """
    directives = _directives(cache_control or "")
    if "no-store" in directives or "no-cache" in directives:
        return None
    already = int(age) if age and age.strip().isdigit() else 0
    max_age = directives.get("max-age")
    if max_age is not None and max_age.isdigit():
        return now + timedelta(seconds=max(0, int(max_age) - already))
    if expires:
        when = http_date(expires)
        # An invalid Expires means "already expired" (RFC 9111 section 5.3).
        return when if when and when > now else None
    return None


def _directives(value: str) -> dict[str, str | None]:
    out: dict[str, str | None] = {}
    for part in value.split(","):
        name, _, arg = part.strip().partition("=")
        if name:
            out[name.lower()] = arg.strip().strip('"') if arg else None
    return out


def next_poll(
    now: datetime,
    interval: float,
    *,
    failures: int = 0,
    max_backoff: float,
    ttl_minutes: float | None = None,
    not_before: datetime | None = None,
    rng: random.Random | None = None,
) -> datetime:
    """When to poll a source next: the latest of its interval, `<ttl>`, the server's
    freshness or Retry-After (`not_before`), and the backoff after `failures` errors.

    Backoff doubles per failure from `interval`, with jitter (between half and all of the
    doubled wait, so sources that failed together do not return together), capped at
    `max_backoff`. A server-given wait or `<ttl>` is honoured up to `max_backoff` too, so
    no header can silence a source for longer than the operator allows.
    """
    cap = max(max_backoff, interval)
    wait = interval
    if ttl_minutes:
        wait = max(wait, min(ttl_minutes * 60.0, cap))
    if failures > 0:
        doubled = min(interval * 2.0 ** min(failures, 62), cap)
        jitter = rng.uniform(0.5, 1.0) if rng else random.uniform(0.5, 1.0)
        wait = max(wait, doubled * jitter)
    when = now + timedelta(seconds=wait)
    if not_before is not None:
        when = max(when, min(not_before, now + timedelta(seconds=cap)))
    return when
