"""The checks every document passes before a parser sees it.

Input is the raw body (and its declared Content-Type); output is clean text, or a
`ParseError` saying why the document is refused. Refusals here are cheap: a few regular
expression scans over text that is at most the fetch stage's size cap.
"""

from __future__ import annotations

import html
import re

from syndicate.errors import ParseError
from syndicate.text import decode, squash

# An internal DTD subset is where entities are declared. feedparser 6 expands one large
# entity referenced many times into gigabytes, so no internal subset gets through at all
# (feeds never need one: RSS 0.91's DOCTYPE is external, and nobody else has one). XML allows
# one DOCTYPE, before the root; `<!ENTITY` is refused wherever it is.
_DOCTYPE = re.compile(r"<!DOCTYPE", re.I)
_ENTITY = re.compile(r"<!ENTITY", re.I)
_LEAD = re.compile(r"\A(?:\s+|<\?xml[^>]{0,500}>|<!--.{0,2000}?-->)*", re.S)
_HTML_START = re.compile(r"<!DOCTYPE\s+html|<html[\s>]|<head[\s>]|<body[\s>]", re.I)
_TITLE = re.compile(r"<title[^>]{0,500}>", re.I)
_TITLE_END = re.compile(r"</title\s*>", re.I)
_TAGS = re.compile(r"<[^>]{0,500}>")
_XML_DECL = re.compile(r"\A(\s*<\?xml[^>]*?)\s+encoding\s*=\s*([\"'])[^\"']*\2", re.I)


def text(body: bytes, content_type: str | None = None) -> str:
    """The body decoded (wrong charsets detected), cleaned, and refused when empty."""
    if not body.strip():
        raise ParseError("parse: empty document" + (" (only white space)" if body else ""))
    decoded, _ = decode(body, content_type)
    if not decoded.strip():
        raise ParseError("parse: empty document (only control characters and white space)")
    return decoded


def no_entities(doc: str) -> None:
    """Refuse a document that declares a DTD internal subset or entities."""
    doctype = _DOCTYPE.search(doc)
    subset = False
    if doctype:
        declaration = doc[doctype.end() : doctype.end() + 4096].split(">", 1)[0]
        subset = "[" in declaration
    if subset or _ENTITY.search(doc):
        raise ParseError(
            "parse: refused a document with a DOCTYPE internal subset or <!ENTITY> "
            "declarations (entity expansion can exhaust memory)"
        )


def page_title(doc: str) -> str | None:
    """The text of an HTML document's <title>, if it has one."""
    start = _TITLE.search(doc, 0, 200_000)
    end = _TITLE_END.search(doc, start.end(), start.end() + 2000) if start else None
    if not (start and end):
        return None
    title = squash(html.unescape(_TAGS.sub(" ", doc[start.end() : end.start()])))
    return title[:120] or None


def looks_like_html(doc: str) -> bool:
    """Whether a document that should be a feed starts like an HTML page."""
    start = _LEAD.match(doc)
    head = doc[start.end() if start else 0 :][:1024]
    return bool(_HTML_START.match(head))


def not_a_feed(doc: str) -> ParseError:
    """The error for an HTML page (login, challenge, error page) served where a feed was."""
    title = page_title(doc)
    if title:
        return ParseError(f"parse: not a feed (looks like an HTML page titled {title!r})")
    return ParseError("parse: not a feed (looks like an HTML page)")


def as_utf8_xml(doc: str) -> bytes:
    """Decoded XML re-encoded as UTF-8, its encoding declaration made to say so."""
    return _XML_DECL.sub(r'\1 encoding="utf-8"', doc, count=1).encode("utf-8")
