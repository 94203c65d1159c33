"""A release's URL -> a readable title: the last resort when neither the feed nor the page
names a release (TSA's feed carries an empty `<title>` on every item; some pages have no
`<title>`, `<h1>` or `og:title`). Shared by parse (listing items) and extract (articles).

`/news/press/releases/2026/07/17/tsa-screens-record-number-travelers` reads "TSA screens
record number travelers": the last path segment that holds words, hyphens and underscores
read as spaces, a file suffix and Drupal's `-0` (a repeated title) removed, words that are
agency names or acronyms kept in capitals, the first word capitalised. A segment that is an
id (`/node/24817`, a UUID) is passed over; a path with no two-word segment gives "". Words
the slug dropped stay dropped: this is a fallback, marked as such where it is shown.
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
_EXTENSION = re.compile(r"\.(?:s?html?|aspx?|php|jsp|cfm)$", re.I)
_ID = re.compile(r"^(?:\d+|[0-9a-f]{8}(?:-?[0-9a-f]{4}){3}-?[0-9a-f]{12})$", re.I)
_LETTER = re.compile(r"[^\W\d_]")


def from_url(url: str) -> str:
    """A title made from the URL's slug, or "" when the path has no words in it."""
    segments = [unquote(s) for s in urlsplit(url).path.split("/") if s]
    for segment in reversed(segments):
        stem = _EXTENSION.sub("", segment)
        if _ID.match(stem):
            continue  # /node/24817, /Article/4123456/...: an id, not words
        words = [w for w in re.split(r"[-_+\s]+", stem) if w]
        if len(words) > 1 and words[-1] == "0":
            words.pop()  # "-0": Drupal's suffix for a repeated title ("-4" may be a number)
        if sum(1 for w in words if _LETTER.search(w)) < 2:
            continue  # "2026", "press", "x": not a title
        shown = [w.upper() if w.lower() in _ACRONYMS else w.lower() for w in words]
        first = shown[0]
        shown[0] = first if first.isupper() else first[:1].upper() + first[1:]
        return " ".join(shown)
    return ""
