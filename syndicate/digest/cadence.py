"""When digests are due: a cadence and the time now in, the current slot and its key out.

A slot is the latest scheduled send time not after now, in the service's time zone, so a
daily digest keyed `daily:2026-11-29` is due from 07:00 New York time that day until the
next day's 07:00. Immediate subscribers have no slot: each new brief is its own digest.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from syndicate.config import DigestsConfig
from syndicate.model import Cadence

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


def _at(day: date, at: time, zone: ZoneInfo) -> datetime:
    # zoneinfo resolves a wall time that a DST change skips or repeats (fold=0: the first).
    return datetime.combine(day, at.replace(tzinfo=None), tzinfo=zone).astimezone(UTC)


def slot(
    cadence: Cadence, now: datetime, settings: DigestsConfig, zone: ZoneInfo
) -> datetime | None:
    """The latest send time of `cadence` at or before `now` (UTC); None for immediate."""
    local = now.astimezone(zone)
    if cadence == "daily":
        today = _at(local.date(), settings.daily_at, zone)
        return (
            today
            if today <= now
            else _at(local.date() - timedelta(days=1), settings.daily_at, zone)
        )
    if cadence == "weekly":
        back = (local.weekday() - WEEKDAYS.index(settings.weekly_day)) % 7
        this = _at(local.date() - timedelta(days=back), settings.weekly_at, zone)
        return (
            this
            if this <= now
            else _at(local.date() - timedelta(days=back + 7), settings.weekly_at, zone)
        )
    return None


def key(cadence: Cadence, when: datetime, zone: ZoneInfo, brief_id: str = "") -> str:
    """The digest key: `daily:<local date>`, `weekly:<local date>` or `immediate:<brief id>`."""
    if cadence == "immediate":
        return f"immediate:{brief_id}"
    return f"{cadence}:{when.astimezone(zone).date().isoformat()}"
