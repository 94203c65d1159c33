"""Text hygiene shared by the stages: decode bytes honestly, strip what must never get in.

Bytes in, clean `str` out. This is the one boundary every string from outside crosses
before a parser or a builder sees it: what XML 1.0 cannot carry (C0 controls but tab, line
feed and carriage return; DEL and the C1 controls; lone surrogates; the noncharacters
U+FDD0..U+FDEF and U+xFFFE/U+xFFFF of every plane) is removed, and so are numeric
character references to such code points or to none at all (`&#xD800;`, `&#x110000;`,
`&#xFFFE;`), which would make feedparser raise or feedgen refuse the whole document.
A wrong declared charset is detected rather than papered over with U+FFFD.
"""

from __future__ import annotations

import codecs
import re
import unicodedata

from charset_normalizer import from_bytes

# C0 controls but tab/newline/carriage return, DEL, C1 controls, lone surrogates and the
# noncharacters (Unicode 15, section 23.7): nothing an XML document may carry, or should.
_NONCHARACTERS = "".join(f"{chr(p << 16 | 0xFFFE)}{chr(p << 16 | 0xFFFF)}" for p in range(17))
_BAD = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufdd0-\ufdef" + _NONCHARACTERS + "]"
)
# The same as one quick class, with every astral character a suspect: listing the 32 astral
# noncharacters makes `re` test each character against them one by one, ten times slower
# over a page; `_dropped` lets the astral characters that are not noncharacters through.
_SUSPECT = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufdd0-\ufdef\ufffe\uffff"
    "\U00010000-\U0010ffff]"
)
# A numeric character reference, decimal or hex; the `;` is optional in HTML.
_REFERENCE = re.compile(r"&#(?:[xX]([0-9A-Fa-f]{1,16})|([0-9]{1,20}));?")
# HTML's rule for references to C1 controls: they mean the Windows-1252 character
# (WHATWG HTML, "numeric character reference end state"); old CMSs write &#146; for ’.
_C1 = {n: bytes([n]).decode("cp1252", "replace") for n in range(0x80, 0xA0)}
_SPACE = re.compile(r"[ \t\u00a0\u2000-\u200b\u202f\u205f\u3000]+")
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.I)
_XML_ENCODING = re.compile(rb"""^\s*<\?xml[^>]*encoding\s*=\s*["']([A-Za-z0-9_.:-]+)""", re.I)


def _dropped(match: re.Match[str]) -> str:
    char = match.group()
    return char if char > "\uffff" and _BAD.match(char) is None else ""


def clean(text: str) -> str:
    """Drop what XML cannot carry (controls, NULs, lone surrogates, noncharacters); NFC."""
    return unicodedata.normalize("NFC", _SUSPECT.sub(_dropped, text))


def xml_safe(text: str) -> bool:
    """Whether a string holds only characters an XML document may carry."""
    return all(_dropped(m) for m in _SUSPECT.finditer(text))


def _reference(match: re.Match[str]) -> str:
    hex_digits, digits = match.group(1), match.group(2)
    point = int(hex_digits, 16) if hex_digits else int(digits)
    if point in _C1:
        return "" if _C1[point] == "\ufffd" else _C1[point]
    if point > 0x10FFFF or _BAD.match(chr(point)):
        return ""  # a reference to nothing, or to what XML cannot carry
    return match.group(0)


def _pair(match: re.Match[str]) -> str:
    high, low = (int(match.group(i), 16) for i in (1, 2))
    return f"&#x{0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00):X};"


# Some encoders write a character outside the BMP as two UTF-16 surrogate references.
_SURROGATE_PAIR = re.compile(r"&#[xX](D[89AB][0-9A-Fa-f]{2});&#[xX](D[C-F][0-9A-Fa-f]{2});")


def markup(text: str) -> str:
    """Clean markup from outside: `clean`, and character references to what XML cannot carry
    removed (before feedparser, lxml or selectolax turns them into such characters)."""
    if "&#" in text:
        text = _REFERENCE.sub(_reference, _SURROGATE_PAIR.sub(_pair, text))
    return clean(text)


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

    The declared charset is tried strictly first (ISO-8859-1 and ASCII are read as
    Windows-1252, as browsers do: WHATWG Encoding Standard). When it is missing or wrong (a
    page that says ISO-8859-1 but is UTF-8, or says UTF-8 but holds other bytes) the bytes
    decide: UTF-8 when they are valid UTF-8, else what charset-normalizer detects.
    """
    declared = declared_charset(body, content_type)
    if declared in _WINDOWS_1252:
        declared = "cp1252"
    candidates: list[str] = []
    if declared == "cp1252" and _is_utf8(body):
        # Mislabelled UTF-8 is the commonest lie on government CMS pages.
        candidates.append("utf-8")
    if declared:
        candidates.append(declared)
    candidates.append("utf-8")
    for name in candidates:
        try:
            text = body.decode(name)
        except (UnicodeDecodeError, LookupError):
            continue
        return markup(text.removeprefix("\ufeff")), name
    detected = detect(body)
    if detected:
        return markup(body.decode(detected, "replace")), detected
    return markup(body.decode("utf-8", "replace")), "utf-8"


# Labels browsers decode as Windows-1252 (codecs' names for them).
_WINDOWS_1252 = ("latin-1", "iso8859-1", "ascii", "cp1252")
# Among equally likely answers, the charsets English-language U.S. pages are written in.
_PREFERRED = ("cp1252", "latin_1", "iso8859_15")


def detect(body: bytes) -> str | None:
    """The charset charset-normalizer finds likeliest for bytes that are not UTF-8.

    Short texts fit several single-byte charsets about equally well (cp1250, cp1252 and
    cp1257 differ in a few letters, and it may rank cp1257 first for English); among the
    answers it ranks nearly as likely as its first, Windows-1252 is preferred."""
    matches = from_bytes(body[:_DETECT_BYTES])
    best = matches.best()
    if best is None:
        return None
    for match in matches:
        if match.chaos > best.chaos + _TOLERANCE or match.coherence < best.coherence - _TOLERANCE:
            continue
        names = {match.encoding, *match.could_be_from_charset}
        for name in _PREFERRED:
            if name in names:
                return codecs.lookup(name).name
    return codecs.lookup(best.encoding).name


# How much less likely (mess ratio, language coherence) a preferred answer may be.
_TOLERANCE = 0.1
# Enough text to tell charsets apart; a 10 MB page need not be read whole to decide.
_DETECT_BYTES = 256 * 1024


def _is_utf8(body: bytes) -> bool:
    try:
        body.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return any(b > 0x7F for b in body)
