"""What each poll of a source yielded, what each of its documents last said, and what a
cross-check document has shown: the history source health is judged from.

Input: one `PollRecord` per poll, one document outcome per document read, the items a
cross-check document lists. Output: the recent records newest first, `DocumentState`s,
`Seen` items. The caller's clock dates everything.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import Row, delete, insert, select

from syndicate.model import Validators
from syndicate.store import schema
from syndicate.store.dialects import insert_ignore, upsert

if TYPE_CHECKING:
    from syndicate.store.core import Store

polls = schema.source_polls
documents = schema.source_documents
cross = schema.cross_items
items = schema.items

# Poll records kept per source; the judgement reads far fewer.
KEEP = 200


@dataclass(frozen=True)
class PollRecord:
    """One poll of one source: what its documents and release pages yielded."""

    polled_at: datetime
    outcome: str
    status: int | None = None
    found: int | None = None  # items in its documents; None when none was read
    pages: int = 0  # release pages fetched
    bodies: int = 0  # releases that gave a usable body (from the page or the feed's text)
    refused: int = 0  # release pages refused: 401, 403, 451 or robots.txt
    error: str | None = None


@dataclass(frozen=True)
class DocumentState:
    """What one document of a source (its url or an extra feed) last said."""

    url: str
    validators: Validators
    last_status: int | None
    last_items: int | None
    most_items: int
    failures: int
    last_error: str | None
    fetched_at: datetime | None


@dataclass(frozen=True)
class Seen:
    """An item as a document showed it: normalised URL, title, dates."""

    key: str
    url: str
    title: str
    published: datetime | None
    first_seen: datetime


def _record(row: Row[Any]) -> PollRecord:
    m = row._mapping
    return PollRecord(
        m["polled_at"], m["outcome"], m["status"], m["found"], m["pages"], m["bodies"],
        m["refused"], m["error"],
    )  # fmt: skip


def _document(row: Row[Any]) -> DocumentState:
    m = row._mapping
    return DocumentState(
        m["url"], Validators(m["etag"], m["last_modified"]), m["last_status"], m["last_items"],
        m["most_items"], m["failures"], m["last_error"], m["fetched_at"],
    )  # fmt: skip


class Polls:
    """The `source_polls`, `source_documents` and `cross_items` tables."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def record(self, source_id: str, record: PollRecord) -> None:
        """Remember one poll; only the latest `KEEP` of a source are kept."""
        with self.store.begin() as conn:
            conn.execute(
                insert(polls).values(
                    source_id=source_id, polled_at=record.polled_at, outcome=record.outcome,
                    status=record.status, found=record.found, pages=record.pages,
                    bodies=record.bodies, refused=record.refused, error=record.error,
                )
            )  # fmt: skip
            cutoff = conn.scalar(
                select(polls.c.id)
                .where(polls.c.source_id == source_id)
                .order_by(polls.c.id.desc())
                .offset(KEEP)
                .limit(1)
            )
            if cutoff is not None:
                conn.execute(
                    delete(polls).where(polls.c.source_id == source_id, polls.c.id <= cutoff)
                )

    def recent(self, source_id: str, limit: int = 20) -> list[PollRecord]:
        """A source's latest polls, newest first."""
        with self.store.read() as conn:
            rows = conn.execute(
                select(polls)
                .where(polls.c.source_id == source_id)
                .order_by(polls.c.id.desc())
                .limit(limit)
            )
            return [_record(r) for r in rows]

    def document(self, source_id: str, url: str) -> DocumentState | None:
        """What one document of a source last said; None before it was first read."""
        with self.store.read() as conn:
            row = conn.execute(
                select(documents).where(documents.c.source_id == source_id, documents.c.url == url)
            ).first()
        return _document(row) if row is not None else None

    def documents(self, source_id: str) -> list[DocumentState]:
        """Every document of a source read so far, by URL."""
        with self.store.read() as conn:
            rows = conn.execute(
                select(documents)
                .where(documents.c.source_id == source_id)
                .order_by(documents.c.url)
            )
            return [_document(r) for r in rows]

    def read_document(
        self,
        source_id: str,
        url: str,
        *,
        now: datetime,
        status: int | None,
        found: int | None = None,
        validators: Validators | None = None,
        error: str | None = None,
    ) -> DocumentState:
        """Record one read of a document: its item count (None: not read), or its error."""
        before = self.document(source_id, url)
        kept = before.validators if before else Validators()
        values: dict[str, Any] = {
            "source_id": source_id,
            "url": url,
            "etag": (validators or kept).etag,
            "last_modified": (validators or kept).last_modified,
            "last_status": status,
            "last_items": found if found is not None else (before.last_items if before else None),
            "most_items": max(found or 0, before.most_items if before else 0),
            "failures": 0 if error is None else (before.failures if before else 0) + 1,
            "last_error": error,
            "fetched_at": now,
        }
        with self.store.begin() as conn:
            upsert(conn, documents, values, ["source_id", "url"])
        return DocumentState(
            url, Validators(values["etag"], values["last_modified"]), status,
            values["last_items"], values["most_items"], values["failures"], error, now,
        )  # fmt: skip

    def item_dates(self, source_id: str, limit: int = 40) -> list[datetime]:
        """When a source's latest `limit` items (the last seen) appeared: the date each
        states, else when it was first seen; newest first."""
        with self.store.read() as conn:
            rows = conn.execute(
                select(items.c.published_at, items.c.first_seen_at)
                .where(items.c.source_id == source_id)
                .order_by(items.c.id.desc())
                .limit(limit)
            )
            found = [r.published_at or r.first_seen_at for r in rows]
        return sorted(found, reverse=True)

    def source_items(self, source_id: str) -> list[Seen]:
        """Every item a source has had, as `Seen` values keyed by URL (normalised by caller)."""
        with self.store.read() as conn:
            rows = conn.execute(
                select(items.c.url, items.c.title, items.c.published_at, items.c.first_seen_at)
                .where(items.c.source_id == source_id)
                .order_by(items.c.id)
            )
            return [Seen(r.url, r.url, r.title, r.published_at, r.first_seen_at) for r in rows]

    def cross_seen(self, source_id: str, seen: Iterable[Seen]) -> None:
        """Remember what a source's cross-check document showed (first sight is kept)."""
        with self.store.begin() as conn:
            for s in seen:
                insert_ignore(
                    conn, cross,
                    {"source_id": source_id, "key": s.key, "url": s.url, "title": s.title,
                     "published_at": s.published, "first_seen_at": s.first_seen},
                    ["source_id", "key"],
                )  # fmt: skip

    def cross_items(self, source_id: str) -> list[Seen]:
        """Everything a source's cross-check document has shown, oldest first."""
        with self.store.read() as conn:
            rows = conn.execute(
                select(cross).where(cross.c.source_id == source_id).order_by(cross.c.first_seen_at)
            )
            return [Seen(r.key, r.url, r.title, r.published_at, r.first_seen_at) for r in rows]
