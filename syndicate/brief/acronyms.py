"""A release's text in, the acronyms it defines out; brief texts in, first uses expanded.

A definition is a long form followed by the acronym in parentheses, "U.S. Customs and Border
Protection (CBP)", "memorandum of understanding (MOU)". The long form is found by walking
back from the parenthesis matching the acronym's letters to the words' initials ("U.S."
gives "US"; "of", "and", "the" may be skipped), so only a true definition is taken.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

_DEFINITION = re.compile(r"\s\((?P<abbr>[A-Z][A-Za-z&]{1,9})\)")
_MINOR = {"of", "and", "for", "the", "on", "in", "to", "&", "de"}


def _letters(word: str) -> str:
    """The initials a word contributes: "U.S." gives "US", "Border" gives "B"."""
    if re.fullmatch(r"(?:[A-Za-z]\.)+", word):
        return word.replace(".", "")
    return word[:1]


def _long_form(words: list[str], abbr: str) -> str | None:
    letters = abbr.replace("&", "").upper()
    j = len(letters)
    i = len(words)
    while j > 0 and i > 0:
        i -= 1
        word = words[i]
        initials = _letters(word).upper()
        if initials and letters[max(0, j - len(initials)) : j] == initials:
            j -= len(initials)
        elif word.lower() in _MINOR:
            continue
        else:
            return None
    if j > 0:
        return None
    if i > 0 and words[i - 1] == "U.S." and not words[i].startswith("U.S."):
        i -= 1  # "U.S. Customs and Border Protection (CBP)" keeps its "U.S."
    return " ".join(words[i:])


def defined(text: str) -> dict[str, str]:
    """Acronym -> long form, for every acronym the text defines (first definition wins)."""
    out: dict[str, str] = {}
    for m in _DEFINITION.finditer(text):
        abbr = m.group("abbr")
        if abbr in out:
            continue
        # The twelve words before the parenthesis are enough for any long form.
        before = text[max(0, m.start() - 200) : m.start()].split()[-12:]
        long = _long_form(before, abbr)
        if long:
            out[abbr] = long
    return out


def expand(texts: Sequence[str], definitions: dict[str, str]) -> list[str]:
    """The texts, in reading order, with each defined acronym spelled out at its first use."""
    out: list[str] = []
    seen: set[str] = set()
    for text in texts:
        for abbr, long in definitions.items():
            if abbr in seen:
                continue
            m = re.search(rf"\b{re.escape(abbr)}\b(?P<poss>[’']s\b)?", text)
            if not m:
                continue
            seen.add(abbr)
            if f"({abbr})" in text or long.lower() in text[: m.start()].lower():
                continue
            # "CBP’s National Targeting Center" -> "U.S. Customs ... Protection’s (CBP) ..."
            text = f"{text[: m.start()]}{long}{m.group('poss') or ''} ({abbr}){text[m.end() :]}"
        out.append(text)
    return out


def collapse(text: str, definitions: dict[str, str]) -> str:
    """Undo `expand` on one text (for the faithfulness check)."""
    for abbr, long in definitions.items():
        for poss in ("’s", "'s", ""):
            text = text.replace(f"{long}{poss} ({abbr})", f"{abbr}{poss}")
    return text
