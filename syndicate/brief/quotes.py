"""Paragraph texts in, the quotations in them out: one `Quotation` per speaker's quotation,
its pieces verbatim, its speaker, the release's verb, where each piece stands.

A quotation is found across paragraphs. Its pieces are the spans between quote marks (curly
or straight) that belong together: `“A,” said X. “B.”` is one quotation of two pieces; a
quotation left open at a paragraph's end continues in the next paragraph's opening one
(the newspaper habit); a quotation whose closing mark is missing before `, said NAME.` is
closed there (`attribution.inside`), the attribution never becomes part of it. An
introduction ("X issued the following statement:", "Attributable to X:", "X said in a
statement:") gives the speaker of the paragraphs after it, quoted or not; unquoted, they
run while they speak in the first person. A span is speech when it is attributed, continues
a quotation, or is long enough to be speech rather than a scare-quoted name.

The speaker is named as the release names them (see `speakers.resolve`): a later "said
Noem" is shown as the first full mention, "Secretary of Homeland Security Kristi Noem". A
quotation whose speaker cannot be read from the text keeps None rather than a guess.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from syndicate.brief import attribution, sentences, speakers

_FIRST_PERSON = re.compile(r"\b(?:I|I’m|I'm|we|We|we’re|We’re|our|Our|us|my|My|me)\b")


@dataclass(frozen=True)
class Piece:
    """One verbatim piece of a quotation: paragraph `block`, characters start..end."""

    text: str
    block: int
    start: int
    end: int


@dataclass(frozen=True)
class Quotation:
    """One speaker's quotation: its pieces in order, who said it, the release's verb."""

    pieces: tuple[Piece, ...]
    speaker: str | None
    verb: str | None


@dataclass
class _Span:
    block: int
    start: int  # index of the opening mark (or the paragraph's start, unquoted)
    end: int  # index just past the closing mark (or the paragraph's end when left open)
    text: str
    open_end: bool
    found: attribution.Found | None = None
    given: bool = False  # speaker given by an introduction
    continues: bool = False  # a continuation of the span before it
    chain: list[_Span] = field(default_factory=list)


_MARK = re.compile('[“"”]')


def _spans(block: int, para: str) -> list[_Span]:
    out: list[_Span] = []
    start = -1
    for m in _MARK.finditer(para):
        ch, i = m.group(), m.start()
        if start < 0 and ch != "”":
            start = i
        elif start >= 0 and ch != "“":
            out.append(_Span(block, start, i + 1, para[start + 1 : i], open_end=False))
            start = -1
    if start >= 0:
        out.append(_Span(block, start, len(para), para[start + 1 :], open_end=True))
    return out


def _repair(span: _Span) -> list[_Span]:
    """A span holding ", said NAME." (its closing mark missing) is two pieces of one quote."""
    found = attribution.inside(span.text)
    if found is None:
        return [span]
    cut, resume, who = found
    head = _Span(span.block, span.start, span.start + 1 + cut, span.text[:cut], False, who)
    rest = span.text[resume:]
    if not rest.strip():
        return [head]
    offset = span.start + 1 + resume
    tail = _Span(span.block, offset, span.end, rest, span.open_end, continues=True)
    return [head, tail]


def _attribute(span: _Span, para: str) -> None:
    if span.found is not None:
        return
    span.found = attribution.after(para[span.end :])
    if span.found is None:
        span.found = attribution.before(para[: span.start])


def _words(text: str) -> int:
    return len(text.split())


def _speech(span: _Span) -> bool:
    if span.found is not None or span.given or span.continues:
        return True
    inner = span.text.strip()
    return _words(inner) >= 8 or (inner.endswith((".", "!", "?")) and _words(inner) >= 3)


def _statements(paragraphs: Sequence[str], spans: list[_Span]) -> None:
    """Give introduced paragraphs their speaker: quoted ones, or unquoted ones as spans."""
    by_block: dict[int, list[_Span]] = {}
    for span in spans:
        by_block.setdefault(span.block, []).append(span)
    for block, para in enumerate(paragraphs):
        if not para.rstrip().endswith(":") or by_block.get(block):
            continue
        found = attribution.intro(sentences.split(para)[-1])
        if found is None:
            continue
        nxt = block + 1
        first = by_block.get(nxt, [])
        if first and first[0].start == 0:
            first[0].found, first[0].given = first[0].found or found, True
            continue
        surname = found.who.surname if found.who else ""
        while nxt < len(paragraphs):
            text = paragraphs[nxt]
            if by_block.get(nxt) or not text.strip() or text.rstrip().endswith(":"):
                break
            if nxt > block + 1 and (not _FIRST_PERSON.search(text) or surname in text):
                break
            span = _Span(nxt, 0, len(text), text, False, found, given=True)
            spans.append(span)
            by_block[nxt] = [span]
            nxt += 1
    spans.sort(key=lambda s: (s.block, s.start))


def find(paragraphs: Sequence[str], context: str = "") -> list[Quotation]:
    """Every quotation in the paragraphs, in order; `context` (the title) helps name people."""
    spans: list[_Span] = []
    for block, para in enumerate(paragraphs):
        for raw in _spans(block, para):
            for span in _repair(raw):
                _attribute(span, para)
                spans.append(span)
    _statements(paragraphs, spans)
    names = [s.found.who for s in spans if s.found and s.found.who]
    texts = [*paragraphs, context]
    return _group(_chains(spans), names, lambda: _mentions(texts))


_MENTION = re.compile(attribution.NAME)
# "Panama’s Minister of Public Security, Rodrigo Almanza": a title, a comma, the name.
_TITLE_FIRST = re.compile(
    r"(?P<title>(?:[A-Z][\w.-]*\s+){0,3}?(?:Minister|Secretary|Director|Commissioner|"
    r"Administrator|Chief|Commander|Governor|Mayor|Ambassador|President|Superintendent|"
    r"Sheriff|Attorney|Chairman|Chair|Spokesperson|Commandant)(?:\s+(?:of|for|the|and|on|"
    r"[A-Z][\w.’'-]*)){0,6}),\s+(?P<name>[A-Z][\w.’'-]+(?:\s+[A-Z][\w.’'-]+){1,3})(?=[,.;\s])"
)


def _mentions(texts: Sequence[str]) -> list[speakers.Name]:
    """Every person the texts name, in reading order, a title before a comma included."""
    out: list[speakers.Name] = []
    for text in texts:
        found: list[tuple[int, speakers.Name]] = []
        for m in _TITLE_FIRST.finditer(text):
            person = speakers.phrase(m.group("name"))
            if person and person.full:
                name = speakers.Name(f"{m.group('title')}, {person.text}", person.person, True)
                found.append((m.start(), name))
        for m in _MENTION.finditer(text):
            named = speakers.phrase(m.group(0))
            if named is not None:
                found.append((m.start(), named))
        out += [name for _, name in sorted(found, key=lambda pair: pair[0])]
    return out


def _chains(spans: list[_Span]) -> list[list[_Span]]:
    """Spans joined across paragraphs: one left open continues in the next one's opening."""
    chains: list[list[_Span]] = []
    for span in spans:
        last = chains[-1][-1] if chains else None
        joined = last is not None and last.block + 1 == span.block and span.start == 0
        if (
            joined
            and last is not None
            and (
                (last.open_end and not (span.given and not last.given))
                or (last.given and span.given and last.found is span.found)  # one statement
            )
        ):
            chains[-1].append(span)
        else:
            chains.append([span])
    return chains


def _group(
    chains: list[list[_Span]],
    names: list[speakers.Name],
    mentions: Callable[[], list[speakers.Name]],
) -> list[Quotation]:
    """Chains as quotations: the pieces of one speaker's quotation in one paragraph join."""
    out: list[tuple[list[_Span], str | None, str | None]] = []
    read: list[speakers.Name] | None = None  # every name in the text, read when needed
    last: tuple[int, str] | None = None  # the last named speaker and their paragraph
    previous: _Span | None = None  # the last span of the last quotation
    for chain in chains:
        found = next((s.found for s in chain if s.found), None)
        same_para = previous is not None and previous.block == chain[0].block
        if not (any(_speech(s) for s in chain) or len(chain) > 1 or (same_para and not found)):
            continue
        speaker = None
        if found is not None and found.who is not None:
            if read is None and not (found.who.full and found.who.titled):
                read = mentions()
            speaker = speakers.resolve(found.who, names, read or [])
        elif found is not None and found.pronoun and last and last[0] >= chain[0].block - 1:
            speaker = last[1]
        if out and same_para and (found is None or (speaker and speaker == out[-1][1])):
            spans, who, verb = out[-1]
            out[-1] = (spans + chain, who, verb)  # `“A,” said X. “B.”`: B continues A
        else:
            out.append((list(chain), speaker, found.verb if found else None))
        if out[-1][1]:
            last = (chain[-1].block, out[-1][1] or "")
        previous = chain[-1]
    return [
        Quotation(tuple(p for p in (_piece(s) for s in spans) if p.text), who, verb)
        for spans, who, verb in out
    ]


def _piece(span: _Span) -> Piece:
    text = span.text.strip().rstrip(",").rstrip()
    return Piece(text, span.block, span.start, span.end)
