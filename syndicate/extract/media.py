"""What a fetched body is: bytes and their declared Content-Type in, "html" or "text" out.

Only HTML, XHTML and plain text become briefs. Anything else (a PDF, an image, an archive,
bytes that are not text at all, text full of NULs) is refused with
`ExtractError("extract: not an HTML page (application/pdf)")` before any parser reads it, so
a release published as a PDF is reported, never briefed as mojibake. The bytes decide over
the header: a PDF served as `text/html` is still a PDF (WHATWG MIME Sniffing's signatures),
and an HTML page served as `application/octet-stream` is still a page.
"""

from __future__ import annotations

import codecs
import re
from typing import Literal

from syndicate.errors import ExtractError

Kind = Literal["html", "text"]

HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})
TEXT_TYPES = frozenset({"text/plain"})
# Types a misconfigured server sends for anything: the bytes decide.
VAGUE_TYPES = frozenset(
    {"application/octet-stream", "binary/octet-stream", "application/xml", "text/xml", ""}
)
# Leading bytes of formats that are never a release page (WHATWG MIME Sniffing, section 6).
SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"%PDF-", "application/pdf"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"BM", "image/bmp"),
    (b"II*\x00", "image/tiff"),
    (b"MM\x00*", "image/tiff"),
    (b"\x00\x00\x01\x00", "image/x-icon"),
    (b"PK\x03\x04", "application/zip"),
    (b"\x1f\x8b\x08", "application/gzip"),
    (b"Rar!\x1a\x07", "application/vnd.rar"),
    (b"7z\xbc\xaf\x27\x1c", "application/x-7z-compressed"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "application/msword"),
    (b"{\\rtf", "application/rtf"),
    (b"ID3", "audio/mpeg"),
    (b"OggS\x00", "application/ogg"),
    (b"\x1aE\xdf\xa3", "video/webm"),
    (b"\x7fELF", "application/x-executable"),
    (b"wOFF", "font/woff"),
    (b"wOF2", "font/woff2"),
)
_HTML_START = re.compile(
    rb"^\s*(?:<\?xml[^>]*>\s*)?(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html|head|body)[\s>]",
    re.I | re.S,
)
# Bytes text never holds (NUL and the C0 controls but tab, line feed, form feed, carriage
# return and escape); more than this share of them means binary.
_CONTROL = bytes(b for b in range(32) if b not in (9, 10, 12, 13, 27)) + b"\x7f"
_CONTROL_SHARE = 0.01
_SAMPLE = 8192


def media_type(content_type: str | None) -> str:
    """`text/html; charset=utf-8` -> `text/html` (lower-cased; "" when absent)."""
    return (content_type or "").split(";", 1)[0].strip().lower()


def sniffed(body: bytes) -> str | None:
    """The type of a body whose leading bytes are a known non-text format."""
    head = body[:16]
    for signature, kind in SIGNATURES:
        if head.startswith(signature):
            return kind
    if head[:4] == b"RIFF" and head[8:12] in (b"WEBP", b"WAVE", b"AVI "):
        return {b"WEBP": "image/webp", b"WAVE": "audio/wav", b"AVI ": "video/x-msvideo"}[head[8:12]]
    if head[4:8] == b"ftyp":
        return "video/mp4"
    return None


def binary(body: bytes) -> bool:
    """Whether bytes are not text: NULs or other control bytes (UTF-16/32 with a BOM is text)."""
    if body.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return False
    sample = body[:_SAMPLE]
    if b"\x00" in sample:
        return True
    controls = sum(sample.count(bytes([c])) for c in _CONTROL)
    return controls > _CONTROL_SHARE * max(len(sample), 1)


def looks_like_html(body: bytes) -> bool:
    """Whether a body starts like an HTML document (a doctype, or an html/head/body tag)."""
    return bool(_HTML_START.match(body.lstrip(codecs.BOM_UTF8)[:_SAMPLE]))


def kind(body: bytes, content_type: str | None) -> Kind:
    """ "html" or "text"; ExtractError for anything that is neither."""
    declared = media_type(content_type)
    found = sniffed(body)
    if found is not None:
        raise refused(found)
    if binary(body):
        raise refused(declared if declared and declared not in HTML_TYPES | TEXT_TYPES else "")
    if declared in HTML_TYPES:
        return "html"
    if declared in TEXT_TYPES:
        return "html" if looks_like_html(body) else "text"
    if declared in VAGUE_TYPES:
        return "html" if declared == "" or looks_like_html(body) else "text"
    raise refused(declared)


def refused(media: str) -> ExtractError:
    """The refusal for a body that is not a page."""
    return ExtractError(f"extract: not an HTML page ({media or 'application/octet-stream'})")
