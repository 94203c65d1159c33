"""What source health costs a poll: its bookkeeping against the bookkeeping a poll already did.

    .venv/bin/python bench/health.py [--sources 13] [--polls 200] [--items 500]

On SQLite in a temporary directory, for `--sources` sources each with `--items` stored items,
it times `--polls` rounds of:
  1. the baseline: `sources.record_success`, what every poll recorded before health existed;
  2. health: one `polls.read_document` (the document's state), then `watch.record` (the poll's
     yield stored, its history, documents and item dates read, the state judged and stored).
It prints milliseconds per source-poll for each and their ratio. A poll also fetches at
least one document over the network (tens to hundreds of milliseconds), so the figure to read
is the health bookkeeping's absolute cost beside that, not only the ratio.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from syndicate import store as stores  # noqa: E402
from syndicate.config import HealthConfig  # noqa: E402
from syndicate.model import Item, Validators  # noqa: E402
from syndicate.pipeline import watch  # noqa: E402
from syndicate.store import Store  # noqa: E402
from syndicate.store.polls import PollRecord  # noqa: E402

START = datetime(2026, 1, 1, tzinfo=UTC)


def seed(store: Store, sources: int, items: int) -> None:
    for s in range(sources):
        sid = f"s{s}"
        for n in range(items):
            when = START + timedelta(hours=6 * n)
            item = Item(sid, f"k{n}", f"Release {n}", f"https://x.gov/{sid}/{n}", published=when)
            store.items.save(item, now=when)
        store.sources.record_success(
            sid, url=f"https://x.gov/{sid}", now=START, validators=Validators(),
            next_poll_at=START, status=200,
        )  # fmt: skip


def baseline(store: Store, sources: int, polls: int) -> float:
    t0 = time.perf_counter()
    for p in range(polls):
        now = START + timedelta(minutes=15 * p)
        for s in range(sources):
            store.sources.record_success(
                f"s{s}", url=f"https://x.gov/s{s}", now=now, validators=Validators('"e"'),
                next_poll_at=now + timedelta(minutes=15), status=200,
            )  # fmt: skip
    return time.perf_counter() - t0


def health(store: Store, sources: int, polls: int) -> float:
    settings = HealthConfig()

    async def run() -> None:
        for p in range(polls):
            now = START + timedelta(minutes=15 * p)
            for s in range(sources):
                sid, url = f"s{s}", f"https://x.gov/s{s}"
                store.polls.read_document(sid, url, now=now, status=200, found=10)
                record = PollRecord(now, "ok", 200, found=10, pages=1, bodies=1)
                await watch.record(store, sid, record, refused={}, urls=(url,), settings=settings)

    t0 = time.perf_counter()
    asyncio.run(run())
    return time.perf_counter() - t0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sources", type=int, default=13, help="sources (the shipped 13)")
    parser.add_argument("--polls", type=int, default=200, help="poll rounds timed")
    parser.add_argument("--items", type=int, default=500, help="stored items per source")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        store = stores.open(f"sqlite:///{Path(tmp) / 'bench.db'}")
        try:
            seed(store, args.sources, args.items)
            base = baseline(store, args.sources, args.polls)
            cost = health(store, args.sources, args.polls)
        finally:
            store.close()
    n = args.sources * args.polls
    print(f"{n} source-polls, {args.items} items per source, SQLite")
    print(f"  baseline (record_success)        {1000 * base / n:7.2f} ms per source-poll")
    print(f"  health (document + watch.record) {1000 * cost / n:7.2f} ms per source-poll")
    print(f"  ratio health / baseline          {cost / base:7.2f}x")


if __name__ == "__main__":
    main()
