"""The store stage: everything durable, on SQLite (embedded default) or PostgreSQL.

Input: a database URL. Output: a `Store` whose schema is migrated to the newest revision.
"""

from __future__ import annotations

from pathlib import Path

from syndicate.errors import StoreError
from syndicate.store import engine as engines
from syndicate.store import migrate
from syndicate.store.core import Store
from syndicate.store.engine import wrapped

__all__ = ["Store", "StoreError", "default_url", "open"]

DEFAULT_NAME = "syndicate.db"


def default_url(data_dir: str | Path) -> str:
    """The embedded default: an SQLite file in the data directory."""
    return f"sqlite:///{Path(data_dir).expanduser() / DEFAULT_NAME}"


def open(url: str) -> Store:
    """Open (creating if needed) the store at `url` and apply any pending migrations."""
    parsed = engines.url_of(url)
    engine, path = engines.make(parsed)
    shown = parsed.render_as_string(hide_password=True)
    try:
        with wrapped(f"cannot open {shown}"):
            migrate.upgrade(engine)
    except BaseException:
        engine.dispose()
        raise
    return Store(engine, path=path)
