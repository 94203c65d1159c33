"""Bring a database's schema up to date with alembic, programmatically, on every open.

Input: an engine. Output: the schema at the newest revision of `syndicate/store/migrations/`.
Two processes opening a fresh database at once are serialised: on PostgreSQL by a
transaction-level advisory lock, on SQLite by BEGIN IMMEDIATE (the write lock).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from alembic.config import Config
from alembic.runtime.environment import EnvironmentContext
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, text

from syndicate.errors import StoreError
from syndicate.store import schema
from syndicate.store.engine import WRITE

LOCATION = Path(__file__).resolve().parent / "migrations"
MIGRATION_LOCK = 0x73796E6D  # "synm": the advisory lock key migrations take on PostgreSQL


def config() -> Config:
    """An alembic config pointing at the package's migration scripts (no alembic.ini)."""
    result = Config()
    result.set_main_option("script_location", str(LOCATION))
    return result


def heads() -> set[str]:
    """The newest revisions of the package's migrations."""
    return set(ScriptDirectory.from_config(config()).get_heads())


def current(conn: Connection) -> set[str]:
    """The revisions a database is at (empty for a fresh database)."""
    return set(MigrationContext.configure(conn).get_current_heads())


def upgrade(engine: Engine) -> None:
    """Apply every migration the database lacks; a no-op when it is up to date."""
    settings = config()
    script = ScriptDirectory.from_config(settings)
    heads = set(script.get_heads())
    with engine.connect() as conn:
        if current(conn) == heads:
            conn.rollback()
            return
        conn.rollback()

    def steps(revision: Any, _context: MigrationContext) -> Any:
        return script._upgrade_revs("heads", revision)

    with engine.connect() as conn:
        sqlite = conn.dialect.name == "sqlite"
        if sqlite:
            # Batch migrations rebuild SQLite tables (copy, drop, rename); with foreign keys
            # enforced, dropping a referenced table would fail or cascade. The pragma only
            # works outside a transaction; the keys are checked before commit instead.
            _pragma(conn, "PRAGMA foreign_keys = OFF")
        conn.execution_options(**{WRITE: True})
        try:
            with conn.begin():
                if not sqlite:
                    conn.execute(
                        text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK}
                    )
                environment = EnvironmentContext(settings, script, fn=steps)
                environment.configure(
                    connection=conn,
                    target_metadata=schema.metadata,
                    transactional_ddl=True,
                    render_as_batch=sqlite,
                )
                with environment:
                    environment.run_migrations()
                if sqlite:
                    broken = conn.exec_driver_sql("PRAGMA foreign_key_check").all()
                    if broken:
                        raise StoreError(f"store: migration broke foreign keys: {broken[:3]}")
        finally:
            if sqlite:
                _pragma(conn, "PRAGMA foreign_keys = ON")


def _pragma(conn: Connection, sql: str) -> None:
    """Run a pragma on the driver connection, outside SQLAlchemy's transaction."""
    cursor = conn.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
    try:
        cursor.execute(sql)
    finally:
        cursor.close()
