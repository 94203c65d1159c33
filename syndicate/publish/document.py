"""The values a feed document is built from: `Entry` (a brief and its HTML), `Channel` (what
the document says about itself) and `Links` (every absolute URL, derived from the base URL).

Identity lives here too: entry and feed ids are `tag:` URIs (RFC 4151) made from the brief's
stable id, so a title edit or a moved release URL never makes a second entry.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from syndicate.model import Brief
from syndicate.publish.sanitise import sanitise

# The `updated` of an empty feed when the caller gives none (tests); the pipeline gives the
# instant the store first published, since feed validators call a 1970 date implausible.
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
    """One brief with its rendered HTML, and that HTML sanitised (`content`, what every
    document carries), made once per entry however many documents it goes in."""

    brief: Brief
    html: str
    content: str = field(init=False, repr=False, compare=False)
    # Its serialised `<entry>` per channel settings and time (publish.atom fills it in).
    fragments: dict[Any, bytes] = field(init=False, repr=False, compare=False, default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "content", sanitise(self.html))

    @classmethod
    def ready(cls, brief: Brief, content: str, fragments: dict[Any, bytes]) -> Entry:
        """An entry made before for this brief version (its content sanitised then, its
        XML kept in `fragments`), for another document: nothing is made again."""
        entry = object.__new__(cls)
        for name, value in (
            ("brief", brief), ("html", content), ("content", content), ("fragments", fragments)
        ):  # fmt: skip
            object.__setattr__(entry, name, value)
        return entry


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

    def page(self, feed: str) -> str:
        """The web page showing a feed's briefs: `/` for `all`, `/agency/cbp`, `/topic/x`."""
        return self.home() if feed == "all" else f"{self.root}/{feed}"


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
    language: str = "en-US"
    version: str = ""
    since: datetime | None = None  # `updated` when the document has no entries
    stylesheet: str | None = None  # the XSLT's href, relative to the document
    labels: tuple[tuple[str, str], ...] = ()  # category term -> label for people
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

    def label(self, term: str) -> str:
        """The human label of a category term (an agency's name, a topic's title)."""
        return dict(self.labels).get(term, term)

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


def categories_of(brief: Brief) -> list[tuple[str, str]]:
    """(kind, term) of a brief's categories: its agency code as written, then its topics."""
    return [("agency", brief.agency), *(("topic", t) for t in brief.topics)]


def category_scheme(authority: str, kind: str) -> str:
    """The scheme URI of agency or topic categories."""
    return f"tag:{authority}:{kind}"


def entry_updated(brief: Brief) -> datetime:
    """An entry's `updated`: the brief's, with a stable fraction of a second added when it has
    none.

    Release times are often whole days ("Last Modified: April 10, 2025"), so several briefs
    share an instant and feed validators warn of entries with the same `updated`. The
    fraction comes from the brief's id, so it is the same in every document and every
    publish: readers see a change only when the brief changes."""
    when = brief.updated
    if when.microsecond:
        return when
    digest = hashlib.sha256(brief.id.encode("utf-8")).digest()
    return when.replace(microsecond=int.from_bytes(digest[:4], "big") % 1_000_000)


def updated_times(entries: tuple[Entry, ...] | list[Entry]) -> list[datetime]:
    """Each entry's `updated`, distinct within the document (one microsecond apart in the
    one-in-a-million case where two fractions collide)."""
    seen: set[datetime] = set()
    out = []
    for e in entries:
        when = entry_updated(e.brief)
        while when in seen:
            when += timedelta(microseconds=1)
        seen.add(when)
        out.append(when)
    return out


def updated(
    entries: tuple[Entry, ...] | list[Entry],
    deleted: tuple[Deleted, ...] = (),
    since: datetime | None = None,
) -> datetime:
    """A document's `updated`: its newest entry's or tombstone's, so identical data gives
    identical bytes (and a removal is a change readers see); `since` (when publishing began)
    for a document with neither."""
    found = [*updated_times(entries), *(d.when for d in deleted)]
    return max(found, default=since or EPOCH)


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
