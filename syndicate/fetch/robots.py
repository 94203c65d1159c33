"""robots.txt (RFC 9309) → what a host lets us fetch and how slowly.

Input: the status and bytes of a host's `/robots.txt` fetch and our User-Agent. Output: a
`Rules` value answering `allowed(url)` and `crawl_delay`. The fetcher caches one per origin.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.robotparser import RobotFileParser

# RFC 9309 section 2.5: parse at least the first 500 KiB; we ignore the rest.
MAX_BYTES = 500 * 1024
# RFC 9309 section 2.4: do not use a cached robots.txt for more than 24 hours.
TTL = 24 * 3600.0
# After a 5xx or network error we assume "disallow all" (RFC 9309 section 2.3.1.4), but
# only this long, so a brief outage does not stop a source for a day.
UNREACHABLE_TTL = 600.0
# A Crawl-delay above this is treated as this; a typo must not stall a source for hours.
MAX_CRAWL_DELAY = 300.0


@dataclass(frozen=True)
class Rules:
    """One origin's robots.txt, as far as it concerns us."""

    agent: str
    parser: RobotFileParser | None = None
    unreachable: str | None = None

    def allowed(self, url: str) -> bool:
        """May we fetch this URL? (No robots.txt, or a 4xx for it, means yes.)"""
        if self.unreachable is not None:
            return False
        return self.parser is None or self.parser.can_fetch(self.agent, url)

    @property
    def crawl_delay(self) -> float:
        """The Crawl-delay for our agent (or `*`), in seconds; 0 when none is given."""
        if self.parser is None:
            return 0.0
        delay = self.parser.crawl_delay(self.agent)
        try:
            return min(float(delay or 0), MAX_CRAWL_DELAY)
        except ValueError:
            return 0.0


def rules(status: int | None, body: bytes, agent: str, error: str | None = None) -> Rules:
    """Rules from a robots.txt response; `status` None with `error` when the fetch failed."""
    if status is None or status == 429 or status >= 500:
        # RFC 9309 section 2.3.1.4: unreachable means complete disallow for now.
        return Rules(agent, unreachable=error or f"status {status}")
    if not 200 <= status < 300:
        return Rules(agent)  # 4xx: "unavailable", crawl freely (section 2.3.1.3)
    parser = RobotFileParser()
    parser.parse(body[:MAX_BYTES].decode("utf-8", errors="replace").splitlines())
    parser.modified()  # can_fetch() refuses everything until the parser is marked as read
    return Rules(agent, parser)
