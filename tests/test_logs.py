"""Event logs: one line per event with its fields, text or JSON, secrets never written."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from syndicate import logs


@pytest.fixture(autouse=True)
def _restore() -> Iterator[None]:
    """The handler writes to pytest's captured stderr: drop it after each test."""
    saved = list(logs.LOGGER.handlers)
    yield
    logs.LOGGER.handlers[:] = saved


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
