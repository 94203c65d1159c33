"""What a release says that is not the release: blocks in, the release's own blocks out.

Patterns, not exact text, because every agency words its footer a little differently:
the `###` end marker (and everything after it), photo captions and credit lines, agency
mission statements, "Last Modified" stamps, share bars, "Return to top", media-contact
footers and "Topics"/"Keywords" tag lists. The dateline is cut from the first paragraph
and handed back on its own.
"""

from __future__ import annotations

import re
from dataclasses import replace

from syndicate.model import Block

_END = re.compile(r"^(?:#\s*){3,}$|^-\s*30\s*-$|^\*\s*\*\s*\*$")
_END_TAIL = re.compile(r"\s+#\s*#\s*#\s*$")
_AGENCY = r"(?:the\s+)?(?:U\.\s?S\.\s+)?[A-Z][A-Za-z.&’' ()-]{1,90}?"
_DROP = re.compile(
    "|".join(
        f"(?:{p})"
        for p in (
            # Captions and credit lines.
            r"^\(?\s*(?-i:(?:[A-Z][\w.&/’'-]*\s){0,5})(?:official\s+)?(?:photos?|images?|videos?)\s*"
            r"(?:credit|courtesy)?\s*(?:[:–—-]|by\b|courtesy\b)",
            r"\((?:[\w.&/’' -]{0,40}\s)?(?:photos?|images?|videos?)(?:\s+credit)?\s*"
            r"(?::|by\b|courtesy\b)[^)]{0,120}\)\s*$",
            r"^(?:image|photo)\s+credit\b",
            r"^(?:credit|courtesy)\s*:",
            # Stamps, share bars, navigation left in the body.
            r"^(?:page\s+)?last\s+(?:modified|updated|reviewed)\b",
            r"^(?:page\s+)?(?:updated|modified)\s*:\s*[\w ,./-]{0,30}$",
            r"^(?:return|back)\s+to\s+top\b",
            r"^(?:share|print|email|facebook|twitter|x|linkedin|copy\s+link|share\s+this(?:\s+page)?)"
            r"(?:[\s|:,/·•]+(?:share|print|email|facebook|twitter|x|linkedin|copy\s+link|this|page))*"
            r"\s*:?$",
            r"^(?:topics|keywords|tags|related\s+topics)\s*:",
            # Contact footers.
            r"^(?:media|press|public\s+affairs)\s+(?:contacts?|inquiries|inquiry|relations)\b",
            r"^for\s+(?:more\s+information|media\s+inquiries|further\s+information|questions)"
            r"[^.]{0,60}?,?\s+(?:please\s+)?(?:contact|call|email|e-mail|reach)\b",
            r"^(?:contact|news\s+desk)\s*:",
            r"^media\s+inquiries\s+should\b",
            r"^this\s+product\s+is\s+provided\s+subject\s+to\b",
            rf"^(?:follow|learn\s+more\s+about|stay\s+connected\s+with)\s+{_AGENCY}\s+"
            r"(?:on|at|online|by\s+visiting)\b",
            r"^for\s+more\s+information\s+(?:on|about)\s+(?:the\s+)?(?:DHS|CBP|ICE|USCIS|TSA|FEMA|"
            r"CISA|U\.S\.\s+Coast\s+Guard|Secret\s+Service)\b[^.]{0,80}\bvisit\b",
            r"\bfollow\s+us\s+on\b",
            r"\bavailable\s+without\s+regard\s+to\s+race\b",
            r"\bfaced\s+discrimination\b.{0,80}\bcall\b",
        )
    ),
    re.I,
)
# Agency mission lines are only boilerplate at the end of a release; earlier, "the Coast
# Guard is the lead federal agency for ..." is news.
_MISSION = [
    re.compile(p)
    for p in (
        rf"^{_AGENCY}(?:’s|'s)\s+mission\s+is\b",
        rf"^{_AGENCY}\s+is\s+the\s+(?:unified|lead|primary|principal|largest|nation’s|"
        r"nation's|federal)\b[^.]{0,160}\b(?:agency|component|authority|department)\b",
        rf"^{_AGENCY}\s+works\s+with\s+partners\s+to\s+defend\b",
    )
]
_TAG_HEADING = re.compile(r"^(?:topics|keywords|tags|related\s+topics)\s*:?$", re.I)
_CONTACT_ONLY = re.compile(r"^(?:[\w.+-]+@[\w.-]+|\(?\d{3}\)?[\s.-]?\d{3}[\s.-]\d{4}|[\s,;/|])+$")
_DATELINE = re.compile(
    r"^(?P<place>"
    r"(?:[A-Z][A-Z.'’]+)(?:[ -][A-Z][A-Z.'’]+)*"  # the city, in capitals
    r"(?:,\s*[A-Z][A-Za-z.'’]*(?:\s[A-Z][A-Za-z.'’]*){0,3})?"  # a state or country
    r"(?:,?\s*\(?[A-Z][a-z]{2,8}\.?\s+\d{1,2},\s+\d{4}\)?)?"  # an optional date
    r")\s*(?:[–—]|\s-|--)\s*(?=\S)"
)


def tidy(blocks: list[Block]) -> tuple[list[Block], str | None]:
    """The release's own blocks, and the dateline cut from its first paragraph."""
    kept: list[Block] = []
    skipping_tags = False
    for block in blocks:
        if _END.match(block.text):
            break
        if block.kind == "heading" and _TAG_HEADING.match(block.text):
            skipping_tags = True  # the heading and the tag list under it
            continue
        if skipping_tags and (block.kind == "list" or len(block.text) < 120):
            continue
        skipping_tags = False
        if block.kind in ("paragraph", "heading") and is_boilerplate(block.text):
            continue
        if block.kind == "list" and all(is_boilerplate(item) for item in block.items):
            continue
        ended = _END_TAIL.search(block.text)
        if ended:
            kept.append(replace(block, text=block.text[: ended.start()]))
            break
        kept.append(block)
    while kept and (kept[-1].kind == "heading" or any(p.search(kept[-1].text) for p in _MISSION)):
        kept.pop()  # a mission line, or a heading left with nothing under it ("About CISA")
    return _dateline(kept)


def is_boilerplate(text: str) -> bool:
    """True for a caption, stamp, share bar, contact footer or agency mission line."""
    text = text.strip()
    if _CONTACT_ONLY.match(text):
        return True
    return len(text) < 600 and _DROP.search(text) is not None


def _dateline(blocks: list[Block]) -> tuple[list[Block], str | None]:
    for index, block in enumerate(blocks):
        if block.kind != "paragraph":
            continue
        m = _DATELINE.match(block.text)
        if not m or len(m.group("place")) > 80:
            return blocks, None
        rest = block.text[m.end() :]
        blocks[index] = replace(block, text=rest)
        return blocks, m.group("place").strip().rstrip(",")
    return blocks, None
