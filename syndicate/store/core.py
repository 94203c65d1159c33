"""The `Store`: one engine, its transactions, and the table groups hung off it.

Input: an SQLAlchemy engine made by `syndicate.store.engine`. Output: connections inside
transactions, every database error turned into a `StoreError` whose message starts `store:`.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any, Literal

from sqlalchemy import Connection, Engine, Table, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import SQLAlchemyError

from syndicate.errors import StoreError
from syndicate.store import schema
from syndicate.store.briefs import Briefs
from syndicate.store.deliveries import Deliveries
from syndicate.store.engine import WRITE
from syndicate.store.feeds import Feeds
from syndicate.store.items import Items
from syndicate.store.meta import Meta
from syndicate.store.sources import Sources
from syndicate.store.subscribers import Subscribers
from syndicate.store.throttle import Throttle

Dialect = Literal["sqlite", "postgresql"]


@contextmanager
def wrapped(what: str) -> Iterator[None]:
    """Turn SQLAlchemy's errors into `StoreError("store: <what>: ...")`."""
    try:
        yield
    except SQLAlchemyError as exc:
        detail = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]
        raise StoreError(f"store: {what}: {detail}") from exc


class Store:
    """Everything durable. Table groups are attributes: `store.sources.state(...)`."""

    def __init__(self, engine: Engine, *, path: Path | None = None) -> None:
        self.engine = engine
        name = engine.dialect.name
        if name not in ("sqlite", "postgresql"):
            raise StoreError(f"store: unsupported database {name!r} (sqlite or postgresql)")
        self.dialect: Dialect = "sqlite" if name == "sqlite" else "postgresql"
        self.path = path  # the SQLite file; None for PostgreSQL or an in-memory database
        self.sources = Sources(self)
        self.items = Items(self)
        self.briefs = Briefs(self)
        self.meta = Meta(self)
        self.feeds = Feeds(self)
        self.subscribers = Subscribers(self)
        self.deliveries = Deliveries(self)
        self.throttle = Throttle(self)

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
        with wrapped("optimize failed"), self.engine.connect() as conn:
            if self.dialect == "sqlite":
                conn.exec_driver_sql("PRAGMA optimize")
                conn.exec_driver_sql("PRAGMA incremental_vacuum")
                conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
            else:
                conn.execute(text("ANALYZE"))
            conn.commit()


def insert_ignore(
    conn: Connection, table: Table, values: Mapping[str, Any], keys: list[str]
) -> bool:
    """Insert a row unless one with the same `keys` exists; True when it was inserted."""
    stmt: Any
    if conn.dialect.name == "postgresql":
        stmt = postgresql.insert(table).values(**values).on_conflict_do_nothing(index_elements=keys)
    else:
        stmt = sqlite.insert(table).values(**values).on_conflict_do_nothing(index_elements=keys)
    return bool(conn.execute(stmt).rowcount)
