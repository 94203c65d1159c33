"""Web side requests per second: a feed file (plain and conditional) and a brief page, against
the same uvicorn answering a constant body.

    .venv/bin/python bench/web.py [--seconds 5] [--concurrency 16]

The server runs in a child process (uvicorn, one worker, as `syndicate serve` runs it) over an
SQLite store seeded with briefs and a 50-entry Atom feed of realistic size. The load generator
is an httpx async client in this process, keeping `--concurrency` requests in flight for a
fixed time per case. The baseline is a bare ASGI app on the same uvicorn returning the feed's
bytes as a constant: what serving costs with no routing, no file, no store and no headers of
ours. Two figures per case: requests per second of wall time, and requests per CPU-second
the server process used (read from /proc), which holds steady when other work shares the
machine. Read the ratios; absolute figures depend on the machine.
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import os
import socket
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from browser_support import atom, make_config, seed  # noqa: E402

from syndicate import store as stores  # noqa: E402
from syndicate import web  # noqa: E402


def _serve(app_kind: str, root: str, sock: socket.socket) -> None:
    import uvicorn

    config = make_config(Path(root))
    app: Any
    if app_kind == "constant":
        body = (config.feeds_dir / "all.atom").read_bytes()

        async def app(scope: Any, receive: Any, send: Any) -> None:
            headers = [
                (b"content-type", b"application/atom+xml"),
                (b"content-length", b"%d" % len(body)),
            ]
            await send({"type": "http.response.start", "status": 200, "headers": headers})
            await send({"type": "http.response.body", "body": body})

    else:
        app = web.app(config, stores.open(config.database_url))
    server = uvicorn.Server(
        uvicorn.Config(app, log_level="error", access_log=False, lifespan="off")
    )
    asyncio.run(server.serve(sockets=[sock]))


def start(app_kind: str, root: Path) -> tuple[multiprocessing.Process, str]:
    """A server process on an ephemeral port; its base URL once it answers."""
    sock = socket.create_server(("127.0.0.1", 0))
    url = f"http://127.0.0.1:{sock.getsockname()[1]}"
    proc = multiprocessing.get_context("fork").Process(
        target=_serve, args=(app_kind, str(root), sock), daemon=True
    )
    proc.start()
    sock.close()
    deadline = time.monotonic() + 20
    while True:
        try:
            httpx.get(url + "/healthz", timeout=1)
            return proc, url
        except httpx.TransportError:
            if time.monotonic() > deadline:
                raise SystemExit("bench: the server did not start") from None
            time.sleep(0.1)


async def _one(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, request: bytes) -> int:
    """Send one request on a kept-alive connection, read the whole response; its status."""
    writer.write(request)
    head = await reader.readuntil(b"\r\n\r\n")
    status = int(head[9:12])
    length = 0
    for line in head.split(b"\r\n"):
        if line[:15].lower() == b"content-length:":
            length = int(line[15:])
    if length:
        await reader.readexactly(length)
    return status


async def load(
    url: str, headers: dict[str, str], seconds: float, concurrency: int
) -> tuple[float, int]:
    """Requests per second answered 200 or 304 during `seconds` (and how many), `concurrency`
    at a time.

    A minimal HTTP/1.1 keep-alive client on asyncio streams: the client shares the CPU with
    the server, so it must cost as little as possible (httpx would be the bottleneck).
    """
    parts = httpx.URL(url)
    lines = [f"GET {parts.raw_path.decode()} HTTP/1.1", f"Host: {parts.host}:{parts.port}"]
    lines += [f"{k}: {v}" for k, v in headers.items()]
    request = ("\r\n".join(lines) + "\r\n\r\n").encode()
    done = 0
    stop = 0.0

    async def worker() -> None:
        nonlocal done
        reader, writer = await asyncio.open_connection(parts.host, parts.port)
        try:
            await _one(reader, writer, request)  # warm up: connection open, file cached
            await ready.wait()
            while time.perf_counter() < stop:
                status = await _one(reader, writer, request)
                if status not in (200, 304):
                    raise SystemExit(f"bench: {url} answered {status}")
                done += 1
        finally:
            writer.close()

    ready = asyncio.Event()
    tasks = [asyncio.create_task(worker()) for _ in range(concurrency)]
    await asyncio.sleep(0.2)
    began = time.perf_counter()
    stop = began + seconds
    ready.set()
    await asyncio.gather(*tasks)
    return done / (time.perf_counter() - began), done


def cpu_seconds(pid: int) -> float:
    """User + system CPU time a process has used (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def prepare(root: Path) -> str:
    """Config, store and feed files under `root`; the id of a brief to fetch."""
    config = make_config(root)
    config.data_dir.mkdir()
    config.feeds_dir.mkdir()
    (config.feeds_dir / "all.atom").write_bytes(atom(50))
    store = stores.open(config.database_url)
    try:
        return seed(store)[0].id
    finally:
        store.close()


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--seconds", type=float, default=5.0, help="time per case")
    p.add_argument("--concurrency", type=int, default=16, help="requests in flight")
    args = p.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        brief_id = prepare(root)
        size = (root / "feeds" / "all.atom").stat().st_size
        ours, ours_url = start("web", root)
        base, base_url = start("constant", root)
        try:
            etag = httpx.get(ours_url + "/feeds/all.atom").headers["etag"]
            identity = {"Accept-Encoding": "identity"}
            cases = [
                ("baseline: constant body", base, base_url + "/", identity),
                ("feed, unconditional", ours, ours_url + "/feeds/all.atom", identity),
                (
                    "feed, If-None-Match (304)",
                    ours,
                    ours_url + "/feeds/all.atom",
                    {**identity, "If-None-Match": etag},
                ),
                ("feed, gzip", ours, ours_url + "/feeds/all.atom", {"Accept-Encoding": "gzip"}),
                ("brief page", ours, f"{ours_url}/briefs/{brief_id}", identity),
            ]
            each = f"{args.concurrency} in flight, {args.seconds:g} s each"
            print(f"feed: {size} bytes, 50 entries; {each}")
            print(f"{'case':30} {'req/s':>8} {'ratio':>6}   {'req/server-CPU-s':>16} {'ratio':>6}")
            first: tuple[float, float] | None = None
            for name, proc, url, headers in cases:
                assert proc.pid is not None
                used = cpu_seconds(proc.pid)
                rps, count = asyncio.run(load(url, headers, args.seconds, args.concurrency))
                per_cpu = count / max(cpu_seconds(proc.pid) - used, 1e-9)
                first = first or (rps, per_cpu)
                print(
                    f"{name:30} {rps:8.0f} {rps / first[0]:5.2f}x   "
                    f"{per_cpu:16.0f} {per_cpu / first[1]:5.2f}x"
                )
        finally:
            for proc in (ours, base):
                proc.terminate()
                proc.join(10)


if __name__ == "__main__":
    main()
