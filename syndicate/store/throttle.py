"""Store access for rate limits: fixed-window counters in the `throttle` table.

Input: a key naming who is limited (`subscribe-ip:203.0.113.9`, `confirm:a@example.org`), a
limit, a window and the time. Output: how long that caller must wait (0 when the attempt is
allowed and counted). Counting happens in one write transaction, so two web workers (or two
daemons on one PostgreSQL) never both take the last slot.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from syndicate.store import schema

if TYPE_CHECKING:
    from syndicate.store.core import Store

# Callers choose short keys; anything longer than the column is cut here.
MAX_KEY = 256


class Throttle:
    """Rolling counters for the web side's rate limits."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def take(self, key: str, limit: int, window: timedelta, *, now: datetime) -> float:
        """Count one attempt under `key`; seconds to wait when `limit` is used up, else 0."""
        # core imports this module to build the Store, so its helper is imported late.
        from syndicate.store.core import insert_ignore

        table = schema.throttle
        key = key[:MAX_KEY]
        with self.store.begin() as conn:
            insert_ignore(conn, table, {"key": key, "window_start": now, "count": 0}, ["key"])
            query = table.select().where(table.c.key == key)
            if self.store.dialect == "postgresql":
                query = query.with_for_update()
            row = conn.execute(query).one()._mapping
            start: datetime = row["window_start"]
            if start + window <= now:
                values = {"window_start": now, "count": 1}
            elif row["count"] >= limit:
                return max((start + window - now).total_seconds(), 1.0)
            else:
                values = {"count": row["count"] + 1}
            conn.execute(table.update().where(table.c.key == key).values(**values))
            return 0.0

    def prune(self, older_than: datetime) -> int:
        """Drop counters whose window started before `older_than`; how many."""
        table = schema.throttle
        with self.store.begin() as conn:
            return conn.execute(table.delete().where(table.c.window_start < older_than)).rowcount

    def reset(self, key: str) -> None:
        """Forget one counter (an operator lifting a limit)."""
        table = schema.throttle
        with self.store.begin() as conn:
            conn.execute(table.delete().where(table.c.key == key[:MAX_KEY]))
