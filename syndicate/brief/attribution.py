"""Text beside a quotation in, who said it and with which verb out.

Forms read (the verb is kept as the release writes it):

- after the quotation: `“…,” said Secretary Kristi Noem.`, `“…,” Noem added.`, `“…,” he
  said.`, `“…,” the statement added.` (speech, nobody named);
- with a title after the name: `said Francis Okafor, CBP Area Port Director for New York.`
  (the appositive is part of how the release names them; `, who ...` is not);
- before it: `Noem said, “…`, `According to Noem, “…`;
- inside a quotation whose closing mark is missing: `“… a city, said Port Director Ruiz.
  Every one …”` (`inside` finds where the quotation should have closed);
- an introduction ending in a colon that gives the speaker of what follows: `... issued the
  following statement:`, `Attributable to Director X:`, `X said in a statement:`, `In a
  statement, X said:`, `Statement from X:`.

Every pattern is bounded (windows, repetition limits), so hostile text stays linear.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from syndicate.brief import speakers

VERBS = (
    r"(?:said|says|added|adds|noted|notes|stated|states|explained|emphasi[sz]ed|continued|"
    r"remarked|declared|announced|urged|warned|wrote|observed|stressed|concluded|affirmed|"
    r"told|commented|underscored|highlighted|reiterated|pointed\s+out)"
)
# A word of a name; "Hidalgo/Pharr/Anzalduas" is one word, and "j.g." (a rank) is allowed.
_UPPER = "A-ZÀ-ÖØ-Þ"
_WORD = rf"(?:[{_UPPER}][\w.’'-]*(?:/[\w.’'-]+)*|j\.g\.)"
_CAP = rf"(?:{_WORD}|\d+(?:st|nd|rd|th)?)"
# Joining words inside a name, and the roles written in lower case ("DHS spokesperson Tricia
# McLaughlin"), which join an organisation to a person.
_LINK = r"(?:of|the|for|in|and|de|del|la|spokesperson|spokesman|spokeswoman)"
NAME = rf"{_WORD}(?:\s+(?:{_LINK}\s+){{0,3}}{_CAP}){{0,14}}"
_AFTER_VERB_NAME = re.compile(rf"^\s*,?\s*(?P<verb>{VERBS})\s+(?P<who>{NAME})")
_AFTER_NAME_VERB = re.compile(rf"^\s*,?\s*(?P<who>{NAME})\s+(?P<verb>{VERBS})\b")
_AFTER_PRONOUN = re.compile(
    rf"^\s*,?\s*(?:(?:he|she)\s+(?P<verb>{VERBS})|(?P<verb2>{VERBS})\s+(?:he|she))\b"
)
_AFTER_UNNAMED = re.compile(rf"^\s*,?\s*(?:[a-z][\w’'-]*\s+){{1,4}}(?P<verb>{VERBS})\b")
_BEFORE = re.compile(
    rf"(?:(?P<who>{NAME})\s+(?P<verb>{VERBS})|[Aa]ccording\s+to\s+(?P<who2>{NAME}))"
    r"(?:[\s,]+[a-z][\w’'-]*){0,6}\s*[,:]?\s*$"
)
# Where a quotation missing its closing mark should have closed: ", said NAME." inside it.
_INSIDE = re.compile(
    rf",\s+(?:(?P<verb>{VERBS})\s+(?P<who>{NAME})|(?P<who2>{NAME})\s+(?P<verb2>{VERBS}))"
    r"(?P<tail>,[^.“”\"]{2,100})?\.(?:\s+|$)"
)
# An appositive after the name that says who they are: ", the Stone’s commanding officer".
_APPOSITIVE = re.compile(
    r"^,\s+(?P<app>(?!who\b|which\b|where\b|when\b|as\b|adding\b)[^.;“”\"]{2,110}?)(?=\.(?:\s|$)|;|$)"
)
_TITLE_WORDS = re.compile(
    r"\b(?:officer|director|chief|commander|administrator|agent|spokes(?:person|man|woman)|"
    r"co-pilot|pilot|captain|coordinator|manager|secretary|deputy|assistant|commissioner|"
    r"head|leader|president|chair(?:man|woman)?|superintendent|supervisor|inspector|"
    r"specialist|attorney|counsel|advis[eo]r|sheriff|mayor|governor|senator|representative|"
    r"ambassador|minister|commandant|admiral|general)\b",
    re.I,
)
_INTROS = [
    re.compile(p)
    for p in (
        rf"(?P<who>{NAME})(?:,[^:,]{{2,90}},)?\s+(?P<verb>(?:issued|released|made|gave|shared|"
        r"provided)\s+(?:the\s+following|this|a|the)\s+statement)\b[^:]{0,160}:$",
        rf"^Attributable\s+to\s+(?P<who>{NAME})(?P<app>,[^:]{{2,90}})?\s*:$",
        rf"^In\s+a\s+(?:written\s+)?statement,\s+(?P<who>{NAME})\s+(?P<verb>{VERBS})\s*:$",
        rf"^(?:The\s+following\s+is\s+(?:a|the)\s+statement\s+(?:from|by)|Statement\s+"
        rf"(?:from|by))\s+(?P<who>{NAME})[^:]{{0,80}}:$",
        rf"(?P<who>{NAME})(?:,[^:,]{{2,90}},)?\s+(?P<verb>{VERBS}(?:\s+in\s+a\s+(?:written\s+)?"
        r"statement)?)(?:\s+(?:on|about|after|following|regarding)\b[^:]{0,120})?\s*:$",
    )
]
_WINDOW = 200


@dataclass(frozen=True)
class Found:
    """Who a quotation's attribution names (None for a pronoun or nobody), and its verb."""

    who: speakers.Name | None
    verb: str | None
    pronoun: bool = False
    unnamed: bool = False


def after(text: str) -> Found | None:
    """The attribution right after a quotation's closing mark, if there is one."""
    text = text[:_WINDOW]
    for pattern in (_AFTER_VERB_NAME, _AFTER_NAME_VERB):
        m = pattern.match(text)
        if m and (who := _named(m.group("who"), text[m.end("who") :])):
            return Found(who, _verb(m.group("verb")))
    m = _AFTER_PRONOUN.match(text)
    if m:
        return Found(None, _verb(m.group("verb") or m.group("verb2")), pronoun=True)
    m = _AFTER_UNNAMED.match(text)
    if m:
        return Found(None, _verb(m.group("verb")), unnamed=True)
    return None


def before(text: str) -> Found | None:
    """The attribution right before a quotation's opening mark, if there is one."""
    m = _BEFORE.search(text[-_WINDOW:])
    if not m:
        return None
    raw = m.group("who") or m.group("who2")
    who = speakers.phrase(raw)
    return Found(who, _verb(m.group("verb")) if m.group("verb") else "said") if who else None


def inside(text: str) -> tuple[int, int, Found] | None:
    """Where a quotation without its closing mark holds its attribution: (start, end, found).

    `text[:start]` is the quotation so far, `text[end:]` its continuation.
    """
    for m in _INSIDE.finditer(text[:2000]):
        raw = m.group("who") or m.group("who2")
        who = _named(raw, m.group("tail") or "")
        if who is not None and who.person:
            return m.start(), m.end(), Found(who, _verb(m.group("verb") or m.group("verb2")))
    return None


def intro(sentence: str) -> Found | None:
    """A sentence that introduces the speaker of the paragraphs after it (ends with ":")."""
    sentence = sentence.strip()
    if not sentence.endswith(":") or len(sentence) > 400:
        return None
    for pattern in _INTROS:
        m = pattern.search(sentence)
        if not m:
            continue
        app = m.groupdict().get("app") or ""
        who = _named(m.group("who"), app)
        if who is None:
            continue
        verb = m.groupdict().get("verb")
        return Found(who, _verb(verb) if verb else None)
    return None


def _verb(verb: str | None) -> str | None:
    return " ".join(verb.split()) if verb else None


def _named(raw: str, rest: str) -> speakers.Name | None:
    """The name in `raw`, with the appositive title at the start of `rest` when it has one."""
    who = speakers.phrase(raw)
    if who is None or not who.person:
        return who
    m = _APPOSITIVE.match(rest)
    if m and raw.strip().endswith(who.text.split()[-1]):
        app = " ".join(m.group("app").split())
        if len(app.split()) <= 12 and _TITLE_WORDS.search(app):
            return speakers.Name(f"{who.text}, {app}", who.person, True)
    return who
