"""The values a feed document is built from: `Entry` (a brief and its HTML), `Channel` (what
the document says about itself) and `Links` (every absolute URL, derived from the base URL).

Identity lives here too: entry and feed ids are `tag:` URIs (RFC 4151) made from the brief's
stable id, so a title edit or a moved release URL never makes a second entry.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime

from syndicate.model import Brief

# An empty feed still needs an RFC 4287 `updated`; a fixed instant keeps its bytes stable.
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)

# RFC 5005 section 2 (archived feeds) namespace for <fh:archive/>.
FH_NS = "http://purl.org/syndication/history/1.0"
# RFC 6721 (Atom tombstones) namespace for <at:deleted-entry>.
AT_NS = "http://purl.org/atompub/tombstones/1.0"
# Anything that could open a tag, comment or declaration when a reader takes the text as HTML.
_TAG = re.compile(r"<\s*[/!?]?\s*[A-Za-z][^>]*(?:>|$)|<!--.*?(?:-->|$)", re.S)


@dataclass(frozen=True)
class Deleted:
    """A brief taken down: its entry is gone, and Atom documents say so (RFC 6721)."""

    brief_id: str
    when: datetime


@dataclass(frozen=True)
class Entry:
    """One brief with its rendered HTML (sanitised again by the publish stage)."""

    brief: Brief
    html: str


@dataclass(frozen=True)
class Links:
    """Absolute URLs of everything published, under the service's base URL."""

    site: str

    @property
    def root(self) -> str:
        return self.site.rstrip("/")

    def home(self) -> str:
        return self.root + "/"

    def brief(self, brief_id: str) -> str:
        return f"{self.root}/briefs/{brief_id}"

    def feed(self, feed: str, ext: str = "atom") -> str:
        return f"{self.root}/feeds/{feed}.{ext}"

    def archive(self, feed: str, month: str) -> str:
        return f"{self.root}/feeds/archive/{feed}/{month}.atom"

    def index(self) -> str:
        return f"{self.root}/feeds/index.html"


@dataclass(frozen=True)
class Channel:
    """What one document says about itself: a subscription document or a monthly archive."""

    feed: str  # 'all', 'agency/cbp', 'topic/cybersecurity'
    title: str
    subtitle: str
    links: Links
    authority: str  # the tag: authority, e.g. 'syndicate.invalid,2026'
    author: str
    rights: str = ""
    icon: str | None = None
    logo: str | None = None
    hub: str | None = None
    generator: str = "syndicate"
    version: str = ""
    month: str | None = None  # set for an archive document: 'YYYY-MM'
    prev_archive: str | None = None  # month of the previous (older) archive document
    next_archive: str | None = None  # month of the next (newer) archive document
    deleted: tuple[Deleted, ...] = ()  # tombstones a subscription document carries

    @property
    def is_archive(self) -> bool:
        return self.month is not None

    @property
    def self_url(self) -> str:
        if self.month is not None:
            return self.links.archive(self.feed, self.month)
        return self.links.feed(self.feed, "atom")

    @property
    def id(self) -> str:
        base = feed_id(self.authority, self.feed)
        return f"{base}/archive/{self.month}" if self.month else base


def entry_id(authority: str, brief_id: str) -> str:
    """The entry's permanent `tag:` URI (RFC 4151), from the brief's stable id."""
    return f"tag:{authority}:brief/{brief_id}"


def feed_id(authority: str, feed: str) -> str:
    """The feed's permanent `tag:` URI."""
    return f"tag:{authority}:feed/{feed}"


def category_scheme(authority: str, kind: str) -> str:
    """The scheme URI of agency or topic categories."""
    return f"tag:{authority}:{kind}"


def updated(
    entries: tuple[Entry, ...] | list[Entry], deleted: tuple[Deleted, ...] = ()
) -> datetime:
    """A document's `updated`: its newest entry's or tombstone's, so identical data gives
    identical bytes (and a removal is a change readers see)."""
    newest = max((e.brief.updated for e in entries), default=EPOCH)
    return max([newest, *(d.when for d in deleted)])


def plain(text: str) -> str:
    """Text with anything tag-like removed: RSS readers differ on whether a `<title>` is
    HTML, and some run it as such (feedparser's sanitiser strips markup from titles too)."""
    while True:
        stripped = _TAG.sub("", text)
        if stripped == text:
            return " ".join(stripped.split())
        text = stripped


def standfirst(brief: Brief) -> str:
    """The brief's two-sentence standfirst as one plain-text paragraph."""
    return " ".join(s.strip() for s in brief.summary if s.strip()) or brief.title
