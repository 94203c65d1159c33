"""Hostile responses through a real server: endless bodies, gzip bombs, drips, stalls.

Measured before writing the fetcher: plain httpx grew 854 MB in 4 s reading an endless
body, and its read timeout never fires while a server sends one byte every 0.4 s. These
tests show the size cap (on decoded bytes) and the total deadline end both, with little
memory. No timed asserts: memory is measured with tracemalloc, time only bounds the test.
"""

from __future__ import annotations

import asyncio
import tracemalloc
from collections.abc import Iterator
from typing import Any

import pytest
from server import Response, Server

from syndicate.errors import Deadline, FetchError, TooLarge
from syndicate.fetch import Fetcher
from syndicate.model import Fetched

UA = "syndicate/9.9 (+https://example.invalid/about)"
CAP = 10_000_000  # the default max_bytes


async def get(url: str, **kw: Any) -> Fetched:
    # The test server is on 127.0.0.1, which a fetcher refuses unless told otherwise.
    settings: dict[str, Any] = {"host_spacing": 0.0, "respect_robots": False}
    settings |= {"allow_private": True} | kw
    async with Fetcher(UA, **settings) as f:
        return await f.get(url)


def peak_growth(url: str, expected: type[Exception], **kw: Any) -> int:
    """Fetch `url` expecting an error; return the peak of traced memory during the fetch."""
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        base, _ = tracemalloc.get_traced_memory()
        with pytest.raises(expected):
            asyncio.run(get(url, **kw))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return peak - base


def test_endless_body_stops_at_the_cap_with_little_memory(http_server: Server) -> None:
    http_server.endless("/endless.xml")
    growth = peak_growth(http_server.url("/endless.xml"), TooLarge)
    assert growth < 4 * CAP, f"peak memory grew {growth:,} bytes"
    http_server.wait_idle()
    sent = http_server.log[0].sent
    assert CAP <= sent < 20 * CAP  # the server was stopped soon after the cap


def test_announced_gigabyte_is_refused_before_reading(http_server: Server) -> None:
    def huge() -> Iterator[bytes]:
        block = b"y" * 65536
        for _ in range(10**9 // 65536):
            yield block

    http_server.handle("/huge.xml", lambda _: Response(stream=huge, length=10**9))
    with pytest.raises(TooLarge, match="announces 1,000,000,000 bytes"):
        asyncio.run(get(http_server.url("/huge.xml")))
    http_server.wait_idle()
    assert http_server.log[0].sent < CAP


def test_gzip_bomb_stops_at_the_cap_counted_decoded(http_server: Server) -> None:
    http_server.gzip_bomb("/bomb.xml", decoded=10**9)
    growth = peak_growth(http_server.url("/bomb.xml"), TooLarge)
    assert growth < 4 * CAP, f"peak memory grew {growth:,} bytes"
    http_server.wait_idle()
    assert http_server.log[0].sent < 2_000_000  # small on the wire, huge decoded


def test_small_cap_applies_to_decoded_bytes(http_server: Server) -> None:
    http_server.gzip_bomb("/bomb.xml", decoded=300_000)
    with pytest.raises(TooLarge, match="over the 200,000-byte cap"):
        asyncio.run(get(http_server.url("/bomb.xml"), max_bytes=200_000))
    assert asyncio.run(get(http_server.url("/bomb.xml"), max_bytes=300_000)).body == bytes(300_000)


def test_drip_is_ended_by_the_deadline(http_server: Server) -> None:
    http_server.route("/drip.xml", body=b"<rss>" + b" " * 95, drip=0.4)  # 40 s in full
    with pytest.raises(Deadline, match=r"^fetch: .*/drip.xml took longer than the 1.2 s deadline"):
        asyncio.run(get(http_server.url("/drip.xml"), deadline=1.2, read_timeout=5.0))
    http_server.wait_idle()
    assert 1 <= http_server.log[0].sent < 10


def test_stalled_server_hits_the_read_timeout(http_server: Server) -> None:
    http_server.route("/stall.xml", body=b"<rss/>", delay=3.0)
    with pytest.raises(FetchError, match=r"^fetch: read timeout from ") as caught:
        asyncio.run(get(http_server.url("/stall.xml"), read_timeout=0.3))
    assert not isinstance(caught.value, Deadline)
