"""Is the store sound, and a consistent copy of it: an open `Store` in, problems or a file out.

`check` runs SQLite's `PRAGMA quick_check` (every page and index is readable and well
formed; PostgreSQL checks its own pages) and compares the tables and columns the database
has with the ones the migrations make (alembic's autogenerate comparison against
`schema.py`, the same one the migration test uses): a garbled page, a dropped column or a
missing table is a problem, named. `syndicate check` and the daemon's start run it, and the
daemon refuses to write to a damaged store. The result is kept in `meta` (`store_integrity`)
for /readyz, which must not run a full check on every probe.

`backup` copies a live SQLite store with SQLite's online backup API: a consistent snapshot
(the WAL included) while the daemon keeps writing, written beside the target and renamed
into place, then checked itself.
"""

from __future__ import annotations

import contextlib
import json
import os
import sqlite3
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy.exc import SQLAlchemyError

from syndicate.errors import StoreError
from syndicate.store import migrate, schema
from syndicate.store.engine import wrapped

if TYPE_CHECKING:
    from syndicate.store.core import Store

KEY = "store_integrity"  # meta: {"checked_at": ..., "problems": [...]}
MAX_LINES = 5  # quick_check can print a line per damaged page; the first few say enough
# The copy is made in one step, from one read transaction. In steps, SQLite restarts the
# copy whenever another connection writes between two steps, so beside a busy daemon it
# never ends; in WAL mode one long read does not hold up the daemon's writers.
PAGES_PER_STEP = -1


def check(store: Store) -> list[str]:
    """What is wrong with the store (empty when nothing is)."""
    problems: list[str] = []
    if store.dialect == "sqlite":
        problems += _quick_check(store)
        if problems:
            return problems  # a schema read over damaged pages says nothing more
    try:
        with wrapped("schema check failed"), store.engine.connect() as conn:
            have = migrate.current(conn)
            context = MigrationContext.configure(conn, opts={"compare_type": True})
            diffs = compare_metadata(context, schema.metadata)
            conn.rollback()
    except StoreError as e:
        return [*problems, str(e)]
    heads = migrate.heads()
    if have != heads:
        shown = ", ".join(sorted(have)) or "none"
        problems.append(f"schema: at revision {shown}, the migrations end at {', '.join(heads)}")
    problems += [_describe(d) for d in _flat(diffs)]
    return problems


def _quick_check(store: Store) -> list[str]:
    try:
        raw = store.engine.raw_connection()
    except SQLAlchemyError as e:
        return [f"store: cannot open: {e}"]
    try:
        cursor = raw.cursor()
        rows = [str(r[0]) for r in cursor.execute("PRAGMA quick_check").fetchmany(MAX_LINES + 1)]
        cursor.close()
    except sqlite3.DatabaseError as e:
        return [f"sqlite quick_check: {e}"]
    finally:
        raw.close()
    if rows == ["ok"]:
        return []
    more = " (and more)" if len(rows) > MAX_LINES else ""
    return [f"sqlite quick_check: {line}" for line in rows[:MAX_LINES]] + ([more] if more else [])


def _flat(diffs: list[Any]) -> list[tuple[Any, ...]]:
    # compare_metadata gives tuples, and lists of tuples for several changes to one column.
    out: list[tuple[Any, ...]] = []
    for d in diffs:
        out += list(d) if isinstance(d, list) else [d]
    return out


def _describe(diff: tuple[Any, ...]) -> str:
    op = diff[0]
    if op == "add_table":
        return f"schema: table {diff[1].name} is missing"
    if op == "remove_table":
        return f"schema: table {diff[1].name} is not one of syndicate's"
    if op == "add_column":
        return f"schema: column {diff[2]}.{diff[3].name} is missing"
    if op == "remove_column":
        return f"schema: column {diff[2]}.{diff[3].name} is not one of syndicate's"
    if op == "add_index":
        return f"schema: index {diff[1].name} is missing"
    if op == "remove_index":
        return f"schema: index {diff[1].name} is not one of syndicate's"
    if op.startswith("modify_"):
        return f"schema: column {diff[2]}.{diff[3]} differs ({op.removeprefix('modify_')})"
    return f"schema: differs from the migrations ({op})"


def record(store: Store, problems: list[str], now: datetime) -> None:
    """Keep the result for /readyz (best effort: a damaged store may refuse the write)."""
    value = json.dumps({"checked_at": now.isoformat(), "problems": problems})
    with contextlib.suppress(StoreError):
        store.meta.set(KEY, value, now=now)


def recorded(store: Store) -> tuple[datetime | None, list[str]]:
    """The last recorded result: when, and the problems found then."""
    raw = store.meta.get(KEY)
    if not raw:
        return None, []
    try:
        data = json.loads(raw)
        return datetime.fromisoformat(data["checked_at"]), [str(p) for p in data["problems"]]
    except (ValueError, KeyError, TypeError):
        return None, []


def advice(store: Store) -> str:
    """What the operator should do about a damaged store."""
    if store.dialect == "postgresql":
        return (
            "stop every syndicate process on it and restore the last pg_dump "
            "(pg_restore --clean --dbname ...); see README, Backups"
        )
    where = store.path or "the database"
    return (
        f"stop every syndicate process on it, move {where} aside and copy the last "
        f"`syndicate backup` in its place (or try `sqlite3 {where} .recover`); see README, Backups"
    )


def backup(store: Store, target: Path, *, overwrite: bool = False) -> int:
    """Copy the live SQLite store to `target` consistently; the copy's size in bytes."""
    if store.dialect != "sqlite" or store.path is None:
        raise StoreError(
            "store: `syndicate backup` copies SQLite stores; for PostgreSQL use pg_dump "
            "(pg_dump --format=custom --file=syndicate.dump DATABASE_URL; see README, Backups)"
        )
    target = target.expanduser()
    if target.resolve() == store.path.resolve():
        raise StoreError(f"store: {target} is the live database itself")
    if target.exists() and not overwrite:
        raise StoreError(f"store: {target} exists (--force replaces it)")
    temporary = target.with_name(f".{target.name}.partial")
    temporary.unlink(missing_ok=True)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        raw = store.engine.raw_connection()
        try:
            source = raw.driver_connection
            assert isinstance(source, sqlite3.Connection)
            copy = sqlite3.connect(temporary)
            try:
                source.backup(copy, pages=PAGES_PER_STEP)
                # A self-contained file: no -wal beside it to forget when it is moved.
                copy.execute("PRAGMA journal_mode = DELETE").fetchall()
                verdict = copy.execute("PRAGMA quick_check").fetchone()
            finally:
                copy.close()
        finally:
            raw.close()
        if verdict is None or verdict[0] != "ok":
            raise StoreError(f"store: the copy fails its own check ({verdict}); {advice(store)}")
        os.replace(temporary, target)
    except (OSError, sqlite3.Error) as e:
        raise StoreError(f"store: backup to {target} failed: {e}") from e
    finally:
        temporary.unlink(missing_ok=True)
    return target.stat().st_size
