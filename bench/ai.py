"""The AI engine's costs: the gate per brief, and the queue against a slow model.

    .venv/bin/python bench/ai.py [--releases N] [--items N] [--delay S] [--concurrency C]

1. Gate checks per second on releases of about 5 KB (bench/briefs.py's releases), against
   the extractive faithfulness check (`brief.check`) on the same briefs as the baseline.
   Each check gets a fresh copy of its article (read back from its JSON, as the worker reads
   it from the store), so the source side (sentence splitting, quotations) is counted:
   "cold". "warm" is the worker's case: the prompt was just built from the same article
   (numbered sentences and quotations are read once per article), untimed. CPU seconds of
   this process (`time.process_time`), so other work on a shared machine does not count.
2. The queue: `--items` releases (default 1,000) stored and queued in a fresh SQLite store,
   a fake OpenAI-compatible model on 127.0.0.1 answering each after `--delay` seconds
   (default 0.2), drained by `pipeline.aiwork.Drain` with `--concurrency` calls in flight
   (default 8). The ideal is items x delay / concurrency; the ratio to it is printed. A
   thread meanwhile does what a poll does in the store (one release and its brief per
   transaction, every 20 ms) and its write latency is compared with the same writes on an
   idle store: the poll never waits on the model, and this shows what the worker's store
   traffic costs it. Wall-clock seconds (the model's delay is wall time).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import re
import statistics
import sys
import tempfile
import threading
import time
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
sys.path.insert(0, str(ROOT / "tests"))

from briefs import ATTRIBUTION, FETCHED, SOURCE, releases  # noqa: E402
from server import Request, Response, Server  # noqa: E402

from syndicate import brief, codec, store  # noqa: E402
from syndicate import config as config_module  # noqa: E402
from syndicate.brief import ai  # noqa: E402
from syndicate.brief.ai import gate  # noqa: E402
from syndicate.clock import fixed  # noqa: E402
from syndicate.model import Article, Brief, Item  # noqa: E402
from syndicate.pipeline import aiwork  # noqa: E402
from syndicate.pipeline.keys import feed_names  # noqa: E402

_LINE = re.compile(r"^\[(\d+)\] (.+)$", re.M)


def fresh(article: Article) -> Article:
    return codec.article_from_json(codec.article_to_json(article))


def bench_gate(count: int, rounds: int) -> None:
    pages = releases(count)
    made = [brief.make(p, id=str(i), source=SOURCE, attribution=ATTRIBUTION, fetched_at=FETCHED)
            for i, p in enumerate(pages)]  # fmt: skip
    size = statistics.mean(len(p.text.encode()) for p in pages) / 1024

    def run(check: Any, cold: bool) -> float:
        best = float("inf")
        for _ in range(rounds):
            copies = [fresh(p) for p in pages]
            gate.clear()
            spent = 0.0
            for b, p in zip(made, copies, strict=True):
                if not cold:  # the worker built the prompt from this article just before
                    ai.prompt(p, ai.builtin())
                start = time.process_time()
                check(b, p)
                spent += time.process_time() - start
            best = min(best, spent)
        return count / best

    def ours(b: Brief, p: Article) -> None:
        assert ai.failure(b, p) is None

    base_cold, gate_cold = run(brief.check, True), run(ours, True)
    base_warm, gate_warm = run(brief.check, False), run(ours, False)
    print(f"gate on {count} releases of {size:.1f} KB (CPU time, best of {rounds}):")
    print(f"  cold  gate {gate_cold:8.0f}/s   faithfulness check {base_cold:8.0f}/s   "
          f"ratio {gate_cold / base_cold:.2f}")  # fmt: skip
    print(f"  warm  gate {gate_warm:8.0f}/s   faithfulness check {base_warm:8.0f}/s   "
          f"ratio {gate_warm / base_warm:.2f}")  # fmt: skip


def fake_answer(request: Request) -> Response:
    """A faithful answer read off the prompt: its first two numbered sentences, cited."""
    body = json.loads(request.body)
    prompt = body["messages"][-1]["content"]
    lines = _LINE.findall(prompt)[:3]
    reply = {
        "standfirst": [{"text": t, "cites": [int(n)]} for n, t in lines[:2]],
        "sections": [{"heading": "What's Next", "bullets": [],
                      "paragraphs": [{"text": lines[2][1], "cites": [int(lines[2][0])]}]}],
        "quotes": [],
    }  # fmt: skip
    answer = {
        "choices": [{"message": {"role": "assistant", "content": json.dumps(reply)}}],
        "usage": {"prompt_tokens": 1200, "completion_tokens": 200},
    }
    return Response(200, (("Content-Type", "application/json"),), json.dumps(answer))


def _save(db: store.Store, page: Article, n: int, enqueue: bool, config: Any) -> None:
    key = f"https://www.dhs.gov/news/bench/{n}"
    made = brief.make(page, id=f"b{n}", source=SOURCE, attribution=ATTRIBUTION, fetched_at=FETCHED)
    item = Item(source_id=SOURCE.id, key=key, title=page.title, url=key, published=FETCHED)
    db.items.save(item, now=FETCHED, article=page, brief=made, fetched_at=FETCHED,
                  content_sha256=brief.content_sha256(page), feeds=feed_names(made))  # fmt: skip
    if enqueue:
        aiwork.enqueue(db, config, made, SOURCE.id, key)


def _polls(db: store.Store, pages: list[Article], start: int, stop: threading.Event,
           config: Any) -> list[float]:  # fmt: skip
    took: list[float] = []
    n = start
    while not stop.is_set():
        t = time.perf_counter()
        _save(db, pages[n % len(pages)], n, False, config)
        took.append(time.perf_counter() - t)
        n += 1
        time.sleep(0.02)
    return took


def bench_queue(items: int, delay: float, concurrency: int) -> None:
    with Server() as server, tempfile.TemporaryDirectory() as tmp:

        def slow(request: Request) -> Response:
            return replace(fake_answer(request), delay=delay)

        server.handle("/v1/chat/completions", slow)
        config = config_module.parse(
            f'[service]\ndata_dir = "{tmp}"\n[brief]\nengine = "ai"\n[brief.ai]\n'
            f'url = "{server.url("/v1")}"\nconcurrency = {concurrency}\ntimeout = 30\n',
            tmp,
        )
        db = store.open(config.database_url)
        pages = releases(items)
        for n, page in enumerate(pages):
            _save(db, page, n, True, config)
        extra = releases(50)
        # The poll's store writes on an idle store, then while the worker drains.
        stop = threading.Event()
        idle: list[float] = []
        t = threading.Thread(target=lambda: idle.extend(_polls(db, extra, 10**6, stop, config)))
        t.start()
        time.sleep(2.0)
        stop.set()
        t.join()
        stop = threading.Event()
        busy: list[float] = []
        t = threading.Thread(target=lambda: busy.extend(_polls(db, extra, 2 * 10**6, stop, config)))
        t.start()
        start = time.perf_counter()
        drained = asyncio.run(aiwork.Drain(db, config, fixed(datetime.now(UTC))).run())
        took = time.perf_counter() - start
        stop.set()
        t.join()
        db.close()
    ideal = items * delay / concurrency
    print(f"queue: {items} items, model answering in {delay * 1000:.0f} ms, concurrency "
          f"{concurrency}: drained in {took:.1f} s (ideal {ideal:.1f} s, "
          f"ratio {took / ideal:.2f}); "
          f"outcomes {drained.outcomes}")  # fmt: skip

    def p(xs: list[float], q: float) -> float:
        return sorted(xs)[int(q * (len(xs) - 1))] * 1000

    print(f"  poll store writes: idle median {p(idle, .5):.1f} ms p95 {p(idle, .95):.1f} ms "
          f"({len(idle)}); while draining median {p(busy, .5):.1f} ms p95 {p(busy, .95):.1f} ms "
          f"({len(busy)}); median ratio {p(busy, .5) / p(idle, .5):.2f}")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--releases", type=int, default=300)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--items", type=int, default=1000)
    parser.add_argument("--delay", type=float, default=0.2)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--skip-queue", action="store_true")
    args = parser.parse_args()
    bench_gate(args.releases, args.rounds)
    if not args.skip_queue:
        bench_queue(args.items, args.delay, args.concurrency)


if __name__ == "__main__":
    main()
