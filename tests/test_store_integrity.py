"""Store integrity (issue 13): a garbled SQLite page, a dropped column or a missing table is
found by `syndicate check` and by the daemon, which will not write to a damaged store;
`syndicate backup` makes a consistent copy of a live store; the daemon lock is one lock
whatever path (symlinks) leads to the database."""

from __future__ import annotations

import os
import sqlite3
import threading
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from store_support import T0, make_brief

from syndicate import store as stores
from syndicate.cli import main
from syndicate.store import Store, integrity

PAGE = 4096


def _config(tmp: Path, database: str = "") -> Path:
    cfg = tmp / "config.toml"
    url = f'[database]\nurl = "{database}"\n' if database else ""
    cfg.write_text(
        f'[service]\ndata_dir = "data"\n{url}[feeds]\ndir = "feeds"\nfsync = false\n'
        "[web]\nenabled = false\n",
        encoding="utf-8",
    )
    return cfg


def _fill(st: Store, n: int = 300) -> None:
    """Enough briefs for the tables to span many pages."""
    base = make_brief("b-0")
    with st.begin() as conn:
        for i in range(n):
            b = replace(base, id=f"b-{i}", title=f"{base.title} number {i}" + " padding" * 40)
            st.briefs.upsert(conn, b, story=b.id)


def _db(tmp: Path) -> Path:
    return tmp / "data" / "syndicate.db"


def _made(tmp: Path) -> Path:
    cfg = _config(tmp)
    st = stores.open(f"sqlite:///{_db(tmp)}")
    _fill(st)
    st.close()  # the last connection checkpoints the WAL into the file
    assert not Path(f"{_db(tmp)}-wal").exists() or Path(f"{_db(tmp)}-wal").stat().st_size == 0
    return cfg


def test_a_sound_store_passes_check(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    cfg = _made(tmp_path)
    assert main(["--config", str(cfg), "check"]) == 0
    out = capsys.readouterr().out
    assert "ok    store integrity: quick_check ok, tables and columns match the migrations" in out


def test_garbled_pages_are_found_and_the_daemon_will_not_write(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cfg = _made(tmp_path)
    path = _db(tmp_path)
    pages = path.stat().st_size // PAGE
    assert pages > 20
    with path.open("r+b") as f:  # garble pages in the middle: the header and schema stay
        for n in range(pages // 2, pages // 2 + 4):
            f.seek(n * PAGE)
            f.write(bytes((n * 37 + i * 11) % 251 for i in range(PAGE)))
    before = path.read_bytes()

    assert main(["--config", str(cfg), "check"]) == 1
    out = capsys.readouterr().out
    assert "FAIL  store integrity: store: damaged: sqlite quick_check:" in out
    assert "syndicate backup" in out  # what to do

    assert main(["--config", str(cfg), "run", "--no-web"]) == 1
    err = capsys.readouterr().err
    assert "the store is damaged, so the daemon will not write to it" in err
    assert "sqlite quick_check" in err and "To fix it: stop every syndicate process" in err
    # Nothing was written to the damaged pages (the verdict may be recorded in meta).
    after = path.read_bytes()
    n = pages // 2
    assert after[n * PAGE : (n + 4) * PAGE] == before[n * PAGE : (n + 4) * PAGE]


def test_a_dropped_column_or_table_is_found(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cfg = _made(tmp_path)
    with sqlite3.connect(_db(tmp_path)) as conn:
        conn.execute("ALTER TABLE briefs DROP COLUMN problem")
        conn.execute("DROP TABLE throttle")
    assert main(["--config", str(cfg), "check"]) == 1
    out = capsys.readouterr().out
    assert "schema: column briefs.problem is missing" in out
    assert "schema: table throttle is missing" in out


def test_integrity_on_both_databases(store_url: str) -> None:
    st = stores.open(store_url)
    try:
        assert integrity.check(st) == []
        with st.begin() as conn:
            conn.execute(sa.text("ALTER TABLE subscribers DROP COLUMN bounces"))
        assert integrity.check(st) == ["schema: column subscribers.bounces is missing"]
    finally:
        with st.begin() as conn:  # put it back for the next test on the shared database
            conn.execute(
                sa.text("ALTER TABLE subscribers ADD COLUMN bounces INTEGER NOT NULL DEFAULT 0")
            )
        st.close()


def test_backup_copies_a_live_store_consistently(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cfg = _made(tmp_path)
    live = stores.open(f"sqlite:///{_db(tmp_path)}")
    stop = threading.Event()

    def writer() -> None:  # the daemon, storing briefs while the copy is made
        i = 1000
        while not stop.is_set():
            b = replace(make_brief(f"w-{i}"), updated=T0 + timedelta(seconds=i))
            with live.begin() as conn:
                live.briefs.upsert(conn, b, story=b.id)
            i += 1

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        target = tmp_path / "backups" / "copy.db"
        assert main(["--config", str(cfg), "backup", str(target)]) == 0
        assert main(["--config", str(cfg), "backup", str(target)]) == 1  # no silent overwrite
        assert "exists (--force replaces it)" in capsys.readouterr().err
        assert main(["--config", str(cfg), "backup", str(target), "--force"]) == 0
        assert main(["--config", str(cfg), "backup", str(tmp_path / "backups")]) == 0
    finally:
        stop.set()
        thread.join()
        live.close()
    out = capsys.readouterr().out
    assert f"backup: {target} (" in out and "quick_check ok" in out
    copies = sorted((tmp_path / "backups").glob("syndicate-*.db"))
    assert len(copies) == 1
    for copy in (target, copies[0]):
        assert not Path(f"{copy}-wal").exists()
        with sqlite3.connect(copy) as conn:
            assert conn.execute("PRAGMA quick_check").fetchone() == ("ok",)
            n = conn.execute("SELECT count(*) FROM briefs").fetchone()[0]
            seq = conn.execute("SELECT max(seq) FROM briefs").fetchone()[0]
        assert n >= 300 and seq == n  # whole transactions only: every seq has its brief
        restored = stores.open(f"sqlite:///{copy}")  # the copy is a store syndicate opens
        try:
            assert integrity.check(restored) == []
        finally:
            restored.close()
    assert not list((tmp_path / "backups").glob(".*partial"))


def test_backup_of_postgresql_points_to_pg_dump(
    tmp_path: Path, postgres_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    cfg = _config(tmp_path, postgres_url)
    assert main(["--config", str(cfg), "backup", str(tmp_path / "x.db")]) == 1
    assert "for PostgreSQL use pg_dump" in capsys.readouterr().err
    assert not (tmp_path / "x.db").exists()


def test_the_daemon_lock_is_one_lock_through_symlinks(tmp_path: Path) -> None:
    real = _db(tmp_path)
    real.parent.mkdir(parents=True)
    stores.open(f"sqlite:///{real}").close()
    link = tmp_path / "link.db"
    link.symlink_to(real)
    folder = tmp_path / "elsewhere"
    folder.symlink_to(real.parent, target_is_directory=True)
    first = stores.open(f"sqlite:///{real}")
    via_file = stores.open(f"sqlite:///{link}")
    via_folder = stores.open(f"sqlite:///{folder / real.name}")
    try:
        assert first.meta.acquire_lock("daemon", "a")
        assert not via_file.meta.acquire_lock("daemon", "b")
        assert not via_folder.meta.acquire_lock("daemon", "c")
        first.meta.release_lock("daemon")
        assert via_file.meta.acquire_lock("daemon", "b")
    finally:
        for st in (first, via_file, via_folder):
            st.close()
    assert os.path.exists(f"{real}.daemon.lock") and not os.path.exists(f"{link}.daemon.lock")
