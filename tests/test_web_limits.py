"""The web side against a hostile client and an unlucky operator (issue 13): forwarded
headers believed only from `web.trusted_proxies`, request lines and headers capped, and
`/readyz` naming what keeps the service from doing its job. Served by `syndicate.web.server`
itself (the uvicorn settings under test), on 127.0.0.1."""

from __future__ import annotations

import asyncio
import re
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

import httpx
from browser_support import NOW, make_config

from syndicate import store as stores
from syndicate import web
from syndicate.config import Config
from syndicate.model import Validators
from syndicate.store import Store, integrity
from syndicate.store.deliveries import Owing, Planned

CSRF = re.compile(r'name="csrf" value="([^"]+)"')


@contextmanager
def serving(config: Config, store: Store) -> Iterator[str]:
    """The web side as `syndicate serve` runs it, in a thread; yields its base URL."""
    server = web.server(config, store, host="127.0.0.1", port=0)
    thread = threading.Thread(target=lambda: asyncio.run(server.serve()))
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "the server did not start"
        time.sleep(0.01)
    try:
        yield f"http://127.0.0.1:{web.bound_port(server)}"
    finally:
        server.should_exit = True
        thread.join(10)


def _site(tmp: Path, **web_settings: object) -> tuple[Config, Store]:
    config = make_config(tmp, per_hour=3)
    config = config.model_copy(update={"web": config.web.model_copy(update=web_settings)})
    return config, stores.open(config.database_url, clock=lambda: NOW)


def _attempts(url: str, spoofed: list[str]) -> list[int]:
    """One subscribe attempt per spoofed client address, each for a new email address."""
    answers = []
    with httpx.Client(base_url=url, timeout=10) as c:
        for n, ip in enumerate(spoofed):
            token = CSRF.search(c.get("/").text)
            assert token
            form = {"address": f"reader{n}@example.gov", "cadence": "daily", "csrf": token[1]}
            answers.append(
                c.post("/subscribe", data=form, headers={"X-Forwarded-For": ip}).status_code
            )
    return answers


def test_forwarded_headers_count_only_from_trusted_proxies(tmp_path: Path) -> None:
    spoofed = [f"198.51.100.{n}" for n in range(1, 7)]
    untrusted_root, trusted_root = tmp_path / "a", tmp_path / "b"
    untrusted_root.mkdir()
    trusted_root.mkdir()
    config, store = _site(untrusted_root)  # the default: no proxy is trusted
    try:
        with serving(config, store) as url:
            # Six spoofed addresses are one client (the TCP peer) to the rate limit.
            assert _attempts(url, spoofed) == [200, 200, 200, 429, 429, 429]
    finally:
        store.close()
    config, store = _site(trusted_root, trusted_proxies=["127.0.0.0/8"])
    try:
        with serving(config, store) as url:
            # Behind a trusted proxy, each forwarded client has its own allowance.
            assert _attempts(url, spoofed) == [200] * 6
    finally:
        store.close()


def _raw(url: str, request: bytes) -> bytes:
    host, port = url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=10) as sock:
        sock.sendall(request)
        return sock.recv(65536)


def test_request_lines_and_headers_are_capped(tmp_path: Path) -> None:
    config, store = _site(tmp_path)
    try:
        with serving(config, store) as url, httpx.Client(base_url=url, timeout=10) as c:
            assert c.get("/x" * 3000).status_code == 414
            assert c.get("/", headers={"X-Big": "a" * 20_000}).status_code == 431
            many = {f"X-H{n}": "1" for n in range(150)}
            assert c.get("/", headers=many).status_code == 431
            # 60 KB of headers, sent whole: refused, never served.
            answer = _raw(
                url, b"GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 60_000 + b"\r\n\r\n"
            )
            assert answer.split(b" ", 2)[1] in (b"400", b"431"), answer[:100]
            # ... and the server goes on serving everyone else.
            assert c.get("/healthz").status_code == 200
            assert c.get("/", headers={"X-Normal": "b" * 500}).status_code == 200
    finally:
        store.close()


def test_readyz_names_sources_store_and_mail_problems(tmp_path: Path) -> None:
    config, store = _site(tmp_path)
    later = NOW + timedelta(minutes=15)
    try:
        store.meta.set("scheduler_heartbeat", (NOW - timedelta(seconds=5)).isoformat())
        store.meta.set("last_poll_at", (NOW - timedelta(seconds=30)).isoformat())
        with serving(config, store) as url, httpx.Client(base_url=url, timeout=10) as c:
            assert c.get("/readyz").status_code == 200
            # dhs: polled twice, never once usable.
            for minutes in (20, 10):
                store.sources.record_failure(
                    "dhs", url="https://www.dhs.gov/news", now=NOW - timedelta(minutes=minutes),
                    error="fetch: 403 from https://www.dhs.gov/news", status=403,
                    next_poll_at=later,
                )  # fmt: skip
            # cisa: fine once, failing for seven hours since (the backoff allows six).
            store.sources.record_success(
                "cisa", url="https://www.cisa.gov/news.xml", now=NOW - timedelta(hours=7),
                validators=Validators(), next_poll_at=later, status=200,
            )  # fmt: skip
            store.sources.record_failure(
                "cisa", url="https://www.cisa.gov/news.xml", now=NOW - timedelta(minutes=5),
                error="parse: not a feed", status=200, next_poll_at=later,
            )  # fmt: skip
            # A message planned two hours ago and never sent.
            sub = store.subscribers.add("ana@example.org", confirmed=True, now=NOW)
            planned = Planned("daily:2026-11-29", "<m@x>", "daily", ("b-1",))
            store.deliveries.record([Owing(sub.id, 0, (planned,))], NOW - timedelta(hours=2))
            integrity.record(store, ["sqlite quick_check: Page 12: btree page"], NOW)

            ready = c.get("/readyz")
            assert ready.status_code == 503
            report = ready.json()
            assert report["status"] == "not ready"
            assert report["checks"]["sources"] == [
                "source dhs has never succeeded (2 polls): fetch: 403 from https://www.dhs.gov/news",
                "source cisa has failed for 7 h (1 failed poll in a row): parse: not a feed",
            ]
            assert report["checks"]["store"] == [
                "store damaged (found 2026-11-29T12:00:00+00:00): "
                "sqlite quick_check: Page 12: btree page"
            ]
            assert report["checks"]["mail"] == [
                "1 messages stuck in the delivery ledger (the oldest due 2 h ago)"
            ]
            assert report["checks"]["scheduler"] == []
            # Liveness stays green: the process answers and its store opens.
            assert c.get("/healthz").status_code == 200
            metrics = c.get("/metrics").text
            assert "syndicate_store_problems 1.0" in metrics
    finally:
        store.close()
