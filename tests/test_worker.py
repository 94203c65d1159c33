"""`syndicate worker --kind mail`: workers sharing one PostgreSQL store split the outbox.

Two worker processes drain the same ledger at once, through a real SMTP server on
127.0.0.1; every subscriber gets exactly one copy and both workers take a share (rows are
claimed with `FOR UPDATE SKIP LOCKED`). On SQLite the same command drains it alone.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from smtp_support import Sink, put_briefs
from store_support import T0, fresh_database, make_brief

from syndicate import config as configs
from syndicate import store as stores
from syndicate.pipeline import mail

READERS = 60


def _config(root: Path, url: str, port: int) -> Path:
    path = root / "config.toml"
    path.write_text(
        f"""
[service]
base_url = "https://briefs.example.org"
data_dir = "data"
[database]
url = "{url}"
[mail]
from = "DHS Briefs <briefs@example.org>"
transport = "smtp"
[mail.smtp]
host = "127.0.0.1"
port = {port}
rate = 1000.0
""",
        encoding="utf-8",
    )
    return path


def _planned(path: Path) -> int:
    config = configs.load(path)
    store = stores.open(config.database_url)
    try:
        for i in range(READERS):
            store.subscribers.add(f"reader{i}@example.net", "daily", confirmed=True)
        put_briefs(store, make_brief("cbp-1"))
        return mail.plan(store, config, now=T0).made
    finally:
        store.close()


def _worker(path: Path) -> subprocess.Popen[str]:
    argv = [sys.executable, "-m", "syndicate", "--config", str(path), "worker"]
    return subprocess.Popen(
        [*argv, "--kind", "mail", "--once"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


@pytest.mark.postgres
def test_two_workers_on_postgresql_split_the_outbox_and_send_each_message_once(
    tmp_path: Path,
) -> None:
    slow = Sink(delay=0.1).start()  # one worker alone would take about 3 s: both claim
    try:
        with fresh_database("syn_worker") as url:
            path = _config(tmp_path, url, slow.port)
            assert _planned(path) == READERS
            workers = [_worker(path), _worker(path)]
            outs = [w.communicate(timeout=120)[0] for w in workers]
        assert [w.returncode for w in workers] == [0, 0], outs
        got = slow.by_recipient()
    finally:
        slow.stop()
    assert sorted(got) == sorted(f"reader{i}@example.net" for i in range(READERS))
    assert all(len(copies) == 1 for copies in got.values())
    shares = [int(out.split("worker: ")[1].split()[0]) for out in outs]
    assert sum(shares) == READERS and min(shares) > 0, outs


def test_one_worker_drains_the_outbox_on_sqlite(tmp_path: Path, smtp_sink: Sink) -> None:
    path = _config(tmp_path, f"sqlite:///{tmp_path / 'store.db'}", smtp_sink.port)
    assert _planned(path) == READERS
    (worker,) = [_worker(path)]
    out = worker.communicate(timeout=120)[0]
    assert worker.returncode == 0, out
    assert f"worker: {READERS} jobs finished (mail)" in out
    assert len(smtp_sink.messages) == READERS
    again = _worker(path)
    assert "worker: 0 jobs finished" in again.communicate(timeout=60)[0]
