"""One paragraph in, whether it is one of the standard paragraphs agencies close releases
with: "about us" lines, mission statements, the due-process reminder, tip-line appeals.

Two ways to know one, neither an exact string (the wording drifts from year to year):

- by shape: an agency as the subject of an identity or mission statement ("U.S. Customs and
  Border Protection is the unified border agency within ...", "FEMA's mission is ...",
  "The Secret Service has a dual mission ...", "CISA works with partners to defend ...");
  the presumption of innocence ("... merely an allegation ...", "presumed innocent"); an
  appeal to report crimes or suspicious activity with a number or a tip form;
- by the small list below of what each agency's closing paragraphs say (`AGENCY_LINES`),
  matched as phrases anywhere in the paragraph, case and quote marks aside.

`SURE` shapes and the list mark a paragraph wherever it stands after the first; the
identity shapes (`closing`) only at the end of a release, where such paragraphs stand:
earlier, "the Coast Guard is the lead federal agency for search and rescue here" is news.
"""

from __future__ import annotations

import re

# The phrases each agency's standard paragraphs are made of (documented in README.md).
AGENCY_LINES: dict[str, tuple[str, ...]] = {
    "DHS": (
        "safeguard the american people, our homeland, and our values",
        "department of homeland security works to safeguard",
    ),
    "CBP": (
        "unified border agency",
        "frontline border security agency",
        "america's frontline",
        "comprehensive management, control and protection of our nation's borders",
    ),
    "ICE": (
        "ice's mission is to protect america",
        "criminal investigations and enforcing immigration laws to preserve national security",
        "members of the public can report crimes and suspicious activity",
        "principal investigative arm of the u.s. department of homeland security",
        "committed to due process",
    ),
    "USCIS": (
        "administers the nation's lawful immigration system",
        "for more information on uscis and its programs",
    ),
    "TSA": ("protects the nation's transportation systems",),
    "FEMA": (
        "helping people before, during, and after disasters",
        "helping people before, during and after disasters",
    ),
    "CISA": (
        "america's cyber defense agency",
        "defend against today's threats",
        "this product is provided subject to",
    ),
    "USCG": (
        "premier maritime law enforcement agency",
        "maritime safety, security and stewardship",
        "multi-mission, maritime military service",
    ),
    "USSS": (
        "dual mission of protection and investigation",
        "integrated mission of protection and investigations",
    ),
}
_PHRASES = tuple(p for lines in AGENCY_LINES.values() for p in lines)
_MARKS = str.maketrans({"’": "'", "‘": "'", "“": '"', "”": '"'})
_QUOTATION = re.compile(r"[“\"][^”\"]{15,}[”\"]")

_AGENCIES = (
    r"(?:the\s+)?(?:u\.\s?s\.\s+)?(?:department\s+of\s+homeland\s+security|dhs|customs\s+and\s+"
    r"border\s+protection|cbp|(?:[a-z ]+\s+sector\s+)?border\s+patrol|immigration\s+and\s+"
    r"customs\s+enforcement|ice|homeland\s+security\s+investigations|hsi|enforcement\s+and\s+"
    r"removal\s+operations|ero|citizenship\s+and\s+immigration\s+services|uscis|"
    r"transportation\s+security\s+administration|tsa|federal\s+emergency\s+management\s+"
    r"agency|fema|cybersecurity\s+and\s+infrastructure\s+security\s+agency|cisa|coast\s+guard|"
    r"uscg|secret\s+service|usss)(?:\s*\([a-z]+\))?"
)
SURE = re.compile(
    r"\bpresumed\s+innocent\b|\bmerely\s+(?:an?\s+)?(?:allegations?|accusations?)\b|"
    r"\b(?:until|unless)\s+(?:and\s+unless\s+)?proven\s+guilty\b|"
    r"\b(?:report|reporting)\s+(?:crimes?|suspicious\s+activity|tips?)\b[^.]{0,120}?"
    r"(?:\bcall|\btip\s+(?:form|line)|\d{3}[-.]\d{3,4})|\btip\s+form\b|"
    r"\burges\s+the\s+public\s+to\b[^.]{0,100}\breport|"
    r"\bavailable\s+without\s+regard\s+to\s+race\b|\bfaced\s+discrimination\b.{0,80}\bcall\b",
    re.I,
)
_CLOSING = re.compile(
    rf"^{_AGENCIES}(?:'s)?\s+(?:"
    r"(?:primary\s+|core\s+|dual\s+|integrated\s+)?missions?\s+(?:is|are|includes?)\b|"
    r"(?:is|serves\s+as|remains)\s+(?:the|a|an|america's|the\s+nation's)\b[^.]{0,160}?\b"
    r"(?:agency|component|arm|authority|department|organization|service|force|branch|leader)\b|"
    r"has\s+a\s+(?:dual|integrated|unique|broad)\s+mission\b|"
    r"(?:works|partners)\s+with\b[^.]{0,80}?\bto\s+(?:defend|protect|secure|safeguard|build)\b|"
    r"(?:employs|administers|is\s+responsible\s+for|is\s+charged\s+with)\b)",
    re.I,
)


def _plain(text: str) -> str:
    return " ".join(text.translate(_MARKS).lower().split())


def sure(text: str) -> bool:
    """A standard paragraph wherever it stands: the due-process line, a tip-line appeal, or
    one of an agency's listed phrases. Never a quotation: an official may say the words."""
    if len(text) > 700 or _QUOTATION.search(text):
        return False
    plain = _plain(text)
    return bool(SURE.search(plain)) or any(p in plain for p in _PHRASES)


def closing(text: str) -> bool:
    """An "about us" or mission paragraph, as releases end with them."""
    return len(text) <= 900 and (sure(text) or bool(_CLOSING.search(_plain(text))))
