"""End to end against rss2email: first run, no-op run and freshness on one workload (issue 16).

    .venv/bin/python bench/endtoend.py [--feeds 100] [--items 20] [--skip-peer]
                                       [--rss2email-venv DIR]

The workload is generated here, deterministically, in our own words: FEEDS government-style
RSS 2.0 feeds of ITEMS items each, spread over nine loopback hosts (127.0.0.2 ... 127.0.0.10,
one per agency, as the real sources are), and one release page of about 5 KB per item, shaped
like a Drupal press release (header and navigation, `h1`, a dated line, a body with a
dateline, a quote with its speaker, a `###` end mark and a mission line, a footer). The
server (tests/server.py, in this process) answers with strong ETags and Last-Modified and
says 304 to a matching conditional request; asyncio sets TCP_NODELAY on its sockets.

Runs, each a subprocess measured with wait4 (wall seconds, user+sys CPU seconds, peak RSS):
1. rss2email 3.14 (installed by pip into a scratch venv outside the repository, reused
   between runs), one `r2e run` with every feed new: it reads each feed and mails each item
   to Postfix's `smtp-sink` on 127.0.0.1. Then a second `r2e run`: every feed answers 304.
2. `syndicate poll` on a fresh SQLite store with every source due, `first_poll_items` =
   ITEMS (so every item is briefed), article pages fetched (`full_text = false`), one
   subscriber on the immediate cadence (one mail per brief) to the same smtp-sink, feeds
   published. Then the no-op run: every feed answers 304.
3. Freshness: one new item appears in each agency's first feed; `syndicate poll` runs with
   an in-process aiosmtpd that notes when each message arrives, while a thread reads
   `all.atom` every 20 ms. For each new item: the time from the server finishing the feed
   response that first showed it to (a) its entry in all.atom, (b) its mail accepted.

Before the runs, syndicate's modules are compiled to bytecode (an installed package has it;
rss2email's venv has it), and `syndicate --version` is timed alone: the start-up cost.

`[fetch] host_spacing = 0`, `allow_private = true` (the sources are on 127.0.0.0/8) and
`respect_robots = true` (robots.txt answers 404): the
per-host spacing that keeps us polite to real sites would otherwise dominate a loopback run.
Ratios are syndicate / rss2email from the same script; the goals are first run wall <= 1.0x
and CPU <= 1.5x, no-op wall <= 1.0x, peak RSS <= 100 MiB, freshness <= 2 s and <= 3 s.
Everything stops by itself; at 100 feeds the whole script takes a few minutes.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import re
import resource
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email import message_from_bytes, policy
from email.utils import format_datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from server import Request, Response, Server  # noqa: E402

AGENCIES = ("DHS", "CBP", "ICE", "USCIS", "TSA", "FEMA", "CISA", "USCG", "USSS")
HOSTS = {code: f"127.0.0.{n}" for n, code in enumerate(AGENCIES, start=2)}
NAMES = {
    "DHS": "U.S. Department of Homeland Security",
    "CBP": "U.S. Customs and Border Protection",
    "ICE": "U.S. Immigration and Customs Enforcement",
    "USCIS": "U.S. Citizenship and Immigration Services",
    "TSA": "Transportation Security Administration",
    "FEMA": "Federal Emergency Management Agency",
    "CISA": "Cybersecurity and Infrastructure Security Agency",
    "USCG": "U.S. Coast Guard",
    "USSS": "U.S. Secret Service",
}
EPOCH = datetime(2026, 10, 1, 12, 0, tzinfo=UTC)
RSS2EMAIL = "rss2email==3.14"
TO = "reader@example.org"

# Word banks for the generated releases: invented places, people and facts.
PLACES = (
    "Port Alder",
    "Marrow Bay",
    "Quill River",
    "Eastgate",
    "Cinder Falls",
    "Harlow Point",
    "Tamsin Junction",
    "Orrin Harbor",
    "Vale Crossing",
    "Bramble Ridge",
)
PEOPLE = (
    ("Director", "Ada Quarry"),
    ("Port Director", "Milo Ferrand"),
    ("Regional Administrator", "Jun Okafor"),
    ("Special Agent in Charge", "Rhea Lindqvist"),
    ("Captain", "Tobias Wren"),
    ("Assistant Secretary", "Nadia Brill"),
)
SUBJECTS = (
    ("Officers Seize {n} Pounds of Narcotics at {place}", "seized {n} pounds of narcotics"),
    ("Agency Awards ${n} Million for Flood Recovery in {place}", "awarded ${n} million"),
    ("Crew Rescues {n} Boaters Near {place}", "rescued {n} boaters"),
    ("Officials Open {n} New Screening Lanes at {place}", "opened {n} new screening lanes"),
    ("Advisory Warns of {n} Exploited Flaws in Control Systems", "listed {n} exploited flaws"),
    ("Investigators Arrest {n} in Fraud Scheme Based in {place}", "arrested {n} people"),
)
FILLER = (
    "The operation involved teams from {k} field offices working in shifts over {d} days.",
    "Inspectors reviewed {k} shipments and {d} vehicles during the period covered.",
    "Local partners in {place} provided staging areas, radios and {k} additional staff.",
    "The agency will publish a full account of the work by March {d}, 2027.",
    "Residents of {place} can find assistance at {k} centers open from 8 a.m. to 6 p.m.",
    "Since January, the office has handled {k} similar cases across the region.",
    "Training for the {k} new officers began in {place} on Oct. {d}, 2026.",
    "The equipment was bought under a contract worth ${k} million signed in {place}.",
)


@dataclass
class Workload:
    """The feeds and release pages; `bump` adds a new item to one feed."""

    feeds: int
    items: int
    bodies: dict[tuple[str, str], bytes] = field(default_factory=dict)  # (host, path) -> body
    feed_paths: list[tuple[str, str]] = field(default_factory=list)  # (agency, path)
    entries: dict[str, list[tuple[str, str, datetime]]] = field(default_factory=dict)
    extra: int = 0

    def build(self) -> None:
        for f in range(self.feeds):
            agency = AGENCIES[f % len(AGENCIES)]
            path = f"/rss/feed-{f:03d}.xml"
            self.feed_paths.append((agency, path))
            self.entries[path] = []
            for i in range(self.items):
                self._item(agency, path, f, i)
            self._render_feed(agency, path)

    def url(self, agency: str, path: str) -> str:
        return f"http://{HOSTS[agency]}:{{port}}{path}"

    def _item(self, agency: str, feed: str, f: int, i: int) -> str:
        rng = random.Random(f * 1000 + i)
        place = rng.choice(PLACES)
        n = rng.randint(3, 900)
        title_shape, act = rng.choice(SUBJECTS)
        title = title_shape.format(n=n, place=place)
        when = EPOCH + timedelta(hours=f * 3 + i * 7 + self.extra * 11)
        slug = re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")
        path = f"/news/{when:%Y/%m/%d}/{slug}-{f}-{i}"
        role, person = rng.choice(PEOPLE)
        body = _release(rng, agency, title, act, place, n, role, person, when)
        self.bodies[(HOSTS[agency], path)] = body
        self.entries[feed].append((title, path, when))
        return path

    def _render_feed(self, agency: str, path: str) -> None:
        host = HOSTS[agency]
        items = []
        for title, link, when in sorted(self.entries[path], key=lambda e: e[2], reverse=True):
            items.append(
                f"<item><title>{title}</title><link>http://{host}:@PORT@{link}</link>"
                f'<guid isPermaLink="false">{hashlib.sha1(link.encode()).hexdigest()}</guid>'
                f"<pubDate>{format_datetime(when)}</pubDate>"
                f"<description>{title}. A release of the {NAMES[agency]}.</description></item>"
            )
        feed = (
            '<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0"><channel>'
            f"<title>{NAMES[agency]} news {path}</title><link>http://{host}:@PORT@/news</link>"
            f"<description>Releases</description>{''.join(items)}</channel></rss>"
        )
        self.bodies[(host, path)] = feed.encode()

    def bump(self, agency: str, path: str) -> str:
        """A new item at the top of one feed; its release page path."""
        self.extra += 1
        f = int(path.rsplit("-", 1)[1].split(".")[0])
        link = self._item(agency, path, f, self.items + self.extra)
        self._render_feed(agency, path)
        return link


def _release(
    rng: random.Random,
    agency: str,
    title: str,
    act: str,
    place: str,
    n: int,
    role: str,
    person: str,
    when: datetime,
) -> bytes:
    paragraphs = [
        f"{place.upper()} – The {NAMES[agency]} {act} in {place} on "
        f"{when:%B} {when.day}, {when.year}, after a review that began in the spring.",
        f"“Our teams in {place} did careful, patient work, and the result is {n} reasons "
        f"for the public to trust them,” said {role} {person}.",
    ]
    for _ in range(7):
        sentences = [
            rng.choice(FILLER).format(
                k=rng.randint(2, 60), d=rng.randint(2, 28), place=rng.choice(PLACES)
            )
            for _ in range(4)
        ]
        paragraphs.append(" ".join(sentences))
    paragraphs += ["###", f"The {NAMES[agency]} protects the American people every day."]
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    nav = "".join(f'<li><a href="/topic/{k}">Topic {k}</a></li>' for k in range(12))
    return (
        f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{title} | '
        f"{NAMES[agency]}</title></head><body><header><nav><ul>{nav}</ul></nav></header>"
        f'<main><article><h1>{title}</h1><div class="news-release-date-value">'
        f'<time datetime="{when.isoformat()}">{when:%B} {when.day}, {when.year}</time></div>'
        f'<div class="field--name-body">{body}</div></article></main>'
        f"<footer><p>Official website of the {NAMES[agency]}</p>{nav}</footer></body></html>"
    ).encode()


def serve(server: Server, work: Workload) -> None:
    """Route every feed and page, with strong ETags, Last-Modified and 304s."""

    def handler(request: Request) -> Response:
        host = request.headers.get("host", "").split(":")[0]
        found = work.bodies.get((host, request.path))
        if found is None:
            return Response(404, body=b"not here")
        body = found.replace(b"@PORT@", str(server.port).encode())
        etag = '"' + hashlib.sha256(body).hexdigest()[:20] + '"'
        kind = "application/rss+xml" if request.path.endswith(".xml") else "text/html"
        headers = {
            "ETag": etag,
            "Last-Modified": "Thu, 01 Oct 2026 12:00:00 GMT",
            "Content-Type": f"{kind}; charset=utf-8",
        }
        if request.headers.get("if-none-match") == etag:
            return Response(304, headers={"ETag": etag})
        return Response(200, headers=headers, body=body)

    server.routes.clear()
    for _host, path in work.bodies:
        server.handle(path, handler)


@dataclass(frozen=True)
class Run:
    wall: float
    cpu: float
    rss_mib: float
    output: str


def measured(
    argv: Sequence[str], env: dict[str, str] | None = None, cwd: Path | None = None
) -> Run:
    """Run a command to its end; wall, CPU and peak RSS from wait4."""
    t0 = time.perf_counter()
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=env)
    assert proc.stdout is not None
    chunks: list[bytes] = []
    reader = threading.Thread(target=lambda: chunks.append(proc.stdout.read()))  # type: ignore[union-attr]
    reader.start()
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t0
    reader.join()
    proc.returncode = os.waitstatus_to_exitcode(status)
    out = b"".join(chunks).decode("utf-8", "replace")
    if proc.returncode != 0:
        raise SystemExit(f"{argv[0]} exited {proc.returncode}:\n{out[-3000:]}")
    return Run(wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, out)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


class SmtpSink:
    """Postfix's smtp-sink on a free port, for the throughput runs."""

    def __init__(self) -> None:
        self.port = free_port()
        exe = shutil.which("smtp-sink") or "/usr/sbin/smtp-sink"
        self.proc = subprocess.Popen(
            [exe, "-u", "nobody", "-c", f"127.0.0.1:{self.port}", "1000"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return
            except OSError:
                time.sleep(0.05)

    def stop(self) -> None:
        self.proc.kill()
        self.proc.wait()


class Stopwatch:
    """An aiosmtpd server noting when each message arrives (monotonic) and its bytes."""

    def __init__(self) -> None:
        from aiosmtpd.controller import Controller

        self.arrivals: list[tuple[float, bytes]] = []
        outer = self

        class Handler:
            async def handle_DATA(self, server: object, session: object, envelope: object) -> str:
                data = envelope.original_content or envelope.content  # type: ignore[attr-defined]
                outer.arrivals.append((time.monotonic(), bytes(data)))
                return "250 2.0.0 Ok"

        self.port = free_port()
        self.controller = Controller(Handler(), hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self) -> None:
        self.controller.stop()


# -- rss2email ---------------------------------------------------------------------------


def rss2email_venv(where: Path) -> Path:
    """A scratch venv with rss2email installed (made once, reused); its `r2e`."""
    r2e = where / "bin" / "r2e"
    if r2e.exists():
        return r2e
    subprocess.run([sys.executable, "-m", "venv", str(where)], check=True)
    pip = [str(where / "bin" / "python"), "-m", "pip", "install", "-q"]
    subprocess.run([*pip, "-U", "pip"], check=True)
    subprocess.run([*pip, RSS2EMAIL], check=True)
    return r2e


def rss2email_config(folder: Path, work: Workload, port: int, smtp_port: int) -> Path:
    lines = [
        "[DEFAULT]",
        "from = bench@example.org",
        f"to = {TO}",
        "email-protocol = smtp",
        "smtp-server = 127.0.0.1",
        f"smtp-port = {smtp_port}",
        "smtp-auth = False",
        "smtp-ssl = False",
        "verbose = warning",
        "",
    ]
    for n, (agency, path) in enumerate(work.feed_paths):
        lines += [f"[feed.f{n:03d}]", f"url = http://{HOSTS[agency]}:{port}{path}", ""]
    cfg = folder / "rss2email.cfg"
    cfg.write_text("\n".join(lines))
    return cfg


# -- syndicate ---------------------------------------------------------------------------


def syndicate_config(folder: Path, work: Workload, port: int, smtp_port: int) -> Path:
    text = f"""
[service]
name = "Bench Briefs"
base_url = "http://127.0.0.1:8080"
data_dir = "{folder / "data"}"
[fetch]
host_spacing = 0.0
concurrency = 50
allow_private = true
[feeds]
dir = "{folder / "feeds"}"
fsync = true
[mail]
from = "Bench Briefs <briefs@example.org>"
transport = "smtp"
[mail.smtp]
host = "127.0.0.1"
port = {smtp_port}
pool_size = 4
rate = 100000.0
[log]
level = "warning"
"""
    for n, (agency, path) in enumerate(work.feed_paths):
        text += f"""
[[sources]]
id = "f{n:03d}"
name = "{NAMES[agency]}"
agency = "{agency}"
kind = "feed"
url = "http://{HOSTS[agency]}:{port}{path}"
interval = 60.0
first_poll_items = {work.items + 50}
"""
    cfg = folder / "config.toml"
    cfg.write_text(text)
    return cfg


def syndicate(cfg: Path, *args: str, env: dict[str, str]) -> Run:
    return measured([sys.executable, "-m", "syndicate", "--config", str(cfg), *args], env=env)


def set_port(cfg: Path, old: int, new: int) -> None:
    cfg.write_text(cfg.read_text().replace(f"port = {old}\n", f"port = {new}\n"))


class Watcher:
    """Notes when each wanted link first appears in any Atom file under a folder."""

    def __init__(self, folder: Path, links: set[str], every: float = 0.05) -> None:
        self.folder = folder
        self.links = set(links)
        self.every = every
        self.seen: dict[str, float] = {}
        self._mtimes: dict[Path, float] = {}
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._watch)

    def __enter__(self) -> Watcher:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        time.sleep(0.3)
        self._done.set()
        self._thread.join()

    def _watch(self) -> None:
        while not self._done.is_set():
            for path in self.folder.rglob("*.atom"):
                try:
                    mtime = path.stat().st_mtime
                    if self._mtimes.get(path) == mtime:
                        continue
                    self._mtimes[path] = mtime
                    text = path.read_text()
                except OSError:
                    continue
                now = time.monotonic()
                for link in self.links - self.seen.keys():
                    if link in text:
                        self.seen[link] = now
            time.sleep(self.every)


def served_at(server: Server, mark: int, paths: set[str]) -> dict[str, float]:
    """When the server finished the first 200 answer for each feed path, after `mark`."""
    found: dict[str, float] = {}
    for e in server.log[mark:]:
        if e.path in paths and e.status == 200 and e.finished is not None:
            found.setdefault(e.path, e.finished)
    return found


def first_run(
    cfg: Path, server: Server, work: Workload, env: dict[str, str]
) -> tuple[Run, list[float]]:
    """The first poll; per release, seconds from its feed served to its Atom entry on disk."""
    links = {link for entries in work.entries.values() for _t, link, _w in entries}
    mark = len(server.log)
    with Watcher(cfg.parent / "feeds", links, every=0.2) as watcher:
        run = syndicate(cfg, "poll", "--json", env=env)
    served = served_at(server, mark, set(work.entries))
    delays = [
        watcher.seen[link] - served[path]
        for path, entries in work.entries.items()
        for _t, link, _w in entries
        if path in served and link in watcher.seen
    ]
    return run, delays


def freshness(
    cfg: Path, server: Server, work: Workload, smtp_port: int, env: dict[str, str]
) -> tuple[list[float], list[float], Run]:
    """Seconds from feed served to Atom entry, and to mail accepted, for one new item each."""
    stopwatch = Stopwatch()
    set_port(cfg, smtp_port, stopwatch.port)
    firsts = {}
    for agency in AGENCIES:
        path = next(p for a, p in work.feed_paths if a == agency)
        link = work.bump(agency, path)
        firsts[path] = (link, next(t for t, lk, _ in work.entries[path] if lk == link))
    serve(server, work)
    mark = len(server.log)
    every = [arg for n in range(len(work.feed_paths)) for arg in ("--source", f"f{n:03d}")]
    with Watcher(cfg.parent / "feeds", {link for link, _ in firsts.values()}) as watcher:
        run = syndicate(cfg, "poll", "--json", *every, env=env)
    stopwatch.stop()
    set_port(cfg, stopwatch.port, smtp_port)
    served = served_at(server, mark, set(firsts))
    subjects = [
        (t, str(message_from_bytes(data, policy=policy.default)["Subject"]))
        for t, data in stopwatch.arrivals
    ]
    to_atom, to_mail = [], []
    for path, (link, title) in firsts.items():
        start = served.get(path)
        if start is None:
            continue
        if link in watcher.seen:
            to_atom.append(watcher.seen[link] - start)
        arrived = [t for t, subject in subjects if title in subject]
        if arrived:
            to_mail.append(min(arrived) - start)
    return to_atom, to_mail, run


def spread(name: str, values: list[float], of: int) -> str:
    if not values:
        return f"{name}: none of {of} seen"
    return (
        f"{name}: median {statistics.median(values):.2f} s, max {max(values):.2f} s "
        f"({len(values)} of {of} seen)"
    )


def line(name: str, run: Run, base: Run | None) -> str:
    ratio = ""
    if base is not None:
        ratio = (
            f"  x rss2email: wall {run.wall / base.wall:.2f}, CPU {run.cpu / base.cpu:.2f}, "
            f"RSS {run.rss_mib / base.rss_mib:.2f}"
        )
    return (
        f"{name:<28} wall {run.wall:7.2f} s  CPU {run.cpu:7.2f} s  "
        f"peak RSS {run.rss_mib:6.1f} MiB{ratio}"
    )


def summary_of(run: Run) -> dict[str, int]:
    start = run.output.find("{")
    data = json.loads(run.output[start:]) if start >= 0 else {}
    totals: dict[str, int] = data.get("totals", {})
    return totals


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--feeds", type=int, default=100, help="feeds (default 100)")
    p.add_argument("--items", type=int, default=20, help="items per feed (default 20)")
    p.add_argument("--skip-peer", action="store_true", help="do not run rss2email")
    p.add_argument(
        "--rss2email-venv",
        type=Path,
        default=Path(tempfile.gettempdir()) / "syndicate-bench-rss2email",
        help="where rss2email's scratch venv lives (default: under the temp folder)",
    )
    args = p.parse_args()

    work = Workload(args.feeds, args.items)
    work.build()
    releases = args.feeds * args.items
    page_kb = statistics.mean(len(b) for (h, path), b in work.bodies.items() if "/news/" in path)
    print(
        f"workload: {args.feeds} feeds x {args.items} items = {releases} releases on "
        f"{len(HOSTS)} loopback hosts; release pages {page_kb / 1024:.1f} KB on average"
    )
    tmp = Path(tempfile.mkdtemp(prefix="syn-bench-e2e-"))
    env = dict(os.environ, SYNDICATE_SECRET="bench-secret", PYTHONHASHSEED="0")
    # An installed syndicate has its bytecode compiled (pip does it), as rss2email has in its
    # venv; a checkout may not (PYTHONDONTWRITEBYTECODE), and compiling every module on each
    # start would be counted as syndicate's work. Compile it once, here.
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(ROOT / "syndicate")], check=True)
    server = Server(hosts=tuple(HOSTS.values())).start()
    sink = SmtpSink()
    try:
        serve(server, work)
        peer_first = peer_noop = None
        if not args.skip_peer:
            r2e = rss2email_venv(args.rss2email_venv)
            folder = tmp / "rss2email"
            folder.mkdir()
            cfg = rss2email_config(folder, work, server.port, sink.port)
            data = folder / "rss2email.json"
            argv = [str(r2e), "-c", str(cfg), "-d", str(data), "run"]
            peer_first = measured(argv)
            peer_noop = measured(argv)
            print(line("rss2email, first run", peer_first, None))
            print(line("rss2email, no-op run", peer_noop, None))

        folder = tmp / "syndicate"
        folder.mkdir()
        cfg = syndicate_config(folder, work, server.port, sink.port)
        subprocess.run(
            [sys.executable, "-m", "syndicate", "--config", str(cfg), "subscribers", "add", TO,
             "--cadence", "immediate", "--confirmed"],
            check=True, env=env, stdout=subprocess.DEVNULL,
        )  # fmt: skip
        print(line("syndicate --version", syndicate(cfg, "--version", env=env), None))
        first, first_fresh = first_run(cfg, server, work, env)
        noop = syndicate(cfg, "poll", "--json", env=env)
        made = summary_of(first)
        print(line("syndicate poll, first run", first, peer_first))
        print(line("syndicate poll, no-op run", noop, peer_noop))
        print(
            f"  first run: {made}; CPU per release {first.cpu / releases * 1000:.1f} ms"
            + (
                f" (rss2email {peer_first.cpu / releases * 1000:.1f} ms)"
                if peer_first is not None
                else ""
            )
        )
        print(spread("  first run, feed served -> Atom entry", first_fresh, releases))
        to_atom, to_mail, fresh = freshness(cfg, server, work, sink.port, env)
        print(line("syndicate poll, 9 new items", fresh, None))
        print(spread("  feed served -> Atom entry", to_atom, len(AGENCIES)))
        print(spread("  feed served -> mail accepted", to_mail, len(AGENCIES)))
    finally:
        sink.stop()
        server.stop()
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    resource.setrlimit(resource.RLIMIT_NOFILE, (4096, 4096))
    sys.exit(main())
