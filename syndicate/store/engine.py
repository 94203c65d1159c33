"""A database URL -> a configured SQLAlchemy engine (SQLite in WAL mode, or PostgreSQL).

Input: `sqlite:///path/to/file.db`, a bare file path, `sqlite://` (in memory, for tests) or
`postgresql://user@host/db` (any `postgres`/`postgresql` scheme is driven by psycopg 3).
Output: the engine and, for SQLite, the database file's path; `wrapped` turns database
errors into `StoreError`.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, SQLAlchemyError
from sqlalchemy.pool import StaticPool

from syndicate.errors import StoreError

BUSY_TIMEOUT_MS = 30_000
# Execution option read by the SQLite "begin" hook: a write transaction starts with BEGIN
# IMMEDIATE, so it waits (busy_timeout) for the write lock up front instead of failing with
# "database is locked" when a read lock cannot be upgraded to a write lock.
WRITE = "syndicate_write"


@contextmanager
def wrapped(what: str) -> Iterator[None]:
    """Turn SQLAlchemy's errors into `StoreError("store: <what>: ...")`."""
    try:
        yield
    except SQLAlchemyError as exc:
        detail = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]
        raise StoreError(f"store: {what}: {detail}") from exc


def url_of(value: str) -> URL:
    """Parse a store URL, mapping PostgreSQL to psycopg 3 and bare paths to SQLite."""
    if "://" not in value:
        return URL.create("sqlite", database=str(Path(value).expanduser()))
    try:
        url = make_url(value)
    except ArgumentError as exc:
        raise StoreError(f"store: bad database URL {value!r}: {exc}") from exc
    backend = url.get_backend_name()
    if backend in ("postgres", "postgresql"):
        return url.set(drivername="postgresql+psycopg")
    if backend != "sqlite":
        raise StoreError(f"store: unsupported database URL {value!r} (sqlite or postgresql)")
    return url


def sqlite_path(url: URL) -> Path | None:
    """The database file of an SQLite URL; None when the database lives in memory."""
    name = url.database or ""
    if name in ("", ":memory:") or name.startswith("file:"):
        return None
    return Path(name)


def make(url: URL) -> tuple[Engine, Path | None]:
    """An engine for `url`; SQLite gets its folder created and its pragmas on every connect."""
    if url.get_backend_name() == "postgresql":
        engine = create_engine(url, pool_pre_ping=True, pool_size=5, max_overflow=10)
        return engine, None
    path = sqlite_path(url)
    kwargs: dict[str, Any] = {}
    if path is None:
        # One shared connection, or every new connection would see an empty database.
        kwargs["poolclass"] = StaticPool
    else:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StoreError(f"store: cannot create {path.parent}: {exc.strerror}") from exc
    engine = create_engine(
        url,
        connect_args={
            "timeout": BUSY_TIMEOUT_MS / 1000,
            "check_same_thread": False,
            # Let SQLAlchemy's "begin" hook below emit BEGIN itself (pysqlite's own
            # transaction handling defers BEGIN and breaks SAVEPOINT and DDL).
            "isolation_level": None,
        },
        **kwargs,
    )
    event.listen(engine, "connect", _pragmas)
    event.listen(engine, "begin", _begin)
    return engine, path


def _pragmas(dbapi_connection: sqlite3.Connection, _record: object) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    # auto_vacuum only takes effect when set before the first table is created.
    cursor.execute("PRAGMA auto_vacuum = INCREMENTAL")
    _wal(cursor)
    cursor.execute("PRAGMA synchronous = NORMAL")  # durable enough in WAL mode, much faster
    cursor.execute("PRAGMA foreign_keys = ON")
    cursor.close()


def _wal(cursor: sqlite3.Cursor) -> None:
    """Switch a new database to WAL mode, waiting out other connections doing the same.

    Changing the journal mode needs an exclusive lock, and SQLite answers "database is
    locked" at once instead of calling the busy handler, so several processes opening a
    fresh database together retry here, within the usual busy timeout.
    """
    waited = 0.0
    while True:
        try:
            cursor.execute("PRAGMA journal_mode = WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or waited >= BUSY_TIMEOUT_MS / 1000:
                raise
        time.sleep(0.01)
        waited += 0.01


def _begin(conn: Any) -> None:
    write = conn.get_execution_options().get(WRITE, False)
    conn.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")
