"""Text hygiene shared by the stages: decode bytes honestly, strip what must never get in.

Bytes in, clean `str` out. No stage should keep control characters, NULs or lone
surrogates, and a wrong declared charset is detected rather than papered over with U+FFFD.
"""

from __future__ import annotations

import codecs
import re
import unicodedata

# C0 controls but tab/newline/carriage return, DEL, C1 controls, and lone surrogates.
_BAD = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")
_SPACE = re.compile(r"[ \t\u00a0\u2000-\u200b\u202f\u205f\u3000]+")
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.I)
_XML_ENCODING = re.compile(rb"""^\s*<\?xml[^>]*encoding\s*=\s*["']([A-Za-z0-9_.:-]+)""", re.I)


def clean(text: str) -> str:
    """Drop control characters, NULs and lone surrogates; NFC-normalise."""
    return unicodedata.normalize("NFC", _BAD.sub("", text))


def squash(text: str) -> str:
    """Clean and fold runs of horizontal white space to one space; strip the ends."""
    return _SPACE.sub(" ", clean(text)).strip()


def _known(name: str | None) -> str | None:
    if not name:
        return None
    try:
        return codecs.lookup(name.strip().strip("\"'")).name
    except LookupError:
        return None


def declared_charset(body: bytes, content_type: str | None = None) -> str | None:
    """The charset the response claims: BOM, then Content-Type, then XML or meta declaration."""
    if body.startswith(codecs.BOM_UTF8):
        return "utf-8"
    if body.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    if content_type:
        m = re.search(r"charset\s*=\s*([^;\s]+)", content_type, re.I)
        if m and (name := _known(m.group(1))):
            return name
    head = body[:2048]
    for pattern in (_XML_ENCODING, _META_CHARSET):
        found = pattern.search(head)
        if found and (name := _known(found.group(1).decode("ascii", "replace"))):
            return name
    return None


def decode(body: bytes, content_type: str | None = None) -> tuple[str, str]:
    """Decode a document; returns (text, charset actually used).

    The declared charset is tried strictly first. When it is wrong (a page that says
    ISO-8859-1 but is UTF-8, or says UTF-8 but holds Windows-1252 bytes) the bytes decide:
    UTF-8 when they are valid UTF-8, else Windows-1252, which maps almost every byte.
    """
    declared = declared_charset(body, content_type)
    candidates: list[str] = []
    if declared in ("latin-1", "iso8859-1", "ascii", "cp1252") and _is_utf8(body):
        # Mislabelled UTF-8 is the commonest lie on government CMS pages.
        candidates.append("utf-8")
    if declared:
        candidates.append(declared)
    candidates += ["utf-8", "cp1252"]
    for name in candidates:
        try:
            text = body.decode(name)
        except (UnicodeDecodeError, LookupError):
            continue
        return clean(text.removeprefix("\ufeff")), name
    return clean(body.decode("utf-8", "replace")), "utf-8"


def _is_utf8(body: bytes) -> bool:
    try:
        body.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return any(b > 0x7F for b in body)
