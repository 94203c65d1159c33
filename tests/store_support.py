"""Shared store fixtures: a fresh `store` on SQLite and on PostgreSQL, and fixed times.

`store` is parametrized: each test using it runs once on an SQLite file under tmp_path and
once on PostgreSQL (127.0.0.1:5432). PostgreSQL tests share one uniquely named database per
session, created here and dropped at the end; every test starts from empty tables. They are
skipped, with the reason, only when the server cannot be reached.
"""

from __future__ import annotations

import os
import re
import shutil
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from syndicate import store as stores
from syndicate.model import Attribution, Brief, Item, Provenance, Quote, Section, SourceRef
from syndicate.store import Store, schema

ADMIN_URL = os.environ.get(
    "SYNDICATE_TEST_POSTGRES", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
T0 = datetime(2026, 11, 2, 14, 30, tzinfo=UTC)


def postgres_problem() -> str | None:
    """Why PostgreSQL cannot be used for tests, or None when it can."""
    engine = sa.create_engine(ADMIN_URL, connect_args={"connect_timeout": 3})
    try:
        with engine.connect() as conn:
            conn.execute(sa.text("SELECT 1"))
    except sa.exc.OperationalError as exc:
        return f"PostgreSQL not reachable at {ADMIN_URL}: {str(exc.orig).splitlines()[0]}"
    finally:
        engine.dispose()
    return None


# Test databases are named <prefix>_<pid>_<random>, so one left behind by a killed run
# (its teardown never ran) can be told from one a live run is using.
NAMED = re.compile(r"^syn_[a-z_]+?_(\d+)_[0-9a-f]{12}$")


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _sweep(conn: sa.Connection) -> None:
    """Drop test databases whose run died: its process is gone and nobody is connected."""
    rows = conn.execute(
        sa.text(
            "SELECT datname FROM pg_database d WHERE datname LIKE 'syn\\_%' AND NOT EXISTS "
            "(SELECT 1 FROM pg_stat_activity a WHERE a.datid = d.oid)"
        )
    ).scalars()
    for name in rows:
        match = NAMED.match(name)
        if match and not _alive(int(match.group(1))):
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}"'))


@contextmanager
def fresh_database(prefix: str = "syn_store") -> Iterator[str]:
    """A new, empty PostgreSQL database for the block; its URL. Dropped afterwards."""
    problem = postgres_problem()
    if problem:
        pytest.skip(problem)
    name = f"{prefix}_{os.getpid()}_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(ADMIN_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            _sweep(conn)
            conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
        yield sa.make_url(ADMIN_URL).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """One PostgreSQL database for the session's store tests."""
    with fresh_database() as url:
        yield url


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated, empty SQLite database, copied for each test (faster than migrating)."""
    path = tmp_path_factory.mktemp("store-template") / "syndicate.db"
    stores.open(f"sqlite:///{path}").close()  # close() checkpoints the WAL into the file
    return path


def empty(store: Store) -> None:
    """Delete every row, children first (the session's PostgreSQL database is shared)."""
    # DELETE, not TRUNCATE: on a few rows it is many times faster. Ids are not reset.
    with store.begin() as conn:
        for table in reversed(schema.metadata.sorted_tables):
            conn.execute(table.delete())


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A store URL: a fresh migrated SQLite file, or the session's PostgreSQL database."""
    if request.param == "sqlite":
        path = tmp_path / "data" / "syndicate.db"
        path.parent.mkdir()
        shutil.copyfile(request.getfixturevalue("sqlite_template"), path)
        return f"sqlite:///{path}"
    url: str = request.getfixturevalue("postgres_url")
    return url


@pytest.fixture
def store(store_url: str) -> Iterator[Store]:
    """An open, empty, migrated store on SQLite and (a second run) on PostgreSQL."""
    opened = stores.open(store_url)
    if opened.dialect == "postgresql":
        empty(opened)
    try:
        yield opened
    finally:
        opened.close()


def make_item(key: str = "guid-1", source_id: str = "uscis", **changes: object) -> Item:
    """A release as a feed announces it."""
    values: dict[str, object] = {
        "source_id": source_id,
        "key": key,
        "title": "USCIS Extends Filing Window for Farm Workers",
        "url": f"https://www.uscis.gov/newsroom/news-releases/{key}",
        "guid": key,
        "published": T0,
    }
    values.update(changes)
    return Item(**values)  # type: ignore[arg-type]


def make_brief(brief_id: str = "b-1", **changes: object) -> Brief:
    """A small brief, written for these tests."""
    values: dict[str, object] = {
        "id": brief_id,
        "title": "USCIS Extends Filing Window for Farm Workers",
        "agency": "USCIS",
        "source_name": "U.S. Citizenship and Immigration Services",
        "url": "https://www.uscis.gov/newsroom/news-releases/farm-window",
        "published": T0,
        "updated": T0,
        "summary": (
            "USCIS extended the filing window for seasonal farm workers by 30 days.",
            "Employers now have until Jan. 15, 2027 to file.",
        ),
        "sections": (Section("What Changes", ("The window closes Jan. 15, 2027.",)),),
        "quotes": (Quote("We heard from growers in every region.", "the USCIS Director"),),
        "links": (),
        "topics": ("immigration",),
        "sources": (
            SourceRef(
                "U.S. Citizenship and Immigration Services",
                "https://www.uscis.gov/newsroom/news-releases/farm-window",
            ),
        ),
        "attribution": Attribution(prepared_by="Prepared by the syndicate test desk."),
        "provenance": Provenance(T0 + timedelta(minutes=5), "ab" * 32, "extractive/1"),
    }
    values.update(changes)
    return Brief(**values)  # type: ignore[arg-type]
