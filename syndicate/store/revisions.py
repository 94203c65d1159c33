"""Is the schema up to date? Answered without loading alembic, on every open.

Input: a connection. Output: whether its `alembic_version` rows are the newest revisions of
`syndicate/store/migrations/versions/`, read from the scripts' `revision = "..."` and
`down_revision = ...` lines. Only when they are not does `migrate` (and alembic, about a
fifth of a command's start-up) load; `tests/test_store.py` checks these heads are alembic's.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

from sqlalchemy import Connection, inspect, text

VERSIONS = Path(__file__).resolve().parent / "migrations" / "versions"
_REVISION = re.compile(r"^revision\s*(?::[^=]*)?=\s*['\"]([^'\"]+)['\"]", re.M)
_DOWN = re.compile(r"^down_revision\s*(?::[^=]*)?=\s*(.+)$", re.M)
_QUOTED = re.compile(r"['\"]([^'\"]+)['\"]")


@cache
def heads() -> frozenset[str]:
    """The revisions no other script revises (the package's migration heads)."""
    revisions: set[str] = set()
    revised: set[str] = set()
    for script in VERSIONS.glob("*.py"):
        source = script.read_text(encoding="utf-8")
        found = _REVISION.search(source)
        if found is None:
            continue
        revisions.add(found.group(1))
        down = _DOWN.search(source)
        if down is not None:
            revised.update(_QUOTED.findall(down.group(1)))
    return frozenset(revisions - revised)


def up_to_date(conn: Connection) -> bool:
    """True when the database is at exactly the heads (a fresh database is not)."""
    if not inspect(conn).has_table("alembic_version"):
        return False
    have = set(conn.scalars(text("SELECT version_num FROM alembic_version")))
    return bool(have) and have == heads()
