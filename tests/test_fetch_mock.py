"""The fetcher with httpx.MockTransport: header handling, decoding, spacing with a fake clock."""

from __future__ import annotations

import asyncio
import gzip
import zlib
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from syndicate.config import FetchConfig
from syndicate.errors import FetchError, TooLarge
from syndicate.fetch import Fetcher
from syndicate.model import Fetched

UA = "syndicate/9.9 (+https://example.invalid/about)"
NOW = datetime(2026, 11, 29, 12, 0, tzinfo=UTC)
FEED = b"<rss version='2.0'><channel><title>Releases</title></channel></rss>"

Answer = Callable[[httpx.Request], httpx.Response]


def fetch(answer: Answer, url: str = "https://www.example.gov/feed.xml", **kw: Any) -> Fetched:
    async def go() -> Fetched:
        settings: dict[str, Any] = {"host_spacing": 0.0, "respect_robots": False} | kw
        transport = httpx.MockTransport(answer)
        async with Fetcher(UA, transport=transport, clock=lambda: NOW, **settings) as f:
            return await f.get(url)

    return asyncio.run(go())


def test_cache_control_sets_next_after() -> None:
    result = fetch(lambda r: httpx.Response(200, headers={"Cache-Control": "max-age=1800"}))
    assert result.next_after == NOW + timedelta(minutes=30)
    assert result.header("cache-control") == "max-age=1800"
    assert result.fetched_at == NOW


def test_expires_sets_next_after() -> None:
    expires = {"Expires": "Sun, 29 Nov 2026 13:00:00 GMT"}
    assert fetch(lambda r: httpx.Response(200, headers=expires)).next_after == NOW + timedelta(
        hours=1
    )


@pytest.mark.parametrize(
    ("encoding", "encoded"),
    [
        ("gzip", gzip.compress(FEED)),
        ("x-gzip", gzip.compress(FEED)),
        ("gzip", gzip.compress(FEED[:20]) + gzip.compress(FEED[20:])),  # two gzip members
        ("deflate", zlib.compress(FEED)),
        ("deflate", zlib.compress(FEED, wbits=-15)),  # raw deflate, as some servers send
        ("identity", FEED),
    ],
)
def test_bodies_are_decoded(encoding: str, encoded: bytes) -> None:
    def answer(request: httpx.Request) -> httpx.Response:
        # stream= (not content=) so httpx leaves the bytes encoded, as a real server sends them
        headers = {"Content-Encoding": encoding}
        return httpx.Response(200, headers=headers, stream=httpx.ByteStream(encoded))

    assert fetch(answer).body == FEED


def test_unsupported_encoding_is_an_error() -> None:
    def answer(request: httpx.Request) -> httpx.Response:
        headers = {"Content-Encoding": "br"}
        return httpx.Response(200, headers=headers, stream=httpx.ByteStream(b"x"))

    with pytest.raises(FetchError, match="unsupported Content-Encoding 'br'"):
        fetch(answer)


def test_cap_applies_to_in_memory_responses() -> None:
    with pytest.raises(TooLarge):
        fetch(lambda r: httpx.Response(200, content=FEED), max_bytes=10)


def test_corrupt_gzip_is_an_error() -> None:
    def answer(request: httpx.Request) -> httpx.Response:
        headers = {"Content-Encoding": "gzip"}
        return httpx.Response(200, headers=headers, stream=httpx.ByteStream(b"nope"))

    with pytest.raises(FetchError, match="corrupt compressed body"):
        fetch(answer)


def test_redirect_to_another_scheme_is_refused() -> None:
    with pytest.raises(FetchError, match="non-http URL"):
        fetch(lambda r: httpx.Response(302, headers={"Location": "ftp://example.gov/feed"}))


def test_redirect_without_location_is_an_error() -> None:
    with pytest.raises(FetchError, match=r"301 from .* without a Location"):
        fetch(lambda r: httpx.Response(301))


def test_not_a_url() -> None:
    with pytest.raises(FetchError, match="not an http"):
        fetch(lambda r: httpx.Response(200), url="file:///etc/passwd")


def test_spacing_and_crawl_delay_use_the_injected_clock() -> None:
    """With a fake monotonic clock the waits are exact: 2 s spacing, or a 10 s Crawl-delay."""
    now = [100.0]
    waits: list[float] = []

    async def sleep(seconds: float) -> None:
        waits.append(seconds)
        now[0] += seconds

    def answer(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/robots.txt":
            if request.url.host == "www.uscis.gov":
                return httpx.Response(200, text="User-agent: *\nCrawl-delay: 10\n")
            return httpx.Response(404)
        return httpx.Response(200, content=FEED)

    async def go() -> None:
        transport = httpx.MockTransport(answer)
        async with Fetcher(
            UA, host_spacing=2.0, transport=transport, monotonic=lambda: now[0], sleep=sleep
        ) as f:
            await f.get("https://www.dhs.gov/a")
            await f.get("https://www.dhs.gov/b")
            await f.get("https://www.uscis.gov/a")
            await f.get("https://www.uscis.gov/b")

    asyncio.run(go())
    # dhs: robots, (2 s) /a, (2 s) /b. uscis: robots, then the Crawl-delay it just read
    # applies from that request on: (10 s) /a, (10 s) /b.
    assert waits == [2.0, 2.0, 10.0, 10.0]


def test_from_config() -> None:
    config = FetchConfig(max_bytes=1234, host_spacing=3.0, respect_robots=False)
    f = Fetcher.from_config(config, UA)
    assert (f.max_bytes, f.host_spacing, f.respect_robots) == (1234, 3.0, False)
