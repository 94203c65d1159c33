"""RSS 0.9x/1.0/2.0 and Atom documents → `Item`s, read by feedparser.

Input is the already decoded, guarded text of one feed; output is its title, `<ttl>` and
entries as `Item`s in document order, keys not yet assigned. feedparser gets bytes in a
`BytesIO` (never a URL, never a string it could take for a file name), with sanitising and
link resolution off: both cost over half of its time, and the text is sanitised once later,
where it is used.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from html import escape
from typing import Any
from urllib.parse import urljoin

import feedparser
from selectolax.lexbor import LexborHTMLParser

from syndicate import model
from syndicate.dates import parse_date
from syndicate.errors import ParseError
from syndicate.parse import guard
from syndicate.text import squash


@dataclass(frozen=True)
class Feed:
    """What one feed document says, before identity is assigned."""

    kind: str
    title: str | None
    ttl_minutes: int | None
    items: tuple[model.Item, ...]


_KINDS = {"atom": "atom", "rss": "rss", "cdf": "rss"}


def read(doc: str, *, source_id: str, url: str) -> Feed:
    """Parse one RSS or Atom document; refuse it when nothing usable comes out."""
    try:
        result: Any = feedparser.parse(
            io.BytesIO(guard.as_utf8_xml(doc)),
            sanitize_html=False,
            resolve_relative_uris=False,
            response_headers={"content-type": "application/xml; charset=utf-8"},
        )
    except Exception as e:
        # feedparser is fed whatever a server sent; if hostile input crashes it, that is a
        # fact about the document, to be recorded against the source like any other.
        raise ParseError(f"parse: feedparser failed ({type(e).__name__}: {e})"[:300]) from e
    version = str(result.get("version") or "")
    items = tuple(
        item for entry in result.entries if (item := _item(entry, source_id, url)) is not None
    )
    if not version and not items:
        if "<html" in doc[:4096].lower():
            raise guard.not_a_feed(doc)
        raise ParseError(f"parse: not a feed ({_why(result)})")
    if not items and _malformed(result):
        # A well-formed feed with no items is a quiet spell, not an error; a malformed one
        # whose parser recovered nothing may well have lost them.
        raise ParseError(f"parse: malformed feed with no usable items ({_why(result)})")
    feed = result.feed
    return Feed(
        kind=_KINDS.get(re.sub(r"\d.*", "", version), "rss"),
        title=_text(feed.get("title"), feed.get("title_detail")) or None,
        ttl_minutes=_ttl(feed.get("ttl")),
        items=items,
    )


def _why(result: Any) -> str:
    exc = result.get("bozo_exception")
    return squash(str(exc))[:200] if exc else "no RSS or Atom root element"


def _malformed(result: Any) -> bool:
    exc = result.get("bozo_exception")
    return bool(result.get("bozo")) and not isinstance(exc, feedparser.CharacterEncodingOverride)


def _item(entry: Any, source_id: str, base: str) -> model.Item | None:
    title = _text(entry.get("title"), entry.get("title_detail"))
    link = squash(entry.get("link") or "")
    guid = squash(entry.get("id") or "") or None
    if not (title or link or guid):
        return None
    # Item URLs are absolute (the link, else a permalink guid), whatever the feed wrote.
    href = link or (guid if entry.get("guidislink") and guid else "")
    contents = entry.get("content") or []
    content = "".join(str(c.get("value") or "") for c in contents if "html" in c.get("type", ""))
    if not content and contents:
        content = _escape_text(str(contents[0].get("value") or ""))
    published, date_field = _date(entry)
    via: model.Via = (("title", "feed <title>"),) if title else ()
    via += (("date", f"feed <{date_field}>"),) if date_field else ()
    return model.Item(
        source_id=source_id,
        key="",
        title=title,
        url=urljoin(base, href) if href else "",
        guid=guid,
        published=published,
        summary_html=_html(entry.get("summary"), entry.get("summary_detail")),
        content_html=content,
        author=squash(entry.get("author") or "") or None,
        via=via,
    )


def _text(value: object, detail: Any) -> str:
    text = str(value or "")
    kind = str((detail or {}).get("type") or "")
    if "html" in kind and "<" in text:
        text = LexborHTMLParser(text).text(separator=" ")
    return squash(text)


def _html(value: object, detail: Any) -> str:
    # Atom's type="text" (the default) is plain text; HTML consumers need it escaped.
    text = str(value or "")
    kind = str((detail or {}).get("type") or "text/html")
    return text if "html" in kind else _escape_text(text)


def _escape_text(text: str) -> str:
    paragraphs = [p.strip() for p in re.split(r"\n\s*\n", text) if p.strip()]
    return "".join(f"<p>{escape(p)}</p>" for p in paragraphs)


# feedparser's names for the date elements, as a feed writes them (RSS first, then Atom).
_DATE_ELEMENTS = {"published": "pubDate/published", "updated": "updated", "created": "created"}


def _date(entry: Any) -> tuple[datetime | None, str]:
    """The item's date and the element it came from ("" when it has none)."""
    for field in ("published", "updated", "created"):
        raw = entry.get(field)
        if raw and (found := parse_date(str(raw))):
            return found, _DATE_ELEMENTS[field]
    # feedparser reads a few more exotic formats than we do, always as UTC.
    for field in ("published_parsed", "updated_parsed"):
        parsed = entry.get(field)
        if parsed:
            year, month, day, hour, minute, second = parsed[:6]
            element = _DATE_ELEMENTS[field.removesuffix("_parsed")]
            return datetime(year, month, day, hour, minute, second, tzinfo=UTC), element
    return None, ""


def _ttl(raw: object) -> int | None:
    # RSS 2.0 <ttl>: minutes a reader may cache the channel.
    try:
        minutes = int(str(raw).strip())
    except ValueError:
        return None
    return minutes if 0 < minutes <= 7 * 24 * 60 else None
