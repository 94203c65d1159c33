"""The feeds there are and what they are called: `all`, one per agency, one per topic; their
titles; and the UTC month an archive document holds (RFC 5005 archives are by month).

Input: the config, or an instant. Output: names, titles, months. Used by publishing
(`pipeline.feeds`, `pipeline.feedrun`) and by the CLI.
"""

from __future__ import annotations

from datetime import UTC, datetime

from syndicate.config import Config
from syndicate.config.topics import topic_label


def feed_names(config: Config) -> list[str]:
    """Every feed: `all`, one per agency (built in or added), one per topic of the taxonomy."""
    names = ["all"]
    names += [f"agency/{a.lower()}" for a in config.publishers]
    names += [f"topic/{t}" for t in sorted(config.brief.topics)]
    return names


def title(config: Config, feed: str) -> str:
    """A feed's human title: the site's name (`feeds.title` when set), then the agency code
    or the topic's title (`DHS Briefs: CBP`, `DHS Briefs: Secret Service`)."""
    base = config.feeds.title or config.service.name
    if feed == "all":
        return base
    kind, name = feed.split("/", 1)
    label = name.upper() if kind == "agency" else topic_label(name)
    return f"{base}: {label}"


def month_of(when: datetime) -> str:
    """The UTC month of an instant, as `YYYY-MM`."""
    when = when.astimezone(UTC)
    return f"{when.year:04d}-{when.month:02d}"


def bounds(month: str) -> tuple[datetime, datetime]:
    """The first instant of a `YYYY-MM` month and of the next (UTC)."""
    year, mon = (int(p) for p in month.split("-"))
    start = datetime(year, mon, 1, tzinfo=UTC)
    end = datetime(year + mon // 12, mon % 12 + 1, 1, tzinfo=UTC)
    return start, end
