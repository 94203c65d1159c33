"""robots.txt (RFC 9309) → what a host lets us fetch and how slowly.

Input: the status and bytes of a host's `/robots.txt` fetch and our User-Agent. Output: a
`Rules` value answering `allowed(url)` and `crawl_delay`. The fetcher caches one per origin.
The rules themselves are read by protego, which implements RFC 9309's matching (the longest
matching rule wins, `Allow` on a tie, `*` and `$` wildcards, percent-encoding) where the
standard library's parser applies the first rule that matches.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from protego import Protego

# RFC 9309 section 2.5: parse at least the first 500 KiB; we ignore the rest.
MAX_BYTES = 500 * 1024
# RFC 9309 section 2.4: do not use a cached robots.txt for more than 24 hours.
TTL = 24 * 3600.0
# After a 5xx or network error we assume "disallow all" (RFC 9309 section 2.3.1.4), but
# only this long, so a brief outage does not stop a source for a day.
UNREACHABLE_TTL = 600.0
# A Crawl-delay above this is treated as this; a typo must not stall a source for hours.
MAX_CRAWL_DELAY = 300.0

# How resolvers say "no such name" (glibc, musl, macOS): a DNS failure, not a robots.txt one.
_DNS = re.compile(
    r"name or service not known|nodename nor servname|temporary failure in name resolution|"
    r"no address associated with hostname|name does not resolve|getaddrinfo failed",
    re.I,
)


@dataclass(frozen=True)
class Rules:
    """One origin's robots.txt, as far as it concerns us."""

    agent: str
    parser: Protego | None = None
    unreachable: str | None = None  # why the origin is off limits for now
    status: int | None = None  # robots.txt's own status when it answered 429/5xx

    def allowed(self, url: str) -> bool:
        """May we fetch this URL? (No robots.txt, or a 4xx for it, means yes.)"""
        if self.unreachable is not None:
            return False
        return self.parser is None or bool(self.parser.can_fetch(url, self.agent))

    @property
    def crawl_delay(self) -> float:
        """The Crawl-delay for our agent (or `*`), in seconds; 0 when none is given."""
        if self.parser is None:
            return 0.0
        delay = self.parser.crawl_delay(self.agent)
        try:
            return min(float(delay or 0), MAX_CRAWL_DELAY)
        except (TypeError, ValueError):
            return 0.0

    def refusal(self, origin: str, url: str) -> str:
        """Why `url` is not fetched now, in the words an operator needs first.

        A host that cannot be reached (no DNS name, refused connection) is said as such; only
        a robots.txt that answered with an error is a robots.txt problem."""
        if self.unreachable is None:
            return f"fetch: robots.txt of {origin} disallows {url}"
        host = urlsplit(origin).hostname or origin
        if self.status is not None:
            return (
                f"fetch: {origin}/robots.txt answered {self.status}; not fetching {url} "
                "until it answers (RFC 9309 asks crawlers to stay away meanwhile)"
            )
        if _DNS.search(self.unreachable):
            return f"fetch: cannot resolve {host} (DNS lookup failed); {url} was not fetched"
        return f"fetch: cannot reach {host} ({self.unreachable}); {url} was not fetched"


def rules(status: int | None, body: bytes, agent: str, error: str | None = None) -> Rules:
    """Rules from a robots.txt response; `status` None with `error` when the fetch failed."""
    if status is None:
        # RFC 9309 section 2.3.1.4: unreachable means complete disallow for now.
        return Rules(agent, unreachable=error or "no answer")
    if status == 429 or status >= 500:
        return Rules(agent, unreachable=f"status {status}", status=status)
    if not 200 <= status < 300:
        return Rules(agent)  # 4xx: "unavailable", crawl freely (section 2.3.1.3)
    text = body[:MAX_BYTES].decode("utf-8", errors="replace")
    return Rules(agent, Protego.parse(text))
