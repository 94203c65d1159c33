"""The body element as reading-order blocks: an lxml element in, `model.Block`s out.

Inline markup is flattened into text (a speaker's name inside a link stays in the
sentence); links are kept beside the text with absolute URLs. Block elements become
paragraphs, headings, lists, quotes and tables; wrappers (div, section, span soup) are
walked through. Two `<br>` in a row split a paragraph, as editors use them that way.
"""

from __future__ import annotations

import re
from urllib.parse import urljoin, urlsplit

from lxml.html import HtmlElement

from syndicate.model import Block, BlockKind, Link
from syndicate.text import squash

_HEADINGS = ("h1", "h2", "h3", "h4", "h5", "h6")
_LISTS = ("ul", "ol", "dl")
_PARAGRAPHS = ("p", "pre", "address")
_WRAPPERS = (
    "div", "section", "article", "main", "figure", "center", "details", "summary",
    "fieldset", "body", "html", "tbody", "thead", "hgroup",
)  # fmt: skip
_BLOCKS = (*_HEADINGS, *_LISTS, *_PARAGRAPHS, *_WRAPPERS, "blockquote", "table", "hr", "li")
_SCHEMES = ("http", "https")


class Walker:
    """Collects blocks from one body; `base` resolves relative links."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.blocks: list[Block] = []

    def walk(self, element: HtmlElement) -> list[Block]:
        """Blocks of `element`'s content, in reading order."""
        self._container(element)
        return self.blocks

    def _container(self, element: HtmlElement) -> None:
        run: list[str] = [element.text or ""]
        links: list[Link] = []
        for child in element:
            if not isinstance(child.tag, str):
                run.append(child.tail or "")
                continue
            if child.tag in _BLOCKS:
                self._paragraphs(run, links)
                run, links = [], []
                self._block(child)
            else:
                text, found = self.inline(child)
                run.append(text)
                links += found
            run.append(child.tail or "")
        self._paragraphs(run, links)

    def _block(self, element: HtmlElement) -> None:
        tag = element.tag
        if tag in _HEADINGS:
            self._add("heading", *self.inline(element))
        elif tag in _PARAGRAPHS:
            self._paragraph(element)
        elif tag in _LISTS or tag == "li":
            items, links = self._items(element)
            if items:
                self.blocks.append(Block("list", "\n".join(items), tuple(items), tuple(links)))
        elif tag == "blockquote":
            inner = Walker(self.base).walk(element)
            text = "\n".join(b.text for b in inner if b.text)
            links = [link for b in inner for link in b.links]
            self._add("quote", text, links)
        elif tag == "table":
            self._table(element)
        elif tag != "hr":
            self._container(element)

    def _paragraph(self, element: HtmlElement) -> None:
        text, links = self.inline(element)
        strong = [c for c in element if isinstance(c.tag, str)]
        only_bold = (
            len(strong) == 1
            and strong[0].tag in ("strong", "b")
            and squash(self.inline(strong[0])[0]) == squash(text)
        )
        # Drupal editors often write a sub-heading as a paragraph of bold text.
        if only_bold and 0 < len(squash(text)) <= 80 and not re.search(r"[.!?”\"]$", text.strip()):
            self._add("heading", text, links)
        else:
            self._paragraphs([text], links)

    def _paragraphs(self, run: list[str], links: list[Link]) -> None:
        for part in re.split(r"\n\s*\n", "".join(run)):
            kept = [link for link in links if link.text in squash(part)]
            self._add("paragraph", part, kept)

    def _items(self, element: HtmlElement) -> tuple[list[str], list[Link]]:
        items: list[str] = []
        links: list[Link] = []
        for li in element.iter("li", "dt", "dd"):
            nested = [n for n in li.iter(*_LISTS) if n is not li]
            # The item's own text, without any list nested inside it (walked on its own).
            text, found = self.inline(li, skip=nested)
            if text := squash(text.replace("\n", " ")):
                items.append(text)
                links += found
        return items, links

    def _table(self, element: HtmlElement) -> None:
        rows: list[str] = []
        links: list[Link] = []
        for tr in element.iter("tr"):
            cells = []
            for cell in tr:
                if isinstance(cell.tag, str) and cell.tag in ("td", "th"):
                    text, found = self.inline(cell)
                    cells.append(squash(text.replace("\n", " ")).replace("\t", " "))
                    links += found
            if any(cells):
                rows.append("\t".join(cells))
        captions = [squash(self.inline(c)[0]) for c in element.iter("caption")]
        if rows:
            text = "\n".join([c for c in captions if c] + rows)
            self.blocks.append(Block("table", text, tuple(rows), tuple(links)))

    def _add(self, kind: BlockKind, text: str, links: list[Link]) -> None:
        lines = [squash(line) for line in text.split("\n")]
        joined = ("\n" if kind == "quote" else " ").join(line for line in lines if line)
        if joined:
            self.blocks.append(Block(kind, joined, (), tuple(dict.fromkeys(links))))

    def inline(
        self, element: HtmlElement, skip: list[HtmlElement] | None = None
    ) -> tuple[str, list[Link]]:
        """The flattened text of `element` (`<br>` as a newline) and the links inside it."""
        parts: list[str] = []
        links: list[Link] = []
        stack: list[tuple[HtmlElement, bool]] = [(element, False)]
        # An explicit stack, not recursion: depth is libxml2's business, not Python's.
        while stack:
            node, closing = stack.pop()
            if closing:
                parts.append(node.tail or "")
                continue
            if node is not element:
                stack.append((node, True))
            if skip and node in skip:
                continue
            if not isinstance(node.tag, str):
                continue
            if node.tag == "br":
                parts.append("\n")
                continue
            if node.tag in _BLOCKS and node is not element and node.tag not in _WRAPPERS:
                parts.append("\n\n")
            if node.tag == "a" and (link := self.link(node)):
                links.append(link)
            parts.append(node.text or "")
            stack.extend((child, False) for child in reversed(node))
        return "".join(parts), links

    def link(self, anchor: HtmlElement) -> Link | None:
        """A kept link: http(s) only, absolute, with text; javascript:/data: never pass.

        On a page read without an http(s) address a site-relative path ("/newsroom/x") is
        kept as written, for the brief to resolve against the agency's site.
        """
        href = (anchor.get("href") or "").strip()
        text = squash("".join(anchor.itertext()))
        if not href or not text or href.startswith("#"):
            return None
        href = re.sub(r"\s", "", href)
        if urlsplit(self.base).scheme.lower() not in _SCHEMES and href.startswith("/"):
            # A saved page without its address: the brief resolves the path against the
            # agency's site; a file: URL is no link for a reader.
            return Link(text, href) if not href.startswith("//") else None
        url = urljoin(self.base, href)
        if urlsplit(url).scheme.lower() not in _SCHEMES:
            return None
        return Link(text, url)
