"""Running the web side: `syndicate serve` as a real process, the embeddable server inside an
existing asyncio loop (what the daemon does), and the throttle table on both databases."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from browser_support import make_config
from store_support import postgres_url, store, store_url

from syndicate import store as stores
from syndicate import web
from syndicate.cli import main
from syndicate.errors import ConfigError
from syndicate.store import Store

__all__ = ["postgres_url", "store", "store_url"]

ROOT = Path(__file__).resolve().parent.parent
T = datetime(2026, 11, 29, 9, 0, tzinfo=UTC)


def free_port() -> int:
    with socket.create_server(("127.0.0.1", 0)) as s:
        port: int = s.getsockname()[1]
        return port


def test_syndicate_serve_runs_and_stops_on_sigterm(tmp_path: Path) -> None:
    make_config(tmp_path)
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k != "SYNDICATE_SECRET"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "syndicate", "--config", str(tmp_path / "config.toml"),
         "serve", "--port", str(port)],
        cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                r = httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2)
                break
            except httpx.TransportError:
                assert proc.poll() is None, proc.communicate()
                assert time.monotonic() < deadline, "serve did not start"
                time.sleep(0.1)
        # `serve` is alive, but no scheduler runs beside it, and /readyz says so.
        assert r.status_code == 200, r.text
        ready = httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=2)
        assert ready.status_code == 503
        assert "no scheduler heartbeat" in ready.json()["problems"][0]
        assert httpx.get(f"http://127.0.0.1:{port}/").status_code == 200
        # The secret for signed links was generated into the data directory, private.
        secret = tmp_path / "data" / "secret"
        assert secret.exists() and secret.stat().st_mode & 0o077 == 0
    finally:
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=15)
    assert proc.returncode == 0, err
    assert f"serving http://127.0.0.1:{port}/" in out


def test_serve_on_a_busy_port_says_why(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    make_config(tmp_path)
    with socket.create_server(("127.0.0.1", 0)) as busy:
        port = busy.getsockname()[1]
        status = main(["--config", str(tmp_path / "config.toml"), "serve", "--port", str(port)])
    assert status == 2
    out, err = capsys.readouterr()
    assert f"web: cannot listen on 127.0.0.1:{port}" in err
    assert "serving" not in out  # a port we could not bind is never announced


def test_embedded_server_starts_and_stops_inside_a_running_loop(tmp_path: Path) -> None:
    config = make_config(tmp_path)
    config.data_dir.mkdir()
    opened = stores.open(config.database_url)
    before = signal.getsignal(signal.SIGTERM)

    async def daemon() -> tuple[int, int]:
        server = web.server(config, opened, host="127.0.0.1", port=0)
        task = asyncio.create_task(server.serve())
        while not server.started:
            await asyncio.sleep(0.01)
        port = web.bound_port(server)
        # The loop's owner keeps its signal handling: uvicorn must not replace it.
        assert signal.getsignal(signal.SIGTERM) is before
        async with httpx.AsyncClient() as client:
            r = await client.get(f"http://127.0.0.1:{port}/agency/cbp")
        server.should_exit = True
        await asyncio.wait_for(task, 10)
        return port, r.status_code

    try:
        port, status = asyncio.run(daemon())
    finally:
        opened.close()
    assert status == 200
    with pytest.raises(httpx.TransportError):
        httpx.get(f"http://127.0.0.1:{port}/", timeout=1)


def test_embedded_server_on_a_busy_port_raises_instead_of_exiting(tmp_path: Path) -> None:
    config = make_config(tmp_path)
    config.data_dir.mkdir()
    opened = stores.open(config.database_url)
    try:
        with socket.create_server(("127.0.0.1", 0)) as busy:
            server = web.server(config, opened, port=busy.getsockname()[1])
            # uvicorn alone would sys.exit(1) and take the daemon down with it.
            with pytest.raises(ConfigError, match=r"web: cannot listen on 127\.0\.0\.1:"):
                asyncio.run(server.serve())
    finally:
        opened.close()


def test_throttle_counts_within_a_window_then_resets(store: Store) -> None:
    hour = timedelta(hours=1)
    waits = [store.throttle.take("ip:192.0.2.1", 3, hour, now=T) for _ in range(4)]
    assert waits[:3] == [0.0, 0.0, 0.0]
    assert waits[3] == 3600.0
    # Another key has its own budget.
    assert store.throttle.take("ip:192.0.2.2", 3, hour, now=T) == 0.0
    halfway = T + timedelta(minutes=30)
    assert store.throttle.take("ip:192.0.2.1", 3, hour, now=halfway) == 1800.0
    assert store.throttle.take("ip:192.0.2.1", 3, hour, now=T + hour) == 0.0
    assert store.throttle.prune(T + timedelta(minutes=1)) == 1  # only the 192.0.2.2 window
    store.throttle.reset("ip:192.0.2.1")
    assert store.throttle.take("ip:192.0.2.1", 1, hour, now=T + hour) == 0.0


def test_throttle_never_lets_concurrent_callers_past_the_limit(store: Store) -> None:
    allowed: list[float] = []
    barrier = threading.Barrier(8)

    def hammer() -> None:
        barrier.wait()
        for _ in range(5):
            allowed.append(
                store.throttle.take("email:a@example.gov", 10, timedelta(hours=1), now=T)
            )

    threads = [threading.Thread(target=hammer) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(allowed) == 40
    assert allowed.count(0.0) == 10
