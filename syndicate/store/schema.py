"""The tables, as SQLAlchemy Core metadata. Alembic migrations are written from this.

Times are stored as aware UTC (`UtcDateTime`, over `DateTime(timezone=True)`): SQLite keeps
them as text without a zone, so every value is turned to UTC on the way in and given its UTC
zone back on the way out; whatever the dialect, the store returns aware UTC datetimes.
JSON columns hold the frozen dataclasses of `model.py` as `syndicate.codec` writes them.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    Column,
    DateTime,
    Dialect,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    TypeDecorator,
    UniqueConstraint,
)


class UtcDateTime(TypeDecorator[datetime]):
    """An aware datetime, stored in UTC and read back as aware UTC on every dialect."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None or value.utcoffset() is None:
            # A naive time is ambiguous; refusing it keeps every stored time honest.
            raise ValueError(f"store: naive datetime {value.isoformat()} (expected aware UTC)")
        return value.astimezone(UTC)

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if isinstance(value, str):  # a raw SQLite value read through a text() query
            value = datetime.fromisoformat(value)
        if not isinstance(value, datetime):
            raise TypeError(f"store: expected a datetime, got {value!r}")
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


metadata = MetaData()

# One row per configured source: its polling state. Rows are created on first poll.
sources = Table(
    "sources",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("url", Text, nullable=False),  # the URL in config
    Column("moved_to", Text),  # remembered 301/308 target
    Column("etag", Text),
    Column("last_modified", Text),
    Column("last_poll_at", UtcDateTime()),
    Column("last_success_at", UtcDateTime()),
    Column("next_poll_at", UtcDateTime()),
    Column("failures", Integer, nullable=False, default=0),  # consecutive
    Column("last_error", Text),
    Column("last_status", Integer),
    Column("crawl_delay", Float),  # from robots.txt
    Column("held_reason", Text),  # set when a flood of new ids was held for the operator
    Column("polls", Integer, nullable=False, default=0),
    # Source health (README "Source health"): ok, broken, stalled or blocked, why, and since
    # when; NULL until the first judged poll.
    Column("health", String(16)),
    Column("health_reason", Text),
    Column("health_since", UtcDateTime()),
    Column("cross_checked_at", UtcDateTime()),  # when the cross-check document was last read
    Column("cross_report", Text),  # JSON: what the cross-check found missing, either way
)

# What each poll of a source yielded: items found in its documents, release pages fetched,
# pages that gave a body, pages refused (401/403/451, robots.txt). The health judgement reads
# the latest rows; older ones are pruned as new ones arrive.
source_polls = Table(
    "source_polls",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("source_id", String(64), nullable=False),
    Column("polled_at", UtcDateTime(), nullable=False),
    Column("outcome", String(16), nullable=False),  # ok, not-modified, failed, held
    Column("status", Integer),
    Column("found", Integer),  # NULL when no document was read (304, failure)
    Column("pages", Integer, nullable=False, default=0),
    Column("bodies", Integer, nullable=False, default=0),
    Column("refused", Integer, nullable=False, default=0),
    Column("error", Text),
)
Index("ix_source_polls_source", source_polls.c.source_id, source_polls.c.polled_at)

# One row per document a source reads (its url and each extra feed): validators for the extra
# feeds' conditional GETs, and what each document last yielded, so a document that used to
# list items and now lists none is noticed.
source_documents = Table(
    "source_documents",
    metadata,
    Column("source_id", String(64), primary_key=True),
    Column("url", Text, primary_key=True),
    Column("etag", Text),
    Column("last_modified", Text),
    Column("last_status", Integer),
    Column("last_items", Integer),
    Column("most_items", Integer, nullable=False, default=0),
    Column("failures", Integer, nullable=False, default=0),
    Column("last_error", Text),
    Column("fetched_at", UtcDateTime()),
)

# The items a source's cross-check document (another source's listing or feed) has shown,
# by normalised URL, with when each was first seen there.
cross_items = Table(
    "cross_items",
    metadata,
    Column("source_id", String(64), primary_key=True),
    Column("key", Text, primary_key=True),
    Column("url", Text, nullable=False),
    Column("title", Text, nullable=False),
    Column("published_at", UtcDateTime()),
    Column("first_seen_at", UtcDateTime(), nullable=False),
)

# One row per release seen on a source. (source_id, key) is the identity rule's result.
items = Table(
    "items",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("source_id", String(64), nullable=False),
    Column("key", Text, nullable=False),
    Column("guid", Text),
    Column("url", Text, nullable=False),
    Column("title", Text, nullable=False),
    Column("published_at", UtcDateTime()),
    Column("first_seen_at", UtcDateTime(), nullable=False),
    Column("updated_at", UtcDateTime(), nullable=False),
    Column("fetched_at", UtcDateTime()),
    Column("content_sha256", String(64)),
    Column("fingerprint", String(64)),  # hash of what the feed said: a change may be an edit
    Column("origin", String(8)),  # 'page' or 'feed': where the text came from
    Column("article", Text),  # Article as JSON
    Column("raw", LargeBinary),  # the page as fetched; pruned by housekeeping
    # new, held, briefed, rejected (faithfulness), failed (fetch/extract), updated
    Column("status", String(16), nullable=False, default="new"),
    Column("reason", Text),
    Column("brief_id", String(64)),
    Column("versions", Integer, nullable=False, default=1),
    UniqueConstraint("source_id", "key", name="uq_items_source_key"),
)
Index("ix_items_url", items.c.url)

# One row per brief. `seq` increases on every insert or material change, so publishing and
# digests can ask "what changed since N" cheaply.
briefs = Table(
    "briefs",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("story", Text, nullable=False),  # story key: the same story from two agencies
    Column("agency", String(8), nullable=False),
    Column("title", Text, nullable=False),
    Column("published_at", UtcDateTime(), nullable=False),
    Column("updated_at", UtcDateTime(), nullable=False),
    Column("content_sha256", String(64), nullable=False),  # of the brief's material content
    Column("data", Text, nullable=False),  # Brief as JSON (the stable shape of issue 3)
    Column("seq", Integer, nullable=False),
    Column("edits", Integer, nullable=False, default=0),
    Column("hidden_at", UtcDateTime()),  # taken down by the operator (`briefs hide`)
    Column("hidden_reason", Text),
    Column("problem", Text),  # why the last publish could not put it in a feed
    Column("review", String(16)),  # 'held' or 'rejected' on the desk; NULL: published
)
Index("ix_briefs_story", briefs.c.story)
Index("ix_briefs_seq", briefs.c.seq)
Index("ix_briefs_published", briefs.c.published_at)

# Which feeds a brief belongs to: 'all', 'agency/dhs', 'topic/cybersecurity'.
brief_feeds = Table(
    "brief_feeds",
    metadata,
    Column("feed", String(96), primary_key=True),
    Column("brief_id", String(64), ForeignKey("briefs.id"), primary_key=True),
    Column("published_at", UtcDateTime(), nullable=False),
)
Index("ix_brief_feeds_feed_pub", brief_feeds.c.feed, brief_feeds.c.published_at)

# The feeds a hidden brief was in, for their RFC 6721 tombstones (and its restore).
tombstones = Table(
    "tombstones",
    metadata,
    Column("feed", String(96), primary_key=True),
    Column("brief_id", String(64), ForeignKey("briefs.id"), primary_key=True),
    Column("published_at", UtcDateTime(), nullable=False),
    Column("hidden_at", UtcDateTime(), nullable=False),
)
Index("ix_tombstones_feed_hidden", tombstones.c.feed, tombstones.c.hidden_at)

# What was last published for each feed document, to publish only what changed.
feed_state = Table(
    "feed_state",
    metadata,
    Column("feed", String(96), primary_key=True),
    Column("seq", Integer, nullable=False, default=0),
    Column("published_at", UtcDateTime()),
)

subscribers = Table(
    "subscribers",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("email", String(320), nullable=False, unique=True),
    Column("name", Text),
    Column("status", String(16), nullable=False),
    Column("cadence", String(16), nullable=False),
    Column("agencies", Text, nullable=False, default="[]"),  # JSON list
    Column("topics", Text, nullable=False, default="[]"),  # JSON list
    Column("secret", String(64), nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("confirmed_at", UtcDateTime()),
    Column("unsubscribed_at", UtcDateTime()),
    Column("last_digest_at", UtcDateTime()),
    Column("last_digest_seq", Integer, nullable=False, default=0),
    Column("bounces", Integer, nullable=False, default=0),
)

# The delivery ledger: one row per (digest, recipient).
deliveries = Table(
    "deliveries",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("digest_key", String(128), nullable=False),
    Column("subscriber_id", Integer, ForeignKey("subscribers.id"), nullable=False),
    Column("message_id", Text, nullable=False),
    Column("cadence", String(16), nullable=False),
    Column("brief_ids", Text, nullable=False),  # JSON list, in display order
    Column("corrections", Text, nullable=False, server_default="[]"),  # JSON list of brief ids
    Column("more", Integer, nullable=False, default=0),
    # pending, claimed, sent, retry, failed
    Column("status", String(16), nullable=False),
    Column("attempts", Integer, nullable=False, default=0),
    Column("next_attempt_at", UtcDateTime()),
    Column("claimed_at", UtcDateTime()),
    Column("claimed_by", String(64)),
    Column("sent_at", UtcDateTime()),
    Column("reply", Text),
    Column("error", Text),
    Column("created_at", UtcDateTime(), nullable=False),
    UniqueConstraint("digest_key", "subscriber_id", name="uq_deliveries_digest_sub"),
)
Index("ix_deliveries_status", deliveries.c.status, deliveries.c.next_attempt_at)

# Which briefs each subscriber has been sent, so an edited brief is not resent.
sent_briefs = Table(
    "sent_briefs",
    metadata,
    Column("subscriber_id", Integer, ForeignKey("subscribers.id"), primary_key=True),
    Column("brief_id", String(64), primary_key=True),
    Column("delivery_id", Integer, nullable=False),
)

# Small key/value facts: scheduler heartbeat, daemon lock owner, web secret, counters.
meta = Table(
    "meta",
    metadata,
    Column("key", String(128), primary_key=True),
    Column("value", Text, nullable=False),
    Column("updated_at", UtcDateTime(), nullable=False),
)

# Rolling counters for rate limits (web subscribe form, confirmation mails).
throttle = Table(
    "throttle",
    metadata,
    Column("key", String(256), primary_key=True),
    Column("window_start", UtcDateTime(), nullable=False),
    Column("count", Integer, nullable=False),
)

# The desk (issue 15). A held or rejected brief's feeds wait here, not in brief_feeds.
held_feeds = Table(
    "held_feeds",
    metadata,
    Column("feed", String(96), primary_key=True),
    Column("brief_id", String(64), ForeignKey("briefs.id"), primary_key=True),
    Column("published_at", UtcDateTime(), nullable=False),
)

# When a brief was held, and the last decision on it (who, when, why).
reviews = Table(
    "reviews",
    metadata,
    Column("brief_id", String(64), ForeignKey("briefs.id"), primary_key=True),
    Column("held_at", UtcDateTime(), nullable=False),
    Column("engine", String(64), nullable=False),
    Column("decided_at", UtcDateTime()),
    Column("decided_by", String(64)),
    Column("reason", Text),
)

# Editors of the desk: a name and an argon2id hash of their password.
editors = Table(
    "editors",
    metadata,
    Column("name", String(64), primary_key=True),
    Column("password_hash", Text, nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("password_at", UtcDateTime(), nullable=False),
)

# Desk sessions: only the sha256 of the cookie's token is kept.
desk_sessions = Table(
    "desk_sessions",
    metadata,
    Column("token_sha256", String(64), primary_key=True),
    Column("editor", String(64), ForeignKey("editors.name"), nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("expires_at", UtcDateTime(), nullable=False),
)

# Every desk action: who, when, which brief, and what (an edit's diff).
desk_log = Table(
    "desk_log",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("at", UtcDateTime(), nullable=False),
    Column("editor", String(64), nullable=False),
    Column("action", String(16), nullable=False),
    Column("brief_id", String(64)),
    Column("detail", Text, nullable=False, default=""),
)
Index("ix_desk_log_brief", desk_log.c.brief_id, desk_log.c.id)

__all__ = ["metadata"]
