"""Paragraph texts in, the quotations in them out: verbatim text, speaker, where they are.

A quotation is a span between quote marks (curly or straight) that someone says: it has an
attribution next to it ("…,” said Secretary Kristi Noem.", "Noem said, “…"), continues a
quotation already attributed in the same paragraph (`“A,” said X. “B.”`), continues one left
open at the end of the previous paragraph (the newspaper habit of reopening each paragraph),
or is long enough to be speech rather than a scare-quoted name. A speaker is named as the
release names them (see `speakers`): a full name with its title is kept as the attribution
says it, a later bare surname resolves to the first full mention (in an attribution if
there is one, else in the text), and a quotation whose speaker cannot be read from the text
keeps speaker None.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from syndicate.brief import speakers

_OPEN = '“"'
_CLOSE = '”"'
_VERBS = (
    r"(?:said|says|added|adds|noted|notes|stated|states|explained|emphasi[sz]ed|continued|"
    r"remarked|declared|announced|urged|warned|wrote|observed|stressed|concluded|affirmed)"
)
# A word of a name; "Hidalgo/Pharr/Anzalduas" is one word, so a name is never cut at "/".
_WORD = r"[A-Z][A-Za-z.’'-]*(?:/[A-Za-z][A-Za-z.’'-]*)*"
_CAP = rf"(?:{_WORD}|\d+)"
# Joining words inside a name, and the roles written in lower case ("DHS spokesperson Tricia
# McLaughlin"), which join an organisation to a person.
_LINK = r"(?:of|the|for|in|and|de|del|la|spokesperson|spokesman|spokeswoman)"
_NAME = rf"{_WORD}(?:\s+(?:{_LINK}\s+)*{_CAP})*"
_AFTER_VERB_NAME = re.compile(rf"^\s*,?\s*{_VERBS}\s+(?P<who>{_NAME})")
_AFTER_NAME_VERB = re.compile(rf"^\s*,?\s*(?P<who>{_NAME})\s+{_VERBS}\b")
_AFTER_PRONOUN = re.compile(rf"^\s*,?\s*(?:(?:he|she)\s+{_VERBS}|{_VERBS}\s+(?:he|she))\b")
# `“…,” the statement added`: speech, but no person to name.
_AFTER_UNNAMED = re.compile(rf"^\s*,?\s*(?:[a-z][\w’'-]*\s+){{1,4}}{_VERBS}\b")
_BEFORE = re.compile(
    rf"(?:(?P<who>{_NAME})\s+{_VERBS}|[Aa]ccording\s+to\s+(?P<who2>{_NAME}))"
    r"(?:[\s,]+[a-z][\w’'-]*){0,6}\s*[,:]?\s*$"
)
_NAMES = re.compile(_NAME)
_WINDOW = 160


@dataclass(frozen=True)
class Found:
    """One quotation: its verbatim text, its speaker, and its span in paragraph `block`."""

    text: str
    speaker: str | None
    block: int
    start: int
    end: int


@dataclass
class _Span:
    block: int
    start: int
    end: int  # index just past the closing mark (or the paragraph's end when left open)
    text: str
    open_end: bool
    who: speakers.Name | None = None
    pronoun: bool = False
    unnamed: bool = False


def _spans(block: int, para: str) -> list[_Span]:
    out: list[_Span] = []
    start = -1
    for i, ch in enumerate(para):
        if start < 0 and ch in _OPEN and ch != "”":
            start = i
        elif start >= 0 and ch in _CLOSE and ch != "“":
            out.append(_Span(block, start, i + 1, para[start + 1 : i], open_end=False))
            start = -1
    if start >= 0:
        out.append(_Span(block, start, len(para), para[start + 1 :], open_end=True))
    return out


def _attribute(span: _Span, para: str) -> None:
    # An attribution sits right beside its quotation; bounded windows also keep the name
    # patterns linear on hostile text (a page of capitalised words before a quote mark).
    after = para[span.end : span.end + _WINDOW]
    for pattern in (_AFTER_VERB_NAME, _AFTER_NAME_VERB):
        m = pattern.match(after)
        if m:
            span.who = speakers.phrase(m.group("who"))
            if span.who:
                return
    if _AFTER_PRONOUN.match(after):
        span.pronoun = True
        return
    if _AFTER_UNNAMED.match(after):
        span.unnamed = True
        return
    m = _BEFORE.search(para[max(0, span.start - _WINDOW) : span.start])
    if m:
        span.who = speakers.phrase(m.group("who") or m.group("who2"))


def _words(text: str) -> int:
    return len(text.split())


def _is_speech(span: _Span, previous: _Span | None) -> bool:
    if span.who or span.pronoun or span.unnamed:
        return True
    if previous is not None and previous.block == span.block and (previous.who or previous.pronoun):
        return True  # `“A,” said X. “B.”`
    inner = span.text.strip()
    return _words(inner) >= 8 or (inner.endswith((".", "!", "?")) and _words(inner) >= 3)


def find(paragraphs: Sequence[str], context: str = "") -> list[Found]:
    """Every quotation in the paragraphs, in order; `context` (the title) helps name people."""
    spans: list[_Span] = []
    for block, para in enumerate(paragraphs):
        for span in _spans(block, para):
            _attribute(span, para)
            spans.append(span)
    # Quotations left open at a paragraph's end continue in the next paragraph's opening one.
    chains: list[list[_Span]] = []
    for span in spans:
        prev_chain = chains[-1] if chains else None
        if (
            prev_chain
            and prev_chain[-1].open_end
            and prev_chain[-1].block + 1 == span.block
            and span.start == 0
        ):
            prev_chain.append(span)
        else:
            chains.append([span])
    attributions = [s.who for s in spans if s.who]
    mentions = [
        name
        for text in (*paragraphs, context)
        for m in _NAMES.finditer(text)
        if (name := speakers.phrase(m.group(0)))
    ]
    found: list[Found] = []
    previous: _Span | None = None
    last_speaker: tuple[int, str] | None = None
    for chain in chains:
        who = next((s.who for s in chain if s.who), None)
        speech = any(_is_speech(s, previous) for s in chain) or len(chain) > 1
        speaker = speakers.resolve(who, attributions, mentions) if who else None
        head = chain[0]
        if speaker is None and speech:
            pronoun = any(s.pronoun for s in chain)
            split = previous is not None and previous.block == head.block
            if (pronoun or split) and last_speaker and last_speaker[0] >= head.block - 1:
                speaker = last_speaker[1] if pronoun or last_speaker[0] == head.block else None
        if speech:
            if speaker:
                last_speaker = (chain[-1].block, speaker)
            for s in chain:
                text = s.text.strip().rstrip(",").rstrip()
                if text:
                    found.append(Found(text, speaker, s.block, s.start, s.end))
        previous = chain[-1] if speech else previous
    return found
