"""A release's opening blocks in, its dateline cut out: `(blocks, "NOGALES, Ariz.")`.

A dateline is the place (and sometimes the date) a release was written, before the first
sentence: `WASHINGTON –`, `QUITO, ECUADOR –`, `NEW YORK, N.Y. —`, `EL PASO, Texas - `,
`WASHINGTON--`, `MIAMI—U.S. Customs ...` (an em dash with no spaces at all), `WASHINGTON, Dec.
1, 2025 –`, `HOUSTON (Dec. 1, 2025) —`, or a paragraph of its own (`BOSTON —` alone). The
city is in capitals; the state or country after a comma may be in any case. It is looked
for in the first paragraphs, not only the first: a subtitle, a contact line or a "Release
Date" label may come before it. A hyphen needs a space on one side (`WINSTON-SALEM` is a
city, not a dateline), dashes need none.
"""

from __future__ import annotations

import re
from dataclasses import replace

from syndicate.model import Block

_CITY = r"[A-Z][A-Z.'’]+(?:[ -][A-Z][A-Z.'’]+){0,4}"
_REGION = r"[A-Z][A-Za-z.'’]*(?:\s[A-Z][A-Za-z.'’]*){0,3}"
_MONTH = r"(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)[a-z]*\.?"
_DATE = rf"{_MONTH}\s+\d{{1,2}},\s+\d{{4}}"
_DATELINE = re.compile(
    rf"^(?P<place>{_CITY}(?:,\s*{_REGION})?(?:,?\s*\(?{_DATE}\)?)?)"
    r"\s*(?:[–—]{1,2}|--|\s-|-\s)\s*(?=\S|$)"
)
# How far into a release a dateline may sit (subtitle, contact lines and labels first).
_LOOK = 4
_MAX_PLACE = 80
# Capitals that open a sentence, not a place ("CBP – the agency said ...").
_NOT_PLACES = {
    "DHS", "CBP", "ICE", "USCIS", "TSA", "FEMA", "CISA", "HSI", "ERO", "FBI", "DOJ", "NOAA",
    "USCG", "USSS", "OFO", "NOTE", "UPDATE", "CORRECTION", "PHOTO", "VIDEO",
}  # fmt: skip


def cut(blocks: list[Block]) -> tuple[list[Block], str | None]:
    """The blocks with the dateline cut from the paragraph that opens with it, and the place."""
    seen = 0
    for index, block in enumerate(blocks):
        if block.kind != "paragraph":
            continue
        seen += 1
        if seen > _LOOK:
            break
        found = split(block.text)
        if found is None:
            continue
        place, rest = found
        out = list(blocks)
        if rest:
            out[index] = replace(block, text=rest)
        else:
            del out[index]  # the dateline was a paragraph of its own
        return out, place
    return blocks, None


def split(text: str) -> tuple[str, str] | None:
    """(place, the rest) when `text` opens with a dateline, else None."""
    m = _DATELINE.match(text)
    if not m:
        return None
    place = m.group("place").strip().rstrip(",")
    city = re.match(_CITY, place)
    if len(place) > _MAX_PLACE or not city or len(city.group(0).replace(".", "")) < 3:
        return None
    if city.group(0) in _NOT_PLACES:
        return None
    rest = text[m.end() :].strip()
    # "U.S. Customs ..." after "MIAMI—": the city must not be the start of the sentence itself.
    if rest and not re.match(r"[\"“‘'(]?[A-Z0-9$]", rest):
        return None
    return place, rest
