"""Polling state per source: validators, schedule, consecutive failures, flood holds, and
its health (ok, broken, stalled, blocked; why; since when) with the cross-check's findings.

Input: the outcome of one poll (success, 304, failure) and the caller's clock.
Output: `SourceState` values. A row is created by a source's first recorded poll.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, Row, func, select

from syndicate.codec import dumps, loads
from syndicate.errors import StoreError
from syndicate.model import Validators
from syndicate.store import schema
from syndicate.store.dialects import insert_ignore

if TYPE_CHECKING:
    from syndicate.store.core import Store

sources = schema.sources
items = schema.items

# `held_reason` after the operator released a hold: the next successful poll takes the
# held flood of new items once, and clears this marker.
RELEASED = "released"


@dataclass(frozen=True)
class SourceState:
    """What the store remembers about one source between polls."""

    id: str
    url: str
    moved_to: str | None
    validators: Validators
    last_poll_at: datetime | None
    last_success_at: datetime | None
    next_poll_at: datetime | None
    failures: int
    last_error: str | None
    last_status: int | None
    crawl_delay: float | None
    held_reason: str | None
    polls: int
    items: int
    health: str | None = None  # ok, broken, stalled, blocked; None before its first judgement
    health_reason: str | None = None
    health_since: datetime | None = None
    cross_checked_at: datetime | None = None
    cross_report: dict[str, Any] | None = None

    @property
    def held(self) -> bool:
        """True while new items are held for the operator."""
        return self.held_reason is not None and self.held_reason != RELEASED


def _state(row: Row[Any]) -> SourceState:
    m = row._mapping
    return SourceState(
        id=m["id"],
        url=m["url"],
        moved_to=m["moved_to"],
        validators=Validators(etag=m["etag"], last_modified=m["last_modified"]),
        last_poll_at=m["last_poll_at"],
        last_success_at=m["last_success_at"],
        next_poll_at=m["next_poll_at"],
        failures=m["failures"],
        last_error=m["last_error"],
        last_status=m["last_status"],
        crawl_delay=m["crawl_delay"],
        held_reason=m["held_reason"],
        polls=m["polls"],
        items=m["item_count"],
        health=m["health"],
        health_reason=m["health_reason"],
        health_since=m["health_since"],
        cross_checked_at=m["cross_checked_at"],
        cross_report=loads(m["cross_report"]) if m["cross_report"] else None,
    )


def _query() -> Any:
    count = (
        select(func.count())
        .where(items.c.source_id == sources.c.id)
        .scalar_subquery()
        .label("item_count")
    )
    return select(sources, count)


class Sources:
    """The `sources` table."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def state(self, source_id: str) -> SourceState | None:
        """The remembered state of one source; None before its first poll."""
        with self.store.read() as conn:
            row = conn.execute(_query().where(sources.c.id == source_id)).first()
        return _state(row) if row is not None else None

    def all(self) -> list[SourceState]:
        """Every source with state, by id."""
        with self.store.read() as conn:
            return [_state(row) for row in conn.execute(_query().order_by(sources.c.id))]

    def due(self, now: datetime, among: Iterable[str] | None = None) -> list[str]:
        """Ids due for a poll: next poll time reached, or never polled.

        With `among` (the configured ids), sources without state count as due and sources
        no longer configured are left out; the order of `among` is kept.
        """
        with self.store.read() as conn:
            rows = conn.execute(select(sources.c.id, sources.c.next_poll_at)).all()
        when = {row.id: row.next_poll_at for row in rows}
        ids = list(among) if among is not None else sorted(when)
        return [i for i in ids if when.get(i) is None or when[i] <= now]

    def record_success(
        self,
        source_id: str,
        *,
        url: str,
        now: datetime,
        validators: Validators,
        next_poll_at: datetime,
        status: int,
        moved_to: str | None = None,
    ) -> None:
        """A poll returned a document: remember its validators, reset failures.

        `moved_to` records a permanent redirect's target; None keeps the one remembered.
        A `RELEASED` marker is consumed (a hold set during this poll stays).
        """
        values: dict[str, Any] = {
            "url": url,
            "etag": validators.etag,
            "last_modified": validators.last_modified,
            "last_poll_at": now,
            "last_success_at": now,
            "next_poll_at": next_poll_at,
            "failures": 0,
            "last_error": None,
            "last_status": status,
            "polls": sources.c.polls + 1,
        }
        if moved_to is not None:
            values["moved_to"] = moved_to
        with self.store.begin() as conn:
            self._ensure(conn, source_id, url)
            conn.execute(sources.update().where(sources.c.id == source_id).values(**values))
            conn.execute(
                sources.update()
                .where(sources.c.id == source_id, sources.c.held_reason == RELEASED)
                .values(held_reason=None)
            )

    def record_not_modified(self, source_id: str, *, now: datetime, next_poll_at: datetime) -> None:
        """A conditional GET answered 304 (RFC 9110 section 15.4.5): a success, nothing new."""
        with self.store.begin() as conn:
            done = conn.execute(
                sources.update()
                .where(sources.c.id == source_id)
                .values(
                    last_poll_at=now,
                    last_success_at=now,
                    next_poll_at=next_poll_at,
                    failures=0,
                    last_error=None,
                    last_status=304,
                    polls=sources.c.polls + 1,
                )
            )
            if done.rowcount == 0:
                raise StoreError(f"store: 304 recorded for {source_id}, which was never polled")

    def record_failure(
        self,
        source_id: str,
        *,
        url: str,
        now: datetime,
        error: str,
        status: int | None,
        next_poll_at: datetime,
    ) -> int:
        """A poll failed: count it (consecutive failures); returns the new count."""
        with self.store.begin() as conn:
            self._ensure(conn, source_id, url)
            conn.execute(
                sources.update()
                .where(sources.c.id == source_id)
                .values(
                    last_poll_at=now,
                    next_poll_at=next_poll_at,
                    failures=sources.c.failures + 1,
                    last_error=error,
                    last_status=status,
                    polls=sources.c.polls + 1,
                )
            )
            count = conn.scalar(select(sources.c.failures).where(sources.c.id == source_id))
        return int(count or 0)

    def schedule(self, source_id: str, next_poll_at: datetime | None) -> None:
        """Move a source's next poll (None: poll at the next chance)."""
        self._set(source_id, next_poll_at=next_poll_at)

    def set_crawl_delay(self, source_id: str, seconds: float | None) -> None:
        """Remember the crawl delay robots.txt asks for."""
        self._set(source_id, crawl_delay=seconds)

    def hold(self, source_id: str, reason: str) -> None:
        """Hold a source's new items for the operator (a flood of new ids, say)."""
        self._set(source_id, held_reason=reason)

    def release(self, source_id: str) -> None:
        """Lift a hold: the next successful poll takes the held items (see `RELEASED`)."""
        self._set(source_id, held_reason=RELEASED)

    def set_cross_report(self, source_id: str, at: datetime, report: dict[str, Any]) -> None:
        """Record what the source's cross-check found, and when it read the other document."""
        self._set(source_id, cross_checked_at=at, cross_report=dumps(report))

    def _set(self, source_id: str, **values: Any) -> None:
        with self.store.begin() as conn:
            done = conn.execute(sources.update().where(sources.c.id == source_id).values(values))
            if done.rowcount == 0:
                raise StoreError(f"store: no state for source {source_id!r}")

    def _ensure(self, conn: Connection, source_id: str, url: str) -> None:
        insert_ignore(
            conn, sources, {"id": source_id, "url": url, "failures": 0, "polls": 0}, ["id"]
        )
