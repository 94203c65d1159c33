"""What a brief engine is: an `Article` in, a `Draft` (the reader-visible parts) out.

Engines are chosen by name from `brief.ENGINES`; `make` adds the sources, attribution,
topics, Additional Reading (the release's official links, the same for every engine) and
provenance, and runs the faithfulness check on whatever an engine drafts. A draft cites,
for every sentence and quotation piece it shows, the numbers of the source sentences it
rests on (`source.number`); `make` keeps them in the brief's provenance.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from syndicate.model import Article, Cited, Quote, Section


@dataclass(frozen=True)
class Draft:
    """The parts of a brief an engine writes."""

    title: str
    dateline: str | None
    summary: tuple[str, ...]
    sections: tuple[Section, ...]
    quotes: tuple[Quote, ...]
    cited: tuple[Cited, ...] = ()


class Engine(Protocol):
    """A brief engine: deterministic, and drafting only from the article it is given."""

    name: str
    version: str

    def draft(self, article: Article, *, target_words: int) -> Draft:
        """The brief's reader-visible parts for one article."""
        ...
