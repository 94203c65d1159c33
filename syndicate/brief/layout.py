"""An `Article` in, its reading layout out: segments under subheadings, each a run of
paragraphs (numbered sentences, quotations marked) and lists; plus its quotations.

Every sentence carries its number from `source.number`, so whatever the engine picks can
cite it. A sentence is `quoted` when it holds part of a quotation (or introduces one),
`complete` when it is a whole sentence (a capital first, an end mark last). Tables are
left out (a brief says what a table says in its own sentences, or not at all), and so are
sentences that only point at a link ("Read more about X.": the brief lists X's link under
Additional Reading). A heading before the first paragraph is the release's subtitle
(`deck`), never a section heading; a list whose items are all link texts is a link list.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from syndicate.brief import closing, quotes, source
from syndicate.brief.quotes import Piece, Quotation
from syndicate.model import Article, Block

_PREFIX = re.compile(r"^(?:PHOTO|VIDEO|AUDIO)\s+RELEASE\s*:\s*", re.I)
_COMPLETE = re.compile(r"^[\"“‘'(\[$]?[A-Z0-9].*[.!?][”\"’')\]]?$", re.S)


@dataclass(frozen=True)
class Sentence:
    text: str
    order: int  # its number in `source.number(article)`
    para: int  # which prose paragraph it is in (0 is the first)
    first: bool  # the first sentence of its paragraph
    quoted: bool  # holds (part of) a quotation, or introduces one
    complete: bool  # a whole sentence


@dataclass
class Segment:
    heading: str | None
    paragraphs: list[list[Sentence]] = field(default_factory=list)
    lists: list[tuple[Sentence, ...]] = field(default_factory=list)
    list_at: int | None = None  # sentence order where the segment's first list stands


@dataclass(frozen=True)
class Layout:
    title: str
    dateline: str | None
    deck: str | None  # the subtitle, when the release has one
    segments: list[Segment]
    quotes: list[Quotation]
    body: str  # the whole body text, for phrase counting
    cites: dict[tuple[int, int], tuple[int, ...]]  # (paragraph, piece start) -> sentences

    def sentences(self) -> list[Sentence]:
        """Every paragraph sentence, in order."""
        return [s for seg in self.segments for p in seg.paragraphs for s in p]

    def cite(self, piece: Piece) -> tuple[int, ...]:
        """The numbers of the source sentences a quotation's piece stands in."""
        return self.cites.get((piece.block, piece.start), ())


def title(article: Article) -> str:
    """The release's title without a `PHOTO RELEASE:` style prefix."""
    return _PREFIX.sub("", article.title).strip() or article.title.strip()


def complete(text: str) -> bool:
    """A whole sentence: a capital, figure or quote mark first, an end mark last."""
    text = text.strip()
    return len(text.split()) >= 4 and bool(_COMPLETE.match(text)) and not text.endswith(":")


def _links_only(block: Block) -> bool:
    texts = {link.text for link in block.links}
    return bool(block.items) and all(item.strip().rstrip(".") in texts for item in block.items)


def _prose(article: Article) -> list[int]:
    """The indexes of the blocks read as prose: paragraphs and quotes with text."""
    return [
        i
        for i, b in enumerate(article.blocks)
        if b.kind in ("paragraph", "quote") and b.text.strip()
    ]


def _quotations(article: Article) -> list[Quotation]:
    """The release's quotations, each piece placed by its prose paragraph (see `_prose`)."""
    return quotes.find([article.blocks[i].text for i in _prose(article)], context=title(article))


# Read apart from the layout: the gate needs only these, and a cold check (an article read
# back from the store) would otherwise lay the whole release out for them.
quotations = source.Memo(_quotations)


def _read(article: Article) -> Layout:
    """Lay an article out for the engine (and the faithfulness check: read once for both)."""
    numbered = source.number(article)
    by_block: dict[int, list[source.SourceSentence]] = {}
    for s in numbered:
        by_block.setdefault(s.block, []).append(s)
    prose = _prose(article)
    para_no = {index: n for n, index in enumerate(prose)}
    found = quotations(article)
    spans: dict[int, list[tuple[int, int]]] = {}
    for q in found:
        for p in q.pieces:
            spans.setdefault(p.block, []).append((p.start, p.end))
    cites: dict[tuple[int, int], tuple[int, ...]] = {}
    for q in found:
        for p in q.pieces:
            inside = by_block.get(prose[p.block], [])
            cites[(p.block, p.start)] = tuple(
                s.n for s in inside if s.start < p.end and p.start < s.end
            )
    segments = [Segment(None)]
    deck: str | None = None
    seen_prose = False
    for i, block in enumerate(article.blocks):
        if block.kind == "heading":
            if not seen_prose:
                deck = deck or block.text.strip()
            else:
                segments.append(Segment(block.text.strip()))
        elif block.kind == "list" and block.items and not _links_only(block):
            items = tuple(Sentence(s.text, s.n, -1, True, False, True) for s in by_block.get(i, []))
            if items:
                segments[-1].lists.append(items)
                if segments[-1].list_at is None:
                    segments[-1].list_at = items[0].order
        elif i in para_no:
            seen_prose = True
            n = para_no[i]
            quoted_spans = spans.get(n, [])
            link_texts = [link.text for link in block.links]
            para: list[Sentence] = []
            units = by_block.get(i, [])
            for k, s in enumerate(units):
                quoted = any(a < s.end and s.start < b for a, b in quoted_spans)
                intro = (
                    s.text.rstrip().endswith(":")
                    and n + 1 < len(prose)
                    and prose[n + 1] == i + 1  # the quotation stands right after it
                    and _introduces(n, found)
                )
                # "Read more about X.": Additional Reading lists X's link, with its text.
                if closing.pointer(s.text, link_texts):
                    continue
                para.append(Sentence(s.text, s.n, n, k == 0, quoted or intro, complete(s.text)))
            if para:
                segments[-1].paragraphs.append(para)
    body = "\n".join(article.blocks[i].text for i in prose)
    return Layout(title(article), article.dateline, deck, segments, found, body, cites)


read = source.Memo(_read)


def _introduces(para: int, found: list[Quotation]) -> bool:
    """The paragraph ends by introducing the quotation in the next one."""
    return any(q.pieces and q.pieces[0].block == para + 1 and q.pieces[0].start == 0 for q in found)
