"""An `Article` in, its numbered source sentences out: what every brief sentence cites.

The numbering is the one contract between a brief and its release: sentence 1 is the body's
first sentence, counted in reading order over paragraphs and quotes (split into sentences),
list items and table rows (one each); headings and the title are not numbered. The same
article always numbers the same way, so a brief's `Provenance.cited` can be checked, shown
beside the release, or handed to a model as "the release as numbered sentences".
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

from syndicate.brief import sentences
from syndicate.model import Article

SentenceKind = Literal["sentence", "item", "row"]


@dataclass(frozen=True)
class SourceSentence:
    """One numbered unit of the release, with where it stands."""

    n: int
    text: str
    block: int  # index into Article.blocks
    kind: SentenceKind
    start: int = 0  # offsets into the block's text (sentences only)
    end: int = 0


@lru_cache(maxsize=64)
def number(article: Article) -> tuple[SourceSentence, ...]:
    """The release's sentences, items and rows, numbered from 1 in reading order."""
    out: list[SourceSentence] = []
    for index, block in enumerate(article.blocks):
        if block.kind in ("paragraph", "quote"):
            for text, start, end in spans(block.text):
                out.append(SourceSentence(len(out) + 1, text, index, "sentence", start, end))
        elif block.kind in ("list", "table"):
            kind: SentenceKind = "item" if block.kind == "list" else "row"
            for item in block.items:
                if item.strip():
                    out.append(SourceSentence(len(out) + 1, item.strip(), index, kind))
    return tuple(out)


def spans(text: str) -> list[tuple[str, int, int]]:
    """The sentences of one paragraph with their offsets in it."""
    out: list[tuple[str, int, int]] = []
    cursor = 0
    for sentence in sentences.split(text):
        at = text.find(sentence, cursor)
        start = at if at >= 0 else cursor
        end = start + len(sentence)
        out.append((sentence, start, end))
        cursor = end if at >= 0 else cursor
    return out
