"""The parse stage: one fetched document → the releases it announces, oldest first.

Input is a body (bytes), the `Source` it came from, its URL and declared Content-Type; output
is a `Parsed` (document kind, title, RSS `<ttl>`, and `Item`s with their keys). Feeds (RSS
0.9x/1.0/2.0 and Atom through feedparser; JSON Feed 1.0/1.1 by our own reader) and HTML
listing pages (CSS selectors through selectolax) are read; nothing here does I/O.

Identity (`identity.py` has the details): an item's key is its guid when no other item of the
same document shares it (relative guids made absolute against the feed URL, URL guids
normalised, UUIDs lower-cased), else its normalised URL (lower-case scheme and host, `http`
read as `https`, no `www.`, no trailing slash, no fragment, no tracking parameters, DHS
`/archive/news/...` read as `/news/...`), else `title:` + date + title.

Hostile input is refused with a `ParseError` whose message starts `parse: `: an empty body;
an HTML page (login wall, "Access Denied", "Just a moment...") where a feed should be; any
DOCTYPE internal subset or `<!ENTITY>` declaration (checked before feedparser, which would
expand them); malformed XML from which no item could be recovered; a listing page whose
item selector matches nothing. Control characters, NULs and lone surrogates are stripped and a
mislabelled charset is detected before any parser sees the text.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Literal

from syndicate import model
from syndicate.dates import parse_date
from syndicate.errors import ParseError
from syndicate.parse import feed, guard, jsonfeed, listing
from syndicate.parse.identity import guid_key, identity, key, normalise_url

__all__ = [
    "DHS_RULES",
    "ParseError",
    "Parsed",
    "guid_key",
    "identity",
    "items",
    "key",
    "normalise_url",
    "parse_date",
]

DocumentKind = Literal["rss", "atom", "json", "page"]
DHS_RULES = listing.DHS_RULES


@dataclass(frozen=True)
class Parsed:
    """What one document announces: its releases, oldest first, and a few facts about it."""

    items: tuple[model.Item, ...]
    title: str | None
    ttl_minutes: int | None
    kind: DocumentKind
    notes: tuple[str, ...] = ()


def items(
    body: bytes, *, source: model.Source, url: str, content_type: str | None = None
) -> Parsed:
    """Read one feed or listing page into keyed items, oldest first; `ParseError` if unusable."""
    doc = guard.text(body, content_type)
    if source.kind == "page":
        rules = source.listing or listing.DHS_RULES
        page = listing.read(doc, source_id=source.id, url=url, rules=rules)
        keyed = _ordered(identity(page.items, base=url))
        return Parsed(keyed, page.title, None, "page", page.notes)
    if jsonfeed.looks_like(doc, content_type):
        title, found = jsonfeed.read(doc, source_id=source.id, url=url)
        return Parsed(_ordered(identity(found, base=url)), title, None, "json")
    guard.no_entities(doc)
    if guard.looks_like_html(doc):
        raise guard.not_a_feed(doc)
    result = feed.read(doc, source_id=source.id, url=url)
    kind: DocumentKind = "atom" if result.kind == "atom" else "rss"
    keyed = _ordered(identity(result.items, base=url))
    return Parsed(keyed, result.title, result.ttl_minutes, kind)


def _ordered(found: tuple[model.Item, ...]) -> tuple[model.Item, ...]:
    """Oldest first. Dated items are sorted into the places dated items held; undated ones
    keep their place. Documents list newest first unless their dates say otherwise."""
    dated = [i.published for i in found if i.published is not None]
    in_order = list(found)
    if not (len(dated) >= 2 and dated[0] < dated[-1]):
        in_order.reverse()
    slots = [n for n, i in enumerate(in_order) if i.published is not None]
    oldest = sorted((in_order[n] for n in slots), key=_when)
    for n, item in zip(slots, oldest, strict=True):
        in_order[n] = item
    return tuple(in_order)


def _when(item: model.Item) -> datetime:
    return item.published or datetime.min.replace(tzinfo=UTC)
