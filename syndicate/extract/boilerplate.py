"""What a release says that is not the release: blocks in, the release's own blocks out.

The same rules for pages, feed text and plain-text releases. In order:

- the `###` end marker (or `- 30 -`) and everything after it;
- parts under a heading that only holds furniture ("Topics", "Contact Information",
  "Media Contacts", "Editor's Note", "About CISA"), heading and all;
- page furniture by shape (see `furniture`: field labels, contact blocks, notes to the
  media, WHO/WHAT/WHEN/WHERE lines, captions and credits, mailing-list footers) and the
  page's own leftovers: "Last Modified" stamps, share bars, "Return to top", "Follow us
  on ..." lines, tag lists;
- the agencies' standard paragraphs (see `standard`): about-us and mission lines at the end,
  the due-process and tip-line paragraphs anywhere after the opening;
- the dateline, cut from whichever of the first paragraphs opens with it (see `dateline`);
  a short line before it that is not a sentence is the release's subtitle, kept as a heading.
"""

from __future__ import annotations

import re
from dataclasses import replace

from syndicate.extract import dateline, furniture, standard
from syndicate.model import Block, Link

_END = re.compile(r"^(?:#\s*){3,}$|^-\s*30\s*-$|^\*\s*\*\s*\*$")
_END_TAIL = re.compile(r"\s+#\s*#\s*#\s*$")
_AGENCY = r"(?:the\s+)?(?:U\.\s?S\.\s+)?[A-Z][A-Za-z.&’' ()-]{1,90}?"
_SOCIAL = r"(?:x|twitter|facebook|instagram|youtube|linkedin|threads|flickr|tiktok)"
_SOCIAL_HOST = re.compile(
    rf"^(?:https?:)?//(?:[\w-]+\.)*(?:{_SOCIAL}|twitter|youtu|govdelivery)\.(?:com|net|be)\b|"
    r"[/.](?:sharer|intent)\b",
    re.I,
)
_DROP = re.compile(
    "|".join(
        f"(?:{p})"
        for p in (
            # Stamps, share bars, navigation left in the body.
            r"^(?:page\s+)?last\s+(?:modified|updated|reviewed)\b",
            r"^(?:page\s+)?(?:updated|modified)\s*:\s*[\w ,./-]{0,30}$",
            r"^(?:return|back)\s+to\s+top\b",
            rf"^(?:share|print|email|{_SOCIAL}|copy\s+link|share\s+this(?:\s+page)?)"
            rf"(?:[\s|:,/·•]+(?:share|print|email|{_SOCIAL}|copy\s+link|this|page))*\s*:?$",
            r"^(?:topics|keywords|tags|related\s+topics)\s*:",
            rf"^(?:follow|learn\s+more\s+about|stay\s+connected\s+with)\s+{_AGENCY}\s+"
            r"(?:on|at|online|by\s+visiting)\b",
            r"^for\s+more\s+information\s+(?:on|about)\s+(?:the\s+)?(?:DHS|CBP|ICE|USCIS|TSA|FEMA|"
            r"CISA|U\.S\.\s+Coast\s+Guard|Secret\s+Service)\b[^.]{0,80}\bvisit\b",
            rf"\bfollow\s+us\s+on\b|^for\s+breaking\s+news\b|\bon\s+{_SOCIAL}\s+at\s+@\w+",
            rf"^learn\s+more\s+about\s+{_AGENCY}[’']s\s+mission\b",
        )
    ),
    re.I,
)
# Headings over parts that hold only furniture: the heading and what follows it go.
_FURNITURE_HEADING = re.compile(
    r"^(?:topics|keywords|tags|related\s+topics|contact(?:\s+information|s)?|media\s+"
    r"(?:contacts?|inquiries|availability|advisory|resources)|press\s+contacts?|for\s+(?:the\s+)?"
    r"media|editor[’']?s?[’']?\s+notes?|notes?\s+to\s+editors|b-roll|multimedia|photos?|"
    r"about\s+(?:us|the\s+)?(?:DHS|CBP|ICE|USCIS|TSA|FEMA|CISA|HSI|coast\s+guard|secret\s+"
    r"service|u\.s\.\s+[a-z ]+))\s*:?$",
    re.I,
)
_TAGS = re.compile(r"^(?:topics|keywords|tags|related\s+topics)\s*:?$", re.I)
# A line that is not a sentence: no end mark (a subtitle, a deck).
_SENTENCE_END = re.compile(r"[.!?:;”\"')]$")


def tidy(
    blocks: list[Block], *, find_dateline: bool = True, dropped: list[Link] | None = None
) -> tuple[list[Block], str | None]:
    """The release's own blocks, and the dateline cut from its opening.

    `dropped`, when given, receives the links of the furniture removed ("learn more about
    DHS international engagement" in a "Follow DHS" line is still a link of the release).
    """
    kept: list[Block] = []
    lost: list[Block] = []
    dropping: str | None = None  # "tags" or "part": inside a heading's furniture part
    for block in blocks:
        text = block.text.strip()
        if _END.match(text):
            break
        if block.kind == "heading":
            dropping = None
            if _FURNITURE_HEADING.match(text):
                dropping = "tags" if _TAGS.match(text) else "part"
                continue
        elif dropping == "tags" and (block.kind == "list" or len(text) < 120):
            continue
        elif dropping == "part" and not _link_list(block):
            lost.append(block)
            continue
        elif dropping != "part":
            dropping = None
        if block.kind == "list":
            if block.items and all(_furniture(item) for item in block.items):
                lost.append(block)
                continue
        elif _furniture(text):
            lost.append(block)
            continue
        ended = _END_TAIL.search(block.text)
        if ended:
            kept.append(replace(block, text=block.text[: ended.start()]))
            break
        kept.append(block)
    while kept and (
        kept[-1].kind == "heading"
        or (kept[-1].kind == "paragraph" and standard.closing(kept[-1].text))
    ):
        lost.append(kept.pop())  # about-us lines, or a heading with nothing under it
    first = next((i for i, b in enumerate(kept) if b.kind == "paragraph"), None)
    sure = {
        i
        for i, b in enumerate(kept)
        if b.kind == "paragraph" and i != first and standard.sure(b.text)
    }
    kept = [b for i, b in enumerate(kept) if i not in sure]
    lost = [b for b in lost if not standard.closing(b.text)]  # a tip form is no reading
    if dropped is not None:
        dropped.extend(k for block in lost for k in block.links if not _SOCIAL_HOST.search(k.url))
    return _subtitle(*dateline.cut(kept)) if find_dateline else (kept, None)


def _link_list(block: Block) -> bool:
    """A list of links ("Read the full advisory", "StopRansomware.gov"): kept anywhere."""
    texts = {link.text for link in block.links}
    return block.kind == "list" and bool(block.items) and all(i in texts for i in block.items)


def is_boilerplate(text: str) -> bool:
    """True for furniture (see `furniture`), a stamp, share bar or "follow us" line, or one
    of the agencies' standard paragraphs that go wherever they stand (see `standard.sure`)."""
    return _furniture(text) or standard.sure(text.strip())


def _furniture(text: str) -> bool:
    text = text.strip()
    if furniture.kind(text) is not None:
        return True
    return len(text) < 600 and _DROP.search(text) is not None


def _subtitle(blocks: list[Block], place: str | None) -> tuple[list[Block], str | None]:
    """A short line that is not a sentence, before the dateline's paragraph, is a subtitle."""
    if place is None:
        return blocks, place
    out = list(blocks)
    for index, block in enumerate(out[:3]):
        if block.kind != "paragraph":
            continue
        text = block.text.strip()
        if _SENTENCE_END.search(text) or len(text.split()) > 40 or index + 1 >= len(out):
            break
        out[index] = replace(block, kind="heading")
    return out, place
