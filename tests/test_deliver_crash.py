"""A sender killed with SIGKILL at random moments loses nothing and duplicates little.

`python -m syndicate --config X digest` runs as a subprocess against an SQLite store and an
aiosmtpd server in this process. Each run is killed after a random number of messages
(so the kill lands mid-send, with messages claimed, in flight or accepted but not yet
marked); then runs go on without kills until the ledger is done. Afterwards every
recipient has the digest, all their copies carry one Message-ID, and each extra copy is
explained by a kill: no two copies arrived during the same run, and every run but the last
that delivered a recipient's copy was a killed one.
"""

from __future__ import annotations

import os
import random
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from smtp_support import Sink, put_briefs
from store_support import make_brief

from syndicate import store as stores

RECIPIENTS = 200
KILLS = 20
LEASE = 1.0  # seconds before a dead sender's claims are taken again

pytestmark = pytest.mark.slow


def _config(root: Path, port: int) -> Path:
    path = root / "config.toml"
    path.write_text(
        f"""
[service]
base_url = "https://briefs.example.org"
data_dir = "data"

[digests]
daily_at = 00:00:00

[mail]
from = "DHS Briefs <briefs@example.org>"
transport = "smtp"
claim_lease = {LEASE}
retry_base = 0.2

[mail.smtp]
host = "127.0.0.1"
port = {port}
pool_size = 2
rate = 1000.0
timeout = 5.0
""",
        encoding="utf-8",
    )
    return path


def _seed(root: Path) -> None:
    store = stores.open(f"sqlite:///{root / 'data' / 'syndicate.db'}")
    try:
        for i in range(RECIPIENTS):
            store.subscribers.add(f"reader{i:03d}@example.net", "daily", confirmed=True)
        now = datetime.now(UTC)
        put_briefs(
            store,
            *(make_brief(f"b-{i}", published=now - timedelta(hours=i + 1)) for i in range(3)),
        )
    finally:
        store.close()


def _spawn(config: Path, *, quiet: bool = False) -> subprocess.Popen[bytes]:
    env = {**os.environ, "SYNDICATE_SECRET": "crash-test-secret"}
    return subprocess.Popen(
        [sys.executable, "-m", "syndicate", "--config", str(config), "digest"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL if quiet else subprocess.PIPE,
    )


def test_sigkill_at_random_moments_loses_nothing(tmp_path: Path) -> None:
    rng = random.Random(20261129)
    sink = Sink(delay=0.004).start()
    try:
        config = _config(tmp_path, sink.port)
        _seed(tmp_path)
        runs: list[tuple[int, bool]] = []  # (first message index, killed)
        deadline = time.monotonic() + 150
        kills = 0
        while kills < KILLS:
            start = len(sink.messages)
            proc = _spawn(config, quiet=True)
            want = start + rng.randint(1, 12)
            while proc.poll() is None and len(sink.messages) < want:
                time.sleep(0.002)
            if proc.poll() is None:
                time.sleep(rng.uniform(0, 0.02))
                proc.kill()
                kills += 1
            proc.wait()
            time.sleep(0.05)  # let the server finish what the dead client had sent
            runs.append((start, proc.returncode == -9))
            if proc.returncode != -9:
                break  # the run finished by itself: nothing was left to kill it over
            assert time.monotonic() < deadline, "the killing phase took too long"
        # Now without kills, until nothing is owed (dead claims wait out their lease).
        for _ in range(10):
            time.sleep(LEASE + 0.1)
            start = len(sink.messages)
            proc = _spawn(config)
            _, err = proc.communicate(timeout=60)
            assert proc.returncode == 0, err.decode()
            runs.append((start, False))
            if len(sink.by_recipient()) == RECIPIENTS:
                break
        messages = sink.messages
    finally:
        sink.stop()

    received = {}
    for m in messages:
        received.setdefault(m.recipients[0], []).append(m)
    assert sorted(received) == [f"reader{i:03d}@example.net" for i in range(RECIPIENTS)]

    def run_of(index: int) -> int:
        return max(k for k, (first, _) in enumerate(runs) if first <= index)

    positions: dict[str, list[int]] = {}
    for index, m in enumerate(messages):
        positions.setdefault(m.recipients[0], []).append(index)
    extra = 0
    for who, copies in received.items():
        ids = {m.parsed()["Message-ID"] for m in copies}
        assert len(ids) == 1, f"{who} got different messages: {ids}"
        runs_hit = [run_of(i) for i in positions[who]]
        assert len(runs_hit) == len(set(runs_hit)), f"{who}: two copies in one run"
        for k in runs_hit[:-1]:
            assert runs[k][1], f"{who}: a copy was repeated after run {k}, which was not killed"
        extra += len(copies) - 1
    # Each kill can only repeat what was in hand at that moment (one claimed batch).
    assert extra <= kills * 16
    assert kills >= KILLS
