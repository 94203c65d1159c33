"""robots.txt rules as RFC 9309 reads them (longest match, wildcards), and how a fetch that
robots.txt or an unreachable host stops is worded."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from syndicate.errors import FetchError
from syndicate.fetch import Fetcher, robots

UA = "syndicate/9.9 (+https://example.invalid/about)"
SITE = "https://www.example.gov"

RULES = """\
User-agent: *
Disallow: /news/
Allow: /news/releases/
Disallow: /*.pdf$
Disallow: /search?
Crawl-delay: 4

User-agent: other-bot
Disallow: /
"""


@pytest.mark.parametrize(
    ("path", "allowed"),
    [
        ("/news/2026/11/30/story", False),
        # RFC 9309 section 2.2.2: the longest match wins, so the Allow under the Disallow
        # opens its subtree (the stdlib parser applied the first rule that matched: closed).
        ("/news/releases/2026/story", True),
        ("/files/report.pdf", False),  # `*` and `$` wildcards
        ("/files/report.pdf.html", True),  # `$` anchors the end
        ("/search?q=cbp", False),
        ("/searching", True),
        ("/", True),
    ],
)
def test_longest_match_and_wildcards(path: str, allowed: bool) -> None:
    rules = robots.rules(200, RULES.encode(), UA)
    assert rules.allowed(SITE + path) is allowed


def test_allow_wins_a_tie_and_our_group_replaces_star() -> None:
    text = b"User-agent: *\nDisallow: /\n\nUser-agent: syndicate\nAllow: /feed\nDisallow: /feed\n"
    rules = robots.rules(200, text, UA)
    # Equal-length Allow and Disallow: Allow wins (section 2.2.2); our group, not `*`.
    assert rules.allowed(SITE + "/feed.xml")
    assert rules.allowed(SITE + "/anything")


def test_crawl_delay_is_read_and_capped() -> None:
    assert robots.rules(200, RULES.encode(), UA).crawl_delay == 4.0
    capped = robots.rules(200, b"User-agent: *\nCrawl-delay: 99999\n", UA)
    assert capped.crawl_delay == robots.MAX_CRAWL_DELAY
    assert robots.rules(404, b"", UA).crawl_delay == 0.0


def test_4xx_allows_and_5xx_disallows() -> None:
    assert robots.rules(404, b"", UA).allowed(SITE + "/x")
    closed = robots.rules(503, b"", UA)
    assert not closed.allowed(SITE + "/x")
    assert "robots.txt answered 503" in closed.refusal(SITE, SITE + "/x")


def _fetch(answer: httpx.MockTransport) -> None:
    async def go() -> None:
        async with Fetcher(UA, transport=answer, host_spacing=0.0, respect_robots=True) as f:
            await f.get(SITE + "/feed.xml")

    asyncio.run(go())


def test_a_dns_failure_is_not_worded_as_a_robots_problem() -> None:
    def answer(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("[Errno -2] Name or service not known", request=request)

    with pytest.raises(FetchError) as caught:
        _fetch(httpx.MockTransport(answer))
    message = str(caught.value)
    assert message.startswith("fetch: cannot resolve www.example.gov (DNS lookup failed)")
    assert "robots" not in message


def test_a_refused_connection_names_the_host() -> None:
    def answer(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("[Errno 111] Connection refused", request=request)

    with pytest.raises(FetchError, match=r"^fetch: cannot reach www\.example\.gov \(") as caught:
        _fetch(httpx.MockTransport(answer))
    assert "Connection refused" in str(caught.value)


def test_a_disallowed_url_says_robots_txt() -> None:
    def answer(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/robots.txt":
            return httpx.Response(200, text="User-agent: *\nDisallow: /feed\n")
        return httpx.Response(200, text="<rss/>")

    with pytest.raises(FetchError, match=r"robots\.txt of https://www\.example\.gov disallows"):
        _fetch(httpx.MockTransport(answer))
