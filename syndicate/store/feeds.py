"""Store access for feed documents: which feeds changed, what each document holds.

Input: feed names (`all`, `agency/cbp`, `topic/maritime`) and ordering keys. Output: briefs
and keys in feed order (newest first by the release's time, then by id), and `feed_state`,
the last brief `seq` each feed was published at. Every query walks an index
(`ix_briefs_seq`, the `brief_feeds` primary key or `ix_brief_feeds_feed_pub`), so an
incremental publish costs the feeds it touches, not the size of the archive.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import and_, func, or_, select

from syndicate import codec
from syndicate.model import Brief
from syndicate.store import schema
from syndicate.store.dialects import insert_ignore

if TYPE_CHECKING:
    from syndicate.store.core import Store

_PENDING = "websub.pending"
_SINCE = "feeds.since"  # when this store first published feeds
_CHUNK = 500  # bound IN lists (SQLite's variable limit)


@dataclass(frozen=True, order=True)
class Key:
    """A brief's place in a feed: feeds run newest first by (published, brief id)."""

    published: datetime
    brief_id: str


@dataclass(frozen=True)
class Change:
    """A brief stored or materially changed since some seq."""

    brief_id: str
    seq: int
    edits: int  # 0 for a brief never changed since it was first stored
    published: datetime


def _before(key: Key) -> Any:
    bf = schema.brief_feeds
    return or_(
        bf.c.published_at < key.published,
        and_(bf.c.published_at == key.published, bf.c.brief_id < key.brief_id),
    )


class Feeds:
    """Queries the publish pipeline needs over `briefs`, `brief_feeds` and `feed_state`."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def states(self) -> dict[str, int]:
        """Each feed's last published seq."""
        fs = schema.feed_state
        with self.store.read() as conn:
            return {row.feed: row.seq for row in conn.execute(select(fs.c.feed, fs.c.seq))}

    def top(self) -> int:
        """The newest brief seq (0 when there are no briefs)."""
        with self.store.read() as conn:
            return int(conn.execute(select(func.max(schema.briefs.c.seq))).scalar() or 0)

    def changes(self, since: int, upto: int) -> list[Change]:
        """Briefs whose seq is in (since, upto]."""
        b = schema.briefs
        query = select(b.c.id, b.c.seq, b.c.edits, b.c.published_at).where(
            b.c.seq > since, b.c.seq <= upto
        )
        with self.store.read() as conn:
            return [Change(r.id, r.seq, r.edits or 0, r.published_at) for r in conn.execute(query)]

    def memberships(self, feeds: Sequence[str], ids: Iterable[str]) -> list[tuple[str, Key]]:
        """(feed, key) for each of `ids` in each of `feeds`."""
        bf = schema.brief_feeds
        wanted = sorted(set(ids))
        out: list[tuple[str, Key]] = []
        with self.store.read() as conn:
            for i in range(0, len(wanted), _CHUNK):
                query = select(bf.c.feed, bf.c.brief_id, bf.c.published_at).where(
                    bf.c.feed.in_(list(feeds)), bf.c.brief_id.in_(wanted[i : i + _CHUNK])
                )
                out += [(r.feed, Key(r.published_at, r.brief_id)) for r in conn.execute(query)]
        return out

    def keys(self, feed: str, offset: int, limit: int) -> list[Key]:
        """The ordering keys at positions [offset, offset+limit) of a feed, newest first."""
        bf = schema.brief_feeds
        query = (
            select(bf.c.published_at, bf.c.brief_id)
            .where(bf.c.feed == feed)
            .order_by(bf.c.published_at.desc(), bf.c.brief_id.desc())
            .offset(offset)
            .limit(limit)
        )
        with self.store.read() as conn:
            return [Key(r.published_at, r.brief_id) for r in conn.execute(query)]

    def latest(self, feed: str, limit: int) -> list[Brief]:
        """The newest `limit` briefs of a feed."""
        bf, b = schema.brief_feeds, schema.briefs
        query = (
            select(b.c.data)
            .join(bf, bf.c.brief_id == b.c.id)
            .where(bf.c.feed == feed)
            .order_by(bf.c.published_at.desc(), bf.c.brief_id.desc())
            .limit(limit)
        )
        with self.store.read() as conn:
            return [codec.brief_from_json(codec.loads(r.data)) for r in conn.execute(query)]

    def between(self, feed: str, start: datetime, end: datetime, before: Key) -> list[Brief]:
        """Briefs of a feed published in [start, end) and older than `before`, newest first."""
        bf, b = schema.brief_feeds, schema.briefs
        query = (
            select(b.c.data)
            .join(bf, bf.c.brief_id == b.c.id)
            .where(
                bf.c.feed == feed,
                bf.c.published_at >= start,
                bf.c.published_at < end,
                _before(before),
            )
            .order_by(bf.c.published_at.desc(), bf.c.brief_id.desc())
        )
        with self.store.read() as conn:
            return [codec.brief_from_json(codec.loads(r.data)) for r in conn.execute(query)]

    def older(self, feed: str, than: datetime) -> datetime | None:
        """When the newest entry published before `than` was published."""
        bf = schema.brief_feeds
        query = select(func.max(bf.c.published_at)).where(
            bf.c.feed == feed, bf.c.published_at < than
        )
        with self.store.read() as conn:
            value: datetime | None = conn.execute(query).scalar()
            return value

    def newer(self, feed: str, since: datetime, before: Key) -> datetime | None:
        """When the oldest entry published at or after `since`, and older than `before`, was."""
        bf = schema.brief_feeds
        query = select(func.min(bf.c.published_at)).where(
            bf.c.feed == feed, bf.c.published_at >= since, _before(before)
        )
        with self.store.read() as conn:
            value: datetime | None = conn.execute(query).scalar()
            return value

    def mark(self, feeds: Iterable[str], seq: int, when: datetime) -> None:
        """Record that `feeds` were published with every brief up to `seq`."""
        fs = schema.feed_state
        names = sorted(set(feeds))
        with self.store.begin() as conn:
            known = set(conn.execute(select(fs.c.feed).where(fs.c.feed.in_(names))).scalars())
            if known:
                conn.execute(
                    fs.update().where(fs.c.feed.in_(known)).values(seq=seq, published_at=when)
                )
            missing = [n for n in names if n not in known]
            if missing:
                conn.execute(
                    fs.insert(), [{"feed": n, "seq": seq, "published_at": when} for n in missing]
                )

    def since(self, now: datetime) -> datetime:
        """When this store first published: `now` on the first call, the same instant after.

        An empty feed's `updated` (RFC 4287 requires one) is this stable instant, so its bytes
        do not change from one publish to the next and its date is a real one."""
        m = schema.meta
        with self.store.begin() as conn:
            insert_ignore(
                conn, m, {"key": _SINCE, "value": now.isoformat(), "updated_at": now}, ["key"]
            )
            value = conn.execute(select(m.c.value).where(m.c.key == _SINCE)).scalar()
        return datetime.fromisoformat(str(value))

    def pending_pings(self) -> list[str]:
        """Feed URLs whose WebSub notification has not reached the hub yet."""
        m = schema.meta
        with self.store.read() as conn:
            value = conn.execute(select(m.c.value).where(m.c.key == _PENDING)).scalar()
        return list(json.loads(value)) if value else []

    def set_pending_pings(self, urls: Sequence[str], when: datetime) -> None:
        """Replace the list of feed URLs still to announce to the hub."""
        m = schema.meta
        value = json.dumps(sorted(set(urls)))
        with self.store.begin() as conn:
            conn.execute(m.delete().where(m.c.key == _PENDING))
            if urls:
                conn.execute(m.insert().values(key=_PENDING, value=value, updated_at=when))
