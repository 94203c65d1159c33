"""A release as plain text in (a bulletin's text part, a saved copy), a clean `Article` out.

The shape, line by line: the first non-blank line is the title (a `PHOTO RELEASE:` label
goes); an optional `DATELINE: WASHINGTON` line; then blocks separated by blank lines. A
block whose lines all start with a bullet (`- `, `* `, `• `) or a number (`1. `, `2) `) is a
list, one item a line; a `## ` line is a subheading, and so is a short line on its own
written as a heading is (Title Case or capitals, no end mark, followed by more text); a line
starting `| ` is a table row (cells separated by ` | `); anything else is a paragraph (its
lines joined). A block of `Label: value` lines (a contact block, WHO/WHAT/WHEN/WHERE) is
read line by line. Links are `[text](url)`, `text <url>` or `text (url)`: the text stays in
the paragraph, the link is kept on the block. Then the same cleaning as a page (datelines,
furniture, standard paragraphs: see `boilerplate`).
"""

from __future__ import annotations

import re
from urllib.parse import urljoin, urlsplit

from syndicate.errors import ExtractError
from syndicate.extract import furniture
from syndicate.extract.boilerplate import tidy
from syndicate.extract.dom import without_prefix
from syndicate.model import Article, Block, Link
from syndicate.text import clean, squash

_URL = r"(?:https?://[^\s<>()\[\]]+|/[^\s<>()\[\]]*)"
_MARKDOWN = re.compile(rf"\[([^\]\n]+)\]\(({_URL})\)")
_BRACKETED = re.compile(rf"\s*[<(]({_URL})[>)]")
_BULLET = re.compile(r"^(?:[-*•▪◦–]\s+|\d{1,2}[.)]\s+)")
_LABEL_LINE = re.compile(r"^[A-Z][\w .’'/&()-]{0,40}:\s*\S|^\(?\d{3}\)?[\s.-]\d{3}[\s.-]\d{4}")
# Words a Title Case heading may leave in lower case.
_MINOR = {
    "a", "an", "the", "and", "or", "of", "to", "in", "for", "on", "at", "by", "with", "as",
    "from", "into", "vs", "per", "its", "is", "are", "be", "how", "what", "your",
}  # fmt: skip
# Link text stops at these words, read back from the bracketed URL ("on the X page <url>").
_BEFORE_TEXT = {
    "the", "at", "on", "to", "in", "from", "visit", "see", "via", "and", "or", "a", "an",
    "our", "their", "its", "of", "for", "with", "by", "over",
}  # fmt: skip


def from_text(text: str, url: str) -> Article:
    """A plain-text release as an Article; ExtractError when it has no title line.

    A release with a title and no body gives an Article without blocks (the brief stage
    then says there is nothing to brief).
    """
    lines = [line.rstrip() for line in clean(text).replace("\r\n", "\n").split("\n")]
    while lines and not lines[0].strip():
        lines.pop(0)
    if not lines:
        raise ExtractError(f"extract: no title line in {url}")
    title = without_prefix(squash(lines.pop(0)))
    while lines and not lines[0].strip():
        lines.pop(0)
    stated = None
    if lines and lines[0].startswith("DATELINE:"):
        stated = squash(lines.pop(0).removeprefix("DATELINE:")) or None
    raw: list[Block] = []
    for chunk in _chunks(lines):
        raw.extend(_blocks(chunk, url))
    raw = _headings(raw)
    dropped: list[Link] = []
    blocks, place = tidy(raw, dropped=dropped)
    if stated and blocks and blocks[0].kind == "paragraph":
        # The stated dateline may still open the first paragraph: cut it, with its dash.
        first = blocks[0].text
        if first.startswith(stated):
            rest = re.sub(r"^[\s,]*[–—-]{1,2}\s*", "", first[len(stated) :])
            blocks[0] = Block("paragraph", rest, links=blocks[0].links)
    links = tuple(dict.fromkeys([*(k for block in blocks for k in block.links), *dropped]))
    return Article(
        url=url,
        title=title,
        blocks=tuple(blocks),
        dateline=stated or place,
        links=links,
        origin="page",
    )


def _chunks(lines: list[str]) -> list[list[str]]:
    """Runs of non-blank lines; a `## ` line is a run of its own."""
    out: list[list[str]] = []
    chunk: list[str] = []
    for line in [*lines, ""]:
        if line.startswith("## "):
            if chunk:
                out.append(chunk)
            out.append([line])
            chunk = []
        elif line.strip():
            chunk.append(line.strip())
        elif chunk:
            out.append(chunk)
            chunk = []
    return out


def _blocks(lines: list[str], base: str) -> list[Block]:
    if lines[0].startswith("## "):
        text, links = _inline(lines[0][3:], base)
        return [Block("heading", text, links=links)]
    if all(_BULLET.match(line) for line in lines):
        parsed = [_inline(_BULLET.sub("", line), base) for line in lines]
        items = tuple(text for text, _ in parsed)
        links = tuple(link for _, found in parsed for link in found)
        return [Block("list", "\n".join(items), items=items, links=links)]
    if all(line.startswith("| ") for line in lines):
        rows = tuple("\t".join(c.strip() for c in line.strip("| ").split(" | ")) for line in lines)
        return [Block("table", "\n".join(rows), items=rows)]
    labels = sum(bool(_LABEL_LINE.match(line)) for line in lines)
    if len(lines) > 1 and labels * 2 >= len(lines) and furniture.kind(lines[0]) != "contact":
        # A media advisory's WHO/WHAT lines, or label lines: one line, one block. (A
        # contact block stays whole: its last lines may name an office and nothing else.)
        out = []
        for line in lines:
            text, links = _inline(line, base)
            out.append(Block("paragraph", text, links=links))
        return out
    text, links = _inline(" ".join(lines), base)
    return [Block("paragraph", text, links=links)]


def _inline(text: str, base: str) -> tuple[str, tuple[Link, ...]]:
    """The text with its links' markup taken out, and the links."""
    links: list[Link] = []

    def markdown(m: re.Match[str]) -> str:
        links.append(Link(squash(m.group(1)), _absolute(m.group(2), base)))
        return m.group(1)

    text = _MARKDOWN.sub(markdown, text)
    out: list[str] = []
    cursor = 0
    for m in _BRACKETED.finditer(text):
        before = text[cursor : m.start()]
        out.append(before)
        label = _label(before) or m.group(1)
        links.append(Link(squash(label), _absolute(m.group(1), base)))
        cursor = m.end()
    out.append(text[cursor:])
    return squash("".join(out)), tuple(dict.fromkeys(links))


def _label(before: str) -> str:
    """The words a bracketed URL names: back from it to a joining word or a mark."""
    words = re.split(r"(\s+)", before.rstrip())
    picked: list[str] = []
    for word in reversed([w for w in words if w.strip()]):
        if word.lower() in _BEFORE_TEXT or word.endswith((",", ":", ";", ".")) or len(picked) >= 8:
            break
        picked.insert(0, word)
    return " ".join(picked)


def _absolute(url: str, base: str) -> str:
    """Resolved against the release's URL when it has one; a bare path is kept for later."""
    if url.startswith("/") and urlsplit(base).scheme in ("http", "https"):
        return urljoin(base, url)
    return url


def _headings(blocks: list[Block]) -> list[Block]:
    """A one-line paragraph written as a heading, with text after it, is a subheading."""
    out = list(blocks)
    for index, block in enumerate(out[:-1]):
        if block.kind == "paragraph" and _looks_like_heading(block.text):
            out[index] = Block("heading", block.text, links=block.links)
    return out


def _looks_like_heading(text: str) -> bool:
    words = text.split()
    if not 1 <= len(words) <= 10 or re.search(r"[.!?:;,”\"’')]$", text):
        return False
    if text.isupper() and len(words) > 1:
        return True
    if not words[0][:1].isupper():
        return False
    major = [w for w in words[1:] if w.lower() not in _MINOR]
    return all(w[:1].isupper() or w[:1].isdigit() for w in major)
