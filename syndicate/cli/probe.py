"""`syndicate sources test ID [--file PATH] [--pages N] [--json]`: try a source's selectors.

It fetches the source's documents once (politely: robots.txt, per-host spacing; nothing is
stored) and the newest N release pages, and prints each item with its title, date, link and
the first words of its extracted body, each with the selector or rule that produced it.
`--file` reads a saved copy of the listing or feed instead (or a saved release page, when
the file is not one). Exit status 0 when every document read, items were found and every
page tried gave a body; 1 otherwise.
"""

from __future__ import annotations

import argparse
import asyncio
import json
from pathlib import Path
from typing import Any

from syndicate import config as config_module
from syndicate.errors import ConfigError
from syndicate.model import Via
from syndicate.pipeline import probe as probes
from syndicate.pipeline.poll import make_fetcher

LIVE_PAGES = 3


def register(actions: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    t = actions.add_parser(
        "test",
        help="fetch a source once and show what its selectors find (title, date, body)",
        description="Fetch a source's listing or feed once (robots.txt respected, nothing "
        "stored) and its newest release pages; show each item's title, date, link and first "
        "words of body, with the selector that produced each. Exit 1 when anything fails.",
    )
    t.add_argument("id", metavar="ID", help="the configured source to try (enabled or not)")
    t.add_argument(
        "--file",
        metavar="PATH",
        help="read this saved listing, feed or release page instead of fetching "
        "(default: fetch the source's URLs)",
    )
    t.add_argument(
        "--pages",
        type=int,
        metavar="N",
        help=f"release pages to fetch, newest first (default: {LIVE_PAGES}; 0 with --file)",
    )
    t.add_argument("--json", action="store_true", help="print JSON (default: text)")
    t.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    cfg = config_module.load(args.config)
    sources = {s.id: s for s in cfg.source_list()}
    source = sources.get(args.id)
    if source is None:
        known = ", ".join(sources) or "none configured"
        raise ConfigError(f"sources: no source with id {args.id!r} (configured: {known})")
    zone = cfg.service.timezone
    if args.file:
        path = Path(args.file)
        try:
            body = path.read_bytes()
        except OSError as e:
            raise ConfigError(f"sources: cannot read {path}: {e.strerror or e}") from None
        result = probes.from_file(source, body, str(path), zone=zone)
    else:
        pages = LIVE_PAGES if args.pages is None else max(args.pages, 0)

        async def live() -> probes.Probe:
            async with make_fetcher(cfg) as fetcher:
                return await probes.run(source, fetcher, pages=pages, zone=zone)

        result = asyncio.run(live())
    if args.json:
        print(json.dumps(as_json(result), indent=2, ensure_ascii=False))
    else:
        for line in lines(result):
            print(line)
    return 0 if result.ok else 1


def _via(via: Via, name: str) -> str:
    return dict(via).get(name, "")


def lines(result: probes.Probe) -> list[str]:
    """The probe as text: one block per document, then one per item."""
    src = result.source
    out = [f"source {src.id} ({src.agency}, {src.kind}){'' if src.enabled else ' [disabled]'}"]
    if not src.enabled and src.disabled_reason:
        out.append(f"  disabled: {src.disabled_reason}")
    for doc in result.documents:
        status = f" -> {doc.status}" if doc.status else ""
        if doc.error:
            out.append(f"  {doc.kind} {doc.url}{status}: FAILED {doc.error}")
        else:
            out.append(f"  {doc.kind} {doc.url}{status}: {_count(doc.found, 'item')}")
        out += [f"    note: {n}" for n in doc.notes]
    for n, entry in enumerate(result.items, 1):
        item, listed, page = entry.item, entry.listed, entry.article
        when = item.published.strftime("%Y-%m-%d %H:%M UTC") if item.published else "undated"
        out.append(f"  {n}. {item.title or '(no title)'}")
        vias = {}
        for name, from_page in (("title", "release page title"), ("date", "release page")):
            via = _via(item.via, name) or "-"
            if page is not None and via == from_page and _via(page.via, name):
                via = f"release page: {_via(page.via, name)}"
            vias[name] = via
        out.append(f"     title  [{vias['title']}]")
        out.append(f"     date   {when}  [{vias['date']}]")
        if result.mode == "article":
            out.append("     link   -  [a saved release page]")
        else:
            out.append(f"     link   {item.url}  [{_via(listed.via, 'link') or 'feed <link>'}]")
        if entry.article is not None:
            body_via = _via(entry.article.via, "body") or "feed text"
            out.append(f"     body   {entry.first_words}  ({entry.words} words) [{body_via}]")
        elif entry.error:
            out.append(f"     body   FAILED {entry.error}")
        out += [f"     note   {note}" for note in entry.notes]
    verdict = "ok" if result.ok else "PROBLEMS"
    bodies = sum(1 for i in result.items if i.article)
    out.append(f"{verdict}: {_count(len(result.items), 'item')}, {_count(bodies, 'body')} read")
    return out


def _count(n: int, noun: str) -> str:
    plural = "bodies" if noun == "body" else f"{noun}s"
    return f"{n} {noun if n == 1 else plural}"


def summary(result: probes.Probe) -> str:
    """One line for `syndicate check --network`."""
    failed = [d for d in result.documents if d.error]
    if failed:
        return failed[0].error or "failed"
    kinds = "+".join(sorted({d.kind for d in result.documents}))
    text = f"{kinds}, {_count(len(result.items), 'item')}"
    if result.items:
        newest = result.items[0]
        when = newest.item.published.date().isoformat() if newest.item.published else "undated"
        text += f"; newest {newest.item.title[:60]!r} ({when})"
        if newest.article is not None:
            text += (
                f", body {newest.words} words via {_via(newest.article.via, 'body') or 'feed text'}"
            )
        elif newest.error:
            text += f", page FAILED: {newest.error}"
    return text


def as_json(result: probes.Probe) -> dict[str, Any]:
    def item(entry: probes.ProbeItem) -> dict[str, Any]:
        i = entry.item
        return {
            "title": i.title,
            "url": i.url,
            "published": i.published.isoformat() if i.published else None,
            "via": dict(i.via),
            "listed": {
                "title": entry.listed.title,
                "published": entry.listed.published.isoformat() if entry.listed.published else None,
                "via": dict(entry.listed.via),
            },
            "page": None
            if entry.article is None
            else {
                "title": entry.article.title,
                "published": entry.article.published.isoformat()
                if entry.article.published
                else None,
                "first_words": entry.first_words,
                "words": entry.words,
                "via": dict(entry.article.via),
            },
            "error": entry.error,
            "notes": entry.notes,
        }

    return {
        "source": result.source.id,
        "mode": result.mode,
        "ok": result.ok,
        "documents": [
            {
                "url": d.url,
                "kind": d.kind,
                "status": d.status,
                "items": d.found,
                "error": d.error,
                "notes": list(d.notes),
            }
            for d in result.documents
        ],
        "items": [item(e) for e in result.items],
    }
