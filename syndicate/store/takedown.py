"""Taking a brief down and putting it back: a brief id in, its feeds' memberships moved.

A hidden brief leaves every feed document, page and future digest, and the feeds it was in
keep a tombstone row, so their Atom documents announce the removal (RFC 6721
`at:deleted-entry`). Hiding and restoring each take a new `seq` (and count as an edit), so
the next publish rewrites exactly the documents the brief was in. A release edited while
its brief is hidden updates the brief in place and it stays hidden (`Briefs.upsert` keeps
its feeds among the tombstones). Restoring gives the brief a new `updated`, later than its
tombstone's `when`, so a reader that deleted the entry takes it back.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import Connection, delete, insert, select

from syndicate.codec import brief_from_json, brief_to_json, dumps, loads
from syndicate.errors import StoreError
from syndicate.store import schema
from syndicate.store.briefs import next_seq

if TYPE_CHECKING:
    from syndicate.store.core import Store

briefs = schema.briefs
brief_feeds = schema.brief_feeds
tombstones = schema.tombstones


@dataclass(frozen=True)
class Tombstone:
    """A hidden brief, as one feed announces its removal."""

    brief_id: str
    hidden_at: datetime


class Takedowns:
    """Hide and restore briefs; the tombstones their feeds carry."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def hide(self, brief_id: str, *, reason: str = "", now: datetime | None = None) -> bool:
        """Take a brief out of every feed, page and future digest; False when it already is."""
        now = now or self.store.clock()
        with self.store.begin() as conn:
            if _hidden_at(conn, brief_id) is not None:
                return False
            rows = conn.execute(
                select(brief_feeds.c.feed, brief_feeds.c.published_at).where(
                    brief_feeds.c.brief_id == brief_id
                )
            ).all()
            if rows:
                conn.execute(
                    insert(tombstones),
                    [
                        {"feed": r.feed, "brief_id": brief_id, "published_at": r.published_at,
                         "hidden_at": now}
                        for r in rows
                    ],
                )  # fmt: skip
            conn.execute(delete(brief_feeds).where(brief_feeds.c.brief_id == brief_id))
            conn.execute(
                briefs.update()
                .where(briefs.c.id == brief_id)
                .values(
                    hidden_at=now,
                    hidden_reason=reason or None,
                    seq=next_seq(conn, now),
                    edits=briefs.c.edits + 1,
                )
            )
        return True

    def restore(self, brief_id: str, *, now: datetime | None = None) -> bool:
        """Put a hidden brief back in its feeds; False when it is not hidden."""
        now = now or self.store.clock()
        with self.store.begin() as conn:
            if _hidden_at(conn, brief_id) is None:
                return False
            rows = conn.execute(
                select(tombstones.c.feed, tombstones.c.published_at).where(
                    tombstones.c.brief_id == brief_id
                )
            ).all()
            if rows:
                conn.execute(
                    insert(brief_feeds),
                    [
                        {"feed": r.feed, "brief_id": brief_id, "published_at": r.published_at}
                        for r in rows
                    ],
                )
            conn.execute(delete(tombstones).where(tombstones.c.brief_id == brief_id))
            data: str = conn.execute(select(briefs.c.data).where(briefs.c.id == brief_id)).one()[0]
            brief = brief_from_json(loads(data))
            # Later than the tombstone's `when`, so readers take the entry back (RFC 6721).
            restored = replace(brief, updated=max(now, brief.updated))
            conn.execute(
                briefs.update()
                .where(briefs.c.id == brief_id)
                .values(
                    hidden_at=None,
                    hidden_reason=None,
                    updated_at=restored.updated,
                    data=dumps(brief_to_json(restored)),
                    seq=next_seq(conn, now),
                    edits=briefs.c.edits + 1,
                )
            )
        return True

    def tombstones(self, feed: str, limit: int) -> list[Tombstone]:
        """The feed's most recently hidden briefs, newest first."""
        query = (
            select(tombstones.c.brief_id, tombstones.c.hidden_at)
            .where(tombstones.c.feed == feed)
            .order_by(tombstones.c.hidden_at.desc(), tombstones.c.brief_id.desc())
            .limit(limit)
        )
        with self.store.read() as conn:
            return [Tombstone(r.brief_id, r.hidden_at) for r in conn.execute(query)]


def _hidden_at(conn: Connection, brief_id: str) -> datetime | None:
    row = conn.execute(select(briefs.c.hidden_at).where(briefs.c.id == brief_id)).first()
    if row is None:
        raise StoreError(f"store: no brief {brief_id!r}")
    hidden: datetime | None = row.hidden_at
    return hidden
