"""Paragraph text in, its sentences out. The only code that imports the sentence splitter.

sentencex (rule-based, ships its abbreviation lists, needs no download at run time) was
measured against nupunkt on our fixtures (`bench/briefs.py --splitters`): both handle "U.S.",
"Dec.", "Sen.", "No." and URLs; nupunkt splits inside multi-sentence quotations and after
"Lt."/"Cmdr.", which breaks quotes apart, while sentencex keeps quotations whole and is about
ten times faster. sentencex's one miss that matters here is a unit abbreviation inside a
sentence ("57 lbs. of fentanyl"), repaired below: a release sentence never starts with a
lower-case letter, so such a piece belongs to the sentence before it.
"""

from __future__ import annotations

import re

import sentencex

_LOWER_START = re.compile(r"^[\"“‘'(]?[a-z]")


def split(text: str) -> list[str]:
    """The sentences of one paragraph, each stripped, in order; empty text gives []."""
    text = text.strip()
    if not text:
        return []
    pieces = [p.strip() for p in sentencex.segment("en", text)]
    out: list[str] = []
    for piece in pieces:
        if not piece:
            continue
        if out and _LOWER_START.match(piece):
            out[-1] = f"{out[-1]} {piece}"
        else:
            out.append(piece)
    return out
