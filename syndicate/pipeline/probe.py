"""One source, tried once and stored nowhere: what its documents list and what its release
pages give, with the selector or rule behind every field (`syndicate sources test`, and
`syndicate check --network`).

Input: a `Source`, a fetcher (polite: robots.txt, spacing) or a saved file, how many release
pages to fetch. Output: a `Probe`: per document its status, item count and notes; per item
(newest first) its title, date and link as they would be stored, where each came from, and,
for the pages fetched, the first words of the extracted body. A saved file is read as the
source's listing or feed, else as one of its release pages.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from datetime import datetime

from syndicate import extract, fetch, parse
from syndicate.errors import ExtractError, FetchError, ParseError
from syndicate.model import Article, Item, Source
from syndicate.pipeline import documents

# Words of the body shown per item.
FIRST_WORDS = 25


@dataclass
class ProbeItem:
    """One release as the source shows it, and as its page reads."""

    item: Item  # settled with its page when the page was read
    listed: Item  # as the document listed it
    article: Article | None = None
    error: str | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def first_words(self) -> str:
        words = self.article.text.split() if self.article else []
        return " ".join(words[:FIRST_WORDS]) + (" ..." if len(words) > FIRST_WORDS else "")

    @property
    def words(self) -> int:
        return len(self.article.text.split()) if self.article else 0


@dataclass
class ProbeDocument:
    url: str
    kind: str
    status: int | None = None
    found: int = 0
    error: str | None = None
    notes: tuple[str, ...] = ()


@dataclass
class Probe:
    source: Source
    mode: str  # "fetched", "file" (a saved listing or feed), "article" (a saved release page)
    documents: list[ProbeDocument] = field(default_factory=list)
    items: list[ProbeItem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """Every document read, something found, and every page tried gave a body."""
        if any(d.error for d in self.documents) or not self.items:
            return False
        return all(i.error is None for i in self.items)


async def run(
    source: Source, fetcher: fetch.Fetcher, *, pages: int, zone: str = "America/New_York"
) -> Probe:
    """Fetch the source's documents once and the newest `pages` release pages."""
    probe = Probe(source, "fetched")
    found: dict[str, Item] = {}
    for index, url in enumerate(source.urls):
        kind = source.kind if index == 0 else "feed"
        doc = ProbeDocument(url, kind)
        probe.documents.append(doc)
        try:
            accept = fetch.PAGE_ACCEPT if kind == "page" else fetch.FEED_ACCEPT
            got = await fetcher.get(url, accept=accept)
            doc.status = got.status
            parsed = _parse(source, kind, got.body, got.final_url, got.header("content-type"))
        except (FetchError, ParseError) as e:
            doc.error, doc.status = str(e), getattr(e, "status", doc.status)
            continue
        doc.found, doc.notes = len(parsed.items), parsed.notes
        for item in parsed.items:
            found.setdefault(item.key, item)
    newest = sorted(found.values(), key=_newest, reverse=True)
    probe.items = [ProbeItem(i, i) for i in newest]
    for entry in probe.items[:pages]:
        await _page(entry, source, fetcher, zone)
    return probe


def from_file(source: Source, body: bytes, name: str, *, zone: str = "America/New_York") -> Probe:
    """Read a saved document of the source, or, failing that, a saved release page."""
    url = source.url
    doc = ProbeDocument(name, source.kind)
    try:
        parsed = _parse(source, source.kind, body, url, None)
    except ParseError as e:
        try:
            article = extract.article(body, url=url, rules=source.article)
        except ExtractError:
            doc.error = str(e)
            return Probe(source, "file", [doc])
        listed = Item(source.id, "", "", "")  # a saved page: its address is not known
        item, notes = documents.settled(listed, article, zone)
        notes = [n for n in notes if not n.startswith("title:")]  # a page names itself
        page = ProbeDocument(name, "release page", found=1)
        return Probe(source, "article", [page], [ProbeItem(item, listed, article, notes=notes)])
    doc.found, doc.notes = len(parsed.items), parsed.notes
    items = sorted(parsed.items, key=_newest, reverse=True)
    return Probe(source, "file", [doc], [ProbeItem(i, i) for i in items])


async def _page(entry: ProbeItem, source: Source, fetcher: fetch.Fetcher, zone: str) -> None:
    item = entry.listed
    try:
        if source.full_text or not item.url:
            article = extract.from_feed(item)
        else:
            page = await fetcher.get(item.url, accept=fetch.PAGE_ACCEPT)
            article = await asyncio.to_thread(
                extract.article, page.body, url=page.final_url, rules=source.article,
                content_type=page.header("content-type"),
            )  # fmt: skip
    except FetchError as e:
        if not (item.content_html or item.summary_html):
            entry.error = str(e)
            return
        entry.notes.append(f"page: {e}; the feed's text stands in")
        article = extract.from_feed(item)
    except ExtractError as e:
        entry.error = str(e)
        return
    entry.article = article
    entry.item, notes = documents.settled(item, article, zone)
    entry.notes.extend(notes)


def _parse(
    source: Source, kind: str, body: bytes, url: str, content_type: str | None
) -> parse.Parsed:
    as_kind = source if kind == source.kind else Source(
        source.id, source.name, source.agency, "feed", url
    )  # fmt: skip
    return parse.items(body, source=as_kind, url=url, content_type=content_type)


def _newest(item: Item) -> tuple[int, datetime | str]:
    # Dated items newest first, undated ones after them.
    return (1, item.published) if item.published else (0, "")
