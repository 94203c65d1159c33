"""The store's foundations on SQLite and PostgreSQL: migrations, times, locks, concurrency."""

from __future__ import annotations

import subprocess
import sys
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from store_support import ADMIN_URL, T0, fresh_database, make_item

from syndicate import store as stores
from syndicate.errors import StoreError
from syndicate.model import Validators
from syndicate.store import Store, dialects, schema

NEW_YORK = ZoneInfo("America/New_York")


def _schema_diff(store: Store) -> list[object]:
    with store.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        return list(compare_metadata(context, schema.metadata))


def _opened_at_once(url: str, n: int = 3) -> None:
    """Several processes starting on a fresh database: one migrates, the others wait."""
    errors: list[BaseException] = []

    def opener() -> None:
        try:
            stores.open(url).close()
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=opener) for _ in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []


def _migrated_twice(url: str) -> None:
    _opened_at_once(url)
    first = stores.open(url)
    try:
        assert _schema_diff(first) == []
        heads = ScriptDirectory.from_config(stores.migrate.config()).get_heads()
        with first.read() as conn:
            assert [
                r for (r,) in conn.execute(sa.text("SELECT version_num FROM alembic_version"))
            ] == heads
        first.meta.set("kept", "yes")
    finally:
        first.close()
    again = stores.open(url)  # a reopen migrates nothing and loses nothing
    try:
        assert again.meta.get("kept") == "yes"
        assert _schema_diff(again) == []
    finally:
        again.close()


def test_sqlite_migrations_create_the_schema_and_reopen_cleanly(tmp_path: Path) -> None:
    path = tmp_path / "nested" / "folder" / "syndicate.db"
    _migrated_twice(f"sqlite:///{path}")
    assert path.exists()


@pytest.mark.postgres
def test_postgresql_migrations_create_the_schema_and_reopen_cleanly() -> None:
    with fresh_database("syn_store_mig") as url:
        _migrated_twice(url)


def test_sqlite_runs_in_wal_mode_with_foreign_keys(tmp_path: Path) -> None:
    opened = stores.open(f"sqlite:///{tmp_path / 'syndicate.db'}")
    try:
        with opened.engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
            assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 30_000
    finally:
        opened.close()


def test_bare_path_and_plain_postgresql_scheme_are_understood(tmp_path: Path) -> None:
    opened = stores.open(str(tmp_path / "plain.db"))
    try:
        assert opened.dialect == "sqlite" and opened.path == tmp_path / "plain.db"
    finally:
        opened.close()
    url = stores.engine.url_of("postgresql://postgres@127.0.0.1:5432/x")
    assert url.drivername == "postgresql+psycopg"
    assert stores.default_url("/srv/data") == "sqlite:////srv/data/syndicate.db"


def test_unreachable_or_unknown_databases_raise_store_errors() -> None:
    with pytest.raises(StoreError, match=r"^store: unsupported database URL 'mysql://"):
        stores.open("mysql://root@127.0.0.1/x")
    with pytest.raises(StoreError, match=r"^store: cannot open postgresql\+psycopg://") as info:
        stores.open("postgresql://nobody:secret@127.0.0.1:1/none")
    assert "secret" not in str(info.value)


def test_times_come_back_as_aware_utc(store: Store) -> None:
    local = datetime(2026, 11, 2, 9, 30, tzinfo=NEW_YORK)  # 14:30 UTC (EST, UTC-5)
    store.sources.record_success(
        "uscis",
        url="https://www.uscis.gov/news/rss-feed/59144",
        now=local,
        validators=Validators(),
        next_poll_at=local + timedelta(minutes=15),
        status=200,
    )
    state = store.sources.state("uscis")
    assert state is not None and state.last_poll_at is not None
    assert state.last_poll_at.tzinfo is UTC
    assert state.last_poll_at == datetime(2026, 11, 2, 14, 30, tzinfo=UTC)
    assert state.next_poll_at == datetime(2026, 11, 2, 14, 45, tzinfo=UTC)
    # Comparisons in SQL see the same instants, whatever zone the caller used.
    assert store.sources.due(datetime(2026, 11, 2, 9, 44, tzinfo=NEW_YORK)) == []
    assert store.sources.due(datetime(2026, 11, 2, 14, 45, tzinfo=UTC)) == ["uscis"]


def test_naive_times_are_refused(store: Store) -> None:
    with pytest.raises(StoreError, match="naive datetime"):
        store.meta.set("k", "v", now=datetime(2026, 11, 2, 14, 30))


def test_a_second_holder_does_not_get_the_lock(store_url: str) -> None:
    first, second = stores.open(store_url), stores.open(store_url)
    try:
        assert first.meta.acquire_lock("scheduler", "host-a:1")
        assert first.meta.acquire_lock("scheduler", "host-a:1")  # re-entrant for its holder
        assert not second.meta.acquire_lock("scheduler", "host-b:2")
        assert second.meta.acquire_lock("other", "host-b:2")  # locks are per name
        holder = second.meta.holder("scheduler")
        assert holder is not None and holder.owner == "host-a:1"
        assert first.meta.heartbeat("scheduler", "host-a:1")
        first.meta.release_lock("scheduler")
        assert second.meta.acquire_lock("scheduler", "host-b:2")
        assert not first.meta.heartbeat("scheduler", "host-a:1")
    finally:
        first.close()
        second.close()


@pytest.mark.postgres
def test_postgresql_lock_frees_when_its_connection_dies(postgres_url: str) -> None:
    store_url = postgres_url
    holder, standby = stores.open(store_url), stores.open(store_url)
    admin = sa.create_engine(ADMIN_URL, isolation_level="AUTOCOMMIT")
    try:
        assert holder.meta.acquire_lock("scheduler", "primary")
        assert not standby.meta.acquire_lock("scheduler", "standby")
        database = sa.make_url(store_url).database
        with admin.connect() as conn:  # the holder's server connection is killed
            killed = conn.execute(
                sa.text(
                    "SELECT pg_terminate_backend(pid, 10000) FROM pg_locks"
                    " WHERE locktype = 'advisory' AND granted"
                    " AND database = (SELECT oid FROM pg_database WHERE datname = :db)"
                ),
                {"db": database},
            ).all()
        assert killed == [(True,)]
        assert standby.meta.acquire_lock("scheduler", "standby")
        assert not holder.meta.heartbeat("scheduler", "primary")  # it learns it lost the lock
    finally:
        admin.dispose()
        holder.close()
        standby.close()


def test_sqlite_lock_frees_when_its_process_dies(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'syndicate.db'}"
    stores.open(url).close()
    child = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, time\n"
            "from syndicate import store\n"
            f"s = store.open({url!r})\n"
            "print(s.meta.acquire_lock('scheduler', 'child'), flush=True)\n"
            "time.sleep(60)\n",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    mine = stores.open(url)
    try:
        assert child.stdout is not None and child.stdout.readline().strip() == "True"
        assert not mine.meta.acquire_lock("scheduler", "parent")
        child.kill()
        child.wait(timeout=10)
        assert mine.meta.acquire_lock("scheduler", "parent")
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
        if child.stdout is not None:
            child.stdout.close()
        mine.close()


def test_concurrent_sqlite_writers_wait_instead_of_failing(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'syndicate.db'}"
    opened = [stores.open(url) for _ in range(4)]
    errors: list[BaseException] = []

    def writer(n: int, store: Store) -> None:
        try:
            for i in range(25):
                # read-then-write transactions: the pattern that fails with "database is
                # locked" when two deferred transactions both try to upgrade.
                store.items.save(make_item(f"w{n}-{i}"), now=T0, status="new")
                store.meta.set(f"writer-{n}", str(i))
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(n, s)) for n, s in enumerate(opened)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    try:
        assert errors == []
        assert opened[0].items.count("uscis") == 100
        assert [opened[0].meta.get(f"writer-{n}") for n in range(4)] == ["24"] * 4
    finally:
        for s in opened:
            s.close()


def test_prune_raw_and_optimize(store: Store) -> None:
    store.items.save(make_item("old"), now=T0, status="new", raw=b"<html>old</html>")
    store.items.save(
        make_item("new"), now=T0 + timedelta(days=40), status="new", raw=b"<html>new</html>"
    )
    assert store.prune_raw(T0 + timedelta(days=30)) == 1
    known = store.items.known("uscis", ["old", "new"])
    assert store.items.raw(known["old"].id) is None
    assert store.items.raw(known["new"].id) == b"<html>new</html>"
    store.optimize()
    assert store.items.count("uscis") == 2


def test_insert_ignore_tells_an_inserted_row_from_a_conflict(store: Store) -> None:
    # On PostgreSQL the row count of such an insert is -1 either way; callers (the AI queue,
    # the feeds' sequence, sources) rely on the answer.
    row = {"key": "probe", "value": "first", "updated_at": T0}
    with store.begin() as conn:
        assert dialects.insert_ignore(conn, schema.meta, row, ["key"]) is True
        assert (
            dialects.insert_ignore(conn, schema.meta, {**row, "value": "second"}, ["key"]) is False
        )
    assert store.meta.get("probe") == "first"
