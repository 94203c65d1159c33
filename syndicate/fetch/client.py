"""The fetcher: a URL and cache validators → `Fetched`, politely. The only HTTP client.

Input: an absolute http(s) URL, the validators remembered from the last fetch, an Accept
header. Output: a `Fetched` (200 with the decoded body, or 304 with none), or a `FetchError`
(`Throttled`, `TooLarge`, `Deadline`) whose message starts with `fetch:`.

Politeness (DESIGN.md, "A good citizen"): one request at a time per host, at least
`host_spacing` seconds (or the robots.txt Crawl-delay, if larger) between the end of one
request and the start of the next, robots.txt consulted (per origin, RFC 9309), a host
that sent Retry-After left alone until then. Limits: connect and read timeouts, one
deadline per fetch (from its first request to its last byte, across every redirect and
the waits between them), and a cap on decoded bytes. Safety: only http(s), and only
public addresses, checked after DNS resolution on every connection (`address.py`),
unless `allow_private`.

One httpx client per host: every request to a host is serialised anyway, so each
client needs one keep-alive connection, and small pools avoid the shared pool's slowdown
under concurrency (encode/httpx#3215; figures in bench/poll.py).
"""

from __future__ import annotations

import asyncio
import ssl
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from types import TracebackType
from urllib.parse import urldefrag, urljoin, urlsplit

import httpx

from syndicate.clock import Clock, utc_now
from syndicate.config import FetchConfig
from syndicate.errors import Deadline, FetchError, RefusedAddress, Throttled, TooLarge
from syndicate.fetch import address, body, robots
from syndicate.fetch.reply import Reply, read, words
from syndicate.fetch.timing import retry_at
from syndicate.model import Fetched, Validators

FEED_ACCEPT = (
    "application/atom+xml, application/rss+xml, application/rdf+xml;q=0.9, "
    "application/xml;q=0.9, text/xml;q=0.8, text/html;q=0.5, */*;q=0.1"
)
PAGE_ACCEPT = "text/html, application/xhtml+xml;q=0.9, */*;q=0.1"

REDIRECTS = frozenset({301, 302, 303, 307, 308})
PERMANENT = frozenset({301, 308})  # RFC 9110 sections 15.4.2 and 15.4.9
DRAIN_BYTES = 65536  # read at most this much of a non-2xx body, then drop the connection


@dataclass
class _Host:
    """What we remember about one host name (all its schemes and ports)."""

    client: httpx.AsyncClient
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    last: float | None = None  # monotonic time the previous request ended
    rules: dict[str, tuple[robots.Rules, float]] = field(default_factory=dict)  # per origin
    not_before: datetime | None = None  # from a Retry-After
    throttled_by: int = 429  # the status that carried it


class Fetcher:
    """An async HTTP client that speaks HTTP so the rest of syndicate does not have to."""

    def __init__(
        self,
        user_agent: str,
        *,
        connect_timeout: float = 10.0,
        read_timeout: float = 20.0,
        deadline: float = 30.0,
        max_bytes: int = 10_000_000,
        host_spacing: float = 1.0,
        max_redirects: int = 10,
        respect_robots: bool = True,
        allow_private: bool = False,
        allow_networks: Sequence[str] = (),
        clock: Clock = utc_now,
        monotonic: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.user_agent = user_agent
        self.deadline = deadline
        self.max_bytes = max_bytes
        self.host_spacing = host_spacing
        self.max_redirects = max_redirects
        self.respect_robots = respect_robots
        self.allow_private = allow_private
        self.allow_networks = address.networks(allow_networks)
        self._clock = clock
        self._monotonic = monotonic
        self._sleep = sleep
        self._transport = transport
        self._timeout = httpx.Timeout(
            connect=connect_timeout, read=read_timeout, write=read_timeout, pool=None
        )
        self._hosts: dict[str, _Host] = {}
        self._ssl: ssl.SSLContext | None = None

    @classmethod
    def from_config(cls, config: FetchConfig, user_agent: str, **kwargs: object) -> Fetcher:
        """A fetcher with the `[fetch]` settings; kwargs (clock, transport...) pass through."""
        return cls(
            user_agent,
            connect_timeout=config.connect_timeout,
            read_timeout=config.read_timeout,
            deadline=config.deadline,
            max_bytes=config.max_bytes,
            host_spacing=config.host_spacing,
            max_redirects=config.max_redirects,
            respect_robots=config.respect_robots,
            allow_private=config.allow_private,
            allow_networks=config.allow_networks,
            **kwargs,  # type: ignore[arg-type]
        )

    async def __aenter__(self) -> Fetcher:
        return self

    async def __aexit__(
        self, kind: type[BaseException] | None, e: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Close every connection."""
        hosts, self._hosts = self._hosts, {}
        await asyncio.gather(*(h.client.aclose() for h in hosts.values()))

    # -- the public verbs --------------------------------------------------------------------

    async def get(
        self, url: str, validators: Validators | None = None, *, accept: str = FEED_ACCEPT
    ) -> Fetched:
        """GET a URL (conditionally, when validators are given), following redirects."""
        started = self._monotonic()
        headers = {"Accept": accept}
        if validators and validators.etag:
            headers["If-None-Match"] = validators.etag
        if validators and validators.last_modified:
            headers["If-Modified-Since"] = validators.last_modified
        current, permanent, still_permanent = url, None, True
        seen = {url}
        # One deadline for the whole fetch: it starts with the first request (not while
        # waiting for the host's turn) and covers every redirect hop and the waits between.
        try:
            async with asyncio.timeout(None) as limit:
                while True:
                    reply = await self._exchange("GET", current, headers, limit=limit)
                    if reply.status not in REDIRECTS:
                        break
                    target = self._location(reply, url)
                    if reply.status in PERMANENT and still_permanent:
                        permanent = target  # where the original now lives, for the caller
                    else:
                        still_permanent = False
                    if target in seen:
                        raise FetchError(
                            f"fetch: redirect loop at {target} (from {url})", reply.status
                        )
                    if len(seen) > self.max_redirects:
                        raise FetchError(
                            f"fetch: more than {self.max_redirects} redirects from {url}"
                        )
                    seen.add(target)
                    current = target
        except TimeoutError:
            hops = f" and {len(seen) - 1} redirects" if len(seen) > 1 else ""
            raise Deadline(
                f"fetch: {url} took longer than the {self.deadline:g} s deadline (for the "
                f"whole fetch{hops})"
            ) from None
        elapsed = self._monotonic() - started
        return reply.fetched(url, validators, permanent, elapsed, self._clock())

    async def post_form(self, url: str, data: dict[str, str]) -> int:
        """POST a form (e.g. a WebSub publish ping) and return the status; no redirects."""
        reply = await self._exchange("POST", url, {"Accept": "*/*"}, data)
        return reply.status

    # -- one request -------------------------------------------------------------------------

    async def _exchange(
        self,
        method: str,
        url: str,
        headers: dict[str, str],
        data: dict[str, str] | None = None,
        *,
        limit: asyncio.Timeout | None = None,
    ) -> Reply:
        """One request under the host's lock, spacing, robots rules and the deadline
        (`limit`, the fetch's, started by its first request; else one of its own)."""
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise FetchError(f"fetch: not an http(s) URL: {url!r}")
        name = parts.hostname  # lower-cased, without port or user info
        if not self.allow_private:
            # Early and clear; the connection checks the resolved address again.
            address.check_literal(name, self.allow_networks)
        port = f":{parts.port}" if parts.port else ""
        origin = f"{parts.scheme}://{f'[{name}]' if ':' in name else name}{port}"
        host = self._host(name)
        async with host.lock:
            self._check_throttle(name, host)
            delay = self.host_spacing
            if self.respect_robots:
                rules = await self._robots(origin, host, limit)
                if not rules.allowed(url):
                    # RFC 9309 section 2.3.1.4: an unreachable robots.txt means "stay away"
                    # for now; an unreachable host is said as such, not as a robots rule.
                    raise FetchError(rules.refusal(origin, url))
                delay = max(delay, rules.crawl_delay)
            await self._space(host, delay)
            try:
                reply = await self._send(host, method, url, headers, data, limit=limit)
            finally:
                host.last = self._monotonic()
        self._check_status(host, reply)
        return reply

    async def _send(
        self,
        host: _Host,
        method: str,
        url: str,
        headers: dict[str, str],
        data: dict[str, str] | None = None,
        *,
        follow: bool = False,
        max_bytes: int | None = None,
        limit: asyncio.Timeout | None = None,
    ) -> Reply:
        cap = self.max_bytes if max_bytes is None else max_bytes
        if limit is not None and limit.when() is None:
            limit.reschedule(asyncio.get_running_loop().time() + self.deadline)
        try:
            async with asyncio.timeout(None if limit is not None else self.deadline):
                request = host.client.build_request(method, url, headers=headers, data=data)
                response = await host.client.send(request, stream=True, follow_redirects=follow)
                try:
                    length = response.headers.get("content-length", "")
                    encoded = response.headers.get("content-encoding")
                    if 200 <= response.status_code < 300:
                        if length.isdigit() and int(length) > cap and not encoded:
                            raise TooLarge(
                                f"fetch: {url} announces {int(length):,} bytes, "
                                f"over the {cap:,}-byte cap"
                            )
                        content = await read(response, url, encoded, cap, max_bytes is not None)
                    else:
                        # Drain a short redirect/error/304 body, undecoded, so the connection
                        # goes back to the pool; an unread response closes it.
                        content = await read(response, url, None, DRAIN_BYTES, True)
                finally:
                    await response.aclose()
        except TimeoutError:
            raise Deadline(
                f"fetch: {url} took longer than the {self.deadline:g} s deadline"
            ) from None
        except httpx.HTTPError as e:
            detail = f": {e}" if str(e) else ""
            raise FetchError(f"fetch: {words(e)} from {url}{detail}") from None
        return Reply(str(response.url), response.status_code, response.headers, content)

    # -- politeness --------------------------------------------------------------------------

    def _host(self, name: str) -> _Host:
        host = self._hosts.get(name)
        if host is None:
            host = self._hosts[name] = _Host(self._client())
        return host

    def _client(self) -> httpx.AsyncClient:
        if self._ssl is None and self._transport is None:
            self._ssl = ssl.create_default_context()  # shared: loading CA roots is slow
        # Requests to one host are serialised, so one connection is all a client needs.
        limits = httpx.Limits(max_connections=2, max_keepalive_connections=1)
        transport = self._transport
        if transport is None and not self.allow_private and self._ssl is not None:
            transport = address.Transport(self._ssl, limits, self.allow_networks)
        return httpx.AsyncClient(
            headers={"User-Agent": self.user_agent, "Accept-Encoding": body.ACCEPT_ENCODING},
            timeout=self._timeout,
            limits=limits,
            max_redirects=5,  # only used for robots.txt (RFC 9309 section 2.3.1.2)
            transport=transport,
            verify=self._ssl or True,
            trust_env=False,
        )

    async def _space(self, host: _Host, delay: float) -> None:
        if host.last is not None:
            wait = host.last + delay - self._monotonic()
            if wait > 0:
                await self._sleep(wait)

    async def _robots(
        self, origin: str, host: _Host, limit: asyncio.Timeout | None = None
    ) -> robots.Rules:
        """The origin's robots.txt rules, fetched at most once per TTL (under the host lock);
        the fetch's deadline covers it, and one cut short by it is not remembered."""
        cached = host.rules.get(origin)
        if cached is not None and self._monotonic() < cached[1]:
            return cached[0]
        await self._space(host, self.host_spacing)
        url = f"{origin}/robots.txt"
        try:
            accept = {"Accept": "text/plain"}
            reply = await self._send(
                host, "GET", url, accept, follow=True, max_bytes=robots.MAX_BYTES, limit=limit
            )
            rules = robots.rules(reply.status, reply.body, self.user_agent)
        except RefusedAddress:
            raise  # not "robots.txt unreachable": the host itself is off limits
        except FetchError as e:
            rules = robots.rules(None, b"", self.user_agent, str(e).removeprefix("fetch: "))
        finally:
            host.last = self._monotonic()
        ttl = robots.UNREACHABLE_TTL if rules.unreachable else robots.TTL
        host.rules[origin] = (rules, self._monotonic() + ttl)
        return rules

    def _check_throttle(self, name: str, host: _Host) -> None:
        if host.not_before is None:
            return
        if self._clock() < host.not_before:
            when = host.not_before.isoformat(timespec="seconds")
            message = f"fetch: {name} asked us to wait until {when}"
            raise Throttled(message, host.throttled_by, host.not_before)
        host.not_before = None

    def _check_status(self, host: _Host, reply: Reply) -> None:
        status = reply.status
        if status < 400 and (status < 300 or status in REDIRECTS or status == 304):
            return
        after = retry_at(reply.headers.get("retry-after"), self._clock())
        if status == 429 or (status == 503 and after is not None):
            host.not_before, host.throttled_by = after, status
            when = f" until {after.isoformat(timespec='seconds')}" if after else ""
            raise Throttled(f"fetch: {status} from {reply.url}: asked to wait{when}", status, after)
        if status == 410:
            raise FetchError(f"fetch: 410 from {reply.url}: gone for good", status)
        raise FetchError(f"fetch: {status} from {reply.url}", status)

    # -- results -----------------------------------------------------------------------------

    def _location(self, reply: Reply, original: str) -> str:
        location = reply.headers.get("location")
        if not location:
            raise FetchError(f"fetch: {reply.status} from {reply.url} without a Location")
        target: str = urldefrag(urljoin(reply.url, location.strip()))[0]
        if urlsplit(target).scheme not in ("http", "https"):
            raise FetchError(f"fetch: {original} redirects to a non-http URL {target!r}")
        return target
