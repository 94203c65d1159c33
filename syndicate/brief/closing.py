"""A release's sentences in, its closing out: which say what comes next, which only point
at a link, and which headings name a closing part.

The reference brief ends its body with a short section on what follows ("Moving Forward");
releases say it in sentences like "They expect the liaison to begin work later this year",
"Agencies must patch both vulnerabilities by April 29, 2025" or "The deadline to apply is
July 7". Only facts about the future count: advice ("CISA urges all organizations to ...")
and notes to the media (which extraction removes) do not. `forward` grades such a sentence,
`is_heading` tells the release's
own closing subheadings ("Next Steps", "How to Apply", "Required Action") and is what the
renderer uses to find the closing section, which the engine always puts last; `pick` chooses
the closing's sentences, preferring the release's end. `pointer` tells a sentence that only
sends the reader to a link ("Read more about X."): its link belongs in Additional Reading,
the sentence in no brief.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from functools import lru_cache
from typing import TYPE_CHECKING

from syndicate.brief.cues import Cues

if TYPE_CHECKING:  # layout imports this module to tell pointers
    from syndicate.brief.layout import Sentence

NEXT = "What's Next"

_MONTH = (
    r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|"
    r"Sept?(?:ember)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\.?"
)
# A sentence that says what will happen, by when, or what readers are to do.
_STRONG = Cues(
    r"\b(?:expects?\b|expected to|(?<!should )plans? to|planned|planning to|(?:is|are) scheduled|"
    r"scheduled (?:to|for)|takes? effect|goes? into effect|will (?:take|go into) effect|"
    r"effective (?:immediately|on|" + _MONTH + r")|deadlines?|next steps?|"
    r"applications? (?:open|are open|will open|are due|close|will close|are accepted)|"
    r"(?:must|should|can|may) (?:begin |also )?(?:apply|register)|"
    r"(?:apply|register|due|submitted) by|comment period|upcoming|in the coming|"
    r"later this (?:year|month|week|spring|summer|fall|autumn|winter)|at a later date|"
    r"(?:later |early |in the )?next (?:year|month|week|spring|summer|fall|autumn|winter)|"
    r"through the end of|in the (?:spring|summer|fall|autumn|winter) of (?:19|20)\d\d|"
    r"in (?:spring|summer|fall|autumn|winter) (?:19|20)\d\d|will face|"
    r"going forward|moving forward|looking ahead|in the future|further cooperative|"
    r"(?:on or after|beginning|starting) " + _MONTH + r"\s\d|"
    # "by April 29, 2025", "by the end of 2026"; a bare "by 2019" is as often done as due.
    r"by (?:the (?:end|middle|start) of |early |mid-?|late )?"
    r"(?:" + _MONTH + r"(?:\s\d{1,2})?(?:,?\s(?:19|20)\d\d)?|"
    r"(?:this|next) (?:year|month|week|spring|summer|fall|autumn|winter))|"
    r"by (?:the (?:end|middle|start) of |early |mid-?|late )(?:19|20)\d\d)"
)
# "will" alone is future, but leads often say what an agreement "will" do: a weak cue,
# unless the sentence also says when.
_WEAK = Cues(r"\bwill\b")
_WHEN = Cues(
    r"\b(?:on|from|by|until|through|in|before|after|starting|beginning)\s+"
    + _MONTH
    + r"(?:\s+\d{1,2})?\b|\b(?:in|by|until)\s+(?:19|20)\d\d\b"
)
_HEADING = Cues(
    r"\b(?:next|ahead|forward|upcoming|coming|future|timeline|deadlines?|key dates|"
    r"important dates|how to (?:apply|register|comment|prepare|get help)|what to do|"
    r"what (?:you|applicants|travelers|residents) (?:can|should|need to) do|"
    r"required actions?|actions? required|actions? to take)\b"
)
# Sentences that send the reader elsewhere: an imperative opening...
_SENDS = re.compile(
    r"^(?:Learn more|Read|Visit|See|Find out|For (?:more|additional|further|full|details)|"
    r"Click|Watch|View|Download|Follow|Go to|Check out)\b"
)
# ...or, when the sentence names a link, a statement of where more is to be found.
_POINTS = Cues(
    r"\b(?:more|further|additional|full|complete)\b[^.]{0,60}\b(?:details?|information|"
    r"guidance|list|text)\b|\b(?:available|found|posted|published|listed)(?:\s+(?:monthly|"
    r"weekly|daily|online|here|there))?\s+(?:at|in|on)\b|"
    r"\b(?:can|may) find\b|\blearn more\b"
)
_URL = Cues(r"https?://|\bwww\.")


@lru_cache(maxsize=4096)
def forward(text: str) -> int:
    """How plainly a sentence says what comes next: 2 plainly, 1 by a bare "will", else 0.

    A sentence that introduces a list ("...to take the following actions:") is 0: without
    its list it says nothing.
    """
    if text.rstrip().endswith(":"):
        return 0
    if _STRONG.search(text):
        return 2
    if _WEAK.search(text) and _WHEN.search(text):
        return 2  # "CBP will add officers ... from Dec. 15 through Jan. 5": a dated future
    return 1 if _WEAK.search(text) else 0


def is_heading(heading: str) -> bool:
    """A heading under which a release (or a brief) says what comes next."""
    return heading == NEXT or bool(_HEADING.search(heading))


def pointer(text: str, link_texts: Iterable[str] = ()) -> bool:
    """A sentence that only points at a link or page ("Read more about X.")."""
    if _SENDS.match(text):
        return True
    names = any(t and t in text for t in link_texts) or bool(_URL.search(text))
    return names and bool(_POINTS.search(text))


def pick(
    prose: Sequence[Sentence], ends: set[int], limit: int, *, late: int | None = None
) -> list[Sentence]:
    """Up to `limit` sentences saying what comes next, in the release's order.

    `prose` is what may still be shown, in order; `ends` holds the orders of sentences under
    a closing subheading; `late` is the order where the release's last third begins (by
    default, the last third of `prose`). A plain cue ("is scheduled for", "by March 2026",
    "will ... on Dec. 2") counts anywhere; a bare "will" only in the last third or under a
    closing subheading, since early on it is what the news does, not what follows. Those
    under a closing subheading come first, then plain cues before bare ones, then the later
    sentence (a release tells what follows at its end).
    """
    if not prose or limit <= 0:
        return []
    if late is None:
        late = prose[len(prose) * 2 // 3].order

    def near_end(s: Sentence) -> bool:
        return s.order in ends or s.order >= late

    graded = [(s, forward(s.text)) for s in prose]
    found = sorted(
        ((s, g) for s, g in graded if g == 2 or (g and near_end(s))),
        key=lambda sg: (sg[0].order in ends, sg[1], near_end(sg[0]), sg[0].order),
        reverse=True,
    )
    return sorted((s for s, _ in found[:limit]), key=lambda s: s.order)
