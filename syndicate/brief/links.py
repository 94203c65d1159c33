"""A release's links in, its Additional Reading out: official pages only, each once.

Kept: http(s) links to `.gov` and `.mil` sites other than the release itself. A link kept
as a site path (a saved page read without its address, "/newsroom/stats") is resolved
against the release's URL, or when that is no web address (a local file) against the
agency's own site (`SITES`). Dropped: social media and share links (Facebook, X, Instagram,
YouTube, LinkedIn, Flickr, "sharer" and "intent" URLs), mailing-list pages, and links whose
text is only a handle ("@CBP"). Link text is the release's, with white space folded and
trailing marks, arrows and a leading instruction ("Read the ...") taken off; a text that
says nothing ("here", "click here") is replaced by the URL itself.
"""

from __future__ import annotations

import re
from urllib.parse import urljoin, urlsplit

from syndicate.model import Agency, Article, Link

LINKS_MAX = 8
# The site a release's site paths belong to, for a release read from a local file.
SITES: dict[Agency, str] = {
    "DHS": "https://www.dhs.gov/",
    "CBP": "https://www.cbp.gov/",
    "ICE": "https://www.ice.gov/",
    "USCIS": "https://www.uscis.gov/",
    "TSA": "https://www.tsa.gov/",
    "FEMA": "https://www.fema.gov/",
    "CISA": "https://www.cisa.gov/",
    "USCG": "https://www.uscg.mil/",
    "USSS": "https://www.secretservice.gov/",
}
_SOCIAL = re.compile(
    r"(?:^|\.)(?:facebook|x|twitter|instagram|youtube|youtu|linkedin|flickr|tiktok|threads|"
    r"govdelivery|pinterest|reddit)\.(?:com|net|be)$",
    re.I,
)
_SHARE = re.compile(r"/(?:share|sharer|intent)(?:\.php|/|$)|[?&](?:share|u)=", re.I)
_VERB = re.compile(
    r"^(?:click\s+here\s+to\s+)?(?:read|view|visit|see|download|watch|learn\s+more\s+about|"
    r"find\s+out\s+more\s+about|check\s+out)\s+(?:the\s+|our\s+)?(?=\S)",
    re.I,
)
_EMPTY_TEXT = re.compile(
    r"^(?:here|click\s+here|this\s+link|link|read\s+more|more|learn\s+more|this\s+page|website)$",
    re.I,
)


def absolute(url: str, page: str, agency: Agency) -> str:
    """A link's URL made absolute: against the page's address, else the agency's site."""
    if urlsplit(url).scheme:
        return url
    base = page if urlsplit(page).scheme in ("http", "https") else SITES[agency]
    return urljoin(base, url)


def official(url: str) -> bool:
    """An http(s) page of a .gov or .mil site that is neither social media nor a share link."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    if parts.scheme not in ("http", "https") or not host.endswith((".gov", ".mil")):
        return False
    return not _SOCIAL.search(host) and not _SHARE.search(url)


def clean_text(text: str, url: str) -> str:
    """The link's text, tidied; the URL when the text names nothing.

    An instruction before the name goes ("Read the full advisory" lists "full advisory").
    """
    text = " ".join(text.split()).strip(" :;,.»›→>|-")
    text = _VERB.sub("", text)
    if not text or _EMPTY_TEXT.match(text) or text.startswith("@"):
        return url
    return text


def reading(article: Article, agency: Agency) -> tuple[Link, ...]:
    """The Additional Reading of a release, in the release's order."""
    out: list[Link] = []
    seen = {article.url}
    for link in (*article.links, *(link for b in article.blocks for link in b.links)):
        url = absolute(link.url, article.url, agency)
        if url in seen or not official(url):
            continue
        if link.text.strip().startswith("@"):
            continue  # a social-media handle, whatever the host
        seen.add(url)
        out.append(Link(clean_text(link.text, url), url))
    return tuple(out[:LINKS_MAX])
