"""The frozen values every stage shares.

Stages pass these between each other through the pipeline; none of them does I/O or
knows about a library. Times are always timezone-aware (UTC when stored).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

# An agency code: one of the nine built in (AGENCIES), or one config.toml's [[agencies]] adds.
Agency = str
AGENCIES: tuple[Agency, ...] = ("DHS", "CBP", "ICE", "USCIS", "TSA", "FEMA", "CISA", "USCG", "USSS")

SourceKind = Literal["feed", "page"]
Cadence = Literal["immediate", "daily", "weekly"]
CADENCES: tuple[Cadence, ...] = ("immediate", "daily", "weekly")
SubscriberStatus = Literal["pending", "active", "unsubscribed", "bounced", "complained"]
BlockKind = Literal["heading", "paragraph", "list", "quote", "table"]
TextOrigin = Literal["page", "feed"]
# Where a field of an item or article came from, for `syndicate sources test`:
# (("title", ".usa-collection__heading"), ("date", "time[datetime]"), ...).
Via = tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class ListingRules:
    """CSS selectors that find releases on an HTML listing page."""

    item: str
    link: str
    title: str | None = None
    date: str | None = None


@dataclass(frozen=True)
class ArticleRules:
    """CSS selectors that find the body of a release page."""

    body: str | None = None
    title: str | None = None
    date: str | None = None
    drop: tuple[str, ...] = ()


@dataclass(frozen=True)
class Source:
    """One watched publisher endpoint: a feed or a listing page."""

    id: str
    name: str
    agency: Agency
    kind: SourceKind
    url: str
    interval: float = 900.0
    enabled: bool = True
    listing: ListingRules | None = None
    article: ArticleRules | None = None
    full_text: bool = False
    first_poll_items: int = 10
    extra_feeds: tuple[str, ...] = ()
    disabled_reason: str = ""
    cross_check: str | None = None

    @property
    def urls(self) -> tuple[str, ...]:
        """Every document the source reads each poll: its `url`, then its extra feeds."""
        return (self.url, *self.extra_feeds)


@dataclass(frozen=True)
class Validators:
    """HTTP cache validators remembered for conditional GET (RFC 9110 section 13)."""

    etag: str | None = None
    last_modified: str | None = None


@dataclass(frozen=True)
class Fetched:
    """One HTTP response, read in full under the size cap."""

    url: str
    final_url: str
    status: int
    headers: tuple[tuple[str, str], ...]
    body: bytes
    fetched_at: datetime
    validators: Validators = field(default_factory=Validators)
    permanent_url: str | None = None
    elapsed: float = 0.0
    next_after: datetime | None = None

    def header(self, name: str) -> str | None:
        """The first value of a header, case-insensitively."""
        wanted = name.lower()
        return next((v for k, v in self.headers if k.lower() == wanted), None)

    @property
    def not_modified(self) -> bool:
        return self.status == 304


@dataclass(frozen=True)
class Item:
    """One release as a feed or a listing page announces it."""

    source_id: str
    key: str
    title: str
    url: str
    guid: str | None = None
    published: datetime | None = None
    summary_html: str = ""
    content_html: str = ""
    author: str | None = None
    via: Via = ()


@dataclass(frozen=True)
class Link:
    """A link kept from a release: its text and absolute URL (or, on a page read without
    an http(s) address, the site path it was written as, "/newsroom/x")."""

    text: str
    url: str


@dataclass(frozen=True)
class Block:
    """A piece of an article body, in reading order.

    `text` is plain text with inline markup flattened; a `list` block also has its `items`,
    a `table` block its rows as tab-separated `items`.
    """

    kind: BlockKind
    text: str
    items: tuple[str, ...] = ()
    links: tuple[Link, ...] = ()


@dataclass(frozen=True)
class Article:
    """The clean text of one release, with what was taken out of it kept as fields."""

    url: str
    title: str
    blocks: tuple[Block, ...]
    dateline: str | None = None
    published: datetime | None = None
    modified: datetime | None = None
    links: tuple[Link, ...] = ()
    origin: TextOrigin = "page"
    via: Via = ()

    @property
    def text(self) -> str:
        """The body as plain text, one block per paragraph."""
        parts: list[str] = []
        for block in self.blocks:
            if block.kind == "list":
                parts.extend(block.items)
            else:
                parts.append(block.text)
        return "\n\n".join(p for p in parts if p)


@dataclass(frozen=True)
class Section:
    heading: str
    paragraphs: tuple[str, ...] = ()
    bullets: tuple[str, ...] = ()


@dataclass(frozen=True)
class Quote:
    """One speaker's quotation, shown once: its pieces verbatim, in the release's order.

    `text` is the first piece and `more` the pieces that continue it (`“A,” said X. “B.”`
    is `text="A"`, `more=("B.",)`); `verb` is the release's own attribution ("said",
    "emphasized", "said in a statement"), None when the release gives none.
    """

    text: str
    speaker: str | None = None
    verb: str | None = None
    more: tuple[str, ...] = ()

    @property
    def pieces(self) -> tuple[str, ...]:
        return (self.text, *self.more)


@dataclass(frozen=True)
class SourceRef:
    name: str
    url: str


@dataclass(frozen=True)
class Attribution:
    sources_label: str = "Sources"
    prepared_by: str = ""
    notice: str | None = None


CitedPart = Literal["standfirst", "paragraph", "bullet", "quote"]


@dataclass(frozen=True)
class Cited:
    """One brief sentence (or quote piece) and the numbers of the source sentences it rests
    on, as `brief.sentences(article)` numbers them (1 is the body's first sentence)."""

    part: CitedPart
    text: str
    sources: tuple[int, ...]


@dataclass(frozen=True)
class Provenance:
    fetched_at: datetime
    content_sha256: str
    engine: str
    cited: tuple[Cited, ...] = ()
    # Why the AI engine's brief was not used (`gate: quotes: ...`, `timeout: ...`); None
    # for an AI brief, for the extractive engine, and before the AI worker has run.
    fallback: str | None = None


@dataclass(frozen=True)
class EditorContext:
    """An editor's own words about a brief: exempt from the faithfulness check, and always
    shown as theirs ("Context added by NAME")."""

    author: str
    text: str
    added: datetime

    @property
    def paragraphs(self) -> tuple[str, ...]:
        return tuple(p.strip() for p in self.text.split("\n\n") if p.strip())


@dataclass(frozen=True)
class Correction:
    """A correction made after the brief went out: when, by whom, and what changed."""

    when: datetime
    what: str
    by: str = ""


@dataclass(frozen=True)
class Brief:
    """The product: a short, faithful rendering of one release (see DESIGN.md, The brief)."""

    id: str
    title: str
    agency: Agency
    source_name: str
    url: str
    published: datetime
    updated: datetime
    summary: tuple[str, ...]
    sections: tuple[Section, ...]
    quotes: tuple[Quote, ...]
    links: tuple[Link, ...]
    topics: tuple[str, ...]
    sources: tuple[SourceRef, ...]
    attribution: Attribution
    provenance: Provenance
    dateline: str | None = None
    context: EditorContext | None = None
    corrections: tuple[Correction, ...] = ()


@dataclass(frozen=True)
class Subscriber:
    id: int
    email: str
    status: SubscriberStatus
    cadence: Cadence
    secret: str
    created: datetime
    name: str | None = None
    agencies: tuple[str, ...] = ()
    topics: tuple[str, ...] = ()
    confirmed: datetime | None = None
    unsubscribed: datetime | None = None
    last_digest_at: datetime | None = None


@dataclass(frozen=True)
class Digest:
    """The briefs one subscriber is owed now, in the order they will be shown."""

    key: str
    subscriber: Subscriber
    cadence: Cadence
    briefs: tuple[Brief, ...]
    more: int = 0
    made_at: datetime | None = None


@dataclass(frozen=True)
class Message:
    """A rendered email, ready for a transport."""

    message_id: str
    sender: str
    recipient: str
    data: bytes
    crlf: bool = False  # every line of `data` ends in CRLF (as the digest stage writes it)
