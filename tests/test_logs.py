"""Event logs: one line per event with its fields, text or JSON, secrets never written."""

from __future__ import annotations

import json
import logging
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from syndicate import logs

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(autouse=True)
def _restore() -> Iterator[None]:
    """The handler writes to pytest's captured stderr: drop it after each test."""
    names = (*logs.LIBRARIES, "uvicorn.error")
    loggers = [logs.LOGGER, *(logging.getLogger(n) for n in names)]
    saved = [(lg, list(lg.handlers), lg.propagate, lg.level) for lg in loggers]
    yield
    for logger, handlers, propagate, level in saved:
        logger.handlers[:] = handlers
        logger.propagate = propagate
        logger.setLevel(level)


def test_json_lines_carry_fields_and_hide_secrets(capsys: pytest.CaptureFixture[str]) -> None:
    logs.setup("json", "info")
    logs.event(
        "poll.source",
        source="cbp",
        url="https://www.cbp.gov/rss",
        status=304,
        duration=0.125,
        smtp_password="hunter2",
        token="abc",
        error=None,
    )
    line = capsys.readouterr().err.strip()
    assert "\n" not in line
    record = json.loads(line)
    assert record["event"] == "poll.source" and record["level"] == "info"
    assert (record["source"], record["status"], record["duration"]) == ("cbp", 304, 0.125)
    assert record["smtp_password"] == "[redacted]" and record["token"] == "[redacted]"
    assert "hunter2" not in line and "error" not in record


def test_text_lines_are_one_per_event(capsys: pytest.CaptureFixture[str]) -> None:
    logs.setup("text", "info")
    logs.event("publish.done", feeds=3, note="two words")
    logs.event("ignored.debug", level=10)
    out = capsys.readouterr().err.splitlines()
    assert len(out) == 1
    assert ' publish.done feeds=3 note="two words"' in out[0]


def test_counts_are_key_value_in_text_and_an_object_in_json(
    capsys: pytest.CaptureFixture[str],
) -> None:
    counts = {"new": 0, "updated": 2, "failed": 1}
    logs.setup("text", "info")
    logs.event("poll.done", duration=0.5, counts=counts, ids=["cbp", "ice"])
    text = capsys.readouterr().err.strip()
    assert text.endswith(
        "poll.done duration=0.5 counts.new=0 counts.updated=2 counts.failed=1 ids=cbp,ice"
    )
    assert "{" not in text and "'" not in text  # no Python repr of a dict or a list
    logs.setup("json", "info")
    logs.event("poll.done", counts=counts, ids=["cbp", "ice"])
    record = json.loads(capsys.readouterr().err)
    assert record["counts"] == counts and record["ids"] == ["cbp", "ice"]


def test_library_lines_share_the_format(capsys: pytest.CaptureFixture[str]) -> None:
    logging.getLogger("uvicorn.error").setLevel(logging.WARNING)  # as the daemon's uvicorn sets it
    logs.setup("json", "info")
    logging.getLogger("uvicorn.error").warning("Invalid HTTP request received.")
    record = json.loads(capsys.readouterr().err)
    assert record["event"] == "uvicorn.error" and record["level"] == "warning"
    assert record["message"] == "Invalid HTTP request received."
    logs.setup("text", "info")
    logging.getLogger("uvicorn.error").warning("Invalid HTTP request received.")
    line = capsys.readouterr().err.strip()
    assert line.endswith('warning uvicorn.error message="Invalid HTTP request received."')


def test_run_says_where_it_listens_and_every_line_is_json(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text(
        '[service]\ndata_dir = "data"\n[web]\nport = 0\n[log]\nformat = "json"\n'
        "[feeds]\nfsync = false\n",
        encoding="utf-8",
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("SYNDICATE")}
    proc = subprocess.Popen(
        [sys.executable, "-m", "syndicate", "--config", str(config), "run"],
        stderr=subprocess.PIPE,
        text=True,
        env=env | {"PYTHONPATH": str(ROOT)},
    )
    assert proc.stderr is not None
    lines: list[str] = []
    try:
        url = None
        deadline = time.monotonic() + 60
        while url is None and time.monotonic() < deadline:
            line = proc.stderr.readline()
            if not line:
                break
            lines.append(line)
            record = json.loads(line)
            if record["event"] == "web.listening":
                url = record["url"]
        assert url and url.startswith("http://127.0.0.1:"), "".join(lines)
        port = int(url.rstrip("/").rsplit(":", 1)[1])
        with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
            sock.sendall(b"NOT HTTP AT ALL\r\n\r\n")  # uvicorn logs a warning of its own
            sock.recv(1024)
        time.sleep(0.5)
    finally:
        proc.send_signal(signal.SIGTERM)
        _, rest = proc.communicate(timeout=60)
    lines += rest.splitlines(keepends=True)
    records = [json.loads(line) for line in lines if line.strip()]  # every line is JSON
    assert any(
        r["event"] == "uvicorn.error" and "Invalid HTTP request" in r["message"] for r in records
    ), lines
    assert proc.returncode == 0
