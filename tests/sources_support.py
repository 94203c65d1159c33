"""The agencies' fixture sites on the test HTTP server, polled with the shipped config.

`serve(server, case)` answers a case's document, extra feeds and release pages (from
tests/data/sources/<case>/) at their real paths on 127.0.0.1, with the agency's origin in
them rewritten to the server's. `shipped(tmp, server, origins)` is the shipped config.toml with
those origins pointed at the server, no per-host spacing, and the store in `tmp`: the same
selectors the operator gets, tested end to end.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from server import Request, Response, Server

from syndicate import config as config_module
from syndicate.config import Config

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "tests" / "data" / "sources"
# A fixed day a little after the fixtures' releases (tests never read today's date).
DAY = datetime(2026, 8, 8, 12, 0, tzinfo=UTC)


def case(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((DATA / name / "case.json").read_text(encoding="utf-8"))
    return data


def origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def _type(file: str) -> str:
    return "text/html; charset=utf-8" if file.endswith(".html") else "application/rss+xml"


def serve(server: Server, name: str, *, etags: bool = False) -> dict[str, Any]:
    """Route a case's files on the server; returns the case. `etags`: answer 304 to a
    matching If-None-Match, as a real server would."""
    spec = case(name)
    base = server.url("").rstrip("/")
    here = origin(spec["url"])

    def body(file: str) -> bytes:
        return (DATA / name / file).read_bytes().replace(here.encode(), base.encode())

    def static(file: str) -> Callable[[Request], Response]:
        data, tag = body(file), f'"{file}"'

        def answer(request: Request) -> Response:
            if etags and request.headers.get("if-none-match") == tag:
                return Response(304, {"ETag": tag})
            headers = {"Content-Type": _type(file), **({"ETag": tag} if etags else {})}
            return Response(200, headers, data)

        return answer

    server.handle(urlsplit(spec["url"]).path, static(spec["document"]))
    for url, file in spec.get("extra", {}).items():
        server.handle(urlsplit(url).path, static(file))
    items = spec["items"]
    for page in spec.get("pages", []):
        server.handle(urlsplit(items[page["item"]]["url"]).path, static(page["file"]))
    return spec


def shipped(tmp: Path, server: Server, origins: list[str], *, db: str = "") -> Config:
    """The shipped config with `origins` served by `server`; written to tmp/config.toml."""
    text = (ROOT / "config.toml").read_text(encoding="utf-8")
    base = server.url("").rstrip("/")
    for o in origins:
        text = text.replace(o, base)
    text = text.replace("host_spacing = 1.0", "host_spacing = 0.0", 1)
    # The fixture server is on 127.0.0.1, which the shipped config refuses to fetch.
    text = text.replace("# allow_private = false", "allow_private = true", 1)
    assert "allow_private = true" in text, "config.toml no longer ships the commented key"
    if db:
        text = text.replace('url = ""', f'url = "{db}"', 1)
    path = tmp / "config.toml"
    path.write_text(text, encoding="utf-8")
    return config_module.load(path)


class Clock:
    """A clock the test moves by hand."""

    def __init__(self, now: datetime = DAY) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **kwargs: float) -> None:
        self.now += timedelta(**kwargs)


@contextmanager
def captured_events() -> Iterator[list[logging.LogRecord]]:
    """syndicate's log events (its logger does not propagate), as records."""
    records: list[logging.LogRecord] = []

    class Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            records.append(record)

    logger = logging.getLogger("syndicate")
    handler, level = Keep(), logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    try:
        yield records
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)


def events(records: list[logging.LogRecord], name: str) -> list[dict[str, Any]]:
    """The fields of each event called `name`."""
    return [dict(getattr(r, "fields", {})) for r in records if r.getMessage() == name]
