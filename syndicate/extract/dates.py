"""Dates as release pages state them: text in, an aware UTC `datetime` (or None) out.

Government pages write dates many ways: ISO 8601 in `<time datetime>` and meta tags,
RFC 5322 in feeds, "April 15, 2025" / "Dec. 1, 2025" in bylines, "04/15/2025" in
"Last Modified" stamps, and Drupal's zone-less "Mon, 08/18/2025 - 13:44" in FEMA's feed.
A stamp without a zone is read as Washington time, where these agencies publish.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from zoneinfo import ZoneInfo

EASTERN = ZoneInfo("America/New_York")

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
_WORDY = re.compile(
    r"\b(?P<month>[A-Za-z]{3,9})\.?\s+(?P<day>\d{1,2})(?:st|nd|rd|th)?,?\s+(?P<year>\d{4})"
    r"(?:\s*(?:at|-|,)?\s*(?P<hour>\d{1,2}):(?P<minute>\d{2})\s*(?P<ampm>[ap]\.?m\.?)?)?",
    re.I,
)
_NUMERIC = re.compile(
    r"\b(?P<month>\d{1,2})/(?P<day>\d{1,2})/(?P<year>\d{4})"
    r"(?:\s*-?\s*(?P<hour>\d{1,2}):(?P<minute>\d{2})\s*(?P<ampm>[ap]\.?m\.?)?)?",
    re.I,
)
_ISO = re.compile(r"\d{4}-\d{2}-\d{2}(?:[T ][0-9:.]+(?:Z|[+-]\d{2}:?\d{2})?)?")


def when(text: str | None) -> datetime | None:
    """The first date `text` states, as an aware UTC datetime; None when it states none."""
    if not text or not (text := text.strip()):
        return None
    iso = _ISO.search(text)
    if iso:
        try:
            return _utc(datetime.fromisoformat(iso.group(0).replace("Z", "+00:00")))
        except ValueError:
            pass
    if re.match(r"[A-Za-z]{3},\s+\d{1,2}\s+[A-Za-z]{3}", text):
        try:
            return _utc(parsedate_to_datetime(text))
        except (TypeError, ValueError):
            pass
    for pattern in (_WORDY, _NUMERIC):
        for m in pattern.finditer(text):
            found = _from_match(m)
            if found:
                return found
    return None


def _from_match(m: re.Match[str]) -> datetime | None:
    month_text = m.group("month")
    month = int(month_text) if month_text.isdigit() else _MONTHS.get(month_text.lower())
    if not month:
        return None
    hour = int(m.group("hour") or 0)
    ampm = (m.group("ampm") or "").lower().replace(".", "")
    if ampm == "pm" and hour < 12:
        hour += 12
    elif ampm == "am" and hour == 12:
        hour = 0
    try:
        local = datetime(
            int(m.group("year")), month, int(m.group("day")), hour, int(m.group("minute") or 0)
        )
    except ValueError:
        return None
    return _utc(local)


def _utc(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=EASTERN)
    return moment.astimezone(UTC)
