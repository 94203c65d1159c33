"""Date text as government sites write it → an aware UTC `datetime`.

Input is one date string from a feed or a listing page; output is an aware datetime in UTC,
or None when the text is not a date. Read, in order:

- ISO 8601 / RFC 3339 (`2025-08-18T13:44:00-04:00`, `2025-08-18`);
- RFC 822 / RFC 5322 section 3.3 dates, including the obsolete two-digit years of section 4.3
  (`Tue, 02 Dec 25 14:00:00 EST`) and the named North American zones;
- Drupal's default medium format (`Mon, 08/18/2025 - 13:44`) and `08/18/2025`;
- prose dates (`December 12, 2025`, `Dec. 12, 2025`, `Sept. 3, 2025 3:15 p.m. ET`);
- a date split over several elements (`Aug 07` + `2026`, `Aug` + `07` + `2026`), by `joined`.

A date with no zone is wall-clock time in `default_zone` (the DHS sites' own zone, America/
New_York); a date with no time is midnight there.

`parse_date` reads a string that is one date (feeds, listing pages); `find` reads the first
date stated somewhere in a longer text (bylines, "Release Date: ..." labels, the Coast
Guard's "PRESS RELEASE | Jan. 28, 2026", "Last Modified" stamps on release pages); `joined`
reads the pieces of one date written in separate elements.
Both the parse and the extract stages use this module, which is why it sits below them.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, timezone, tzinfo
from functools import cache
from zoneinfo import ZoneInfo

_MONTHS = {
    name: number
    for number, names in enumerate(
        (
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ),
        start=1,
    )
    for name in names
}

# RFC 5322 section 4.3 names UT, GMT and the US zones; the rest are zones DHS components
# publish from (Alaska, Hawaii, Guam, Puerto Rico) plus the military "Z".
_ZONES = {
    "UT": 0,
    "UTC": 0,
    "GMT": 0,
    "Z": 0,
    "EST": -5,
    "EDT": -4,
    "CST": -6,
    "CDT": -5,
    "MST": -7,
    "MDT": -6,
    "PST": -8,
    "PDT": -7,
    "AKST": -9,
    "AKDT": -8,
    "HST": -10,
    "AST": -4,
    "ADT": -3,
    "CHST": 10,
}
# The zone-only abbreviations press offices write ("3:15 p.m. ET"): the wall clock of the
# zone, whatever daylight saving says on that day.
_WALL_ZONES = {
    "ET": "America/New_York",
    "CT": "America/Chicago",
    "MT": "America/Denver",
    "PT": "America/Los_Angeles",
}

_MONTH = r"(?P<month>[A-Za-z]{3,9})\.?"
_TIME = (
    r"(?:(?:\s+|\s*[-,@]\s*|\s+at\s+|T)"
    r"(?P<hour>\d{1,2}):(?P<minute>\d{2})(?::(?P<second>\d{2})(?:\.\d+)?)?"
    r"\s*(?P<ampm>[ap]\.?\s?m\.?)?)?"
)
_ZONE = r"(?:\s*(?P<zone>[+-]\d{2}:?\d{2}|[A-Za-z]{1,5}))?"
_WEEKDAY = r"(?:[A-Za-z]{3,9}\.?,?\s+)?"

_PATTERNS = tuple(
    re.compile(p, re.I)
    for p in (
        # RFC 822: "Tue, 02 Dec 2025 14:00:00 -0500", "02 Dec 25 14:00 EST"
        _WEEKDAY + r"(?P<day>\d{1,2})\s+" + _MONTH + r",?\s+(?P<year>\d{2}|\d{4})" + _TIME + _ZONE,
        # Prose: "December 12, 2025", "Dec. 12, 2025 3:15 p.m. EST"
        _WEEKDAY
        + _MONTH
        + r"\s+(?P<day>\d{1,2})(?:st|nd|rd|th)?,?\s+(?P<year>\d{4})"
        + _TIME
        + _ZONE,
        # Drupal: "Mon, 08/18/2025 - 13:44", US numeric "08/18/2025"
        _WEEKDAY + r"(?P<mnum>\d{1,2})/(?P<day>\d{1,2})/(?P<year>\d{4}|\d{2})" + _TIME + _ZONE,
    )
)


@cache
def _zone(name: str) -> tzinfo:
    return ZoneInfo(name)


def parse_date(text: str, default_zone: str = "America/New_York") -> datetime | None:
    """Read one date as sites write it; aware UTC, or None when it is not a date."""
    text = " ".join(text.split())
    if not text or len(text) > 100:
        return None
    found = _iso(text, default_zone)
    if found is None:
        for pattern in _PATTERNS:
            m = pattern.fullmatch(text)
            if m and (found := _from_match(m, default_zone)):
                break
    return found.astimezone(UTC) if found else None


_ISO_IN_TEXT = re.compile(r"\d{4}-\d{2}-\d{2}(?:[T ][0-9:.]+(?:Z|[+-]\d{2}:?\d{2})?)?")


def find(text: str | None, default_zone: str = "America/New_York") -> datetime | None:
    """The first date `text` states, aware UTC; None when it states none."""
    if not text or not (text := " ".join(text.split())):
        return None
    whole = parse_date(text, default_zone)
    if whole is not None:
        return whole
    iso = _ISO_IN_TEXT.search(text)
    if iso and (found := _iso(iso.group(0).replace("Z", "+00:00"), default_zone)):
        return found.astimezone(UTC)
    for pattern in _PATTERNS:
        for m in pattern.finditer(text):
            # In running text the "zone" may be the next word ("May 1, 2025 Washington"):
            # an unknown one means the default zone rather than no date.
            found = _from_match(m, default_zone, lenient=True)
            if found is not None:
                return found.astimezone(UTC)
    return None


def joined(parts: list[str], default_zone: str = "America/New_York") -> datetime | None:
    """One date written across several elements, in document order ("Aug 07", "2026"); the
    pieces are read with spaces between them, then with slashes ("08", "07", "2026")."""
    pieces = [" ".join(p.split()) for p in parts if p.strip()]
    if not pieces:
        return None
    return parse_date(" ".join(pieces), default_zone) or parse_date("/".join(pieces), default_zone)


def _iso(text: str, default_zone: str) -> datetime | None:
    if not re.match(r"\d{4}-\d{2}-\d{2}", text):
        return None
    try:
        value = datetime.fromisoformat(text.replace(" ", "T", 1) if " " in text else text)
    except ValueError:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=_zone(default_zone))
    return value


def _from_match(m: re.Match[str], default_zone: str, *, lenient: bool = False) -> datetime | None:
    groups = m.groupdict()
    if groups.get("mnum"):
        month: int | None = int(groups["mnum"])
    else:
        month = _MONTHS.get(groups["month"].lower())
    year = int(groups["year"])
    if len(groups["year"]) == 2:
        # RFC 5322 section 4.3: 00-49 are 2000-2049, 50-99 are 1950-1999.
        year += 2000 if year < 50 else 1900
    hour = int(groups["hour"] or 0)
    ampm = (groups["ampm"] or "").replace(".", "").replace(" ", "").lower()
    if ampm:
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if ampm == "pm" else 0)
    zone = _tz(groups["zone"], default_zone)
    if zone is None and lenient:
        zone = _zone(default_zone)
    if month is None or zone is None:
        return None
    try:
        return datetime(
            year,
            month,
            int(groups["day"]),
            hour,
            int(groups["minute"] or 0),
            int(groups["second"] or 0),
            tzinfo=zone,
        )
    except ValueError:
        return None


def _tz(name: str | None, default_zone: str) -> tzinfo | None:
    if not name:
        return _zone(default_zone)
    if name[0] in "+-":
        digits = name[1:].replace(":", "")
        offset = timedelta(hours=int(digits[:2]), minutes=int(digits[2:]))
        # RFC 5322 section 3.3: "-0000" means the zone is unknown; UTC is the honest reading.
        return timezone(-offset if name[0] == "-" else offset)
    if name.upper() in _WALL_ZONES:
        return _zone(_WALL_ZONES[name.upper()])
    hours = _ZONES.get(name.upper())
    return None if hours is None else timezone(timedelta(hours=hours))
