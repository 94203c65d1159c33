"""A source's documents in, its items out: the listing or feed at `url`, then each extra feed
(topic or regional feeds), fetched conditionally and merged by identity.

Input: the fetcher, the store (validators and each document's history), a `Source`. Output:
a `Read`: the merged items oldest first, one `Document` per URL (status, items found, error,
whether it was refused), and the main document's response for the schedule. Each read is
recorded in the store's `source_documents` rows; nothing else is stored here.

Also here: `settled`, which reconciles what a listing or feed said about a release with what
its own page says (the page's date wins; an empty title falls back to the page's heading,
then the URL's slug).
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from syndicate import fetch, parse, titles
from syndicate.errors import FetchError, ParseError
from syndicate.model import Article, Fetched, Item, Source, Validators
from syndicate.pipeline import memo
from syndicate.store import Store

# Statuses that mean "not for you": a refusal, not a failure.
REFUSED = frozenset({401, 403, 451})


@dataclass
class Document:
    """What one document of a source did in this poll."""

    url: str
    status: int | None = None
    found: int | None = None
    error: str | None = None
    not_modified: bool = False
    refused: str | None = None  # why, when the document was refused (robots.txt, 403)
    notes: tuple[str, ...] = ()
    exception: FetchError | ParseError | None = field(default=None, repr=False)
    digest: bytes | None = None  # of the body parsed (`memo.digest`)
    repeated: bool = False  # the body was the one `last` parsed: not parsed again


@dataclass
class Read:
    """A source's documents, read: merged items, per-document outcomes, the main response."""

    items: list[Item] = field(default_factory=list)
    documents: list[Document] = field(default_factory=list)
    main: Fetched | None = None
    main_error: FetchError | ParseError | None = None
    ttl_minutes: int | None = None

    @property
    def read_any(self) -> bool:
        """Whether any document answered (with items or a 304)."""
        return any(d.error is None for d in self.documents)

    @property
    def all_not_modified(self) -> bool:
        return all(d.not_modified for d in self.documents)


def refusal(error: FetchError) -> str | None:
    """Why a fetch was refused (robots.txt, 401/403/451), or None for any other failure."""
    # The fetcher words a robots.txt refusal "robots.txt of ORIGIN disallows URL".
    if "robots.txt" in str(error) and "disallows" in str(error):
        return "blocked by robots.txt"
    if error.status in REFUSED:
        return f"refused with {error.status}"
    return None


async def read(
    fetcher: fetch.Fetcher,
    store: Store,
    source: Source,
    *,
    main_url: str,
    main_validators: Validators | None,
    now: datetime,
    last: memo.Parsed | None = None,
) -> Read:
    """Fetch and parse every document of `source`; record each read per document. A main
    document whose body is the one `last` parsed is not parsed again: its count, notes and
    `<ttl>` are `last`'s, and it lists no items (the caller replays the rest)."""
    result = Read()
    seen: dict[str, Item] = {}
    by_url: dict[str, str] = {}
    for index, url in enumerate((main_url, *source.extra_feeds)):
        kind = source.kind if index == 0 else "feed"
        configured = source.url if index == 0 else url
        if index == 0:
            validators = main_validators
        else:
            known = await asyncio.to_thread(store.polls.document, source.id, configured)
            validators = known.validators if known else None
        doc, got, parsed = await _one(
            fetcher, source, url, kind, validators, last if index == 0 else None
        )
        result.documents.append(doc)
        if index == 0:
            result.main = got
            result.ttl_minutes = parsed.ttl_minutes if parsed else None
            if doc.repeated and last is not None:
                result.ttl_minutes = last.ttl_minutes
            result.main_error = doc.exception
        await asyncio.to_thread(
            store.polls.read_document, source.id, configured, now=now, status=doc.status,
            found=doc.found, validators=got.validators if got and doc.error is None else None,
            error=doc.error,
        )  # fmt: skip
        for item in parsed.items if parsed else ():
            # The same release in two topic feeds is one item: by key, then by URL.
            url_key = parse.normalise_url(item.url) if item.url else ""
            if item.key in seen or (url_key and url_key in by_url):
                continue
            seen[item.key] = item
            if url_key:
                by_url[url_key] = item.key
    result.items = _oldest_first(list(seen.values()), several=len(result.documents) > 1)
    return result


async def _one(
    fetcher: fetch.Fetcher,
    source: Source,
    url: str,
    kind: str,
    validators: Validators | None,
    last: memo.Parsed | None,
) -> tuple[Document, Fetched | None, parse.Parsed | None]:
    doc = Document(url)
    got: Fetched | None = None
    try:
        accept = fetch.PAGE_ACCEPT if kind == "page" else fetch.FEED_ACCEPT
        got = await fetcher.get(url, validators, accept=accept)
        doc.status = got.status
        if got.not_modified:
            doc.not_modified = True
            return doc, got, None
        doc.digest = memo.digest(got.body, got.final_url, got.header("content-type"))
        if last is not None and doc.digest == last.digest:
            doc.found, doc.notes, doc.repeated = last.found, last.notes, True
            return doc, got, None
        as_kind = source if kind == source.kind else replace(source, kind="feed", listing=None)
        # feedparser is slow on big hostile documents: keep the event loop free.
        parsed = await asyncio.to_thread(
            parse.items, got.body, source=as_kind, url=got.final_url,
            content_type=got.header("content-type"),
        )  # fmt: skip
    except FetchError as e:
        doc.status, doc.error, doc.exception = e.status, str(e), e
        doc.refused = refusal(e)
        return doc, got, None
    except ParseError as e:
        doc.error, doc.exception = str(e), e
        return doc, got, None
    doc.found = len(parsed.items)
    doc.notes = parsed.notes
    return doc, got, parsed


def _oldest_first(items: list[Item], *, several: bool) -> list[Item]:
    """One document's items stay as parse ordered them; several are merged by date."""
    if not several:
        return items
    dated = [i for i in items if i.published is not None]
    undated = [i for i in items if i.published is None]
    return undated + sorted(dated, key=lambda i: i.published or datetime.min.replace(tzinfo=UTC))


def settled(item: Item, article: Article, zone: str) -> tuple[Item, list[str]]:
    """The item as it will be stored: title and date reconciled with its release page."""
    notes: list[str] = []
    title = item.title
    via = dict(item.via)
    if not title:
        title = article.title or titles.from_url(item.url)
        via["title"] = "release page title" if article.title else "URL slug"
        notes.append(f"title: the document gives none; took the {via['title']}")
    published = item.published
    page = article.published if article.origin == "page" else None
    if page is not None and published is not None and page != published:
        local = ZoneInfo(zone)
        same_day = page.astimezone(local).date() == published.astimezone(local).date()
        page_has_time = page.astimezone(local).time() != datetime.min.time()
        if not same_day:
            notes.append(
                f"date: the document says {published.date().isoformat()}, the release page "
                f"{page.date().isoformat()}; the page's is used"
            )
            published, via["date"] = page, "release page"
        elif page_has_time:
            published, via["date"] = page, "release page"
    elif published is None and article.published is not None:
        published, via["date"] = article.published, "release page"
    changed = title != item.title or published != item.published
    return (replace(item, title=title, published=published, via=tuple(via.items())) if changed
            else item), notes  # fmt: skip
