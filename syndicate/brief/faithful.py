"""A brief and the article it came from in, the verdict of each faithfulness check out; or
`BriefError` from `check` when one fails.

Every brief passes `check` before it leaves the stage. Text is compared with white space
folded and curly quote marks made straight. The checks, each named, each with a reason:

- `title`: the title is the release's;
- `quotes`: every piece of every quotation is verbatim in the source;
- `numbers`, `dates`: every figure and date anywhere in the brief occurs in the source;
- `names`: every capitalised word in the title, speakers, dateline and link texts occurs
  in the source;
- `speakers`: every speaker is a run of the source's words, and a quotation the source
  attributes keeps the source's speaker (none is given where the source names nobody);
- `sentences`: every standfirst, paragraph and bullet is a whole sentence (or list item)
  of the source, verbatim: nothing rewritten, nothing spelled out;
- `headings`: every heading word is a source word (the plain defaults aside);
- `links`: every link is one of the release's own;
- `citations`: every cited sentence number exists, and a sentence citing one source
  sentence is that sentence.

`verdicts` runs them all (for an operator, or a gate that wants every reason); `check`
stops at the first failure.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import lru_cache

from syndicate.brief import layout, links, source
from syndicate.brief.extractive import DEFAULT_HEADINGS
from syndicate.errors import BriefError
from syndicate.model import Article, Brief

_PAIRS = (("“", '"'), ("”", '"'), ("„", '"'), ("″", '"'), ("‘", "'"), ("’", "'"), ("′", "'"))
_NUMBER = re.compile(r"\d+(?:[.,:/-]\d+)*")
_DATE = re.compile(
    r"\b(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)[a-z]*\.?\s+\d{1,2}\b"
)
_CAPITALISED = re.compile(r"\b[A-Z][\w’'-]*[A-Za-z]")
_WORDS = re.compile(r"[\w’'-]+")


@dataclass(frozen=True)
class Verdict:
    """One check's outcome: its name, and why it failed (None when it passed)."""

    check: str
    reason: str | None = None

    @property
    def ok(self) -> bool:
        return self.reason is None


@lru_cache(maxsize=8192)
def normalise(text: str) -> str:
    """Text as the check compares it: NFC, straight quote marks, single spaces."""
    if not unicodedata.is_normalized("NFC", text):
        text = unicodedata.normalize("NFC", text)
    for curly, straight in _PAIRS:
        if curly in text:
            text = text.replace(curly, straight)
    return " ".join(text.split())


def source_text(article: Article) -> str:
    """Everything the release says, in one string (what a brief may draw on)."""
    parts = [article.title, article.dateline or ""]
    for block in article.blocks:
        parts.append(block.text)
        parts.extend(block.items)
        parts.extend(link.text for link in block.links)
    parts.extend(link.text for link in article.links)
    return "\n".join(p for p in parts if p)


@dataclass
class _Source:
    """What the checks compare against, computed once per article (the normalised forms
    of its sentences only when a brief's text is not one of them as written)."""

    text: str
    lower: str
    words: frozenset[str]
    lower_words: frozenset[str]
    numbers: frozenset[str]
    raw: frozenset[str]  # whole sentences, list items, rows and paragraphs, as written
    sentences: tuple[source.SourceSentence, ...]
    quotations: tuple[tuple[tuple[str, ...], str | None], ...]  # (pieces, speaker)
    article: Article
    _units: frozenset[str] | None = None

    def unit(self, text: str) -> bool:
        """`text` is a whole sentence, item or row of the source (spacing and marks aside)."""
        if text in self.raw:
            return True
        if self._units is None:
            self._units = frozenset(normalise(t) for t in self.raw)
        return normalise(text) in self._units

    def numbered(self, n: int) -> str:
        return normalise(self.sentences[n - 1].text)


def _source(article: Article) -> _Source:
    text = normalise(source_text(article))
    words = frozenset(_WORDS.findall(text))
    numbered = source.number(article)
    raw = {s.text for s in numbered}
    raw |= {b.text.strip() for b in article.blocks if b.kind in ("paragraph", "quote")}
    quotations = tuple(
        (tuple(normalise(p.text) for p in q.pieces), normalise(q.speaker) if q.speaker else None)
        for q in layout.quotations(article)
    )
    return _Source(
        text=text,
        lower=text.lower(),
        words=words,
        lower_words=frozenset(w.lower() for w in words),
        numbers=frozenset(_NUMBER.findall(text)),
        raw=frozenset(raw),
        sentences=numbered,
        quotations=quotations,
        article=article,
    )


_read = source.Memo(_source)


def _short(text: str) -> str:
    return text if len(text) <= 70 else text[:67] + "..."


def _narrative(brief: Brief) -> Iterator[str]:
    yield from brief.summary
    for s in brief.sections:
        yield from s.paragraphs
        yield from s.bullets


def _visible(brief: Brief) -> Iterator[str]:
    yield brief.title
    yield brief.dateline or ""
    yield from _narrative(brief)
    for s in brief.sections:
        if s.heading not in DEFAULT_HEADINGS:
            yield s.heading
    for q in brief.quotes:
        yield from q.pieces
        yield q.speaker or ""
    for link in brief.links:
        yield link.text


def _title(brief: Brief, src: _Source) -> str | None:
    if normalise(brief.title) not in src.text:
        return f"title not in source: {_short(brief.title)!r}"
    return None


def _quotes(brief: Brief, src: _Source) -> str | None:
    for q in brief.quotes:
        for piece in q.pieces:
            if normalise(piece) not in src.text:
                return f"quote not in source: “{_short(piece)}”"
    return None


def _speakers(brief: Brief, src: _Source) -> str | None:
    for q in brief.quotes:
        if q.speaker and normalise(q.speaker) not in src.text:
            return f"speaker not in source: {q.speaker!r}"
        first = normalise(q.text)
        given = [who for pieces, who in src.quotations if any(first in p for p in pieces)]
        if given and q.speaker and all(who is None for who in given):
            return f"quote given to {q.speaker!r}; the source names no speaker"
        if given and q.speaker and normalise(q.speaker) not in given:
            return f"quote given to {q.speaker!r}; the source's speaker is {given[0]!r}"
    return None


def _sentences(brief: Brief, src: _Source) -> str | None:
    for sentence in _narrative(brief):
        if not src.unit(sentence):
            return f"sentence not in source: {_short(sentence)!r}"
    return None


def _numbers(brief: Brief, src: _Source) -> str | None:
    for text in _visible(brief):
        for number in _NUMBER.findall(normalise(text)):
            if number not in src.numbers:
                return f"number {number} not in source"
    return None


def _dates(brief: Brief, src: _Source) -> str | None:
    for text in _visible(brief):
        for date in _DATE.findall(normalise(text)):
            if date not in src.text:
                return f"date {date!r} not in source"
    return None


def _names(brief: Brief, src: _Source) -> str | None:
    texts = [brief.title, brief.dateline or "", *(q.speaker or "" for q in brief.quotes)]
    texts += [link.text for link in brief.links if link.text != link.url]
    for text in texts:
        for name in _CAPITALISED.findall(normalise(text)):
            if name not in src.words and name.rstrip(".") not in src.words:
                return f"name {name!r} not in source"
    return None


def _headings(brief: Brief, src: _Source) -> str | None:
    for s in brief.sections:
        if s.heading in DEFAULT_HEADINGS:
            continue
        for word in _WORDS.findall(normalise(s.heading)):
            if word.lower() not in src.lower_words and word.lower() not in src.lower:
                return f"heading word {word!r} not in source"
    return None


def _links(brief: Brief, src: _Source) -> str | None:
    art = src.article
    urls = {link.url for link in (*art.links, *(k for b in art.blocks for k in b.links))}
    urls |= {links.absolute(url, art.url, brief.agency) for url in urls}
    for link in brief.links:
        if link.url not in urls:
            return f"link {link.url} not in source"
    return None


def _citations(brief: Brief, src: _Source) -> str | None:
    count = len(src.sentences)
    for c in brief.provenance.cited:
        if any(not 1 <= n <= count for n in c.sources):
            return f"citation of a sentence the source does not have: {c.sources}"
        if c.part != "quote" and len(c.sources) == 1:
            said = src.sentences[c.sources[0] - 1].text
            if c.text != said and normalise(c.text) != src.numbered(c.sources[0]):
                return f"sentence {c.sources[0]} is not {_short(c.text)!r}"
    return None


CHECKS: tuple[tuple[str, Callable[[Brief, _Source], str | None]], ...] = (
    ("title", _title),
    ("quotes", _quotes),
    ("numbers", _numbers),
    ("dates", _dates),
    ("names", _names),
    ("speakers", _speakers),
    ("sentences", _sentences),
    ("headings", _headings),
    ("links", _links),
    ("citations", _citations),
)


def verdicts(brief: Brief, article: Article) -> list[Verdict]:
    """Every check's verdict on the brief, in order."""
    src = _read(article)
    return [Verdict(name, fn(brief, src)) for name, fn in CHECKS]


def clear() -> None:
    """Forget the articles read so far (for benchmarks that time cold runs)."""
    _read.cache_clear()


def check(brief: Brief, article: Article) -> None:
    """Raise BriefError("brief: unfaithful: <reason>") unless the brief is true to the article."""
    src = _read(article)
    for _, fn in CHECKS:
        reason = fn(brief, src)
        if reason is not None:
            raise BriefError(f"brief: unfaithful: {reason}")
