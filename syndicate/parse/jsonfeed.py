"""JSON Feed 1.0 and 1.1 documents → `Item`s (https://www.jsonfeed.org/version/1.1/).

Input is the decoded text of one JSON Feed; output is its title and items in document
order, keys not yet assigned. feedparser 6 does not read JSON Feed, so this is our own,
following the spec's field names: `id` (required), `url`, `external_url`, `title`,
`content_html`, `content_text`, `summary`, `date_published`/`date_modified` (RFC 3339), and
`authors` (1.1) or `author` (1.0).
"""

from __future__ import annotations

import json
import re
from html import escape
from urllib.parse import urljoin

from syndicate import model
from syndicate.dates import parse_date
from syndicate.errors import ParseError
from syndicate.text import clean, squash

VERSION_PREFIX = "https://jsonfeed.org/version/"


def looks_like(doc: str, content_type: str | None) -> bool:
    """Whether a document is meant to be JSON (by its media type or its first character)."""
    if content_type and "json" in content_type.lower():
        return True
    return doc.lstrip().startswith("{")


def read(doc: str, *, source_id: str, url: str) -> tuple[str | None, tuple[model.Item, ...]]:
    """Parse one JSON Feed; returns its title and items."""
    try:
        data = json.loads(doc)
    except (ValueError, RecursionError) as e:
        raise ParseError(f"parse: malformed JSON feed ({squash(str(e))[:200]})") from None
    if not isinstance(data, dict) or not str(data.get("version", "")).startswith(VERSION_PREFIX):
        raise ParseError(f"parse: not a feed (JSON without a {VERSION_PREFIX}... version)")
    raw_items = data.get("items")
    if not isinstance(raw_items, list):
        raise ParseError("parse: malformed JSON feed (`items` is not a list)")
    items = tuple(
        item
        for raw in raw_items
        if isinstance(raw, dict) and (item := _item(raw, source_id, url)) is not None
    )
    if raw_items and not items:
        raise ParseError("parse: malformed JSON feed (no item has an id, url or title)")
    return _str(data.get("title")) or None, items


def _str(value: object) -> str:
    # The spec says strings; numbers turn up as ids in the wild, anything else is dropped.
    if isinstance(value, str):
        return squash(value)
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    return ""


def _item(raw: dict[str, object], source_id: str, base: str) -> model.Item | None:
    guid = _str(raw.get("id"))
    url = _str(raw.get("url")) or _str(raw.get("external_url"))
    raw_text = raw.get("content_text")
    text = clean(raw_text) if isinstance(raw_text, str) else ""
    title = _str(raw.get("title")) or _first_line(text)
    if not (guid or url or title):
        return None
    content = raw.get("content_html")
    summary = _str(raw.get("summary"))
    date = _str(raw.get("date_published")) or _str(raw.get("date_modified"))
    return model.Item(
        source_id=source_id,
        key="",
        title=title,
        url=urljoin(base, url) if url else "",
        guid=guid or None,
        published=parse_date(date) if date else None,
        summary_html=f"<p>{escape(summary)}</p>" if summary else "",
        content_html=clean(content) if isinstance(content, str) else _paragraphs(text),
        author=_author(raw),
    )


def _first_line(text: str) -> str:
    # Title-less items (allowed by the spec) are named by the start of their text.
    line = squash(text.strip().split("\n", 1)[0]) if text.strip() else ""
    return line if len(line) <= 120 else line[:119].rsplit(" ", 1)[0] + "…"


def _paragraphs(text: str) -> str:
    parts = [p.strip() for p in re.split(r"\n\s*\n", text) if p.strip()]
    return "".join(f"<p>{escape(p)}</p>" for p in parts)


def _author(raw: dict[str, object]) -> str | None:
    authors = raw.get("authors")
    if not isinstance(authors, list):
        authors = [raw.get("author")]
    names = [_str(a.get("name")) for a in authors if isinstance(a, dict)]
    return ", ".join(n for n in names if n) or None
