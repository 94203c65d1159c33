"""An `Article` in, its numbered source sentences out: what every brief sentence cites.

The numbering is the one contract between a brief and its release: sentence 1 is the body's
first sentence, counted in reading order over paragraphs and quotes (split into sentences),
list items and table rows (one each); headings and the title are not numbered. The same
article always numbers the same way, so a brief's `Provenance.cited` can be checked, shown
beside the release, or handed to a model as "the release as numbered sentences".
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Generic, Literal, TypeVar

from syndicate.brief import sentences
from syndicate.model import Article

SentenceKind = Literal["sentence", "item", "row"]
T = TypeVar("T")


class Memo(Generic[T]):
    """A function of an article, computed once per article object: the engine, the check and
    the numbering read the same article within one `make`, so it is read once. Keyed by the
    object itself (held, so its id is never reused while cached), not by its hash, which
    would walk every block each time."""

    def __init__(self, fn: Callable[[Article], T], size: int = 64) -> None:
        self.fn = fn
        self.size = size
        self.seen: OrderedDict[int, tuple[Article, T]] = OrderedDict()
        self.lock = threading.Lock()  # polls brief in worker threads

    def __call__(self, article: Article) -> T:
        with self.lock:
            hit = self.seen.get(id(article))
            if hit is not None and hit[0] is article:
                self.seen.move_to_end(id(article))
                return hit[1]
        value = self.fn(article)  # outside the lock: two threads may both compute, harmlessly
        with self.lock:
            self.seen[id(article)] = (article, value)
            while len(self.seen) > self.size:
                self.seen.popitem(last=False)
        return value

    def cache_clear(self) -> None:
        with self.lock:
            self.seen.clear()


@dataclass(frozen=True)
class SourceSentence:
    """One numbered unit of the release, with where it stands."""

    n: int
    text: str
    block: int  # index into Article.blocks
    kind: SentenceKind
    start: int = 0  # offsets into the block's text (sentences only)
    end: int = 0


def _number(article: Article) -> tuple[SourceSentence, ...]:
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


number = Memo(_number)


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
