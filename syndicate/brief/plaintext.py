"""A release written as plain text in, an `Article` out (the `syndicate brief FILE` input).

The format, line by line: the first non-blank line is the title; an optional
`DATELINE: WASHINGTON` line; then blocks separated by blank lines. A block whose lines all
start with `- ` is a list, one item a line; a `## ` line is a subheading; a line starting
`| ` is a table row (cells separated by ` | `); anything else is a paragraph (its lines are
joined). `[link text](https://...)` inside a block is a link: the text stays in the
paragraph, the link is kept on the block and the article.
"""

from __future__ import annotations

import re

from syndicate.model import Article, Block, Link
from syndicate.text import clean, squash

_LINK = re.compile(r"\[([^\]\n]+)\]\((https?://[^)\s]+)\)")


def _inline(text: str) -> tuple[str, tuple[Link, ...]]:
    links = tuple(Link(squash(m.group(1)), m.group(2)) for m in _LINK.finditer(text))
    return squash(_LINK.sub(lambda m: m.group(1), text)), links


def _block(lines: list[str]) -> Block:
    if lines[0].startswith("## "):
        text, links = _inline(" ".join(lines)[3:])
        return Block("heading", text, links=links)
    if all(line.startswith("- ") for line in lines):
        parsed = [_inline(line[2:]) for line in lines]
        items = tuple(text for text, _ in parsed)
        links = tuple(link for _, found in parsed for link in found)
        return Block("list", "\n".join(items), items=items, links=links)
    if all(line.startswith("| ") for line in lines):
        rows = tuple("\t".join(c.strip() for c in line.strip("| ").split(" | ")) for line in lines)
        return Block("table", "\n".join(rows), items=rows)
    text, links = _inline(" ".join(lines))
    return Block("paragraph", text, links=links)


def article(text: str, url: str) -> Article:
    """Parse a plain-text release; raises ValueError when there is no title line."""
    lines = [line.rstrip() for line in clean(text).replace("\r\n", "\n").split("\n")]
    while lines and not lines[0].strip():
        lines.pop(0)
    if not lines:
        raise ValueError("no title line")
    title = squash(lines.pop(0))
    dateline = None
    while lines and not lines[0].strip():
        lines.pop(0)
    if lines and lines[0].startswith("DATELINE:"):
        dateline = squash(lines.pop(0).removeprefix("DATELINE:")) or None
    blocks: list[Block] = []
    chunk: list[str] = []
    for line in [*lines, ""]:
        if line.strip():
            # A subheading is its own block even without blank lines around it.
            if line.startswith("## ") and chunk:
                blocks.append(_block(chunk))
                chunk = []
            chunk.append(line.strip() if not line.startswith("## ") else line)
            if line.startswith("## "):
                blocks.append(_block(chunk))
                chunk = []
        elif chunk:
            blocks.append(_block(chunk))
            chunk = []
    links = tuple(link for block in blocks for link in block.links)
    return Article(url=url, title=title, blocks=tuple(blocks), dateline=dateline, links=links)
