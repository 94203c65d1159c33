"""The `Store`: one engine, its transactions, and the table groups hung off it.

Input: an SQLAlchemy engine made by `syndicate.store.engine`. Output: connections inside
transactions, every database error turned into a `StoreError` whose message starts `store:`.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Literal

from sqlalchemy import Connection, Engine, text

from syndicate.clock import Clock, utc_now
from syndicate.errors import StoreError
from syndicate.store import schema
from syndicate.store.ai import AIJobs
from syndicate.store.briefs import Briefs
from syndicate.store.deliveries import Deliveries
from syndicate.store.desk import Desk
from syndicate.store.dialects import insert_ignore, upsert
from syndicate.store.engine import WRITE, wrapped
from syndicate.store.feeds import Feeds
from syndicate.store.items import Items
from syndicate.store.meta import Meta
from syndicate.store.polls import Polls
from syndicate.store.sources import Sources
from syndicate.store.subscribers import Subscribers
from syndicate.store.takedown import Takedowns
from syndicate.store.throttle import Throttle

__all__ = ["Dialect", "Store", "insert_ignore", "upsert"]  # the upserts: for the table groups

Dialect = Literal["sqlite", "postgresql"]
OPTIMIZE_SQLITE = (
    "PRAGMA optimize",
    "PRAGMA incremental_vacuum",  # the database is created with auto_vacuum = INCREMENTAL
    "PRAGMA wal_checkpoint(TRUNCATE)",
)


class Store:
    """Everything durable. Table groups are attributes: `store.sources.state(...)`."""

    def __init__(self, engine: Engine, *, path: Path | None = None, clock: Clock = utc_now) -> None:
        self.engine = engine
        self.clock = clock  # dates the rows whose caller gives no time of its own
        name = engine.dialect.name
        if name not in ("sqlite", "postgresql"):
            raise StoreError(f"store: unsupported database {name!r} (sqlite or postgresql)")
        self.dialect: Dialect = "sqlite" if name == "sqlite" else "postgresql"
        self.path = path  # the SQLite file; None for PostgreSQL or an in-memory database
        self.sources = Sources(self)
        self.polls = Polls(self)
        self.items = Items(self)
        self.briefs = Briefs(self)
        self.meta = Meta(self)
        self.feeds = Feeds(self)
        self.subscribers = Subscribers(self)
        self.deliveries = Deliveries(self)
        self.throttle = Throttle(self)
        self.takedowns = Takedowns(self)
        self.ai = AIJobs(self)
        self.desk = Desk(self)

    def __repr__(self) -> str:
        return f"Store({self.engine.url.render_as_string(hide_password=True)!r})"

    @contextmanager
    def begin(self) -> Iterator[Connection]:
        """A write transaction: committed when the block ends, rolled back on any error."""
        with wrapped("write failed"), self.engine.connect() as conn:
            conn.execution_options(**{WRITE: True})
            with conn.begin():
                yield conn

    @contextmanager
    def read(self) -> Iterator[Connection]:
        """A read-only transaction; on SQLite it never waits for a writer (WAL)."""
        with wrapped("read failed"), self.engine.connect() as conn, conn.begin():
            yield conn

    def close(self) -> None:
        """Release the locks this store holds and close its connections."""
        self.meta.release_all()
        self.engine.dispose()

    def prune_raw(self, older_than: datetime) -> int:
        """Drop the fetched page bytes of items not updated since `older_than`; how many."""
        items = schema.items
        with self.begin() as conn:
            result = conn.execute(
                items.update()
                .where(items.c.raw.is_not(None), items.c.updated_at < older_than)
                .values(raw=None)
            )
            return result.rowcount

    def optimize(self) -> None:
        """Housekeeping: refresh the planner's statistics and give back free pages."""
        with wrapped("optimize failed"):
            if self.dialect == "postgresql":
                with self.engine.connect() as conn:
                    conn.execute(text("ANALYZE"))
                    conn.commit()
                return
            # Outside any transaction: a WAL checkpoint cannot finish inside one.
            raw = self.engine.raw_connection()
            try:
                cursor = raw.cursor()
                for pragma in OPTIMIZE_SQLITE:
                    cursor.execute(pragma).fetchall()  # each step runs as its rows are read
                cursor.close()
            finally:
                raw.close()
