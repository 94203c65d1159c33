"""An `Article` in, its reading layout out: segments under subheadings, each a run of
paragraphs (split into sentences, quotations marked) and lists; plus its quotations.

Tables are left out (a brief says what a table says in its own sentences, or not at all),
and so are a dateline still at the head of the first paragraph and sentences that only point
at a link ("Read more about X.": the brief lists X's link under Additional Reading).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from syndicate.brief import closing, quotes, sentences
from syndicate.model import Article, Block

_DATELINE = re.compile(
    r"^(?P<place>(?P<city>[A-Z][A-Z.'’]+(?:[ -][A-Z][A-Z.'’]+)*)(?:,\s*[A-Z][A-Za-z.'’]*"
    r"(?:\s[A-Z][A-Za-z.'’]*){0,3})?)\s*[–—-]{1,2}\s+(?=\S)"
)
# What a release says that is not the release, when extract has not removed it already
# (feed text, plain-text files): photo credits and the presumption-of-innocence line.
_BOILERPLATE = re.compile(
    r"^\(?[^()]{0,60}\b(?:photo|image|video)s?\s+(?:by|courtesy|credit)\b[^()]{0,80}\)?$|"
    r"\bpresumed innocent\b",
    re.I,
)
_PREFIX = re.compile(r"^(?:PHOTO|VIDEO|AUDIO)\s+RELEASE\s*:\s*", re.I)
_END_MARK = re.compile(r"^(?:#\s*){3,}$")


@dataclass(frozen=True)
class Sentence:
    text: str
    order: int  # position in the whole article
    first: bool  # the first sentence of its paragraph
    quoted: bool  # holds (part of) a quotation


@dataclass
class Segment:
    heading: str | None
    paragraphs: list[list[Sentence]] = field(default_factory=list)
    lists: list[tuple[str, ...]] = field(default_factory=list)
    list_at: int | None = None  # sentence order where the segment's first list stands


@dataclass(frozen=True)
class Layout:
    title: str
    dateline: str | None
    segments: list[Segment]
    quotes: list[quotes.Found]
    body: str  # the whole body text, for phrase counting


def title(article: Article) -> str:
    """The release's title without a `PHOTO RELEASE:` style prefix."""
    return _PREFIX.sub("", article.title).strip() or article.title.strip()


def _prose(blocks: tuple[Block, ...]) -> list[tuple[int, str]]:
    return [
        (i, b.text)
        for i, b in enumerate(blocks)
        if b.kind in ("paragraph", "quote")
        and b.text.strip()
        and not _END_MARK.match(b.text)
        and not _BOILERPLATE.search(b.text)
    ]


def read(article: Article) -> Layout:
    """Lay an article out for the engine."""
    dateline = article.dateline
    prose = _prose(article.blocks)
    if prose:
        first_index, first_text = prose[0]
        given = (dateline or "").strip()
        m = _DATELINE.match(first_text)
        if given and first_text.startswith(given):
            prose[0] = (first_index, re.sub(r"^[\s,]*[–—-]{1,2}\s*", "", first_text[len(given) :]))
        elif m and len(m.group("city")) >= 4 and not re.search(r"[a-z]", m.group("city")):
            dateline = dateline or m.group("place").strip()
            prose[0] = (first_index, first_text[m.end() :])
    texts = [t for _, t in prose]
    found = quotes.find(texts, context=title(article))
    by_block: dict[int, list[tuple[int, int]]] = {}
    for q in found:
        by_block.setdefault(q.block, []).append((q.start, q.end))
    text_of = {index: text for index, text in prose}
    para_no = {index: n for n, (index, _) in enumerate(prose)}
    segments = [Segment(None)]
    order = 0
    for i, block in enumerate(article.blocks):
        if block.kind == "heading":
            segments.append(Segment(block.text.strip()))
        elif block.kind == "list" and block.items:
            segments[-1].lists.append(tuple(x.strip() for x in block.items if x.strip()))
            if segments[-1].list_at is None:
                segments[-1].list_at = order
        elif i in text_of:
            text = text_of[i]
            spans = by_block.get(para_no[i], [])
            para: list[Sentence] = []
            cursor = 0
            link_texts = [link.text for link in block.links]
            for n, s in enumerate(sentences.split(text)):
                at = text.find(s[:12], cursor)
                start = at if at >= 0 else cursor
                end = start + len(s)
                cursor = end if at >= 0 else cursor
                quoted = any(a < end and start < b for a, b in spans)
                # "Read more about X.": Additional Reading lists X's link, with its text.
                if closing.pointer(s, link_texts):
                    continue
                para.append(Sentence(s, order, n == 0, quoted))
                order += 1
            if para:
                segments[-1].paragraphs.append(para)
    body = "\n".join(texts)
    return Layout(title(article), dateline, segments, found, body)
