"""Daemon cost per poll cycle: `syndicate run --no-web` against 200 local feeds (issue 7).

    .venv/bin/python bench/daemon.py [--sources 200] [--seconds 40] [--briefs 50000]

One local HTTP server (tests/server.py, in this process) serves SOURCES small RSS feeds made
from the sample releases in `syndicate/demo/releases.toml`, spread over 20 loopback hosts
(127.0.0.2...). Half the feeds send an ETag and answer 304 to it; the other half send no
validator, so every poll downloads and parses them. Each source has `interval = 5`,
`full_text = true` (briefs from the feed's text, no article pages) and `[fetch]
host_spacing = 0`.

The daemon runs as `python -m syndicate --config X run --no-web`, in a subprocess, twice:
on an empty store, and on a store holding BRIEFS briefs (with their items), inserted through
the store API beforehand and marked as already published. Its first poll tick takes every
source and briefs their releases; that warm-up ends with the first `poll.done` event. Then
for SECONDS the script measures the daemon's CPU seconds (user+sys, /proc/<pid>/stat), its
peak resident memory (VmHWM in /proc/<pid>/status, reset with /proc/<pid>/clear_refs after
warm-up so it is the steady-state peak) and the feed requests the server answered; one poll
cycle is SOURCES feed requests.

Baselines, measured in the same way in this script: a bare httpx loop in a subprocess
fetching the same feeds every `interval` seconds (If-None-Match where there is an ETag, no
parsing, no store), and an idle `python -c` process's resident memory. Ratios are against
the httpx loop. Everything stops by itself; the whole run takes about four minutes.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT))

from server import Request, Response, Server  # noqa: E402
from store_support import make_brief, make_item  # noqa: E402

from syndicate import store as stores  # noqa: E402
from syndicate.codec import brief_to_json, dumps  # noqa: E402
from syndicate.demo import site  # noqa: E402
from syndicate.model import AGENCIES, Brief, Item  # noqa: E402
from syndicate.pipeline.keys import brief_id, feed_names  # noqa: E402
from syndicate.store import schema  # noqa: E402
from syndicate.store.briefs import material_sha256  # noqa: E402

HOSTS = tuple(f"127.0.0.{n}" for n in range(2, 22))
INTERVAL = 5
TICK = os.sysconf("SC_CLK_TCK")
ETAG = '"bench-1"'
CTYPE = {"Content-Type": "application/rss+xml; charset=utf-8"}
AGENCY_CODES = tuple(AGENCIES)
TOPICS = ("immigration", "cybersecurity", "border-security", "maritime", "disaster-response")

# The baseline: what any poller must do at least. Reads a JSON list of [url, etag] from
# argv[1] and fetches them all every argv[2] seconds, until SIGTERM.
FETCH_LOOP = """
import asyncio, json, signal, sys
import httpx

async def main():
    jobs = json.load(open(sys.argv[1]))
    interval = float(sys.argv[2])
    stop = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
    gate = asyncio.Semaphore(20)
    async with httpx.AsyncClient(limits=httpx.Limits(max_keepalive_connections=100)) as client:
        async def one(url, etag):
            async with gate:
                r = await client.get(url, headers={"If-None-Match": etag} if etag else {})
                r.read()
        while not stop.is_set():
            started = asyncio.get_running_loop().time()
            await asyncio.gather(*(one(u, e) for u, e in jobs))
            left = interval - (asyncio.get_running_loop().time() - started)
            try:
                await asyncio.wait_for(stop.wait(), max(left, 0.0))
            except TimeoutError:
                pass

asyncio.run(main())
"""


@dataclass(frozen=True)
class Measure:
    """One process measured over one window."""

    label: str
    cpu: float  # user+sys seconds in the window
    cycles: float  # feed requests answered in the window / sources
    peak_kib: int  # VmHWM over the window
    warmup_s: float = 0.0  # wall seconds until the first poll tick finished
    warmup_cpu: float = 0.0
    warmup_peak_kib: int = 0
    warmup_note: str = ""

    @property
    def cpu_per_cycle(self) -> float:
        return self.cpu / self.cycles if self.cycles else float("nan")


def cpu_seconds(pid: int) -> float:
    """utime + stime of a process (all its threads), from /proc/<pid>/stat."""
    text = Path(f"/proc/{pid}/stat").read_text()
    fields = text[text.rindex(")") + 2 :].split()
    return (int(fields[11]) + int(fields[12])) / TICK  # fields 14 and 15 of proc(5)


def peak_kib(pid: int) -> int:
    """VmHWM (peak resident set) in KiB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    raise RuntimeError(f"no VmHWM for {pid}")


def reset_peak(pid: int) -> None:
    """Reset VmHWM to the current RSS (proc(5): clear_refs, value 5)."""
    Path(f"/proc/{pid}/clear_refs").write_text("5")


def releases(n: int) -> list[site.Release]:
    """Three sample releases made unique to feed `n` (titles, slugs and dates differ)."""
    base = [r for r in site.releases() if r.source in site.FEEDS]
    out = []
    for i in range(3):
        r = base[(n + i) % len(base)]
        out.append(
            replace(
                r,
                slug=f"{r.slug}-{n}-{i}",
                title=f"{r.title} (bench {n}.{i})",
                date=r.date + timedelta(minutes=n * 3 + i),
                guid="",
                node=0,
                later=False,
            )
        )
    return out


def serve(sources: int) -> tuple[Server, list[tuple[str, str]]]:
    """The fixture server and, per feed, its URL and ETag ('' for none)."""
    server = Server(HOSTS).start()
    jobs: list[tuple[str, str]] = []
    for n in range(sources):
        host = HOSTS[n % len(HOSTS)]
        base = f"http://{host}:{server.port}"
        rs = releases(n)
        body = site.feed(rs[0].source, rs, base, ttl=None).encode()
        path = f"/feeds/{n}.xml"
        if n % 2:
            server.route(path, body=body, headers=CTYPE)
            jobs.append((base + path, ""))
        else:

            def conditional(request: Request, body: bytes = body) -> Response:
                if request.headers.get("if-none-match") == ETAG:
                    return Response(304, {"ETag": ETAG})
                return Response(200, {"ETag": ETAG, **CTYPE}, body)

            server.handle(path, conditional)
            jobs.append((base + path, ETAG))
    return server, jobs


def config_text(data: Path, jobs: list[tuple[str, str]]) -> str:
    """A config file for the daemon: the fixture feeds, a store and feeds under `data`."""
    lines = [
        f'[service]\ndata_dir = "{data}"',
        f'[feeds]\ndir = "{data / "feeds"}"',
        "[fetch]\nhost_spacing = 0\nconcurrency = 20\nallow_private = true",
        '[log]\nformat = "json"\nlevel = "info"',
        "[web]\nenabled = false",
    ]
    for n, (url, _) in enumerate(jobs):
        agency = AGENCY_CODES[n % len(AGENCY_CODES)]
        lines.append(
            f'[[sources]]\nid = "bench-{n}"\nname = "Bench source {n}"\nagency = "{agency}"\n'
            f'kind = "feed"\nurl = "{url}"\ninterval = {INTERVAL}\nfull_text = true'
        )
    return "\n\n".join(lines) + "\n"


def old_release(n: int) -> tuple[Item, Brief]:
    """The n-th stored release and its brief, 30 minutes apart (50,000 span ~3 years)."""
    agency = AGENCY_CODES[n % len(AGENCY_CODES)]
    source_id = f"old-{agency.lower()}"
    key = f"https://www.example.gov/news/old/{n}"
    when = datetime(2023, 1, 1, tzinfo=UTC) + timedelta(minutes=30 * n)
    b = make_brief(
        brief_id(source_id, key),
        title=f"Archived release {n}: {agency} announces program update",
        agency=agency,
        url=key,
        published=when,
        updated=when,
        topics=(TOPICS[n % len(TOPICS)],),
    )
    return make_item(key, source_id, title=b.title, url=key, published=when), b


def fill(url: str, count: int) -> float:
    """Store `count` briefs, each with its item; seconds taken.

    `Items.save` takes about 2.6 ms a release here (130 s for 50,000), so all but the last
    are written as the same rows in bulk, in batches, with the store's own codec and hash;
    the last goes through `Items.save`, which starts the `seq` counter from the rows found.
    Samples are read back through the store API and must equal what was written.
    """
    t0 = time.perf_counter()
    st = stores.open(url)
    try:
        for lo in range(0, count - 1, 5000):
            item_rows, brief_rows, feed_rows = [], [], []
            for n in range(lo, min(lo + 5000, count - 1)):
                item, b = old_release(n)
                item_rows.append(
                    {
                        "source_id": item.source_id, "key": item.key, "guid": item.guid,
                        "url": item.url, "title": item.title, "published_at": item.published,
                        "first_seen_at": item.published, "updated_at": item.published,
                        "fingerprint": f"{n}", "status": "briefed", "brief_id": b.id,
                        "versions": 1,
                    }
                )  # fmt: skip
                brief_rows.append(
                    {
                        "id": b.id, "story": b.id, "agency": b.agency, "title": b.title,
                        "published_at": b.published, "updated_at": b.updated,
                        "content_sha256": material_sha256(b), "data": dumps(brief_to_json(b)),
                        "seq": n + 1, "edits": 0,
                    }
                )  # fmt: skip
                feed_rows += [
                    {"feed": f, "brief_id": b.id, "published_at": b.published}
                    for f in feed_names(b)
                ]
            with st.begin() as conn:
                conn.execute(schema.items.insert(), item_rows)
                conn.execute(schema.briefs.insert(), brief_rows)
                conn.execute(schema.brief_feeds.insert(), feed_rows)
        item, b = old_release(count - 1)
        st.items.save(item, now=item.published or b.published, brief=b, feeds=feed_names(b))
        for n in (0, count // 2, count - 1):
            item, b = old_release(n)
            assert st.briefs.get(b.id) == b, f"brief {n} does not read back"
            assert item.key in st.items.known(item.source_id, [item.key])
        assert st.briefs.count() == count and st.briefs.max_seq() == count
        # As if the archive had been published long ago: the daemon's catch-up publish starts
        # from here, as it would on a store that has been running for years.
        st.feeds.mark(st.briefs.feed_names(), count, datetime.now(UTC))
    finally:
        st.close()
    return time.perf_counter() - t0


def events(stream: object) -> Iterator[dict[str, object]]:
    """The daemon's JSON log lines as dicts (other lines are skipped)."""
    for line in stream:  # type: ignore[attr-defined]
        try:
            yield json.loads(line)
        except ValueError:
            continue


def measure_daemon(
    label: str, config: Path, server: Server, sources: int, seconds: float
) -> Measure:
    """Start the daemon, wait out its first poll tick, then measure a window."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "syndicate", "--config", str(config), "run", "--no-web"],
        stderr=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        text=True,
        cwd=config.parent,
    )
    started = time.monotonic()
    warm = threading.Event()
    problems: list[str] = []
    made = {"new": 0, "rejected": 0}

    def watch() -> None:
        assert proc.stderr is not None
        for e in events(proc.stderr):
            if e.get("event") == "poll.source" and not warm.is_set():
                for k in made:
                    made[k] += int(e.get(k) or 0)  # type: ignore[call-overload]
            if e.get("event") in ("poll.done", "poll.failed"):
                if e["event"] == "poll.failed":
                    problems.append(f"the poll job raised: {e.get('error')}")
                warm.set()
            failed = e.get("event") == "poll.source" and e.get("outcome") == "failed"
            if (failed or e.get("level") == "error") and len(problems) < 5:
                problems.append(str(e))

    reader = threading.Thread(target=watch, daemon=True)
    reader.start()
    try:
        if not warm.wait(timeout=180) or any("poll job raised" in p for p in problems):
            raise RuntimeError(f"{label}: the first poll tick did not finish: {problems}")
        warmup_s = time.monotonic() - started
        warmup_cpu = cpu_seconds(proc.pid)
        warmup_peak = peak_kib(proc.pid)
        reset_peak(proc.pid)
        requests0 = len(server.log)
        cpu0 = cpu_seconds(proc.pid)
        time.sleep(seconds)
        cpu1 = cpu_seconds(proc.pid)
        peak = peak_kib(proc.pid)
        requests = len(server.log) - requests0
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=40)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    if problems:
        print(f"  {label}: problems seen: {problems}", file=sys.stderr)
    return Measure(
        label,
        cpu1 - cpu0,
        requests / sources,
        peak,
        warmup_s,
        warmup_cpu,
        warmup_peak,
        f"{made['new']} briefs made, {made['rejected']} rejected",
    )


def measure_loop(jobs: list[tuple[str, str]], server: Server, seconds: float) -> Measure:
    """The bare httpx loop over the same feeds, measured over the same window length."""
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
        json.dump(jobs, f)
    proc = subprocess.Popen([sys.executable, "-c", FETCH_LOOP, f.name, str(INTERVAL)])
    try:
        time.sleep(3)  # imports and the first round, like the daemon's warm-up
        reset_peak(proc.pid)
        requests0 = len(server.log)
        cpu0 = cpu_seconds(proc.pid)
        time.sleep(seconds)
        cpu1 = cpu_seconds(proc.pid)
        peak = peak_kib(proc.pid)
        requests = len(server.log) - requests0
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=20)
        os.unlink(f.name)
    return Measure("bare httpx loop", cpu1 - cpu0, requests / len(jobs), peak)


def idle_python() -> int:
    """VmHWM of a `python -c` process that only sleeps."""
    proc = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:
        time.sleep(1.0)
        return peak_kib(proc.pid)
    finally:
        proc.terminate()
        proc.wait()


def mib(kib: int) -> str:
    return f"{kib / 1024:.1f}"


def report(rows: list[Measure], base: Measure, idle: int, sources: int, seconds: float) -> None:
    print()
    print(f"{sources} feeds, interval {INTERVAL} s, window {seconds:.0f} s per run")
    head = (
        f"{'run':<28}{'cycles':>7}{'CPU s':>8}{'CPU ms/cycle':>14}{'x loop':>8}"
        f"{'peak MiB':>10}{'x loop':>8}{'x idle':>8}"
    )
    print(head)
    print("-" * len(head))
    for m in [base, *rows]:
        print(
            f"{m.label:<28}{m.cycles:>7.1f}{m.cpu:>8.2f}{1000 * m.cpu_per_cycle:>14.1f}"
            f"{m.cpu_per_cycle / base.cpu_per_cycle:>8.2f}{mib(m.peak_kib):>10}"
            f"{m.peak_kib / base.peak_kib:>8.2f}{m.peak_kib / idle:>8.2f}"
        )
    print(f"{'idle python -c':<28}{'':>7}{'':>8}{'':>14}{'':>8}{mib(idle):>10}")
    print()
    print("warm-up (start to the end of the first poll tick: 3 releases per feed, publish):")
    for m in rows:
        print(
            f"  {m.label:<26} {m.warmup_s:6.1f} s wall, {m.warmup_cpu:6.1f} CPU s, "
            f"peak {mib(m.warmup_peak_kib)} MiB; {m.warmup_note}"
        )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sources", type=int, default=200)
    ap.add_argument("--seconds", type=float, default=40.0, help="measured window per run")
    ap.add_argument("--briefs", type=int, default=50_000)
    args = ap.parse_args()

    server, jobs = serve(args.sources)
    try:
        with tempfile.TemporaryDirectory(prefix="syn-bench-daemon-") as tmp:
            print(f"baseline: bare httpx loop over {len(jobs)} feeds ...", flush=True)
            base = measure_loop(jobs, server, args.seconds)
            idle = idle_python()
            rows = []
            runs = (("daemon, empty store", 0), (f"daemon, {args.briefs:,} briefs", args.briefs))
            for label, briefs in runs:
                data = Path(tmp) / f"run-{briefs}"
                data.mkdir()
                config = data / "config.toml"
                config.write_text(config_text(data, jobs), encoding="utf-8")
                if briefs:
                    print(f"storing {briefs} briefs ...", flush=True)
                    took = fill(f"sqlite:///{data / 'syndicate.db'}", briefs)
                    print(f"  stored in {took:.0f} s", flush=True)
                print(f"{label} ...", flush=True)
                rows.append(measure_daemon(label, config, server, args.sources, args.seconds))
            report(rows, base, idle, args.sources, args.seconds)
    finally:
        server.stop()


if __name__ == "__main__":
    main()
