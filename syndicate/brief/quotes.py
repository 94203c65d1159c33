"""Paragraph texts in, the quotations in them out: verbatim text, speaker, where they are.

A quotation is a span between quote marks (curly or straight) that someone says: it has an
attribution next to it ("…,” said Secretary Kristi Noem.", "Noem said, “…"), continues a
quotation already attributed in the same paragraph (`“A,” said X. “B.”`), continues one left
open at the end of the previous paragraph (the newspaper habit of reopening each paragraph),
or is long enough to be speech rather than a scare-quoted name. A speaker is named with the
title the release uses; a bare surname resolves to the first full mention in the release,
and a quotation whose speaker cannot be read from the text keeps speaker None.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

_OPEN = '“"'
_CLOSE = '”"'
_VERBS = (
    r"(?:said|says|added|adds|noted|notes|stated|states|explained|emphasi[sz]ed|continued|"
    r"remarked|declared|announced|urged|warned|wrote|observed|stressed|concluded|affirmed)"
)
_CAP = r"(?:[A-Z][A-Za-z.’'-]*|\d+)"
_LINK = r"(?:of|the|for|in|and|de|del|la)"
_NAME = rf"[A-Z][A-Za-z.’'-]*(?:\s+(?:{_LINK}\s+)*{_CAP})*"
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
_NOT_PEOPLE = {"The", "This", "That", "These", "It", "We", "They", "He", "She", "In", "As"}
_TITLES = {
    "Secretary", "Commissioner", "Administrator", "Director", "Chief", "Commandant",
    "Admiral", "Adm.", "Sen.", "Senator", "Rep.", "Representative", "Gov.", "Governor",
    "Mayor", "President", "Agent", "Officer", "Attorney", "General", "Spokesperson",
    "Spokesman", "Spokeswoman", "Ambassador", "Minister", "Sheriff", "Captain", "Capt.",
    "Lt.", "Cmdr.", "Commander", "Sgt.", "Dr.", "Judge", "Coordinator", "Superintendent",
    "Inspector", "Undersecretary", "Deputy", "Acting", "Assistant", "Executive", "Special",
    "Under", "Associate", "Senior", "Principal", "Charge", "Vice", "Chairman", "Chair",
    "Lieutenant", "Colonel", "Col.", "Gen.", "Marshal", "Supervisory", "Port", "Field",
    "Office",
}  # fmt: skip


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
    who: str | None = None
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


def _trim_name(who: str) -> str | None:
    words = who.split()
    # "said Secretary Noem in Quito": the place is not part of the name ("Agent in Charge" is).
    for i, w in enumerate(words):
        if w == "in" and (i + 1 == len(words) or words[i + 1] != "Charge"):
            words = words[:i]
            break
    while words and words[-1] in ("of", "the", "for", "in", "and", "de", "del", "la"):
        words.pop()
    if not words or words[0] in _NOT_PEOPLE:
        return None
    last = words[-1]
    if last.endswith((".", ",")) and last.count(".") <= 1 and last not in _TITLES:
        words[-1] = last.rstrip(".,")
    return " ".join(words) or None


def _attribute(span: _Span, para: str) -> None:
    # An attribution sits right beside its quotation; bounded windows also keep the name
    # patterns linear on hostile text (a page of capitalised words before a quote mark).
    after = para[span.end : span.end + _WINDOW]
    for pattern in (_AFTER_VERB_NAME, _AFTER_NAME_VERB):
        m = pattern.match(after)
        if m:
            span.who = _trim_name(m.group("who"))
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
        span.who = _trim_name(m.group("who") or m.group("who2"))


def _words(text: str) -> int:
    return len(text.split())


def _is_speech(span: _Span, previous: _Span | None) -> bool:
    if span.who or span.pronoun or span.unnamed:
        return True
    if previous is not None and previous.block == span.block and (previous.who or previous.pronoun):
        return True  # `“A,” said X. “B.”`
    inner = span.text.strip()
    return _words(inner) >= 8 or (inner.endswith((".", "!", "?")) and _words(inner) >= 3)


def _label(name: str) -> tuple[str, list[str], bool]:
    """(the name from its title on, the personal-name words, whether a title is there)."""
    words = [w.rstrip(",;:") for w in name.split()]
    if words and words[-1].endswith(".") and words[-1].count(".") == 1 and len(words[-1]) > 3:
        words[-1] = words[-1][:-1]  # "Bradford." at a sentence end; "Jr." stays
    first_title = next((i for i, w in enumerate(words) if w in _TITLES), None)
    if first_title is None:
        return name, words, False
    last_title = max(i for i, w in enumerate(words) if w in _TITLES)
    person = [w for w in words[last_title + 1 :] if w not in ("of", "the", "in", "for", "and")]
    return " ".join(words[first_title:]), person, True


def _canonical(who: str, mentions: Sequence[str]) -> str:
    label, person, titled = _label(who)
    if not person:
        return label
    surname = person[-1]
    full: str | None = None
    title_of: str | None = label if titled else None
    for mention in mentions:
        m_label, m_person, m_titled = _label(mention)
        if not m_person or m_person[-1] != surname:
            continue
        if full is None and len(m_person) >= 2:
            full = m_label if m_titled else " ".join(m_person)
            if m_titled:
                return full
        if title_of is None and m_titled:
            title_of = m_label
    if full is None:
        return label
    if title_of is not None:
        # The release names the person in full without a title, and elsewhere with one.
        title_words = title_of.split()[: -len(_label(title_of)[1]) or None]
        return " ".join([*title_words, full])
    return full


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
    mentions = [m.group(0) for text in (*paragraphs, context) for m in _NAMES.finditer(text)]
    found: list[Found] = []
    previous: _Span | None = None
    last_speaker: tuple[int, str] | None = None
    for chain in chains:
        who = next((s.who for s in chain if s.who), None)
        speech = any(_is_speech(s, previous) for s in chain) or len(chain) > 1
        speaker: str | None = _canonical(who, mentions) if who else None
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
