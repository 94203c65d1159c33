"""Dates as the DHS sites write them, each with its UTC instant worked out by hand."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from syndicate.parse import parse_date


def utc(
    year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0, us: int = 0
) -> datetime:
    return datetime(year, month, day, hour, minute, second, us, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # RFC 822 / 5322 with numeric and named zones.
        ("Tue, 02 Dec 2025 14:00:00 -0500", utc(2025, 12, 2, 19, 0)),
        ("Tue, 02 Dec 2025 14:00:00 +0000", utc(2025, 12, 2, 14, 0)),
        ("Thu, 13 Nov 2025 09:30:00 GMT", utc(2025, 11, 13, 9, 30)),
        ("Thu, 13 Nov 2025 09:30:00 UT", utc(2025, 11, 13, 9, 30)),
        ("Tue, 02 Dec 2025 14:00:00 EST", utc(2025, 12, 2, 19, 0)),
        ("Tue, 01 Jul 2025 14:00:00 EDT", utc(2025, 7, 1, 18, 0)),
        ("Tue, 01 Jul 2025 08:15:00 CST", utc(2025, 7, 1, 14, 15)),
        ("Tue, 01 Jul 2025 08:15:00 CDT", utc(2025, 7, 1, 13, 15)),
        ("Tue, 01 Jul 2025 06:00:00 PST", utc(2025, 7, 1, 14, 0)),
        ("Tue, 01 Jul 2025 06:00:00 PDT", utc(2025, 7, 1, 13, 0)),
        ("Tue, 01 Jul 2025 06:00:00 MST", utc(2025, 7, 1, 13, 0)),
        ("Tue, 01 Jul 2025 06:00:00 HST", utc(2025, 7, 1, 16, 0)),
        ("Tue, 01 Jul 2025 06:00:00 AKDT", utc(2025, 7, 1, 14, 0)),
        ("Tue, 01 Jul 2025 06:00:00 +05:30", utc(2025, 7, 1, 0, 30)),
        ("2 Dec 2025 14:00 EST", utc(2025, 12, 2, 19, 0)),
        # Two-digit years (RFC 5322 section 4.3).
        ("Tue, 24 Nov 26 12:00:00 +0000", utc(2026, 11, 24, 12, 0)),
        ("Fri, 13 Nov 26 09:05:00 -0500", utc(2026, 11, 13, 14, 5)),
        ("Sat, 01 Jan 99 00:00:00 GMT", utc(1999, 1, 1, 0, 0)),
        # No zone: New York wall time (EST in winter, EDT in summer).
        ("Tue, 02 Dec 2025 14:00:00", utc(2025, 12, 2, 19, 0)),
        ("Tue, 01 Jul 2025 14:00:00", utc(2025, 7, 1, 18, 0)),
        # ISO 8601 / RFC 3339.
        ("2025-08-18T13:44:00Z", utc(2025, 8, 18, 13, 44)),
        ("2025-08-18T13:44:00-04:00", utc(2025, 8, 18, 17, 44)),
        ("2025-08-18T13:44:00.123+00:00", utc(2025, 8, 18, 13, 44, 0, 123000)),
        ("2025-08-18T13:44:00", utc(2025, 8, 18, 17, 44)),
        ("2025-08-18 13:44", utc(2025, 8, 18, 17, 44)),
        ("2025-12-18", utc(2025, 12, 18, 5, 0)),
        # Drupal's medium date, zone-less (FEMA descriptions, DHS listings).
        ("Mon, 08/18/2025 - 13:44", utc(2025, 8, 18, 17, 44)),
        ("Thu, 12/11/2025 - 09:05", utc(2025, 12, 11, 14, 5)),
        ("08/18/2025", utc(2025, 8, 18, 4, 0)),
        # Prose dates on listing pages.
        ("December 12, 2025", utc(2025, 12, 12, 5, 0)),
        ("Dec. 12, 2025", utc(2025, 12, 12, 5, 0)),
        ("Dec 12, 2025", utc(2025, 12, 12, 5, 0)),
        ("Sept. 3, 2025", utc(2025, 9, 3, 4, 0)),
        ("June 4, 2025", utc(2025, 6, 4, 4, 0)),
        ("Wednesday, June 4, 2025", utc(2025, 6, 4, 4, 0)),
        ("Sept. 3, 2025 3:15 p.m.", utc(2025, 9, 3, 19, 15)),
        ("December 12, 2025 at 9:00 AM EST", utc(2025, 12, 12, 14, 0)),
        ("December 12, 2025 12:30 a.m.", utc(2025, 12, 12, 5, 30)),
        ("  December\n   12,  2025 ", utc(2025, 12, 12, 5, 0)),
    ],
)
def test_parse_date(text: str, expected: datetime) -> None:
    got = parse_date(text)
    assert got == expected
    assert got is not None and got.utcoffset() is not None and got.tzinfo == UTC


def test_default_zone_is_a_parameter() -> None:
    assert parse_date("December 12, 2025", default_zone="America/Chicago") == utc(
        2025, 12, 12, 6, 0
    )
    assert parse_date("Mon, 08/18/2025 - 13:44", default_zone="UTC") == utc(2025, 8, 18, 13, 44)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "yesterday",
        "Posted by mbrennan",
        "February 30, 2025",
        "13/45/2025",
        "Tue, 02 Dec 2025 25:00:00 GMT",
        "Tue, 02 Dec 2025 14:00:00 XYZ",
        "Smarch 3, 2025",
        "December 12, 2025 13:00 p.m.",
        "2025-13-01",
        "x" * 500,
    ],
)
def test_not_a_date(text: str) -> None:
    assert parse_date(text) is None
