"""Shared pytest fixtures. Add yours with small, additive edits."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from server import Server
from smtp_support import smtp_sink  # noqa: F401 - the SMTP sink fixture
from store_support import postgres_url, sqlite_template, store, store_url  # noqa: F401


@pytest.fixture
def http_server() -> Iterator[Server]:
    """A fresh HTTP server on 127.0.0.1 (ephemeral port) for one test; see tests/server.py."""
    with Server() as server:
        yield server
