"""The SQL that differs between SQLite and PostgreSQL, behind one small function each.

Input: a connection and row values. Output: the statement's effect, the same on both.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Connection, Row, Table, or_, select
from sqlalchemy.dialects import postgresql, sqlite


def insert_ignore(
    conn: Connection, table: Table, values: Mapping[str, Any], keys: list[str]
) -> bool:
    """Insert a row unless one with the same `keys` exists; True when it was inserted.

    Told by the row RETURNING gives back, not by the row count: SQLAlchemy reports -1 for
    an insert on PostgreSQL, whether the row went in or not."""
    stmt: Any
    if conn.dialect.name == "postgresql":
        stmt = postgresql.insert(table).values(**values).on_conflict_do_nothing(index_elements=keys)
    else:
        stmt = sqlite.insert(table).values(**values).on_conflict_do_nothing(index_elements=keys)
    return conn.execute(stmt.returning(table.c[keys[0]])).first() is not None


def upsert(conn: Connection, table: Table, values: Mapping[str, Any], keys: list[str]) -> None:
    """Insert a row, or update every non-key column of the one with the same `keys`."""
    stmt: Any
    changes = {k: v for k, v in values.items() if k not in keys}
    if conn.dialect.name == "postgresql":
        stmt = postgresql.insert(table).values(**values)
    else:
        stmt = sqlite.insert(table).values(**values)
    conn.execute(stmt.on_conflict_do_update(index_elements=keys, set_=changes))


def upsert_statement(conn: Connection, table: Table, keys: tuple[str, ...]) -> Any:
    """`upsert` as one statement per dialect, table and keys, built once and kept: executed
    with a row's values as parameters, every column of the row given."""
    key = (conn.dialect.name, table.name, keys)
    stmt = _UPSERTS.get(key)
    if stmt is None:
        base: Any = (postgresql if conn.dialect.name == "postgresql" else sqlite).insert(table)
        changes = {c.name: base.excluded[c.name] for c in table.columns if c.name not in keys}
        stmt = _UPSERTS[key] = base.on_conflict_do_update(index_elements=keys, set_=changes)
    return stmt


_UPSERTS: dict[tuple[str, str, tuple[str, ...]], Any] = {}


def claim(
    conn: Connection,
    table: Table,
    ways: Sequence[ColumnElement[bool]],
    worker: str,
    now: datetime,
    limit: int,
) -> Sequence[Row[Any]]:
    """Mark up to `limit` rows of a work queue that are due in one of `ways` as claimed by
    `worker` (an attempt each) and return them, oldest first. Each way is looked up on its
    own, oldest `limit` first, so an index on it stops the search at `limit` rows: one
    query over all of them at once read and sorted every due row on every claim, which made
    draining a long queue quadratic. On PostgreSQL rows another worker is claiming at this
    moment are skipped, not waited for (`FOR UPDATE SKIP LOCKED`), so any number of workers
    share a queue; SQLite has one writer at a time, so there is none to skip. The table
    needs `id`, `status`, `claimed_at`, `claimed_by` and `attempts`."""
    c = table.c
    found: set[int] = set()
    for way in ways:
        query = select(c.id).where(way).order_by(c.id).limit(limit)
        if conn.dialect.name == "postgresql":
            query = query.with_for_update(skip_locked=True, of=table)
        found.update(conn.scalars(query))
    ids = sorted(found)[:limit]
    if not ids:
        return []
    due = or_(*ways)
    conn.execute(
        table.update()
        .where(c.id.in_(ids), due)
        .values(status="claimed", claimed_at=now, claimed_by=worker, attempts=c.attempts + 1)
    )
    return conn.execute(
        select(table)
        .where(c.id.in_(ids), c.claimed_by == worker, c.status == "claimed", c.claimed_at == now)
        .order_by(c.id)
    ).all()
