"""The fetcher against a real HTTP server on 127.0.0.1: conditional GET, statuses, redirects,
robots.txt, per-host politeness, our User-Agent."""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Coroutine
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

import pytest
from server import Request, Response, Server

from syndicate.errors import FetchError, Throttled
from syndicate.fetch import Fetcher, next_poll
from syndicate.model import Fetched, Validators

UA = "syndicate/9.9 (+https://example.invalid/about)"
NOW = datetime(2026, 11, 29, 12, 0, tzinfo=UTC)
FEED = b"<?xml version='1.0'?><rss version='2.0'><channel><title>t</title></channel></rss>"
T = TypeVar("T")


def run(coro: Coroutine[Any, Any, T]) -> T:
    return asyncio.run(coro)


def fetcher(**kw: Any) -> Fetcher:
    # The test server is on 127.0.0.1, which a fetcher refuses unless told otherwise.
    settings: dict[str, Any] = {
        "host_spacing": 0.0,
        "respect_robots": False,
        "deadline": 10.0,
        "allow_private": True,
    }
    return Fetcher(UA, **(settings | kw))


async def get(url: str, validators: Validators | None = None, **kw: Any) -> Fetched:
    async with fetcher(**kw) as f:
        return await f.get(url, validators)


def test_conditional_get_round_trip(http_server: Server) -> None:
    etag, modified = '"v1-abc"', "Sat, 28 Nov 2026 10:00:00 GMT"

    def feed(request: Request) -> Response:
        if request.headers.get("if-none-match") == etag:
            return Response(304, {"ETag": etag})
        headers = {"ETag": etag, "Last-Modified": modified, "Content-Type": "application/rss+xml"}
        return Response(200, headers, FEED)

    http_server.handle("/feed.xml", feed)
    url = http_server.url("/feed.xml")

    async def both() -> tuple[Fetched, Fetched]:
        async with fetcher() as f:
            first = await f.get(url)
            return first, await f.get(url, first.validators)

    first, second = run(both())
    assert (first.status, first.body) == (200, FEED)
    assert first.validators == Validators(etag, modified)
    assert second.status == 304 and second.not_modified and second.body == b""
    # The 304 omitted Last-Modified: the stored one stays valid.
    assert second.validators == Validators(etag, modified)
    sent = http_server.requests("/feed.xml")[1].headers
    assert sent["if-none-match"] == etag
    assert sent["if-modified-since"] == modified


def test_last_modified_alone_gets_304(http_server: Server) -> None:
    modified = "Fri, 27 Nov 2026 08:30:00 GMT"

    def feed(request: Request) -> Response:
        if request.headers.get("if-modified-since") == modified:
            return Response(304)
        return Response(200, {"Last-Modified": modified}, FEED)

    http_server.handle("/feed.xml", feed)
    result = run(get(http_server.url("/feed.xml"), Validators(last_modified=modified)))
    assert result.status == 304
    assert result.validators == Validators(None, modified)
    assert "if-none-match" not in http_server.log[0].headers


def test_user_agent_and_accept_are_sent(http_server: Server) -> None:
    http_server.route("/feed.xml", body=FEED)
    run(get(http_server.url("/feed.xml")))
    headers = http_server.log[0].headers
    assert headers["user-agent"] == UA
    assert "application/rss+xml" in headers["accept"]
    assert headers["accept-encoding"] == "gzip, deflate"


def test_429_with_retry_after_is_honoured_in_next_poll(http_server: Server) -> None:
    http_server.route("/feed.xml", status=429, headers={"Retry-After": "3600"})
    with pytest.raises(Throttled) as caught:
        run(get(http_server.url("/feed.xml"), clock=lambda: NOW))
    e = caught.value
    assert e.status == 429 and str(e).startswith("fetch: 429 from ")
    assert e.retry_at == NOW + timedelta(hours=1)
    when = next_poll(NOW, 900, failures=1, max_backoff=6 * 3600, not_before=e.retry_at)
    assert when == NOW + timedelta(hours=1)


def test_503_with_http_date_retry_after(http_server: Server) -> None:
    http_server.route(
        "/feed.xml", status=503, headers={"Retry-After": "Sun, 29 Nov 2026 14:30:00 GMT"}
    )
    with pytest.raises(Throttled) as caught:
        run(get(http_server.url("/feed.xml"), clock=lambda: NOW))
    assert caught.value.retry_at == datetime(2026, 11, 29, 14, 30, tzinfo=UTC)


def test_throttled_host_is_left_alone_until_retry_after(http_server: Server) -> None:
    http_server.route("/a.xml", status=429, headers={"Retry-After": "120"})
    http_server.route("/b.xml", body=FEED)
    clock = [NOW]

    async def go() -> Fetched:
        async with fetcher(clock=lambda: clock[0]) as f:
            with pytest.raises(Throttled):
                await f.get(http_server.url("/a.xml"))
            with pytest.raises(Throttled) as caught:
                await f.get(http_server.url("/b.xml"))
            assert caught.value.retry_at == NOW + timedelta(seconds=120)
            clock[0] = NOW + timedelta(seconds=121)
            return await f.get(http_server.url("/b.xml"))

    assert run(go()).status == 200
    assert [e.path for e in http_server.log] == ["/a.xml", "/b.xml"]


def test_500_then_recovery(http_server: Server) -> None:
    calls: list[int] = []

    def flaky(request: Request) -> Response:
        calls.append(1)
        return Response(500, body=b"oops") if len(calls) == 1 else Response(200, body=FEED)

    http_server.handle("/feed.xml", flaky)
    url = http_server.url("/feed.xml")
    with pytest.raises(FetchError) as caught:
        run(get(url))
    assert caught.value.status == 500
    assert not isinstance(caught.value, Throttled)
    assert str(caught.value) == f"fetch: 500 from {url}"
    backoff = next_poll(NOW, 900, failures=1, max_backoff=6 * 3600)
    assert backoff > NOW + timedelta(seconds=900)
    assert run(get(url)).body == FEED


def test_410_is_distinguishable(http_server: Server) -> None:
    http_server.route("/gone.xml", status=410)
    with pytest.raises(FetchError) as caught:
        run(get(http_server.url("/gone.xml")))
    assert caught.value.status == 410
    assert "gone" in str(caught.value)


def test_permanent_redirect_is_followed_and_remembered(http_server: Server) -> None:
    http_server.redirect("/old.xml", "/new.xml", status=301)
    http_server.route("/new.xml", body=FEED)
    result = run(get(http_server.url("/old.xml")))
    assert result.url == http_server.url("/old.xml")
    assert result.final_url == http_server.url("/new.xml")
    assert result.permanent_url == http_server.url("/new.xml")
    assert result.body == FEED


def test_temporary_redirect_is_not_remembered(http_server: Server) -> None:
    http_server.redirect("/a", "/b", status=301)
    http_server.redirect("/b", "/c", status=302)
    http_server.redirect("/c", "/d", status=308)
    http_server.route("/d", body=FEED)
    result = run(get(http_server.url("/a")))
    assert result.final_url == http_server.url("/d")
    # /a moved for good to /b; /b is only temporarily at /c, so /b is what to remember.
    assert result.permanent_url == http_server.url("/b")

    result = run(get(http_server.url("/b")))
    assert result.permanent_url is None


def test_redirect_loop(http_server: Server) -> None:
    http_server.redirect("/a", "/b")
    http_server.redirect("/b", http_server.url("/a"))
    with pytest.raises(FetchError, match=r"^fetch: redirect loop at .*/a"):
        run(get(http_server.url("/a")))
    assert [e.path for e in http_server.log] == ["/a", "/b"]


def test_too_many_redirects(http_server: Server) -> None:
    for i in range(5):
        http_server.redirect(f"/r{i}", f"/r{i + 1}")
    http_server.route("/r5", body=FEED)
    with pytest.raises(FetchError, match="more than 3 redirects"):
        run(get(http_server.url("/r0"), max_redirects=3))
    assert run(get(http_server.url("/r0"), max_redirects=5)).body == FEED


def test_connection_refused_is_a_fetch_error(http_server: Server) -> None:
    url = http_server.url("/feed.xml")
    http_server.stop()
    with pytest.raises(FetchError, match=r"^fetch: connect error from "):
        run(get(url))


def test_robots_disallow_is_respected(http_server: Server) -> None:
    http_server.route(
        "/robots.txt",
        body="User-agent: *\nDisallow: /drafts/\n\nUser-agent: syndicate\nDisallow: /private/\n",
    )
    http_server.route("/private/feed.xml", body=FEED)
    http_server.route("/drafts/feed.xml", body=FEED)
    with pytest.raises(FetchError, match=r"robots\.txt .* disallows"):
        run(get(http_server.url("/private/feed.xml"), respect_robots=True))
    # Our own group replaces the `*` group (RFC 9309 section 2.2.1).
    assert run(get(http_server.url("/drafts/feed.xml"), respect_robots=True)).body == FEED
    assert not http_server.requests("/private/feed.xml")


def test_robots_fetched_once_and_crawl_delay_honoured(http_server: Server) -> None:
    http_server.route("/robots.txt", body="User-agent: *\nCrawl-delay: 1\n")
    http_server.route("/a.xml", body=FEED)
    http_server.route("/b.xml", body=FEED)

    async def go() -> None:
        async with fetcher(respect_robots=True, host_spacing=0.1) as f:
            await f.get(http_server.url("/a.xml"))
            await f.get(http_server.url("/b.xml"))

    run(go())
    log = http_server.log
    assert [e.path for e in log] == ["/robots.txt", "/a.xml", "/b.xml"]
    assert log[1].finished is not None
    assert log[2].started - log[1].finished >= 0.95  # the 1 s Crawl-delay, not the 0.1 s spacing


def test_robots_server_error_means_disallow(http_server: Server) -> None:
    http_server.route("/robots.txt", status=503)
    http_server.route("/feed.xml", body=FEED)
    with pytest.raises(FetchError, match=r"robots\.txt answered 503; not fetching"):
        run(get(http_server.url("/feed.xml"), respect_robots=True))


def test_missing_robots_allows_everything(http_server: Server) -> None:
    http_server.route("/feed.xml", body=FEED)
    assert run(get(http_server.url("/feed.xml"), respect_robots=True)).body == FEED
    assert [e.path for e in http_server.log] == ["/robots.txt", "/feed.xml"]


def test_one_request_at_a_time_per_host_with_spacing(http_server: Server) -> None:
    http_server.route("/slow", body=FEED, delay=0.3)

    async def go() -> None:
        async with fetcher(host_spacing=0.2) as f:
            await asyncio.gather(*(f.get(http_server.url("/slow")) for _ in range(3)))

    run(go())
    log = http_server.log
    assert len(log) == 3
    for before, after in itertools.pairwise(log):
        assert before.finished is not None
        assert after.started >= before.finished + 0.19


def test_different_hosts_may_overlap(http_server: Server) -> None:
    http_server.route("/slow", body=FEED, delay=0.5)

    async def go() -> None:
        async with fetcher(host_spacing=5.0) as f:
            await asyncio.gather(
                f.get(http_server.url("/slow", host="127.0.0.1")),
                f.get(http_server.url("/slow", host="localhost")),
            )

    run(go())
    first, second = sorted(http_server.log, key=lambda e: e.started)
    assert {first.host.split(":")[0], second.host.split(":")[0]} == {"127.0.0.1", "localhost"}
    assert first.finished is not None
    assert second.started < first.finished  # the two hosts were served at the same time


def test_post_form(http_server: Server) -> None:
    http_server.route("/hub", status=204)

    async def ping() -> int:
        async with fetcher() as f:
            return await f.post_form(
                http_server.url("/hub"), {"hub.mode": "publish", "hub.url": "x"}
            )

    assert run(ping()) == 204
    entry = http_server.log[0]
    assert entry.method == "POST"
    assert entry.body == b"hub.mode=publish&hub.url=x"
    assert entry.headers["content-type"] == "application/x-www-form-urlencoded"


def test_connection_is_kept_alive_across_statuses(http_server: Server) -> None:
    http_server.route("/feed.xml", body=FEED)
    http_server.route("/same.xml", status=304)
    http_server.route("/missing.xml", status=404, body=b"no such feed")

    async def go() -> None:
        async with fetcher() as f:
            await f.get(http_server.url("/feed.xml"))
            await f.get(http_server.url("/same.xml"), Validators('"x"'))
            with pytest.raises(FetchError):
                await f.get(http_server.url("/missing.xml"))
            await f.get(http_server.url("/feed.xml"))

    run(go())
    assert len(http_server.log) == 4
    assert http_server.connections == 1


def test_politeness_is_per_host_not_per_port(http_server: Server) -> None:
    http_server.route("/slow", body=FEED, delay=0.3)
    with Server() as other:
        other.route("/slow", body=FEED, delay=0.3)

        async def go() -> None:
            async with fetcher(host_spacing=0.2) as f:
                await asyncio.gather(f.get(http_server.url("/slow")), f.get(other.url("/slow")))

        run(go())
        first, second = sorted([http_server.log[0], other.log[0]], key=lambda e: e.started)
    assert first.finished is not None
    assert second.started >= first.finished + 0.19
