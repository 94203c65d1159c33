"""Briefs, the feeds each belongs to, and the store-wide change counter `seq`.

Input: `Brief` values with their story key and feed names. Output: `Brief` values read back
through `syndicate.codec`, newest first or in change order (`seq`).

`seq` comes from one counter row in `meta`, bumped inside the writing transaction. The
bump locks that row until commit, so seqs become visible in increasing order and a reader
that remembers the highest seq it saw ("changed since N") never skips a brief.

A hidden brief (`store.takedowns`) has no `brief_feeds` rows, so no feed or listing holds
it; `changes` leaves it out (digests), `visible` does not find it (pages), and `get` still
does (the poller's view of what it made before). A brief held for review (`review` is
'held' or 'rejected', see `store.desk`) is the same: its feeds wait in `held_feeds` until
an editor approves it. `hold` decides, for each new brief, whether it waits (the pipeline
sets it from `[review]`; by default nothing does). `problem` is why the last publish could
not put a brief in a feed (`set_problems`), shown by `syndicate sources` and /metrics.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any, Literal

from sqlalchemy import (
    Connection,
    Integer,
    String,
    bindparam,
    cast,
    delete,
    func,
    insert,
    select,
    update,
)

from syndicate.codec import brief_from_json, brief_to_json, dumps, loads
from syndicate.model import Brief
from syndicate.store import schema
from syndicate.store.dialects import insert_ignore

if TYPE_CHECKING:
    from syndicate.store.core import Store

Outcome = Literal["new", "updated", "unchanged"]

briefs = schema.briefs
brief_feeds = schema.brief_feeds
tombstones = schema.tombstones
held_feeds = schema.held_feeds
items = schema.items
meta = schema.meta

SEQ_KEY = "brief_seq"


@dataclass(frozen=True)
class Change:
    """A brief as of its last recorded change."""

    seq: int
    edits: int
    brief: Brief


def feeds_for(brief: Brief) -> list[str]:
    """The feeds a brief belongs to by default: all, its agency, each of its topics."""
    return ["all", f"agency/{brief.agency.lower()}", *(f"topic/{t}" for t in brief.topics)]


def material_sha256(brief: Brief) -> str:
    """A hash of what a reader sees: everything but the update and fetch times."""
    data = brief_to_json(brief)
    data.pop("updated", None)
    data["provenance"] = {k: v for k, v in data["provenance"].items() if k != "fetched_at"}
    return hashlib.sha256(dumps(data).encode()).hexdigest()


def _brief(data: str) -> Brief:
    return brief_from_json(loads(data))


@dataclass(frozen=True)
class Listed:
    """A brief as `syndicate briefs list` shows it."""

    id: str
    title: str
    agency: str
    published: datetime
    updated: datetime
    hidden_at: datetime | None
    hidden_reason: str | None
    problem: str | None


_LISTED = (
    briefs.c.id, briefs.c.title, briefs.c.agency, briefs.c.published_at, briefs.c.updated_at,
    briefs.c.hidden_at, briefs.c.hidden_reason, briefs.c.problem,
)  # fmt: skip


class Briefs:
    """The `briefs` and `brief_feeds` tables."""

    def __init__(self, store: Store) -> None:
        self.store = store
        # Whether a new brief waits for an editor: (brief, the source's id) -> hold?
        self.hold: Callable[[Brief, str], bool] = lambda brief, source_id: False

    def get(self, brief_id: str) -> Brief | None:
        """One brief by id."""
        with self.store.read() as conn:
            data = conn.scalar(select(briefs.c.data).where(briefs.c.id == brief_id))
        return _brief(data) if data is not None else None

    def visible(self, brief_id: str) -> Brief | None:
        """One brief by id, unless it is hidden (what pages may show)."""
        with self.store.read() as conn:
            data = conn.scalar(
                select(briefs.c.data).where(
                    briefs.c.id == brief_id, briefs.c.hidden_at.is_(None), briefs.c.review.is_(None)
                )
            )
        return _brief(data) if data is not None else None

    def hidden_ids(self, ids: Sequence[str]) -> set[str]:
        """Which of `ids` are hidden."""
        wanted = sorted(set(ids))
        with self.store.read() as conn:
            query = select(briefs.c.id).where(
                briefs.c.id.in_(wanted), briefs.c.hidden_at.is_not(None)
            )
            return set(conn.scalars(query))

    def listed(self, limit: int, offset: int = 0, *, hidden: bool | None = None) -> list[Listed]:
        """Briefs newest published first (only hidden ones, or only shown ones, if asked)."""
        query = select(*_LISTED)
        if hidden is not None:
            column = briefs.c.hidden_at
            query = query.where(column.is_not(None) if hidden else column.is_(None))
        query = query.order_by(briefs.c.published_at.desc(), briefs.c.id.desc())
        with self.store.read() as conn:
            rows = conn.execute(query.limit(limit).offset(offset)).all()
        return [Listed(*row) for row in rows]

    def listed_one(self, brief_id: str) -> Listed | None:
        """One brief's listing row, hidden or not."""
        with self.store.read() as conn:
            row = conn.execute(select(*_LISTED).where(briefs.c.id == brief_id)).first()
        return Listed(*row) if row is not None else None

    def hidden_count(self) -> int:
        """How many briefs are taken down."""
        with self.store.read() as conn:
            query = select(func.count()).where(briefs.c.hidden_at.is_not(None))
            return int(conn.scalar(query) or 0)

    def set_problems(self, problems: dict[str, str], fine: Sequence[str] = ()) -> None:
        """Record why briefs could not be published, and clear it for `fine` ones."""
        with self.store.begin() as conn:
            for brief_id, reason in problems.items():
                conn.execute(update(briefs).where(briefs.c.id == brief_id).values(problem=reason))
            cleared = sorted(set(fine) - set(problems))
            for i in range(0, len(cleared), 500):
                conn.execute(
                    update(briefs)
                    .where(briefs.c.id.in_(cleared[i : i + 500]), briefs.c.problem.is_not(None))
                    .values(problem=None)
                )

    def problems(self) -> dict[str, str]:
        """Briefs the last publish could not put in a feed, and why."""
        with self.store.read() as conn:
            rows = conn.execute(
                select(briefs.c.id, briefs.c.problem).where(briefs.c.problem.is_not(None))
            )
            return {r.id: r.problem for r in rows}

    def problems_by_source(self) -> dict[str, list[tuple[str, str]]]:
        """Unpublishable briefs per source id: (brief id, why)."""
        query = (
            select(items.c.source_id, briefs.c.id, briefs.c.problem)
            .join(items, items.c.brief_id == briefs.c.id)
            .where(briefs.c.problem.is_not(None))
            .distinct()
            .order_by(items.c.source_id, briefs.c.id)
        )
        out: dict[str, list[tuple[str, str]]] = {}
        with self.store.read() as conn:
            for row in conn.execute(query):
                out.setdefault(row.source_id, []).append((row.id, row.problem))
        return out

    def change(self, brief_id: str) -> Change | None:
        """One brief with its seq and edit count."""
        with self.store.read() as conn:
            row = conn.execute(
                select(briefs.c.seq, briefs.c.edits, briefs.c.data).where(briefs.c.id == brief_id)
            ).first()
        return Change(row.seq, row.edits, _brief(row.data)) if row is not None else None

    def find_story(self, story: str) -> Brief | None:
        """The brief already told for a story key (the earliest, if several)."""
        with self.store.read() as conn:
            data = conn.scalar(
                select(briefs.c.data)
                .where(briefs.c.story == story)
                .order_by(briefs.c.published_at, briefs.c.id)
                .limit(1)
            )
        return _brief(data) if data is not None else None

    def find_stories(self, stories: Sequence[str]) -> dict[str, Brief]:
        """`find_story` for many story keys in one query: the earliest brief of each."""
        found: dict[str, Brief] = {}
        wanted = sorted(set(stories))
        with self.store.read() as conn:
            for start in range(0, len(wanted), 500):
                rows = conn.execute(
                    select(briefs.c.story, briefs.c.data)
                    .where(briefs.c.story.in_(wanted[start : start + 500]))
                    .order_by(briefs.c.published_at.desc(), briefs.c.id.desc())
                )
                found.update((row.story, _brief(row.data)) for row in rows)  # earliest last
        return found

    def get_many(self, ids: Sequence[str]) -> dict[str, Brief]:
        """`get` for many ids in one query, by id (the missing ones left out)."""
        found: dict[str, Brief] = {}
        wanted = sorted(set(ids))
        with self.store.read() as conn:
            for start in range(0, len(wanted), 500):
                rows = conn.execute(
                    select(briefs.c.id, briefs.c.data).where(
                        briefs.c.id.in_(wanted[start : start + 500])
                    )
                )
                found.update((row.id, _brief(row.data)) for row in rows)
        return found

    def latest(self, limit: int, offset: int = 0, *, feed: str = "all") -> list[Brief]:
        """A feed's briefs, newest published first."""
        with self.store.read() as conn:
            rows = conn.scalars(
                select(briefs.c.data)
                .join(brief_feeds, brief_feeds.c.brief_id == briefs.c.id)
                .where(brief_feeds.c.feed == feed)
                .order_by(brief_feeds.c.published_at.desc(), briefs.c.id.desc())
                .limit(limit)
                .offset(offset)
            )
            return [_brief(data) for data in rows]

    def count(self, feed: str = "all") -> int:
        """How many briefs a feed holds."""
        with self.store.read() as conn:
            return int(conn.scalar(select(func.count()).where(brief_feeds.c.feed == feed)) or 0)

    def feed_names(self) -> list[str]:
        """Every feed that holds at least one brief, sorted."""
        with self.store.read() as conn:
            return list(conn.scalars(select(brief_feeds.c.feed).distinct().order_by("feed")))

    def changes(
        self, seq: int, *, feed: str | None = None, limit: int | None = None
    ) -> list[Change]:
        """Briefs new or materially changed after `seq`, in change order (hidden ones left
        out: they go in no future digest; so are held ones, until approved)."""
        query = select(briefs.c.seq, briefs.c.edits, briefs.c.data).where(
            briefs.c.seq > seq, briefs.c.hidden_at.is_(None), briefs.c.review.is_(None)
        )
        if feed is not None:
            query = query.join(brief_feeds, brief_feeds.c.brief_id == briefs.c.id).where(
                brief_feeds.c.feed == feed
            )
        query = query.order_by(briefs.c.seq).limit(limit)
        with self.store.read() as conn:
            return [Change(r.seq, r.edits, _brief(r.data)) for r in conn.execute(query)]

    def since(self, seq: int, *, feed: str | None = None) -> list[Brief]:
        """Briefs new or materially changed after `seq`, in change order."""
        return [change.brief for change in self.changes(seq, feed=feed)]

    def max_seq(self) -> int:
        """The highest seq given to a brief (0 when there are none)."""
        with self.store.read() as conn:
            return int(conn.scalar(select(func.max(briefs.c.seq))) or 0)

    def upsert(
        self,
        conn: Connection,
        brief: Brief,
        *,
        story: str,
        feeds: Sequence[str] | None = None,
        material: bool = True,
        material_hash: str | None = None,
        source_id: str = "",
    ) -> Outcome:
        """Insert or update a brief inside the caller's transaction.

        `feeds` defaults to `feeds_for(brief)`; `all` is always included. `material_hash`
        is the hash of what readers see (default `material_sha256(brief)`). A brief whose
        hash and feeds are unchanged is "unchanged" (its stored JSON is still refreshed).
        A change is "updated"; when `material`, it also takes a new seq and counts as an
        edit, so feeds move its `updated` and digests may mention it. The id never changes.
        """
        names = list(dict.fromkeys(["all", *(feeds if feeds is not None else feeds_for(brief))]))
        sha = material_hash or material_sha256(brief)
        values: dict[str, Any] = {
            "story": story,
            "agency": brief.agency,
            "title": brief.title,
            "published_at": brief.published,
            "updated_at": brief.updated,
            "content_sha256": sha,
            "data": dumps(brief_to_json(brief)),
        }
        row = conn.execute(_STORED, {"id": brief.id}).first()
        if row is None:
            seq = next_seq(conn, self.store.clock())
            review = "held" if self.hold(brief, source_id) else None
            conn.execute(
                _INSERT, values | {"id": brief.id, "seq": seq, "edits": 0, "review": review}
            )
            if review is not None:
                _held(conn, brief, self.store.clock())
            self._sync_feeds(conn, brief, names, None, review, True)  # new: no rows to drop
            return "new"
        # A hidden brief's feeds are kept among its tombstones: an edit does not unhide it;
        # a held one's stay held.
        table = _table(row.hidden_at, row.review)
        had = set(conn.scalars(select(table.c.feed).where(table.c.brief_id == brief.id)))
        changed = row.content_sha256 != sha or had != set(names)
        if changed and material:
            values["seq"] = next_seq(conn, self.store.clock())
            values["edits"] = briefs.c.edits + 1
        if changed or row.data != values["data"]:
            values["problem"] = None  # a new version is judged afresh by the next publish
            conn.execute(briefs.update().where(briefs.c.id == brief.id).values(**values))
            self._sync_feeds(conn, brief, names, row.hidden_at, row.review)
        return "updated" if changed else "unchanged"

    def _sync_feeds(
        self,
        conn: Connection,
        brief: Brief,
        names: list[str],
        hidden_at: datetime | None = None,
        review: str | None = None,
        fresh: bool = False,
    ) -> None:
        """Replace a brief's feed rows (`fresh`: a brief just inserted has none to drop)."""
        table = _table(hidden_at, review)
        if not fresh:
            conn.execute(delete(table).where(table.c.brief_id == brief.id))
        rows = [{"feed": n, "brief_id": brief.id, "published_at": brief.published} for n in names]
        if hidden_at is not None:
            rows = [r | {"hidden_at": hidden_at} for r in rows]
        conn.execute(insert(table), rows)


def _table(hidden_at: datetime | None, review: str | None) -> Any:
    """Where a brief's feed memberships live: tombstones, held_feeds or brief_feeds."""
    if hidden_at is not None:
        return tombstones
    return held_feeds if review is not None else brief_feeds


def _held(conn: Connection, brief: Brief, now: datetime) -> None:
    engine = brief.provenance.engine[:64]
    conn.execute(insert(schema.reviews).values(brief_id=brief.id, held_at=now, engine=engine))


def next_seq(conn: Connection, now: datetime) -> int:
    """Bump the store-wide counter; the row stays locked until the transaction ends."""
    value = conn.scalar(_BUMP, {"now": now})
    if value is None:  # the first brief: start from what is there (0 on a new store)
        start = str(conn.scalar(select(func.max(briefs.c.seq))) or 0)
        insert_ignore(conn, meta, {"key": SEQ_KEY, "value": start, "updated_at": now}, ["key"])
        value = conn.scalar(_BUMP, {"now": now})
    return int(value)


# Statements a poll runs for every brief, built once (their values are parameters), so
# SQLAlchemy does not build and key a new statement each time.
_STORED = select(briefs.c.content_sha256, briefs.c.data, briefs.c.hidden_at, briefs.c.review).where(
    briefs.c.id == bindparam("id")
)
_INSERT = insert(briefs)
_BUMP = (
    meta.update()
    .where(meta.c.key == SEQ_KEY)
    .values(value=cast(cast(meta.c.value, Integer) + 1, String), updated_at=bindparam("now"))
    .returning(meta.c.value)
)
