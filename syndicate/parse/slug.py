"""A release's URL → a readable title, the last resort when neither the feed nor the page
names it (TSA's feed carries an empty `<title>` on every item).

`/news/press/releases/2026/07/17/tsa-screens-record-number-travelers` reads "TSA screens
record number travelers": the last path segment that holds words, hyphens and underscores as
spaces, a file suffix and Drupal's `-0` (a repeated title) removed, words that look
like acronyms kept in capitals and the first word capitalised. Words the slug dropped stay
dropped: this is a fallback, marked as such where it is shown.
"""

from __future__ import annotations

import re
from urllib.parse import unquote, urlsplit

# Short words that are agency names or acronyms in DHS slugs, kept upper-case.
_ACRONYMS = frozenset(
    {
        "dhs", "cbp", "ice", "uscis", "tsa", "fema", "cisa", "uscg", "usss", "hsi", "ero",
        "us", "u.s.", "usa", "fbi", "doj", "dod", "cve", "kev", "sba", "faq", "ai",
    }
)  # fmt: skip


def title_from_url(url: str) -> str:
    """A title made from the URL's slug, or "" when the path has no words in it."""
    segments = [unquote(s) for s in urlsplit(url).path.split("/") if s]
    for segment in reversed(segments):
        segment = re.sub(r"\.(?:html?|aspx|php)$", "", segment, flags=re.I)
        words = [w for w in re.split(r"[-_+\s]+", segment) if w]
        if len(words) > 1 and words[-1] == "0":
            words.pop()  # "-0": Drupal's suffix for a repeated title ("-4" may be a number)
        if sum(1 for w in words if re.search(r"[A-Za-z]", w)) < 2:
            continue  # "2026", "4460663", "x": not a title
        shown = [w.upper() if w.lower() in _ACRONYMS else w.lower() for w in words]
        first = shown[0]
        shown[0] = first if first.isupper() else first[:1].upper() + first[1:]
        return " ".join(shown)
    return ""
