"""A brief and its article in, the gate's verdict per check out: what an AI brief must pass
before it is published (the extractive engine's briefs pass it too: it is the same standard).

Text is compared as `faithful.normalise` folds it (NFC, straight quote marks, single spaces).
A brief sentence's *cited sentences* are the source sentences its `Provenance.cited` entry
names. The checks, each named, each with a reason:

- `title`: the title is the release's own;
- `quotes`: every piece of every quotation is verbatim in one of the source's quotations,
  and any words a brief sentence puts between quote marks are verbatim in the source;
- `speakers`: each quotation keeps its source speaker (none where the source names none);
- `citations`: every narrative sentence cites at least one source sentence, every cited
  number exists;
- `numbers`: every number and date in a sentence is in its cited sentences;
- `names`: every capitalised word and acronym in a sentence is in its cited sentences (a
  sentence's first word may be an ordinary word written with a capital);
- `support`: at least SUPPORT of a sentence's content words (stemmed, function words
  aside) are in its cited sentences;
- `attribution`: whoever a sentence says "said", "announced" (and the like) is someone
  the source quotes or credits with such a verb;
- `headings`: every heading word is a word of the release (the plain defaults aside).

`verdicts` runs them all; `failure` gives the first reason (what a fallback records).
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import cached_property, lru_cache
from itertools import accumulate

from syndicate.brief import layout, source
from syndicate.brief.extractive import DEFAULT_HEADINGS
from syndicate.brief.faithful import Verdict, normalise, source_text
from syndicate.model import Article, Brief

# The share of a sentence's content words its cited sentences must hold. A brief sentence
# joining two facts adds a few linking words ("while", "also", "following"), which are
# function words; a sentence that rests on the wrong source sentence shares far less.
SUPPORT = 0.75

_NUMBER = re.compile(r"\d+(?:[.,:/-]\d+)*")
_DATE = re.compile(
    r"\b(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)[a-z]*\.?\s+\d{1,2}\b"
)
_TOKEN = re.compile(r"[A-Za-z][\w'-]*")
_CAPITALISED = re.compile(r"\b[A-Z][\w'-]*[A-Za-z]\b|\b(?:[A-Z]\.){2,}")
_QUOTED = re.compile(r'"([^"]{3,})"')
_ATTRIBUTION = re.compile(
    r"\b(?:said|says|say|announced|announces|announce|stated|states|added|noted|"
    r"emphasized|stressed|explained|warned|told|confirmed|declared|according to)\b"
)
_CONNECTORS = {"of", "the", "and", "for", "de", "del"}
_STOP_WORDS = """a about above after again against all also am an and any are as at be because been
    before being below between both but by can could did do does during each few for from
    further had has have having he her here hers him his how i if in into is it its itself
    just me more most my no nor not now of off on once only or other our ours out over own
    same she should so some such than that the their theirs them then there these they this
    those through to too under until up very was we were what when where which while who
    whom why will with would you your yours new one two three four five per via among
    including include includes within without across along following"""
STOP = frozenset(_STOP_WORDS.split())


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    """A crude stem, enough to match "seized" with "seizes" and "agencies" with "agency"."""
    w = word.lower()
    if w.endswith("'s"):
        w = w[:-2]
    for suffix, keep in (("ies", "y"), ("ing", ""), ("ed", ""), ("es", ""), ("s", "")):
        if w.endswith(suffix) and len(w) - len(suffix) >= 3:
            return w[: -len(suffix)] + keep
    return w


def content(text: str) -> set[str]:
    """The stems of a text's content words."""
    return _content(_TOKEN.findall(text))


def _content(tokens: list[str]) -> set[str]:
    return {stem(w) for w in tokens if len(w) > 2 and w.lower() not in STOP}


class _Sentence:
    """A source sentence as the checks read it; each view is worked out when a check first
    asks for it (a verbatim brief sentence needs only the text)."""

    def __init__(self, raw: str) -> None:
        self.text = normalise(raw)

    @cached_property
    def _tokens(self) -> list[str]:
        return _TOKEN.findall(self.text)

    @cached_property
    def words(self) -> frozenset[str]:
        return frozenset(self._tokens) | frozenset(_CAPITALISED.findall(self.text))

    @cached_property
    def stems(self) -> frozenset[str]:
        return frozenset(_content(self._tokens))

    @cached_property
    def numbers(self) -> frozenset[str]:
        return frozenset(_NUMBER.findall(self.text))


@dataclass
class _Source:
    """What the checks compare against, per article; a sentence's words, stems and numbers
    are worked out only when a brief cites it (a brief cites a few of a release's dozens)."""

    text: str
    lower_words: frozenset[str]
    numbers: frozenset[str]
    raw: tuple[str, ...]
    quotations: tuple[tuple[tuple[str, ...], str | None], ...]
    _sentences: dict[int, _Sentence]
    _credited: frozenset[str] | None = None

    @property
    def count(self) -> int:
        return len(self.raw)

    def sentence(self, n: int) -> _Sentence:
        """Source sentence `n` (1-based), prepared."""
        got = self._sentences.get(n)
        if got is None:
            got = self._sentences[n] = _Sentence(self.raw[n - 1])
        return got

    @property
    def credited(self) -> frozenset[str]:
        """The capitalised words of the source's speakers and of its sentences that say
        someone said, announced (...) something."""
        if self._credited is None:
            found: set[str] = set()
            for _, who in self.quotations:
                found |= set(_CAPITALISED.findall(who or ""))
            joined = "\n".join(self.raw)  # one search, then each hit's sentence
            starts = list(accumulate((len(r) + 1 for r in self.raw[:-1]), initial=0))
            hits = {bisect_right(starts, m.start()) - 1 for m in _ATTRIBUTION.finditer(joined)}
            for i in sorted(hits):
                found |= set(_CAPITALISED.findall(normalise(self.raw[i])))
            self._credited = frozenset(found)
        return self._credited


def _prepare(article: Article) -> _Source:
    whole = normalise(source_text(article))
    quotations = tuple(
        (tuple(normalise(p.text) for p in q.pieces), normalise(q.speaker) if q.speaker else None)
        for q in layout.quotations(article)
    )
    return _Source(
        text=whole,
        lower_words=frozenset(_TOKEN.findall(whole.lower())),
        numbers=frozenset(_NUMBER.findall(whole)),
        raw=tuple(s.text for s in source.number(article)),
        quotations=quotations,
        _sentences={},
    )


_read = source.Memo(_prepare)


@dataclass(frozen=True)
class _Line:
    """One narrative sentence of the brief with the source sentences it cites."""

    text: str
    cites: tuple[int, ...]


def _short(text: str) -> str:
    return text if len(text) <= 70 else text[:67] + "..."


def _lines(brief: Brief) -> Iterator[_Line]:
    cites: dict[str, tuple[int, ...]] = {}
    for c in brief.provenance.cited:
        if c.part != "quote":
            cites.setdefault(c.text, c.sources)
    texts = [*brief.summary]
    for s in brief.sections:
        texts += [*s.paragraphs, *s.bullets]
    for text in texts:
        yield _Line(normalise(text), cites.get(text, ()))


def _cited(line: _Line, src: _Source) -> list[_Sentence]:
    return [src.sentence(n) for n in line.cites if 1 <= n <= src.count]


Check = Callable[[Brief, list[_Line], _Source], str | None]


def _title(brief: Brief, lines: list[_Line], src: _Source) -> str | None:
    if normalise(brief.title) not in src.text:
        return f"title not the release's: {_short(brief.title)!r}"
    return None


def _quotes(brief: Brief, lines: list[_Line], src: _Source) -> str | None:
    for i, q in enumerate(brief.quotes, 1):
        for piece in q.pieces:
            said = normalise(piece)
            if not said or not any(said in p for ps, _ in src.quotations for p in ps):
                return f"quote {i} is not a source quote, verbatim: “{_short(piece)}”"
    for line in lines:
        for words in _QUOTED.findall(line.text):
            if words not in src.text:
                return f"quoted words not in the source: “{_short(words)}”"
    return None


def _speakers(brief: Brief, lines: list[_Line], src: _Source) -> str | None:
    for i, q in enumerate(brief.quotes, 1):
        first = normalise(q.text)
        given = [who for ps, who in src.quotations if any(first in p for p in ps)]
        if not given:
            continue  # `quotes` says why
        who = normalise(q.speaker) if q.speaker else None
        if who not in given:
            source_speaker = next((g for g in given if g), None)
            if source_speaker is None:
                return f"quote {i} given to {q.speaker!r}; the source names no speaker"
            return f"quote {i} given to {q.speaker!r}; the source's speaker is {source_speaker!r}"
    return None


def _citations(brief: Brief, lines: list[_Line], src: _Source) -> str | None:
    count = src.count
    for c in brief.provenance.cited:
        bad = [n for n in c.sources if not 1 <= n <= count]
        if bad:
            return f"cites sentence {bad[0]}; the source has {count}"
    for line in lines:
        if not line.cites:
            return f"sentence cites no source sentence: {_short(line.text)!r}"
    return None


def _numbers(brief: Brief, lines: list[_Line], src: _Source) -> str | None:
    for line in lines:
        cited = _cited(line, src)
        for number in _NUMBER.findall(line.text):
            if not any(number in s.numbers for s in cited):
                return f"number {number} not in the cited sentences {line.cites}"
        for date in _DATE.findall(line.text):
            if not any(date in s.text for s in cited):
                return f"date {date!r} not in the cited sentences {line.cites}"
    return None


def _names(brief: Brief, lines: list[_Line], src: _Source) -> str | None:
    for line in lines:
        cited = _cited(line, src)
        first = _TOKEN.match(line.text.lstrip("\"'("))
        for m in _CAPITALISED.finditer(line.text):
            name = m.group()
            if any(name in s.words or name.rstrip(".") in s.words for s in cited):
                continue
            if first is not None and m.start() <= line.text.find(first.group()):
                low = name.lower()
                if low in STOP or low in src.lower_words:
                    continue  # an ordinary word of the release, capitalised to start
            return f"name {name!r} not in the cited sentences {line.cites}"
    return None


def _support(brief: Brief, lines: list[_Line], src: _Source) -> str | None:
    for line in lines:
        words = content(line.text)
        if not words:
            continue
        have: set[str] = set()
        for s in _cited(line, src):
            have |= s.stems
        share = len(words & have) / len(words)
        if share < SUPPORT:
            missing = ", ".join(sorted(words - have)[:4])
            return (
                f"sentence rests on {share:.0%} of its words in its cited sentences "
                f"{line.cites} (needs {SUPPORT:.0%}; not there: {missing}): {_short(line.text)!r}"
            )
    return None


def _agent(text: str, start: int, end: int) -> list[str]:
    """The capitalised name run right before a verb at start..end, else right after it."""
    before = text[:start].split()
    run: list[str] = []
    for word in reversed(before):
        w = word.strip(",;:()\"'")
        if w[:1].isupper() or (run and w in _CONNECTORS):
            run.insert(0, w)
        else:
            break
    if not run:
        for word in text[end:].split():
            w = word.strip(",;:.()\"'")
            if w[:1].isupper() or (run and w in _CONNECTORS):
                run.append(w)
            elif w in ("the",) and not run:
                continue
            else:
                break
    while run and run[0] in _CONNECTORS:
        run.pop(0)
    return [w for w in run if w not in _CONNECTORS]


def _attribution(brief: Brief, lines: list[_Line], src: _Source) -> str | None:
    for line in lines:
        for m in _ATTRIBUTION.finditer(line.text):
            who = _agent(line.text, m.start(), m.end())
            strangers = [w for w in who if w not in src.credited and w.lower() not in STOP]
            if strangers:
                return (
                    f"{' '.join(who)!r} {m.group()}: the source quotes or credits no "
                    f"{strangers[0]!r} ({_short(line.text)!r})"
                )
    return None


def _headings(brief: Brief, lines: list[_Line], src: _Source) -> str | None:
    for s in brief.sections:
        if s.heading in DEFAULT_HEADINGS:
            continue
        for word in _TOKEN.findall(normalise(s.heading)):
            if word.lower() not in src.lower_words:
                return f"heading word {word!r} not in the release ({s.heading!r})"
    return None


CHECKS: tuple[tuple[str, Check], ...] = (
    ("title", _title),
    ("quotes", _quotes),
    ("speakers", _speakers),
    ("citations", _citations),
    ("numbers", _numbers),
    ("names", _names),
    ("support", _support),
    ("attribution", _attribution),
    ("headings", _headings),
)


def verdicts(brief: Brief, article: Article) -> list[Verdict]:
    """Every check's verdict, in order."""
    src = _read(article)
    lines = list(_lines(brief))
    return [Verdict(name, fn(brief, lines, src)) for name, fn in CHECKS]


def failure(brief: Brief, article: Article) -> str | None:
    """`check: reason` of the first check the brief fails, or None when it passes them all."""
    src = _read(article)
    lines = list(_lines(brief))
    for name, fn in CHECKS:
        reason = fn(brief, lines, src)
        if reason is not None:
            return f"{name}: {reason}"
    return None


def clear() -> None:
    """Forget prepared articles (benchmarks timing cold runs)."""
    _read.cache_clear()
