"""The store stage: everything durable, on SQLite (embedded default) or PostgreSQL.

Input: a database URL. Output: a `Store` whose schema is migrated to the newest revision.
"""

from __future__ import annotations

import importlib
import os
from pathlib import Path
from types import ModuleType

from sqlalchemy import Engine

from syndicate.clock import Clock, utc_now
from syndicate.errors import StoreError
from syndicate.store import engine as engines
from syndicate.store import revisions
from syndicate.store.core import Store
from syndicate.store.engine import wrapped

__all__ = ["Store", "StoreError", "default_url", "integrity", "open", "probe"]

DEFAULT_NAME = "syndicate.db"


def __getattr__(name: str) -> ModuleType:
    """`store.integrity` and `store.migrate` load alembic: imported when first asked for."""
    if name in ("integrity", "migrate"):
        return importlib.import_module(f"syndicate.store.{name}")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def default_url(data_dir: str | Path) -> str:
    """The embedded default: an SQLite file in the data directory."""
    return f"sqlite:///{Path(data_dir).expanduser() / DEFAULT_NAME}"


def open(url: str, *, clock: Clock = utc_now, migrate_schema: bool = True) -> Store:
    """Open (creating if needed) the store at `url` and apply any pending migrations
    (`migrate_schema=False`: as it is, for `syndicate check`, which changes nothing)."""
    parsed = engines.url_of(url)
    engine, path = engines.make(parsed)
    shown = parsed.render_as_string(hide_password=True)
    try:
        with wrapped(f"cannot open {shown}"):
            if migrate_schema and not _up_to_date(engine):
                from syndicate.store import migrate

                migrate.upgrade(engine)
    except BaseException:
        engine.dispose()
        raise
    return Store(engine, path=path, clock=clock)


def _up_to_date(engine: Engine) -> bool:
    with engine.connect() as conn:
        try:
            return revisions.up_to_date(conn)
        finally:
            conn.rollback()


def probe(url: str) -> str:
    """Say whether the store at `url` is reachable and how far its schema is, changing nothing.

    An SQLite file that does not exist yet is fine (it is created on first use); anything
    unreachable raises StoreError.
    """
    parsed = engines.url_of(url)
    path = engines.sqlite_path(parsed) if parsed.get_backend_name() == "sqlite" else None
    if path is not None and not path.exists():
        folder = path.parent
        if folder.exists() and not os.access(folder, os.W_OK):
            raise StoreError(f"store: {folder} is not writable")
        return f"{path} does not exist yet; it is created on first use"
    engine, _ = engines.make(parsed)
    shown = parsed.render_as_string(hide_password=True)
    from syndicate.store import migrate

    try:
        with wrapped(f"cannot open {shown}"), engine.connect() as conn:
            have = migrate.current(conn)
            conn.rollback()
        heads = migrate.heads()
    finally:
        engine.dispose()
    if not have:
        return f"{shown} is reachable and empty; the schema is created on first use"
    if have == heads:
        return f"{shown} is reachable, schema up to date ({', '.join(sorted(have))})"
    return (
        f"{shown} is reachable, schema at {', '.join(sorted(have))}; "
        f"migrates to {', '.join(sorted(heads))} on first use"
    )
