"""Full feed rebuild against an incremental publish after one new brief, on 10,000 briefs.

    .venv/bin/python bench/publish.py [--briefs N] [--entries E] [--no-fsync]

Generates N briefs (SQLite, in a temporary directory) spread over the nine agencies, the
default topics and two years of release dates, then times:
  1. `publish(full=True)`: every feed, every format, every monthly archive, from nothing;
  2. one new brief stored, then `publish()`: only the feeds it touches are rendered.
The full rebuild is the baseline; the figure to read is the ratio. The incremental cost
should depend on the feeds touched (all, one agency, its topics), not on N.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from syndicate import config as config_module  # noqa: E402
from syndicate import store as stores  # noqa: E402
from syndicate.config import DEFAULT_TOPICS  # noqa: E402
from syndicate.model import (  # noqa: E402
    AGENCIES,
    Attribution,
    Brief,
    Provenance,
    Quote,
    Section,
    SourceRef,
)
from syndicate.pipeline.feeds import publish  # noqa: E402
from syndicate.store import Store  # noqa: E402

TOPICS = sorted(DEFAULT_TOPICS)
START = datetime(2024, 12, 1, tzinfo=UTC)


def make(n: int, when: datetime) -> Brief:
    agency = AGENCIES[n % len(AGENCIES)]
    topics = (TOPICS[n % len(TOPICS)], TOPICS[(n * 7 + 3) % len(TOPICS)])
    url = f"https://www.example.gov/news/{when:%Y/%m/%d}/release-{n}"
    return Brief(
        id=f"bench-{n:06d}",
        title=f"{agency} announces measure number {n} for port & border operations",
        agency=agency,
        source_name=agency,
        url=url,
        published=when,
        updated=when,
        summary=(
            f"{agency} announced measure {n}, affecting {n % 90 + 10} ports of entry.",
            f"The measure takes effect on {when + timedelta(days=30):%B %d, %Y}.",
        ),
        sections=(
            Section("What Changes", (f"Officers will apply rule {n} at every port.",) * 3),
            Section("Background", (), tuple(f"Point {i} of the release." for i in range(4))),
        ),
        quotes=(Quote(f"Measure {n} keeps travelers moving safely.", "the Commissioner"),),
        links=(),
        topics=tuple(dict.fromkeys(topics)),
        sources=(SourceRef(agency, url),),
        attribution=Attribution(prepared_by="Prepared by the benchmark desk."),
        provenance=Provenance(when, f"{n:064x}", "extractive/1"),
    )


def fill(store: Store, count: int) -> datetime:
    step = timedelta(days=730) / count
    when = START
    with store.begin() as conn:
        for n in range(count):
            when = START + step * n
            store.briefs.upsert(conn, make(n, when), story=f"s{n}")
    return when


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--briefs", type=int, default=10_000)
    p.add_argument("--entries", type=int, default=50)
    p.add_argument("--no-fsync", action="store_true")
    args = p.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        fsync = "false" if args.no_fsync else "true"
        cfg = config_module.parse(
            f'[service]\ndata_dir = "data"\n[feeds]\nentries = {args.entries}\nfsync = {fsync}\n',
            root,
        )
        store = stores.open(cfg.database_url)
        try:
            t0 = time.perf_counter()
            last = fill(store, args.briefs)
            print(f"generated {args.briefs} briefs in {time.perf_counter() - t0:.1f} s")

            t0 = time.perf_counter()
            full = publish(store, cfg, full=True)
            full_s = time.perf_counter() - t0
            files = sum(1 for p in cfg.feeds_dir.rglob("*") if p.is_file())
            print(
                f"full rebuild:  {full_s:8.3f} s  ({len(full.written)} files written, "
                f"{files} on disk)"
            )

            new = make(args.briefs, last + timedelta(hours=1))
            with store.begin() as conn:
                store.briefs.upsert(conn, new, story="new")
            t0 = time.perf_counter()
            inc = publish(store, cfg)
            inc_s = time.perf_counter() - t0
            print(
                f"incremental:   {inc_s:8.3f} s  ({len(inc.feeds)} feeds: "
                f"{', '.join(inc.feeds)}; {len(inc.written)} files written)"
            )
            print(f"ratio full / incremental: {full_s / inc_s:.0f}x")
        finally:
            store.close()


if __name__ == "__main__":
    main()
