"""The delivery ledger: one row per (digest, recipient), from made to sent (or failed).

Input: digests to record, a worker's claims and the transport's outcomes. Output:
`Delivery` rows to render and send. The rules that make a crash lose nothing:
- `record` writes a subscriber's ledger rows, the briefs they carry (`sent_briefs`) and the
  advanced cursor in ONE transaction: a digest is either fully owed or not made at all.
- `claim` marks rows `claimed` (with the worker and time) before anything is sent; on
  PostgreSQL with `FOR UPDATE SKIP LOCKED`, so several daemons split the work.
- `sent` is called only after the server accepted the message; a row claimed by a worker
  that died is claimable again once its lease has passed, and is resent with the same
  Message-ID. Nothing else is ever sent twice.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, Table, and_, bindparam, func, or_, select
from sqlalchemy.dialects import postgresql, sqlite

from syndicate.model import Cadence
from syndicate.store import schema
from syndicate.store.dialects import claim

if TYPE_CHECKING:
    from syndicate.store.core import Store

deliveries = schema.deliveries
subscribers = schema.subscribers
sent_briefs = schema.sent_briefs


@dataclass(frozen=True)
class Planned:
    """A digest to enter in the ledger."""

    digest_key: str
    message_id: str
    cadence: Cadence
    brief_ids: tuple[str, ...]
    corrections: tuple[str, ...] = ()
    more: int = 0


@dataclass(frozen=True)
class Owing:
    """Everything one subscriber is owed, recorded together with their new cursor."""

    subscriber_id: int
    cursor: int
    planned: tuple[Planned, ...]


@dataclass(frozen=True)
class Delivery:
    """One ledger row."""

    id: int
    digest_key: str
    subscriber_id: int
    message_id: str
    cadence: Cadence
    brief_ids: tuple[str, ...]
    corrections: tuple[str, ...]
    more: int
    status: str
    attempts: int
    created_at: datetime
    sent_at: datetime | None = None
    reply: str | None = None
    error: str | None = None


def _delivery(row: Any) -> Delivery:
    return Delivery(
        id=row.id,
        digest_key=row.digest_key,
        subscriber_id=row.subscriber_id,
        message_id=row.message_id,
        cadence=row.cadence,
        brief_ids=tuple(json.loads(row.brief_ids)),
        corrections=tuple(json.loads(row.corrections)),
        more=row.more,
        status=row.status,
        attempts=row.attempts,
        created_at=row.created_at,
        sent_at=row.sent_at,
        reply=row.reply,
        error=row.error,
    )


class Deliveries:
    """The `deliveries` and `sent_briefs` tables."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def sent_brief_ids(self, subscriber_ids: Sequence[int]) -> dict[int, set[str]]:
        """The briefs each of these subscribers was already sent (or is owed)."""
        found: dict[int, set[str]] = {i: set() for i in subscriber_ids}
        with self.store.read() as conn:
            for chunk in _chunks(list(subscriber_ids), 500):
                rows = conn.execute(
                    select(sent_briefs.c.subscriber_id, sent_briefs.c.brief_id).where(
                        sent_briefs.c.subscriber_id.in_(chunk)
                    )
                )
                for sid, bid in rows:
                    found[sid].add(bid)
        return found

    def has(self, digest_key: str, subscriber_id: int) -> bool:
        """Whether this digest is already in the ledger for this subscriber."""
        with self.store.read() as conn:
            found = conn.scalar(
                select(deliveries.c.id).where(
                    deliveries.c.digest_key == digest_key,
                    deliveries.c.subscriber_id == subscriber_id,
                )
            )
        return found is not None

    def keyed(self, digest_key: str) -> set[int]:
        """The subscribers who already have a row for this digest key."""
        with self.store.read() as conn:
            rows = conn.scalars(
                select(deliveries.c.subscriber_id).where(deliveries.c.digest_key == digest_key)
            )
            return set(rows)

    def record(self, owings: Sequence[Owing], now: datetime) -> int:
        """Enter digests, their briefs and the subscribers' cursors; how many rows are new.

        One transaction for the whole batch; rows already there (an earlier, crashed run or
        another daemon) are left alone, so recording twice is harmless."""
        rows: list[dict[str, Any]] = [
            {
                "digest_key": plan.digest_key,
                "subscriber_id": owing.subscriber_id,
                "message_id": plan.message_id,
                "cadence": plan.cadence,
                "brief_ids": json.dumps(list(plan.brief_ids)),
                "corrections": json.dumps(list(plan.corrections)),
                "more": plan.more,
                "status": "pending",
                "attempts": 0,
                "created_at": now,
            }
            for owing in owings
            for plan in owing.planned
        ]
        if not owings:
            return 0
        sids = sorted({o.subscriber_id for o in owings})
        keys = sorted({plan.digest_key for owing in owings for plan in owing.planned})
        with self.store.begin() as conn:
            before = self._ids(conn, keys, sids)
            if rows:
                conn.execute(
                    _insert_ignore(conn, deliveries, ["digest_key", "subscriber_id"]), rows
                )
            made = {k: v for k, v in self._ids(conn, keys, sids).items() if k not in before}
            marks = [
                {"subscriber_id": owing.subscriber_id, "brief_id": b, "delivery_id": ident}
                for owing in owings
                for plan in owing.planned
                if (ident := made.get((plan.digest_key, owing.subscriber_id))) is not None
                for b in plan.brief_ids
            ]
            if marks:
                conn.execute(
                    _insert_ignore(conn, sent_briefs, ["subscriber_id", "brief_id"]), marks
                )
            greatest = func.max if conn.dialect.name == "sqlite" else func.greatest
            conn.execute(
                subscribers.update()
                .where(subscribers.c.id == bindparam("sid"))
                .values(
                    last_digest_seq=greatest(subscribers.c.last_digest_seq, bindparam("cursor")),
                    last_digest_at=now,
                ),
                [{"sid": o.subscriber_id, "cursor": o.cursor} for o in owings],
            )
        return len(made)

    def _ids(
        self, conn: Connection, keys: Sequence[str], sids: Sequence[int]
    ) -> dict[tuple[str, int], int]:
        found: dict[tuple[str, int], int] = {}
        for chunk in _chunks(list(sids), 500):
            query = select(deliveries.c.id, deliveries.c.digest_key, deliveries.c.subscriber_id)
            query = query.where(
                deliveries.c.digest_key.in_(keys), deliveries.c.subscriber_id.in_(chunk)
            )
            for ident, key, sid in conn.execute(query):
                found[(key, sid)] = ident
        return found

    def claim(self, worker: str, now: datetime, *, limit: int, lease: float) -> list[Delivery]:
        """Take up to `limit` rows that are due (new, retry time reached, or a dead worker's)."""
        stale = now - timedelta(seconds=lease)
        c = deliveries.c
        # Only a row whose subscriber is still active; EXISTS looks each one up by key
        # (IN (SELECT ...) read every subscriber on every claim).
        active = (
            select(subscribers.c.id)
            .where(subscribers.c.id == c.subscriber_id, subscribers.c.status == "active")
            .exists()
        )
        ways = (
            and_(c.status == "pending", c.next_attempt_at.is_(None), active),  # new
            and_(c.status.in_(("pending", "retry")), c.next_attempt_at <= now, active),
            and_(c.status == "claimed", c.claimed_at < stale, active),  # a dead worker's
        )
        with self.store.begin() as conn:
            rows = claim(conn, deliveries, ways, worker, now, limit)
        return [_delivery(r) for r in rows]

    def sent(self, delivery_id: int, worker: str, reply: str, now: datetime) -> bool:
        """Record the server's acceptance; False when the claim had been taken over."""
        with self.store.begin() as conn:
            done = conn.execute(
                deliveries.update()
                .where(deliveries.c.id == delivery_id, deliveries.c.claimed_by == worker)
                .where(deliveries.c.status == "claimed")
                .values(status="sent", sent_at=now, reply=reply[:1000], error=None)
            ).rowcount
        return bool(done)

    def sent_many(self, worker: str, accepted: Sequence[tuple[int, str, datetime]]) -> int:
        """`sent` for several (id, reply, time) at once, in one statement; how many."""
        if not accepted:
            return 0
        c = deliveries.c
        mark = (
            deliveries.update()
            .where(c.id == bindparam("row"), c.claimed_by == worker, c.status == "claimed")
            .values(status="sent", sent_at=bindparam("at"), reply=bindparam("said"), error=None)
        )
        rows = [{"row": i, "at": at, "said": reply[:1000]} for i, reply, at in accepted]
        with self.store.begin() as conn:
            if conn.dialect.supports_sane_multi_rowcount:  # SQLite, psycopg: one executemany
                return int(conn.execute(mark, rows).rowcount)
            return sum(conn.execute(mark, [r]).rowcount for r in rows)

    def retry(
        self, delivery_id: int, worker: str, error: str, at: datetime, *, max_attempts: int
    ) -> str:
        """A transient failure: try again at `at`, or give up after `max_attempts`."""
        with self.store.begin() as conn:
            attempts = conn.scalar(
                select(deliveries.c.attempts).where(deliveries.c.id == delivery_id)
            )
            status = "failed" if (attempts or 0) >= max_attempts else "retry"
            conn.execute(
                deliveries.update()
                .where(deliveries.c.id == delivery_id, deliveries.c.claimed_by == worker)
                .where(deliveries.c.status == "claimed")
                .values(status=status, next_attempt_at=at, error=error[:1000])
            )
        return status

    def fail(self, delivery_id: int, worker: str, error: str, *, bounce_after: int) -> bool:
        """A permanent failure: the row fails and counts toward bouncing its subscriber.

        True when the subscriber is now `bounced`."""
        with self.store.begin() as conn:
            row = conn.execute(
                deliveries.update()
                .where(deliveries.c.id == delivery_id, deliveries.c.claimed_by == worker)
                .where(deliveries.c.status == "claimed")
                .values(status="failed", error=error[:1000])
                .returning(deliveries.c.subscriber_id)
            ).first()
            if row is None:
                return False
            sid = row.subscriber_id
            conn.execute(
                subscribers.update()
                .where(subscribers.c.id == sid)
                .values(bounces=subscribers.c.bounces + 1)
            )
            bounces = conn.scalar(select(subscribers.c.bounces).where(subscribers.c.id == sid))
            if (bounces or 0) < bounce_after:
                return False
            conn.execute(
                subscribers.update()
                .where(subscribers.c.id == sid, subscribers.c.status == "active")
                .values(status="bounced")
            )
        return True

    def cancel_inactive(self, now: datetime) -> int:
        """Rows still owed to subscribers who left or bounced are dropped as failed."""
        with self.store.begin() as conn:
            return conn.execute(
                deliveries.update()
                .where(
                    deliveries.c.status.in_(("pending", "retry")),
                    deliveries.c.subscriber_id.in_(
                        select(subscribers.c.id).where(subscribers.c.status != "active")
                    ),
                )
                .values(status="failed", error="subscriber is no longer active")
            ).rowcount

    def next_due(self) -> datetime | None:
        """When the earliest waiting retry falls due (None when nothing waits)."""
        with self.store.read() as conn:
            found: datetime | None = conn.scalar(
                select(func.min(deliveries.c.next_attempt_at)).where(deliveries.c.status == "retry")
            )
        return found

    def overdue(
        self, due_before: datetime, claimed_before: datetime
    ) -> tuple[int, datetime | None]:
        """Messages stuck in the ledger: due before `due_before` and not sent (pending, or
        waiting to retry), or claimed before `claimed_before` and never confirmed; how many,
        and the oldest one's due time."""
        d = deliveries
        due = func.coalesce(d.c.next_attempt_at, d.c.created_at)
        waiting = and_(d.c.status.in_(("pending", "retry")), due < due_before)
        claimed = and_(d.c.status == "claimed", d.c.claimed_at < claimed_before)
        with self.store.read() as conn:
            row = conn.execute(
                select(
                    func.count(),
                    func.min(func.coalesce(d.c.claimed_at, due), type_=schema.UtcDateTime()),
                ).where(or_(waiting, claimed))
            ).one()
        return int(row[0] or 0), row[1]

    def counts(self) -> dict[str, int]:
        """How many rows are in each status."""
        with self.store.read() as conn:
            rows = conn.execute(
                select(deliveries.c.status, func.count()).group_by(deliveries.c.status)
            )
            return {status: int(n) for status, n in rows}

    def page(self, after_id: int = 0, limit: int = 100) -> list[Delivery]:
        """Ledger rows in id order, after `after_id` (for listings and tools)."""
        with self.store.read() as conn:
            rows = conn.execute(
                select(deliveries)
                .where(deliveries.c.id > after_id)
                .order_by(deliveries.c.id)
                .limit(limit)
            )
            return [_delivery(r) for r in rows]

    def for_subscriber(self, subscriber_id: int) -> list[Delivery]:
        """A subscriber's ledger rows, oldest first."""
        with self.store.read() as conn:
            rows = conn.execute(
                select(deliveries)
                .where(deliveries.c.subscriber_id == subscriber_id)
                .order_by(deliveries.c.id)
            )
            return [_delivery(r) for r in rows]


def _insert_ignore(conn: Connection, table: Table, keys: list[str]) -> Any:
    """An INSERT that skips rows whose `keys` already exist (for executemany)."""
    if conn.dialect.name == "postgresql":
        return postgresql.insert(table).on_conflict_do_nothing(index_elements=keys)
    return sqlite.insert(table).on_conflict_do_nothing(index_elements=keys)


def _chunks(items: list[int], size: int) -> list[list[int]]:
    return [items[i : i + size] for i in range(0, len(items), size)]
