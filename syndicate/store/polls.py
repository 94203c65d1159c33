"""What each poll of a source yielded, what each of its documents last said, and what a
cross-check document has shown: the history source health is judged from.

Input: one `PollRecord` per poll, one document outcome per document read, the items a
cross-check document lists. Output: the recent records newest first, `DocumentState`s,
`Seen` items, and (`judge`) a poll recorded and judged in one transaction. The caller's
clock dates everything.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import BindParameter, Connection, Row, bindparam, delete, insert, select

from syndicate.model import Validators
from syndicate.store import schema
from syndicate.store.dialects import insert_ignore, upsert_statement

if TYPE_CHECKING:
    from syndicate.store.core import Store

polls = schema.source_polls
documents = schema.source_documents
cross = schema.cross_items
items = schema.items
sources = schema.sources

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


@dataclass(frozen=True)
class History:
    """What a source's health is judged from, read in the transaction that records a poll:
    its health as stored (`known`: it has a row), its latest polls newest first (this one
    included), its documents by URL and when its latest items appeared, newest first."""

    known: bool
    health: str | None
    health_reason: str | None
    health_since: datetime | None
    recent: list[PollRecord]
    documents: list[DocumentState]
    item_dates: list[datetime]


# A judgement: the health (state, reason) and since when the state holds.
Verdict = tuple[str, str | None, datetime]


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

    def judge(
        self,
        source_id: str,
        record: PollRecord,
        verdict: Callable[[History], Verdict],
        *,
        recent: int,
    ) -> tuple[History, Verdict]:
        """Remember one poll and, in the same transaction, read the source's `History`
        (its latest `recent` polls), judge it with `verdict` and store the health it gives
        when that differs from the stored one (a source without a row gets none)."""
        with self.store.begin() as conn:
            _insert(conn, source_id, record)
            sid = {"sid": source_id}
            health = conn.execute(_HEALTH, sid).first()
            history = History(
                known=health is not None,
                health=health.health if health else None,
                health_reason=health.health_reason if health else None,
                health_since=health.health_since if health else None,
                recent=[_record(r) for r in conn.execute(_RECENT, sid | {"limit": recent})],
                documents=[_document(r) for r in conn.execute(_DOCUMENTS, sid)],
                item_dates=sorted(
                    (r.published_at or r.first_seen_at for r in conn.execute(_DATES, sid)),
                    reverse=True,
                ),
            )
            judged = verdict(history)
            stored = (history.health, history.health_reason, history.health_since)
            if history.known and judged != stored:
                state, reason, since = judged
                conn.execute(
                    _SET_HEALTH, sid | {"h_state": state, "h_reason": reason, "h_since": since}
                )
        return history, judged

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
            row = conn.execute(_DOCUMENT, {"sid": source_id, "url": url}).first()
        return _document(row) if row is not None else None

    def documents(self, source_id: str) -> list[DocumentState]:
        """Every document of a source read so far, by URL."""
        with self.store.read() as conn:
            return [_document(r) for r in conn.execute(_DOCUMENTS, {"sid": source_id})]

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
        with self.store.begin() as conn:
            row = conn.execute(_DOCUMENT, {"sid": source_id, "url": url}).first()
            before = _document(row) if row is not None else None
            kept = before.validators if before else Validators()
            values: dict[str, Any] = {
                "source_id": source_id,
                "url": url,
                "etag": (validators or kept).etag,
                "last_modified": (validators or kept).last_modified,
                "last_status": status,
                "last_items": found
                if found is not None
                else (before.last_items if before else None),
                "most_items": max(found or 0, before.most_items if before else 0),
                "failures": 0 if error is None else (before.failures if before else 0) + 1,
                "last_error": error,
                "fetched_at": now,
            }
            conn.execute(upsert_statement(conn, documents, ("source_id", "url")), values)
        return DocumentState(
            url, Validators(values["etag"], values["last_modified"]), status,
            values["last_items"], values["most_items"], values["failures"], error, now,
        )  # fmt: skip

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


def _insert(conn: Connection, source_id: str, record: PollRecord) -> None:
    """Insert one poll record and drop the source's records older than the latest `KEEP`."""
    conn.execute(
        _INSERT,
        {
            "source_id": source_id, "polled_at": record.polled_at, "outcome": record.outcome,
            "status": record.status, "found": record.found, "pages": record.pages,
            "bodies": record.bodies, "refused": record.refused, "error": record.error,
        },
    )  # fmt: skip
    cutoff = conn.scalar(_CUTOFF, {"sid": source_id})
    if cutoff is not None:
        conn.execute(_TRIM, {"sid": source_id, "cutoff": cutoff})


# The statements every poll of every source runs, built once with their values as
# parameters: SQLAlchemy then neither builds nor keys a statement per poll.
_SID: BindParameter[str] = bindparam("sid")
_INSERT = insert(polls)
_CUTOFF = (
    select(polls.c.id)
    .where(polls.c.source_id == _SID)
    .order_by(polls.c.id.desc())
    .offset(KEEP)
    .limit(1)
)
_TRIM = delete(polls).where(polls.c.source_id == _SID, polls.c.id <= bindparam("cutoff"))
_RECENT = (
    select(polls)
    .where(polls.c.source_id == _SID)
    .order_by(polls.c.id.desc())
    .limit(bindparam("limit"))
)
_DOCUMENT = select(documents).where(
    documents.c.source_id == _SID, documents.c.url == bindparam("url")
)
_DOCUMENTS = select(documents).where(documents.c.source_id == _SID).order_by(documents.c.url)
_DATES = (
    select(items.c.published_at, items.c.first_seen_at)
    .where(items.c.source_id == _SID)
    .order_by(items.c.id.desc())
    .limit(40)
)
_HEALTH = select(sources.c.health, sources.c.health_reason, sources.c.health_since).where(
    sources.c.id == _SID
)
_SET_HEALTH = (
    sources.update()
    .where(sources.c.id == _SID)
    .values(
        health=bindparam("h_state"),
        health_reason=bindparam("h_reason"),
        health_since=bindparam("h_since"),
    )
)
