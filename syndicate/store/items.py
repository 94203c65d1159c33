"""Releases seen per source: identity, content hash, status, and the brief made from each.

Input: an `Item` (its `key` is the identity rule's result), what was fetched and extracted,
and optionally its `Brief`. Output: `KnownItem` values and what a save did.

`save` writes an item and its brief in ONE transaction, so an item is never marked seen
without the brief made from it, and a failed brief write leaves the item unseen.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any, Literal

from sqlalchemy import Connection, Row, func, insert, select

from syndicate.codec import article_from_json, article_to_json, dumps, loads
from syndicate.errors import StoreError
from syndicate.model import Article, Brief, Item
from syndicate.store import schema
from syndicate.store.briefs import Outcome
from syndicate.store.engine import wrapped

if TYPE_CHECKING:
    from syndicate.store.core import Store

# new: seen, not yet briefed; briefed: its brief is stored; held: kept back for the operator
# (a flood of new ids); rejected: its brief failed the faithfulness check (reason kept);
# failed: fetching or extracting its page failed (reason kept).
ItemStatus = Literal["new", "briefed", "held", "rejected", "failed"]

items = schema.items
CHUNK = 500  # keys per IN (...) list; well under SQLite's bound-parameter limit


@dataclass(frozen=True)
class KnownItem:
    """What the store remembers of one release."""

    id: int
    source_id: str
    key: str
    url: str
    title: str
    guid: str | None
    published_at: datetime | None
    first_seen_at: datetime
    updated_at: datetime
    content_sha256: str | None
    fingerprint: str | None
    status: str
    reason: str | None
    brief_id: str | None
    versions: int


_COLUMNS = [getattr(items.c, f) for f in KnownItem.__dataclass_fields__]


def _known(row: Row[Any]) -> KnownItem:
    return KnownItem(**row._mapping)


class Items:
    """The `items` table."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def known(self, source_id: str, keys: Iterable[str]) -> dict[str, KnownItem]:
        """The items of a source among `keys`, by key."""
        wanted = list(dict.fromkeys(keys))
        found: dict[str, KnownItem] = {}
        with self.store.read() as conn:
            for start in range(0, len(wanted), CHUNK):
                rows = conn.execute(
                    select(*_COLUMNS).where(
                        items.c.source_id == source_id,
                        items.c.key.in_(wanted[start : start + CHUNK]),
                    )
                )
                found.update((row.key, _known(row)) for row in rows)
        return found

    def get(self, item_id: int) -> KnownItem | None:
        """One item by id."""
        with self.store.read() as conn:
            row = conn.execute(select(*_COLUMNS).where(items.c.id == item_id)).first()
        return _known(row) if row is not None else None

    def count(self, source_id: str) -> int:
        """How many items a source has had."""
        with self.store.read() as conn:
            return int(conn.scalar(select(func.count()).where(items.c.source_id == source_id)) or 0)

    def find_by_url(self, url: str) -> KnownItem | None:
        """The first item seen at a (normalised) URL on any source: a cross-source duplicate."""
        with self.store.read() as conn:
            row = conn.execute(
                select(*_COLUMNS).where(items.c.url == url).order_by(items.c.id).limit(1)
            ).first()
        return _known(row) if row is not None else None

    def first_by_urls(self, urls: Iterable[str]) -> dict[str, KnownItem]:
        """`find_by_url` for many (normalised) URLs in one query per chunk, by URL."""
        wanted = sorted(set(urls))
        found: dict[str, KnownItem] = {}
        with self.store.read() as conn:
            for start in range(0, len(wanted), CHUNK):
                query = (
                    select(*_COLUMNS)
                    .where(items.c.url.in_(wanted[start : start + CHUNK]))
                    .order_by(items.c.id.desc())
                )
                found.update((row.url, _known(row)) for row in conn.execute(query))  # first last
        return found

    def with_status(
        self, status: ItemStatus, *, source_id: str | None = None, limit: int | None = None
    ) -> list[KnownItem]:
        """Items in one status, oldest first (e.g. held items awaiting the operator)."""
        query = select(*_COLUMNS).where(items.c.status == status)
        if source_id is not None:
            query = query.where(items.c.source_id == source_id)
        with self.store.read() as conn:
            return [_known(r) for r in conn.execute(query.order_by(items.c.id).limit(limit))]

    def set_status(self, item_id: int, status: ItemStatus, reason: str | None = None) -> None:
        """Change one item's status (and its reason)."""
        with self.store.begin() as conn:
            done = conn.execute(
                items.update().where(items.c.id == item_id).values(status=status, reason=reason)
            )
        if done.rowcount == 0:
            raise StoreError(f"store: no item {item_id}")

    def release_held(self, source_id: str) -> int:
        """Return a source's held items to `new`, to be processed; how many."""
        with self.store.begin() as conn:
            done = conn.execute(
                items.update()
                .where(items.c.source_id == source_id, items.c.status == "held")
                .values(status="new", reason=None)
            )
        return done.rowcount

    def article(self, item_id: int) -> Article | None:
        """The extracted article stored with an item."""
        with self.store.read() as conn:
            data = conn.scalar(select(items.c.article).where(items.c.id == item_id))
        return article_from_json(loads(data)) if data else None

    def raw(self, item_id: int) -> bytes | None:
        """The page bytes stored with an item (None once pruned)."""
        with self.store.read() as conn:
            data = conn.scalar(select(items.c.raw).where(items.c.id == item_id))
        return bytes(data) if data is not None else None

    def note_failure(self, item: Item, *, now: datetime, reason: str) -> bool:
        """Remember a release seen for the first time whose page could not be read yet
        (status `failed`, no fingerprint, so the next poll tries it again); an item already
        known is left as it is. True when it was recorded. Without this, releases a slow
        host kept from being read would look brand new next time, and a few of them would
        trip the flood hold."""
        values = {
            "source_id": item.source_id, "key": item.key, "guid": item.guid, "url": item.url,
            "title": item.title, "published_at": item.published, "first_seen_at": now,
            "updated_at": now, "status": "failed", "reason": reason, "versions": 1,
        }  # fmt: skip
        with self.store.begin() as conn:
            exists = conn.execute(
                select(items.c.id).where(
                    items.c.source_id == item.source_id, items.c.key == item.key
                )
            ).first()
            if exists is not None:
                return False
            conn.execute(insert(items).values(**values))
        return True

    def save(
        self,
        item: Item,
        *,
        now: datetime,
        status: ItemStatus | None = None,
        content_sha256: str | None = None,
        fingerprint: str | None = None,
        article: Article | None = None,
        raw: bytes | None = None,
        fetched_at: datetime | None = None,
        reason: str | None = None,
        brief: Brief | None = None,
        story: str | None = None,
        feeds: Sequence[str] | None = None,
        material: bool = True,
        material_hash: str | None = None,
    ) -> Outcome:
        """Record one release, and its brief when given, in one transaction.

        First sight inserts ("new"), and so does the first brief of an item seen before
        without one (held, or its page failed). A known item whose content hash changed is an edit:
        `versions` goes up ("updated") and the brief, if given, is updated in place (same
        id). Otherwise the item is "unchanged", though its status, reason, article and brief
        link are refreshed. `status` defaults to briefed (with a brief), rejected (with a
        reason) or new. `story` defaults to the brief's id; see `Briefs.upsert`.
        """
        save = Save(
            item, now, status, content_sha256, fingerprint, article, raw, fetched_at, reason,
            brief, story, feeds, material, material_hash,
        )  # fmt: skip
        with self.store.begin() as conn:
            return self._save(conn, save, _LOOK)

    def save_many(self, saves: Sequence[Save]) -> list[Outcome | StoreError]:
        """Record a source's releases in ONE transaction, each in its own savepoint: a
        release whose write fails is rolled back alone (its error is in its place in the
        list, and it stays unseen for the next poll), the others are kept. Each item is
        still marked seen in the same transaction that stores its brief, and a crash before
        the commit leaves every one of them unseen, so nothing is lost."""
        if not saves:
            return []
        done: list[Outcome | StoreError] = []
        saved: set[tuple[str, str]] = set()
        with self.store.begin() as conn:
            rows = self._rows(conn, saves)
            for save in saves:
                key = _key(save.item)
                # A key met twice in one batch is looked up again: the first save wrote it.
                row = _LOOK if key in saved else rows.get(key)
                saved.add(key)
                try:
                    with wrapped(f"cannot save {save.item.url}"), conn.begin_nested():
                        done.append(self._save(conn, save, row))
                except StoreError as e:
                    done.append(e)
        return done

    def _rows(self, conn: Connection, saves: Sequence[Save]) -> dict[tuple[str, str], Any]:
        """The stored rows of the saves' items, in one query per source and chunk."""
        found: dict[tuple[str, str], Any] = {}
        by_source: dict[str, list[str]] = {}
        for save in saves:
            by_source.setdefault(save.item.source_id, []).append(save.item.key)
        for source_id, keys in by_source.items():
            for start in range(0, len(keys), CHUNK):
                query = select(*_SAVE_COLUMNS).where(
                    items.c.source_id == source_id, items.c.key.in_(keys[start : start + CHUNK])
                )
                found.update(((source_id, r.key), r) for r in conn.execute(query))
        return found

    def _save(self, conn: Connection, save: Save, row: Any = None) -> Outcome:
        """One release written inside the caller's transaction (`row`: its stored row, or
        None when it has none, as `_rows` found; `_LOOK`: looked up here)."""
        item, now, brief = save.item, save.now, save.brief
        status = save.status
        if status is None:
            status = "briefed" if brief is not None else "rejected" if save.reason else "new"
        values: dict[str, Any] = {
            "guid": item.guid,
            "url": item.url,
            "title": item.title,
            "published_at": item.published,
            "updated_at": now,
            "status": status,
            "reason": save.reason,
        }
        if save.content_sha256 is not None:
            values["content_sha256"] = save.content_sha256
        if save.fingerprint is not None:
            values["fingerprint"] = save.fingerprint
        if save.article is not None:
            values["article"] = dumps(article_to_json(save.article))
            values["origin"] = save.article.origin
        if save.raw is not None:
            values["raw"] = save.raw
        if save.fetched_at is not None:
            values["fetched_at"] = save.fetched_at
        if brief is not None:
            values["brief_id"] = brief.id
        if row is _LOOK:
            row = conn.execute(
                select(*_SAVE_COLUMNS).where(
                    items.c.source_id == item.source_id, items.c.key == item.key
                )
            ).first()
        if row is None:
            outcome: Outcome = "new"
            # A statement built once, its values as parameters: SQLAlchemy then skips
            # building and keying a statement per row (a tenth of a first poll's store time).
            values |= {
                "source_id": item.source_id, "key": item.key, "first_seen_at": now, "versions": 1,
            }  # fmt: skip
            conn.execute(_INSERT, values)
        else:
            sha = save.content_sha256
            edited = (
                sha is not None and row.content_sha256 is not None and row.content_sha256 != sha
            )
            outcome = "updated" if edited else "unchanged"
            if brief is not None and row.brief_id is None:
                outcome = "new"  # seen before (held, or its page failed), briefed now
            versions = row.versions + 1 if edited else row.versions
            conn.execute(
                items.update().where(items.c.id == row.id).values(versions=versions, **values)
            )
        if brief is not None:
            self.store.briefs.upsert(
                conn, brief, story=save.story or brief.id, feeds=save.feeds,
                material=save.material, material_hash=save.material_hash,
                source_id=save.item.source_id,
            )  # fmt: skip
        return outcome


@dataclass(frozen=True)
class Save:
    """One release to record (see `Items.save`)."""

    item: Item
    now: datetime
    status: ItemStatus | None = None
    content_sha256: str | None = None
    fingerprint: str | None = None
    article: Article | None = None
    raw: bytes | None = None
    fetched_at: datetime | None = None
    reason: str | None = None
    brief: Brief | None = None
    story: str | None = None
    feeds: Sequence[str] | None = None
    material: bool = True
    material_hash: str | None = None


_SAVE_COLUMNS = (
    items.c.id,
    items.c.key,
    items.c.content_sha256,
    items.c.versions,
    items.c.brief_id,
)
_LOOK = object()  # "not looked up yet" (None is "looked up: no row")
_INSERT = insert(items)


def _key(item: Item) -> tuple[str, str]:
    return item.source_id, item.key
