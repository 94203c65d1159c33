"""Paragraph text in, its sentences out. The only code that imports the sentence splitter.

sentencex (rule-based, ships its abbreviation lists, needs no download at run time) was
measured against nupunkt on our fixtures (`bench/briefs.py --splitters`): both handle "U.S.",
"Dec.", "Sen.", "No." and URLs; nupunkt splits inside multi-sentence quotations and after
"Lt."/"Cmdr.", which breaks quotes apart, while sentencex keeps quotations whole and is about
ten times faster. sentencex's one miss that matters here is a unit abbreviation inside a
sentence ("57 lbs. of fentanyl"), repaired below: a release sentence never starts with a
lower-case letter, so such a piece belongs to the sentence before it; likewise a piece
after a bare "www." continues its web address.
"""

from __future__ import annotations

import re

import sentencex

_LOWER_START = re.compile(r"^[\"“‘'(]?[a-z]")
# sentencex ends a sentence after "www." in "www.DisasterAssistance.gov"; the URL goes on.
_URL_HEADS = ("www.",)


def split(text: str) -> list[str]:
    """The sentences of one paragraph, each stripped, in order; empty text gives []."""
    text = text.strip()
    if not text:
        return []
    spans: list[list[int]] = []
    cursor = 0
    for piece in sentencex.segment("en", text):
        piece = piece.strip()
        if not piece:
            continue
        at = text.find(piece, cursor)
        if at < 0:  # the splitter changed the text; keep its piece's length from the cursor
            at = cursor
        end = at + len(piece)
        cursor = end
        if spans and (_LOWER_START.match(piece) or text.endswith(_URL_HEADS, 0, spans[-1][1])):
            spans[-1][1] = end  # joined as written, keeping the text between them
        else:
            spans.append([at, end])
    return [text[a:b].strip() for a, b in spans]
