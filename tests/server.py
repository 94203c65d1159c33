"""A real HTTP/1.1 server on 127.0.0.1 for tests: programmable routes and a request log.

It runs an asyncio server in a background thread, so tests (sync or async) talk to it over
real sockets exactly as the fetcher talks to a government site. Bodies can be generated
lazily (endless bodies, gzip bombs) and are written with back-pressure, so nothing large is
ever held in memory.

Use it through the `http_server` fixture (tests/conftest.py), one fresh server per test:

    def test_feed(http_server: Server) -> None:
        http_server.route("/feed.xml", body=FEED, headers={"Content-Type": "application/rss+xml"})
        url = http_server.url("/feed.xml")                 # http://127.0.0.1:<port>/feed.xml
        other = http_server.url("/feed.xml", host="localhost")   # same server, another host
        ...
        assert http_server.log[0].headers["user-agent"].startswith("syndicate/")

Routes (exact path match, query string ignored; unknown paths answer 404):
- `route(path, *, status=200, body=b"", headers=None, delay=0.0, drip=0.0)` - a fixed
  response. `body` may be str (UTF-8). `delay` waits before the status line; `drip` sends
  the body one byte at a time with that many seconds between bytes.
- `handle(path, fn)` - `fn(request: Request) -> Response`, called on the server thread for
  each request; e.g. answer 304 when `request.headers.get("if-none-match")` matches, or
  count calls to fail first and recover later.
- `redirect(path, to, status=302)` - `Location: to` (absolute or relative, as given).
- `endless(path, chunk=65536, headers=None)` - a chunked body that never ends.
- `gzip_bomb(path, decoded=10**9)` - `Content-Encoding: gzip`, zeros compressed on the fly:
  about 1 KB on the wire per MB decoded.
- `remove(path)`.

`Response(status, headers, body, stream=None, length=None, delay=0.0, drip=0.0)`: `stream`
is a zero-argument callable returning an iterator of byte chunks, sent chunked unless
`length` gives a Content-Length (give one with `drip`: dripped bytes are sent unframed).
Header names keep the case given; Content-Length is added when you give none.

`log` is a list of `Logged` (method, path, target, host, headers lower-cased, body, started,
finished, sent): `started`/`finished` are `time.monotonic()` when the request head arrived
and when the response was fully written (or the client went away); `sent` counts body bytes
written. `wait_idle()` waits for in-flight responses to be logged as finished.

`connections` counts accepted TCP connections (keep-alive checks).

`Server(hosts=("127.0.0.1",))` listens on each given loopback address on the same port
(the whole 127.0.0.0/8 block is local on Linux), for benchmarks that need many hosts.
"""

from __future__ import annotations

import asyncio
import contextlib
import gzip
import threading
import time
import zlib
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any

Headers = Mapping[str, str] | Iterable[tuple[str, str]]


@dataclass(frozen=True)
class Request:
    """What a client sent; header names are lower-cased."""

    method: str
    target: str
    headers: dict[str, str]
    body: bytes

    @property
    def path(self) -> str:
        return self.target.split("?", 1)[0]


@dataclass
class Response:
    """What a route answers; see the module docstring."""

    status: int = 200
    headers: Headers = ()
    body: bytes | str = b""
    stream: Callable[[], Iterable[bytes]] | None = None
    length: int | None = None
    delay: float = 0.0
    drip: float = 0.0


@dataclass
class Logged:
    """One request as the server saw it, with when it started and finished."""

    method: str
    path: str
    target: str
    host: str
    headers: dict[str, str]
    body: bytes
    started: float
    finished: float | None = None
    sent: int = 0
    status: int = 0


Handler = Callable[[Request], Response]


def _zeros_gzipped(decoded: int) -> Iterator[bytes]:
    """Gzip of `decoded` zero bytes, produced lazily (never more than 1 MB in hand)."""
    squeeze = zlib.compressobj(9, zlib.DEFLATED, 31)
    block = bytes(1 << 20)
    left = decoded
    while left > 0:
        piece = block if left >= len(block) else bytes(left)
        left -= len(piece)
        out = squeeze.compress(piece)
        if out:
            yield out
    yield squeeze.flush()


class Server:
    """The fixture server; start() binds, stop() shuts it down and ends open streams."""

    def __init__(self, hosts: Iterable[str] = ("127.0.0.1",)) -> None:
        self.hosts = tuple(hosts)
        self.port = 0
        self.routes: dict[str, Handler] = {}
        self.log: list[Logged] = []
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._servers: list[asyncio.Server] = []
        self._conns: set[asyncio.Task[Any]] = set()
        self.connections = 0  # TCP connections accepted, to check keep-alive

    # -- lifecycle -------------------------------------------------------------------------

    def start(self) -> Server:
        self._thread.start()
        asyncio.run_coroutine_threadsafe(self._bind(), self._loop).result(10)
        return self

    def stop(self) -> None:
        if not self._thread.is_alive():
            return
        asyncio.run_coroutine_threadsafe(self._close(), self._loop).result(10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)
        self._loop.close()

    def __enter__(self) -> Server:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    async def _bind(self) -> None:
        for host in self.hosts:
            srv = await asyncio.start_server(self._serve, host, self.port, backlog=1024)
            self.port = srv.sockets[0].getsockname()[1]
            self._servers.append(srv)

    async def _close(self) -> None:
        for srv in self._servers:
            srv.close()
        for task in list(self._conns):
            task.cancel()
        await asyncio.gather(*self._conns, return_exceptions=True)
        for srv in self._servers:
            await srv.wait_closed()

    # -- routes ----------------------------------------------------------------------------

    def url(self, path: str = "/", host: str | None = None) -> str:
        """An absolute URL on this server; `host` may be `localhost` to look like another host."""
        return f"http://{host or self.hosts[0]}:{self.port}{path}"

    def handle(self, path: str, fn: Handler) -> None:
        self.routes[path] = fn

    def route(
        self,
        path: str,
        *,
        status: int = 200,
        body: bytes | str = b"",
        headers: Headers | None = None,
        delay: float = 0.0,
        drip: float = 0.0,
    ) -> None:
        answer = Response(status, tuple(_pairs(headers or ())), body, delay=delay, drip=drip)
        self.routes[path] = lambda _request: answer

    def redirect(self, path: str, to: str, status: int = 302) -> None:
        self.route(path, status=status, headers={"Location": to})

    def endless(self, path: str, chunk: int = 65536, headers: Headers | None = None) -> None:
        def chunks() -> Iterator[bytes]:
            piece = b"x" * chunk
            while True:
                yield piece

        answer = Response(200, tuple(_pairs(headers or ())), stream=chunks)
        self.routes[path] = lambda _request: answer

    def gzip_bomb(self, path: str, decoded: int = 10**9) -> None:
        headers = (("Content-Type", "application/xml"), ("Content-Encoding", "gzip"))
        answer = Response(200, headers, stream=lambda: _zeros_gzipped(decoded))
        self.routes[path] = lambda _request: answer

    def remove(self, path: str) -> None:
        self.routes.pop(path, None)

    def requests(self, path: str | None = None) -> list[Logged]:
        """The log, optionally only the requests for one path."""
        return [e for e in list(self.log) if path is None or e.path == path]

    def wait_idle(self, timeout: float = 5.0) -> None:
        """Wait until every logged request has finished (its response written or abandoned)."""
        end = time.monotonic() + timeout
        while any(e.finished is None for e in list(self.log)) and time.monotonic() < end:
            time.sleep(0.01)

    # -- the protocol ----------------------------------------------------------------------

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._conns.add(task)
        self.connections += 1
        try:
            while await self._one(reader, writer):
                pass
        except (ConnectionError, asyncio.IncompleteReadError, asyncio.LimitOverrunError):
            pass
        except asyncio.CancelledError:
            pass  # stop() ends open streams this way; re-raising makes asyncio log each one
        finally:
            self._conns.discard(task)
            writer.close()
            with contextlib.suppress(Exception):
                await writer.wait_closed()

    async def _one(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> bool:
        """Serve one request; False when the connection should close."""
        try:
            head = await reader.readuntil(b"\r\n\r\n")
        except asyncio.IncompleteReadError:
            return False
        started = time.monotonic()
        lines = head.decode("latin-1").split("\r\n")
        method, target, version = lines[0].split(" ", 2)
        headers: dict[str, str] = {}
        for line in lines[1:]:
            if ":" in line:
                name, value = line.split(":", 1)
                headers[name.strip().lower()] = value.strip()
        size = int(headers.get("content-length", "0") or 0)
        body = await reader.readexactly(size) if size else b""
        request = Request(method, target, headers, body)
        entry = Logged(
            method, request.path, target, headers.get("host", ""), headers, body, started
        )
        self.log.append(entry)
        handler = self.routes.get(request.path)
        if handler is None:
            answer = Response(404, (("Content-Type", "text/plain"),), b"not found\n")
        else:
            try:
                answer = handler(request)
            except Exception as e:  # a broken test handler shows up as a 500 with its reason
                answer = Response(500, (("Content-Type", "text/plain"),), f"handler: {e!r}\n")
        entry.status = answer.status
        keep = version == "HTTP/1.1" and headers.get("connection", "").lower() != "close"
        try:
            await self._send(writer, method, answer, entry)
        finally:
            entry.finished = time.monotonic()
        return keep

    async def _send(
        self, writer: asyncio.StreamWriter, method: str, answer: Response, entry: Logged
    ) -> None:
        if answer.delay:
            await asyncio.sleep(answer.delay)
        pairs = list(_pairs(answer.headers))
        names = {k.lower() for k, _ in pairs}
        body = answer.body.encode() if isinstance(answer.body, str) else answer.body
        no_body = method == "HEAD" or answer.status in (204, 304) or answer.status < 200
        chunked = answer.stream is not None and answer.length is None
        if "content-length" not in names and not no_body:
            if chunked:
                pairs.append(("Transfer-Encoding", "chunked"))
            else:
                length = answer.length if answer.stream is not None else len(body)
                pairs.append(("Content-Length", str(length)))
        reason = _reason(answer.status)
        head = f"HTTP/1.1 {answer.status} {reason}\r\n"
        head += "".join(f"{k}: {v}\r\n" for k, v in pairs) + "\r\n"
        writer.write(head.encode("latin-1"))
        await writer.drain()
        if no_body:
            return
        chunks: Iterable[bytes] = answer.stream() if answer.stream is not None else (body,)
        for chunk in chunks:
            if not chunk:
                continue
            if answer.drip:
                for i in range(len(chunk)):
                    await asyncio.sleep(answer.drip)
                    writer.write(chunk[i : i + 1])
                    await writer.drain()
                    entry.sent += 1
                continue
            writer.write(b"%x\r\n%s\r\n" % (len(chunk), chunk) if chunked else chunk)
            await writer.drain()  # back-pressure: a generated body is never buffered whole
            entry.sent += len(chunk)
        if chunked:
            writer.write(b"0\r\n\r\n")
            await writer.drain()


def _pairs(headers: Headers) -> Iterator[tuple[str, str]]:
    if isinstance(headers, Mapping):
        yield from headers.items()
    else:
        yield from headers


def _reason(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Unknown"


def gzipped(data: bytes | str) -> bytes:
    """Gzip a small fixture body (for `Content-Encoding: gzip` routes)."""
    return gzip.compress(data.encode() if isinstance(data, str) else data)
