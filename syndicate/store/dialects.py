"""The SQL that differs between SQLite and PostgreSQL, behind one small function each.

Input: a connection and row values. Output: the statement's effect, the same on both.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import Connection, Table
from sqlalchemy.dialects import postgresql, sqlite


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


def upsert(conn: Connection, table: Table, values: Mapping[str, Any], keys: list[str]) -> None:
    """Insert a row, or update every non-key column of the one with the same `keys`."""
    stmt: Any
    changes = {k: v for k, v in values.items() if k not in keys}
    if conn.dialect.name == "postgresql":
        stmt = postgresql.insert(table).values(**values)
    else:
        stmt = sqlite.insert(table).values(**values)
    conn.execute(stmt.on_conflict_do_update(index_elements=keys, set_=changes))
