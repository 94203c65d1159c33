"""Poll-cycle benchmark: the Fetcher against a bare httpx loop doing the same requests.

A local server (tests/server.py, in a child process so it does not share our GIL) listens on
127.0.0.1-127.0.0.N (N hosts, same port) and serves SOURCES feeds that answer 304 to our
ETag and FEEDS feeds that answer 200 with 20 new items each. One cycle fetches them all,
`concurrency` at a time, sources spread round-robin over the hosts.

Arrangements measured at concurrency 1, 10 and 50:
- `shared`: one httpx.AsyncClient for everything (default limits) - the baseline;
- `shared-100`: the same with 100 keep-alive connections instead of 20, so that polling more
  than 20 hosts does not reconnect on every request;
- `per-host`: one small httpx.AsyncClient per host (what Fetcher uses), bare loop;
- `Fetcher`: syndicate's fetcher (per-host lock, robots.txt cached, size cap, deadline),
  host_spacing 0 so only the client arrangement and the fetcher's overhead are measured,
  with its address check off (`allow_private`: the hosts are loopback);
- `guarded`: the same with the address check on, as shipped (every new connection's host
  resolved and its addresses checked; `allow_networks` lets 127.0.0.0/8 pass here).

Prints seconds per cycle, requests/s and the ratio of each to the shared-client baseline at
the same concurrency. Usage: .venv/bin/python bench/poll.py [--sources 1000] [--feeds 200]
[--hosts 50] [--cycles 1] [--concurrency 1 10 50]
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import sys
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AsyncExitStack, asynccontextmanager
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
from server import Request, Response, Server

from syndicate.fetch import Fetcher
from syndicate.model import Validators

UA = "syndicate/bench (+https://example.invalid/bench)"
ETAG = '"unchanged-1"'


def _feed(n: int) -> bytes:
    items = "".join(
        f"<item><title>Release {n}-{i}: Department announces program update</title>"
        f"<link>https://www.example.gov/news/2026/11/{i:02d}/release-{n}-{i}</link>"
        f"<guid isPermaLink='false'>urn:uuid:{n:08d}-0000-4000-8000-{i:012d}</guid>"
        f"<pubDate>Sun, 29 Nov 2026 {i % 24:02d}:00:00 GMT</pubDate>"
        f"<description>{'A short summary of the release. ' * 8}</description></item>"
        for i in range(20)
    )
    return (
        "<?xml version='1.0' encoding='UTF-8'?><rss version='2.0'><channel>"
        f"<title>Feed {n}</title><link>https://www.example.gov/</link>{items}</channel></rss>"
    ).encode()


def _serve(hosts: list[str], sources: int, feeds: int, port: Any, stop: Any) -> None:
    def unchanged(request: Request) -> Response:
        if request.headers.get("if-none-match") == ETAG:
            return Response(304, {"ETag": ETAG})
        return Response(200, {"ETag": ETAG}, _feed(0))

    server = Server(hosts).start()
    for i in range(sources):
        server.handle(f"/s/{i}.xml", unchanged)
    for i in range(feeds):
        server.route(f"/f/{i}.xml", body=_feed(i), headers={"Content-Type": "application/rss+xml"})
    server.route("/robots.txt", body="User-agent: *\nDisallow: /private/\n")
    port.value = server.port
    stop.wait()
    server.stop()


Job = tuple[str, Validators | None]
Get = Callable[[str, Validators | None], Awaitable[int]]


def _jobs(hosts: list[str], port: int, sources: int, feeds: int) -> list[Job]:
    jobs: list[Job] = []
    for i in range(sources):
        jobs.append((f"http://{hosts[i % len(hosts)]}:{port}/s/{i}.xml", Validators(ETAG)))
    for i in range(feeds):
        jobs.append((f"http://{hosts[i % len(hosts)]}:{port}/f/{i}.xml", None))
    return jobs


async def _cycle(jobs: list[Job], concurrency: int, get: Get) -> float:
    gate = asyncio.Semaphore(concurrency)
    statuses: list[int] = []

    async def one(url: str, validators: Validators | None) -> None:
        async with gate:
            statuses.append(await get(url, validators))

    started = time.perf_counter()
    await asyncio.gather(*(one(u, v) for u, v in jobs))
    elapsed = time.perf_counter() - started
    assert sorted(set(statuses)) == [200, 304] or statuses.count(304) == len(statuses)
    return elapsed


def _headers(validators: Validators | None) -> dict[str, str]:
    return {"If-None-Match": validators.etag} if validators and validators.etag else {}


@asynccontextmanager
async def _shared() -> AsyncIterator[Get]:
    async with httpx.AsyncClient(headers={"User-Agent": UA}) as client:

        async def get(url: str, validators: Validators | None) -> int:
            return (await client.get(url, headers=_headers(validators))).status_code

        yield get


@asynccontextmanager
async def _shared_tuned() -> AsyncIterator[Get]:
    limits = httpx.Limits(max_connections=100, max_keepalive_connections=100)
    async with httpx.AsyncClient(headers={"User-Agent": UA}, limits=limits) as client:

        async def get(url: str, validators: Validators | None) -> int:
            return (await client.get(url, headers=_headers(validators))).status_code

        yield get


@asynccontextmanager
async def _per_host() -> AsyncIterator[Get]:
    clients: dict[str, httpx.AsyncClient] = {}
    locks: dict[str, asyncio.Lock] = {}
    limits = httpx.Limits(max_connections=2, max_keepalive_connections=1)

    async def get(url: str, validators: Validators | None) -> int:
        host = httpx.URL(url).host
        if host not in clients:
            clients[host] = httpx.AsyncClient(headers={"User-Agent": UA}, limits=limits)
            locks[host] = asyncio.Lock()
        async with locks[host]:
            return (await clients[host].get(url, headers=_headers(validators))).status_code

    try:
        yield get
    finally:
        await asyncio.gather(*(c.aclose() for c in clients.values()))


@asynccontextmanager
async def _fetcher(**safety: object) -> AsyncIterator[Get]:
    async with Fetcher(UA, host_spacing=0.0, respect_robots=True, **safety) as fetcher:  # type: ignore[arg-type]

        async def get(url: str, validators: Validators | None) -> int:
            return (await fetcher.get(url, validators)).status

        yield get


def _unchecked() -> Any:
    """The Fetcher with its address check off (the local hosts are loopback)."""
    return _fetcher(allow_private=True)


def _guarded() -> Any:
    """The Fetcher as shipped: every connection resolved and its address checked (here the
    loopback block is let through with allow_networks, so the check runs and passes)."""
    return _fetcher(allow_networks=["127.0.0.0/8"])


ARRANGEMENTS = {
    "shared": _shared,
    "shared-100": _shared_tuned,
    "per-host": _per_host,
    "Fetcher": _unchecked,
    "guarded": _guarded,
}


async def _measure(jobs: list[Job], concurrency: int, cycles: int) -> dict[str, float]:
    """Best cycle time per arrangement; cycles alternate between arrangements, so a burst of
    load from elsewhere on the machine does not land on one arrangement only."""
    best = dict.fromkeys(ARRANGEMENTS, float("inf"))
    async with AsyncExitStack() as stack:
        gets = {n: await stack.enter_async_context(make()) for n, make in ARRANGEMENTS.items()}
        for get in gets.values():
            await _cycle(jobs[:100], concurrency, get)  # warm up: connections, robots.txt
        for _ in range(cycles):
            for name, get in gets.items():
                best[name] = min(best[name], await _cycle(jobs, concurrency, get))
    return best


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sources", type=int, default=1000, help="feeds answering 304")
    parser.add_argument("--feeds", type=int, default=200, help="feeds answering 200")
    parser.add_argument("--hosts", type=int, default=50, help="loopback hosts to spread over")
    parser.add_argument("--cycles", type=int, default=1, help="timed cycles; the best counts")
    parser.add_argument("--concurrency", type=int, nargs="*", default=[1, 10, 50])
    args = parser.parse_args(argv)

    hosts = [f"127.0.0.{i + 1}" for i in range(args.hosts)]
    ctx = multiprocessing.get_context("fork")
    port, stop = ctx.Value("i", 0), ctx.Event()
    child = ctx.Process(target=_serve, args=(hosts, args.sources, args.feeds, port, stop))
    child.start()
    try:
        while port.value == 0:
            time.sleep(0.05)
        jobs = _jobs(hosts, port.value, args.sources, args.feeds)
        n = len(jobs)
        print(
            f"{args.sources} sources answering 304 + {args.feeds} feeds answering 200 "
            f"(20 items), over {args.hosts} hosts; best of {args.cycles} cycles"
        )
        print(f"{'arrangement':<11} {'conc':>5} {'s/cycle':>8} {'req/s':>7} {'vs shared':>9}")
        for concurrency in args.concurrency:
            best = asyncio.run(_measure(jobs, concurrency, args.cycles))
            for name, seconds in best.items():
                print(
                    f"{name:<11} {concurrency:>5} {seconds:>8.2f} {n / seconds:>7.0f} "
                    f"{best['shared'] / seconds:>8.2f}x"
                )
    finally:
        stop.set()
        child.join(10)


if __name__ == "__main__":
    main()
