"""`syndicate inspect FILE|DIR|URL ...`: what syndicate sees in feeds and listing pages.

Input: files, directories (every file under them) and http(s) URLs. Output: for each
document, its kind, title, `<ttl>` and items (key, date, title, link), or the error a poll
would record. Nothing is stored. One bad document never stops the run: each is guarded on its
own, and the exit status is 1 when any was rejected.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import mimetypes
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from syndicate import __version__, config, fetch, model, parse
from syndicate.errors import SyndicateError

_PAGE_SUFFIXES = (".html", ".htm", ".xhtml")


@dataclass
class Report:
    """One document's outcome."""

    document: str
    kind: str
    parsed: parse.Parsed | None = None
    error: str | None = None
    notes: list[str] = field(default_factory=list)


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "inspect",
        help="show the items syndicate reads from feeds or listing pages (files or URLs)",
        description=(
            "Parse each feed or listing page the way a poll would and show its items (keys, "
            "dates, titles, links) or the error that would be recorded. Directories are "
            "walked. Exit status 1 when any document is rejected."
        ),
    )
    p.add_argument(
        "documents",
        nargs="+",
        metavar="FILE|DIR|URL",
        help="feeds or listing pages: files, folders (every file under them) or http(s) URLs",
    )
    p.add_argument(
        "--kind",
        choices=("auto", "feed", "page"),
        default="auto",
        help="feed or listing page (default: a configured source's kind for its URL, 'page' "
        "for .html files, else 'feed')",
    )
    p.add_argument("--json", action="store_true", help="print one JSON array instead of text")
    p.add_argument(
        "--base",
        help="URL that relative links and guids in FILES resolve against (default: the file)",
    )
    rules = parse.DHS_RULES
    p.add_argument(
        "--item",
        default=rules.item,
        help=f"CSS selector of one release on a listing page (default: {rules.item!r})",
    )
    p.add_argument(
        "--link",
        default=rules.link,
        help=f"CSS selector of the release's link inside an item (default: {rules.link!r})",
    )
    p.add_argument(
        "--title",
        default=rules.title,
        help=f"CSS selector of the title inside an item (default: {rules.title!r})",
    )
    p.add_argument(
        "--date",
        default=rules.date,
        help=f"CSS selector of the date inside an item (default: {rules.date!r})",
    )
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    reports = asyncio.run(_inspect(args))
    if args.json:
        print(json.dumps([_as_json(r) for r in reports], indent=2, ensure_ascii=False))
    else:
        for report in reports:
            _print(report)
        rejected = sum(1 for r in reports if r.error)
        total = _count(len(reports), "document")
        print(f"{total}: {len(reports) - rejected} read, {rejected} rejected")
    return 1 if any(r.error for r in reports) else 0


async def _inspect(args: argparse.Namespace) -> list[Report]:
    urls = [d for d in args.documents if d.startswith(("http://", "https://"))]
    sources: dict[str, model.Source] = {}
    cfg = config.parse("", Path.cwd())
    if urls and Path(args.config).is_file():
        cfg = config.load(args.config)
        sources = {parse.normalise_url(s.url): s for s in cfg.source_list()}
    reports: list[Report] = []
    fetcher = fetch.Fetcher.from_config(cfg.fetch, cfg.user_agent(__version__) + " inspect")
    async with fetcher:
        for document in args.documents:
            if document in urls:
                reports.append(await _url(fetcher, document, args, sources))
            elif "://" in document:
                error = f"inspect: cannot read {document}: only http(s) URLs are fetched"
                reports.append(Report(document, args.kind, error=error))
            elif paths := list(_files(document)):
                reports.extend(_file(path, args) for path in paths)
            else:  # an empty directory is a mistake worth saying, not "0 documents" and 0
                error = f"inspect: {document} is a directory with no files in it"
                reports.append(Report(document, args.kind, error=error))
    return reports


def _files(document: str) -> Iterator[Path]:
    path = Path(document)
    if path.is_dir():
        yield from sorted(p for p in path.rglob("*") if p.is_file())
    else:
        yield path


def _source(kind: str, url: str, args: argparse.Namespace) -> model.Source:
    rules = model.ListingRules(args.item, args.link, args.title or None, args.date or None)
    source_kind: model.SourceKind = "page" if kind == "page" else "feed"
    return model.Source("inspect", "inspect", "DHS", source_kind, url, listing=rules)


def _file(path: Path, args: argparse.Namespace) -> Report:
    kind = args.kind
    if kind == "auto":
        kind = "page" if path.suffix.lower() in _PAGE_SUFFIXES else "feed"
    report = Report(str(path), kind)
    try:
        if path.exists() and not path.is_file():  # a FIFO or /dev/zero would never end
            report.error = f"inspect: {path} is not a regular file"
            return report
        body = path.read_bytes()
        url = args.base or path.resolve().as_uri()
        content_type = mimetypes.guess_type(path.name)[0]
        report.parsed = parse.items(
            body, source=_source(kind, url, args), url=url, content_type=content_type
        )
    except OSError as e:
        report.error = f"inspect: cannot read {path}: {e.strerror or e}"
    except SyndicateError as e:
        report.error = str(e)
    except Exception as e:  # a bug in a parser must not hide the other documents' results
        report.error = f"inspect: unexpected {type(e).__name__}: {e}"
    return report


async def _url(
    fetcher: fetch.Fetcher, url: str, args: argparse.Namespace, sources: dict[str, model.Source]
) -> Report:
    known = sources.get(parse.normalise_url(url))
    kind = args.kind if args.kind != "auto" else (known.kind if known else "feed")
    report = Report(url, kind)
    source = _source(kind, url, args)
    if known and known.kind == kind and args.kind == "auto":
        source = known
        report.notes.append(f"configured source {known.id!r}")
    try:
        accept = fetch.PAGE_ACCEPT if kind == "page" else fetch.FEED_ACCEPT
        got = await fetcher.get(url, accept=accept)
        if got.final_url != url:
            report.notes.append(f"redirected to {got.final_url}")
        if got.status != 200:
            report.error = f"fetch: {got.status} from {url}"
            return report
        report.parsed = parse.items(
            got.body, source=source, url=got.final_url, content_type=got.header("content-type")
        )
    except SyndicateError as e:
        report.error = str(e)
    except Exception as e:  # as for files: report it, go on with the next document
        report.error = f"inspect: unexpected {type(e).__name__}: {e}"
    return report


def _print(report: Report) -> None:
    notes = f" ({'; '.join(report.notes)})" if report.notes else ""
    if report.error or report.parsed is None:
        print(f"{report.document}{notes}: REJECTED {report.error}")
        return
    p = report.parsed
    ttl = f", ttl {p.ttl_minutes} min" if p.ttl_minutes else ""
    title = f" {p.title!r}" if p.title else ""
    count = _count(len(p.items), "item")
    print(f"{report.document}{notes}: {p.kind}{title}, {count}{ttl}, oldest first")
    for item in p.items:
        when = item.published.strftime("%Y-%m-%d %H:%MZ") if item.published else "undated"
        print(f"  {when:<17} {item.title}")
        print(f"  {'':<17} key  {item.key}")
        if item.url and item.url != item.key:
            print(f"  {'':<17} link {item.url}")


def _as_json(report: Report) -> dict[str, Any]:
    out: dict[str, Any] = {"document": report.document, "kind": report.kind}
    out["ok"] = report.error is None
    out["error"] = report.error
    out["notes"] = report.notes
    if report.parsed is not None:
        p = report.parsed
        out |= {"kind": p.kind, "title": p.title, "ttl_minutes": p.ttl_minutes}
        out["items"] = [
            {
                "key": i.key,
                "guid": i.guid,
                "title": i.title,
                "url": i.url,
                "published": i.published.isoformat() if i.published else None,
                "author": i.author,
                "summary_chars": len(i.summary_html),
                "content_chars": len(i.content_html),
            }
            for i in p.items
        ]
    return out


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" + ("" if n == 1 else "s")
