"""The wall clock, read in exactly one place.

Everything that needs the time of day takes a `Clock` (a callable returning an aware UTC
datetime) or a `now` value from its caller. `utc_now` is the one function that reads the
machine's clock; the entry points (cli, web, schedule, demo) and the store default to it, and
tests pass a fixed clock instead, so no test depends on the date it runs on.
`tests/test_clock.py` fails when any other module reads the wall clock itself.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    """The current time, aware UTC: the default clock."""
    return datetime.now(UTC)


def fixed(when: datetime) -> Clock:
    """A clock that always says `when` (for tests and replays)."""
    if when.tzinfo is None:
        raise ValueError("clock: a fixed time needs a timezone")
    return lambda: when


__all__ = ["Clock", "fixed", "utc_now"]
