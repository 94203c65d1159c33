"""A brief and the article it came from in, nothing out: or `BriefError` when unfaithful.

Every brief passes this before it leaves the stage. Compared with white space folded and
curly quote marks made straight: every quotation is verbatim in the source; every standfirst,
paragraph and bullet sentence is a source sentence (a spelled-out acronym folded back);
every number, date and capitalised name anywhere in the brief occurs in the source; every
speaker is a run of the source's words; headings use only the source's words (or are the
plain defaults); links are the release's.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator

from syndicate.brief import acronyms
from syndicate.brief.extractive import DEFAULT_HEADINGS
from syndicate.errors import BriefError
from syndicate.model import Article, Brief

_MARKS = str.maketrans({"“": '"', "”": '"', "„": '"', "″": '"', "‘": "'", "’": "'", "′": "'"})
_NUMBER = re.compile(r"\d+(?:[.,:/-]\d+)*")
_DATE = re.compile(
    r"\b(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)[a-z]*\.?\s+\d{1,2}\b"
)
_CAPITALISED = re.compile(r"\b[A-Z][A-Za-z’'-]*[A-Za-z]")


def normalise(text: str) -> str:
    """Text as the check compares it: NFC, straight quote marks, single spaces."""
    return " ".join(unicodedata.normalize("NFC", text).translate(_MARKS).split())


def source_text(article: Article) -> str:
    """Everything the release says, in one string (what a brief may draw on)."""
    parts = [article.title, article.dateline or ""]
    for block in article.blocks:
        parts.append(block.text)
        parts.extend(block.items)
        parts.extend(link.text for link in block.links)
    parts.extend(link.text for link in article.links)
    return "\n".join(p for p in parts if p)


def _fail(reason: str) -> BriefError:
    return BriefError(f"brief: unfaithful: {reason}")


def _short(text: str) -> str:
    return text if len(text) <= 70 else text[:67] + "..."


def _visible(brief: Brief) -> Iterator[str]:
    yield brief.title
    yield brief.dateline or ""
    yield from brief.summary
    for s in brief.sections:
        if s.heading not in DEFAULT_HEADINGS:
            yield s.heading
        yield from s.paragraphs
        yield from s.bullets
    for q in brief.quotes:
        yield q.text
        yield q.speaker or ""
    for link in brief.links:
        yield link.text


def check(brief: Brief, article: Article) -> None:
    """Raise BriefError("brief: unfaithful: <reason>") unless the brief is true to the article."""
    raw = source_text(article)
    source = normalise(raw)
    lower = source.lower()
    definitions = acronyms.defined(raw)
    for q in brief.quotes:
        if normalise(q.text) not in source:
            raise _fail(f"quote not in source: “{_short(q.text)}”")
    numbers = set(_NUMBER.findall(source))
    words = set(re.findall(r"[\w’'-]+", source))
    lower_words = {w.lower() for w in words}
    for text in _visible(brief):
        for number in _NUMBER.findall(normalise(text)):
            if number not in numbers:
                raise _fail(f"number {number} not in source")
        for date in _DATE.findall(normalise(text)):
            if date not in source:
                raise _fail(f"date {date!r} not in source")
    if normalise(brief.title) not in source:
        raise _fail(f"title not in source: {_short(brief.title)!r}")
    sentences = [*brief.summary, *(t for s in brief.sections for t in (*s.paragraphs, *s.bullets))]
    for sentence in sentences:
        as_is = normalise(sentence)
        if (
            as_is not in source
            and normalise(acronyms.collapse(sentence, definitions)) not in source
        ):
            raise _fail(f"sentence not in source: {_short(sentence)!r}")
    for s in brief.sections:
        if s.heading in DEFAULT_HEADINGS:
            continue
        for word in re.findall(r"[\w’'-]+", normalise(s.heading)):
            if word.lower() not in lower_words and word.lower() not in lower:
                raise _fail(f"heading word {word!r} not in source")
    names = [brief.title, *(q.speaker or "" for q in brief.quotes), brief.dateline or ""]
    for text in names:
        for name in _CAPITALISED.findall(normalise(text)):
            if name not in words and name.rstrip(".") not in words:
                raise _fail(f"name {name!r} not in source")
    for q in brief.quotes:
        # A speaker is named as the release names them: their words, in the release's order.
        if q.speaker and normalise(q.speaker) not in source:
            raise _fail(f"speaker not in source: {q.speaker!r}")
    urls = {link.url for link in article.links} | {
        link.url for b in article.blocks for link in b.links
    }
    for link in brief.links:
        if link.url not in urls:
            raise _fail(f"link {link.url} not in source")
