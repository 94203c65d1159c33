"""One block's text in, what page furniture it is out (or None): the parts of a release page
that are about the release, not its news.

Recognised by shape, because every newsroom words them differently:

- `label`: a CMS field label or stamp left in the body ("Body", "Release Date: Nov. 5,
  2025", "PRESS RELEASE | 2025-10-16", "FOR IMMEDIATE RELEASE", "Release Number: ...");
- `contact`: contact blocks and lines ("Contact: CBP Public Affairs Office: (617) ...",
  "Media Contact:", "For further information, please contact ...", a short block holding a
  phone number or an address with "Public Affairs", "Press Office", "After Hours" ...);
- `note`: notes to the media ("Editor's Note:", "Note to editors:", "Media Availability:",
  "Media interested in attending should RSVP ...", "Credentialed media ...", "B-roll ...",
  "High-resolution photos are available ...");
- `advisory`: the WHO/WHAT/WHEN/WHERE lines of a media advisory;
- `caption`: a photo caption or credit written as text ("(Photo: ...)", "Photo: ...",
  "[Image: ...]", "... (DHS photo by Jane Doe)", "... (TSA photo)", "U.S. Coast Guard photo
  by ...", "... Photo: DHS/Jane Doe");
- `mailing`: a bulletin's subscription footer ("You are subscribed to ...", "Manage
  Subscriptions", "This email was sent ...").

Each shape has a length bound: a long paragraph that happens to say "RSVP" is news.
"""

from __future__ import annotations

import re
from typing import Literal

Furniture = Literal["label", "contact", "note", "advisory", "caption", "mailing"]

_LABEL = re.compile(
    r"^(?:body|summary|content|release\s+date|date|date\s+published|published|"
    r"release\s+(?:number|no\.?)|(?:news|press|media|local\s+media|national\s+media)\s+release|"
    r"for\s+immediate\s+release|immediate\s+release|components?|topics?|keywords?|tags?|"
    r"location|attachments?|share|print|share\s+this\s+page|on\s+this\s+page|"
    r"related\s+(?:topics|news|content))"
    r"(?:\s*[:|]\s*[\w ,./-]{0,40})?\s*:?$",
    re.I,
)
_PHONE = r"\(?\b\d{3}\)?[\s.-]\d{3}[\s.-]\d{4}\b|\b1-\d{3}-\d{3}-\d{4}\b"
_EMAIL = r"\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b"
_CONTACT = re.compile(
    r"^(?:media\s+|press\s+)?contacts?\s*:|"
    r"^(?:media|press|public\s+affairs)\s+(?:contacts?|inquiries|inquiry|relations)\b|"
    r"^(?:office|phone|tel|telephone|after\s+hours|e-?mail|fax|mobile|cell)\s*:|"
    r"^(?:for|with)\s+(?:more\s+information|media\s+inquiries|press\s+inquiries|further\s+"
    r"information|questions|additional\s+information)[^.]{0,60}?,?\s+(?:please\s+)?"
    r"(?:contact|call|email|e-mail|reach)\b|"
    r"^media\s+inquiries\s+should\b|^news\s+desk\s*:",
    re.I,
)
_CONTACT_WORDS = re.compile(
    r"\b(?:public\s+affairs|press\s+office|press\s+secretary|media\s+relations|"
    r"office\s+of\s+communications?|communications\s+office|news\s+desk|after\s+hours|"
    r"spokes(?:person|man|woman)|contact)\b",
    re.I,
)
_CONTACT_DETAIL = re.compile(rf"{_PHONE}|{_EMAIL}")
_CONTACT_ONLY = re.compile(rf"^(?:{_PHONE}|{_EMAIL}|[\s,;/|])+$")
_NOTE = re.compile(
    r"^(?:editor[’']?s?[’']?\s+notes?|notes?\s+to\s+(?:editors|media|reporters|"
    r"assignment\s+desks)|media\s+(?:note|advisory|availability|alert|opportunity)|"
    r"attention\s+(?:editors|media|assignment\s+desks)|b-roll|broadcast\s+note)\b|"
    r"\b(?:media|reporters|journalists|members\s+of\s+the\s+(?:media|press)|press)\s+"
    r"(?:interested\s+in|who\s+wish|wishing\s+to|should\s+(?:arrive|rsvp|contact|email|call)|"
    r"must\s+(?:present|rsvp|register)|are\s+invited|planning\s+to)\b|"
    r"\bcredentialed\s+media\b|\bRSVP\b|\bb-roll\b|"
    r"\bhigh[- ]resolution\s+(?:photos?|images?|imagery|video)\b|"
    r"\b(?:photos?|video|imagery|images?)\s+(?:and\s+(?:video|b-roll|photos?)\s+)?"
    r"(?:of\s+[^.]{0,60}?\s+)?(?:are|is)\s+available\s+(?:for\s+download|on|at|to\s+download)\b|"
    r"\bclick\s+on\s+the\s+(?:photos?|images?)\b|\bto\s+(?:view|download)\s+(?:more|high)",
    re.I,
)
_ADVISORY = re.compile(r"^(?:WHO|WHAT|WHEN|WHERE|WHY|VISUALS|RSVP)\s*:")
_CAPTION = re.compile(
    "|".join(
        f"(?:{p})"
        for p in (
            # A caption's label first: "(Photo: ...)", "Photo: ...", "[Image: ...]".
            r"^[(\[]?\s*(?:photos?|images?|videos?|pictured|above|below|top|bottom|left|right|"
            r"inset|caption)\s*(?:\d+\s*)?[:–—]",
            r"^\[(?:photo|image|video|graphic)[^\]]*\]",
            # A credit in parentheses last: "... (DHS photo by Jane Doe)", "(TSA photo)".
            r"\((?:[^()]{0,80}\b(?:photos?|images?|video|graphic|illustration)\b|"
            r"\s*courtesy\b)[^()]{0,100}\)\s*$",
            # A credit after the caption's sentence: "... Photo: DHS/Jane Doe".
            r"(?:^|[.!?)]\s+)(?-i:(?:[A-Z][\w.&/’'-]*\s){0,6})(?:photos?|images?|videos?)\s*"
            r"(?:credit\s*)?(?::|by\b|courtesy\b)[^.]{0,80}\.?$",
            # A credit line on its own: "U.S. Coast Guard photo by Petty Officer ...".
            r"^(?-i:(?:(?:[A-Z][\w.&/’'-]*|of|the)\s){0,8})(?:official\s+)?(?:photos?|images?|"
            r"videos?)\s*(?:credit|courtesy)?\s*(?:[:–—-]|by\b|courtesy\b)",
            r"^(?:image|photo)\s+credit\b|^(?:credit|courtesy)\s*:",
        )
    ),
    re.I,
)
_MAILING = re.compile(
    r"\b(?:you\s+are\s+subscribed|manage\s+(?:your\s+)?subscriptions?|unsubscribe(?:\s+all)?|"
    r"this\s+(?:email|e-mail|bulletin|message)\s+was\s+sent|sent\s+(?:you\s+)?this\s+bulletin|"
    r"update\s+your\s+subscriptions|govdelivery)\b",
    re.I,
)


# Words without one of which a pattern cannot match, tested on the folded text first: a
# substring test costs a fraction of the patterns' search, and most blocks have none. The
# fold is what re.I does to these letters: lower case, and the four non-ASCII letters it
# takes for i, k and s.
_FOLD = str.maketrans({"\u0130": "i", "\u0131": "i", "\u212a": "k", "\u017f": "s"})
_NOTE_WORDS = (
    "editor", "note", "media", "attention", "b-roll", "broadcast", "reporter", "journalist",
    "press", "rsvp", "resolution", "photo", "video", "image", "click", "view", "download",
)  # fmt: skip
_CAPTION_WORDS = (
    "photo", "image", "video", "graphic", "illustration", "courtesy", "credit", "pictured",
    "above", "below", "top", "bottom", "left", "right", "inset", "caption",
)  # fmt: skip
_MAILING_WORDS = ("subscri", "sent", "govdelivery")
_DIGIT_OR_AT = re.compile(r"[\d@]")  # a phone number or an email address has one


def kind(text: str) -> Furniture | None:
    """What furniture `text` (one block) is, or None when it is the release's own text."""
    text = text.strip()
    if not text:
        return None
    size = len(text)
    if size <= 80 and _LABEL.match(text):
        return "label"
    if _CONTACT_ONLY.match(text):
        return "contact"
    if size >= 600:
        return None  # every shape below is shorter
    folded = text.translate(_FOLD).lower()
    if _CONTACT.search(text):
        return "contact"
    if (
        size < 300
        and _DIGIT_OR_AT.search(text)
        and _CONTACT_DETAIL.search(text)
        and _CONTACT_WORDS.search(text)
    ):
        return "contact"
    if _has(folded, _NOTE_WORDS) and _NOTE.search(text):
        return "note"
    if _ADVISORY.match(text):
        return "advisory"
    if size < 450 and _has(folded, _CAPTION_WORDS) and _CAPTION.search(text):
        return "caption"
    if _has(folded, _MAILING_WORDS) and _MAILING.search(text):
        return "mailing"
    return None


def _has(folded: str, words: tuple[str, ...]) -> bool:
    return any(word in folded for word in words)
