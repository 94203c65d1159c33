"""Freshness (issue 16): a poll publishes and mails each source's new briefs as the source
finishes, not after the whole poll; one slow source does not hold back the others."""

from __future__ import annotations

import contextlib
import io
import threading
import time
from pathlib import Path

from hostile_support import (
    GOOD_TITLES,
    healthy,
    item,
    mailed_subjects,
    page,
    rss,
    site,
    subscribe,
)
from server import Server

from syndicate.cli import main

LEAD = "Officers completed the records inspection at the eastern port on Monday."


def _titles(cfg: Path) -> str:
    path = cfg.parent / "data" / "feeds" / "all.atom"
    return path.read_text(encoding="utf-8") if path.exists() else ""


def test_a_finished_source_is_published_and_mailed_while_a_slow_one_runs(
    tmp_path: Path, http_server: Server
) -> None:
    healthy(http_server)
    base = http_server.url("", host="localhost").rstrip("/")  # its own host: no shared turn
    slow = [item(f"Officers Finish Slow Audit Number {n}", f"{base}/slow/{n}", n) for n in (1, 2)]
    http_server.route("/slow.xml", body=rss(slow), headers={"Content-Type": "application/rss+xml"})
    for n in (1, 2):
        body = page(f"Officers Finish Slow Audit Number {n}", LEAD.replace("records", f"slow {n}"))
        http_server.route(f"/slow/{n}", body=body, delay=1.0, headers={"Content-Type": "text/html"})
    cfg = site(tmp_path, http_server, {"good": "/good.xml", "slow": f"{base}/slow.xml"})
    subscribe(cfg)

    status: list[int] = []

    def run() -> None:
        with contextlib.redirect_stdout(io.StringIO()):
            status.append(main(["--config", str(cfg), "poll"]))

    poller = threading.Thread(target=run)
    poller.start()
    try:
        deadline = time.monotonic() + 20
        while not all(t in _titles(cfg) for t in GOOD_TITLES):
            assert poller.is_alive(), "the poll ended before the healthy source was published"
            assert time.monotonic() < deadline, "the healthy source was never published"
            time.sleep(0.02)
        # Published while the slow source still waits for its second page.
        assert poller.is_alive()
        assert not any(e.path == "/slow/2" and e.finished for e in http_server.log)
        assert "Slow Audit" not in _titles(cfg)
        while not any(s == f"CBP: {GOOD_TITLES[0]}" for s in mailed_subjects(cfg)):
            assert poller.is_alive(), "the poll ended before the healthy source was mailed"
            assert time.monotonic() < deadline, "the healthy source was never mailed"
            time.sleep(0.02)
    finally:
        poller.join(timeout=30)
    assert status == [0]
    # The slow source's briefs follow when it finishes: nothing waits for another poll.
    text = _titles(cfg)
    assert "Officers Finish Slow Audit Number 1" in text
    assert "Officers Finish Slow Audit Number 2" in text
    subjects = mailed_subjects(cfg)
    assert sum("Slow Audit" in s for s in subjects) == 2, subjects
