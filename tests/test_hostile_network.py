"""Issue 13: what one host can do to the service. A source redirecting to private addresses,
a chain of slow redirects, a slow host eating a poll, a signal in the middle of a poll; each
served from 127.0.0.0/8 beside a healthy source, whose releases are still published and
mailed.

The SSRF tests need a "public" host that serves the hostile source while 127.0.0.1 stays
private: the source's server listens on 127.0.0.2, which the config lets through with
`fetch.allow_networks = ["127.0.0.2/32"]` (everything else keeps the real rule), and the
secrets it points at are on 127.0.0.1, whose request log must stay empty.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from hostile_support import (
    GOOD_TITLES,
    atom_titles,
    healthy,
    healthy_outcome,
    item,
    mailed_subjects,
    page,
    rss,
    site,
    subscribe,
)
from server import Server

from syndicate.cli import main
from syndicate.errors import Deadline, RefusedAddress
from syndicate.fetch import Fetcher
from syndicate.fetch.address import literal, refusal

PUBLIC = "127.0.0.2"  # the tests' stand-in for a public address (allow_networks)
SECRET = "AWS-SECRET-ACCESS-KEY-EXAMPLE"
LEAD = "Officers completed the records inspection at the western port on Monday."


@pytest.fixture
def public_server() -> Iterator[Server]:
    with Server(hosts=(PUBLIC,)) as server:
        yield server


def _report(
    cfg: Path, capsys: pytest.CaptureFixture[str], *ids: str
) -> dict[str, dict[str, object]]:
    named = [a for i in ids for a in ("--source", i)]
    assert main(["--config", str(cfg), "poll", "--json", *named]) == 0
    return {s["id"]: s for s in json.loads(capsys.readouterr().out)["sources"]}


def test_redirects_to_private_addresses_are_refused(
    tmp_path: Path,
    public_server: Server,
    http_server: Server,
    capsys: pytest.CaptureFixture[str],
) -> None:
    # The secrets: a metadata-like page and a feed on 127.0.0.1 (and so on ::1, localhost).
    http_server.route("/secret", body=f"<html><body><h1>{SECRET}</h1></body></html>")
    http_server.route("/secret.xml", body=rss([item(SECRET, "https://x.example/", 1)]))
    port = http_server.port
    healthy(public_server, host=PUBLIC)
    base = public_server.url("", host=PUBLIC).rstrip("/")
    targets = {
        "/r/1": f"http://127.0.0.1:{port}/secret",
        "/r/2": f"http://2130706433:{port}/secret",  # 127.0.0.1 as one number
        "/r/3": f"http://0x7f.1:{port}/secret",
        "/r/4": "http://169.254.169.254/latest/meta-data/",  # a cloud's metadata service
        "/r/5": f"http://[::ffff:127.0.0.1]:{port}/secret",
        "/r/6": f"http://localhost:{port}/secret",  # a name that resolves to loopback
        "/r/7": "http://10.1.2.3/admin",
    }
    for path, to in targets.items():
        public_server.redirect(path, to)
    evil = [
        item(f"Officers Report Records Audit Number {n}", f"{base}/r/{n}", n) for n in range(1, 8)
    ]
    public_server.route(
        "/evil.xml", body=rss(evil), headers={"Content-Type": "application/rss+xml"}
    )
    # A feed that itself moves to a private address.
    public_server.redirect("/moved.xml", f"http://127.0.0.1:{port}/secret.xml", status=301)
    cfg = site(
        tmp_path,
        public_server,
        {"good": "/good.xml", "evil": "/evil.xml", "moved": "/moved.xml"},
        fetch=f'allow_networks = ["{PUBLIC}/32"]',
        host=PUBLIC,
    )
    subscribe(cfg)

    by_id = _report(cfg, capsys)
    assert http_server.log == [], "a private address was reached"
    evil_result = by_id["evil"]
    assert (evil_result["new"], evil_result["failed"]) == (0, 7), evil_result
    notes = [str(n) for n in evil_result["notes"]]  # type: ignore[union-attr]
    assert all("fetch: refused private address" in n for n in notes), notes
    assert any("169.254.169.254: link-local" in n for n in notes), notes
    assert any("localhost (" in n and "): loopback" in n for n in notes), notes
    assert any("10.1.2.3: private" in n for n in notes), notes
    moved = by_id["moved"]
    assert moved["outcome"] == "failed"
    assert "fetch: refused private address 127.0.0.1: loopback" in str(moved["error"])
    assert SECRET not in (tmp_path / "data" / "feeds" / "all.atom").read_text(encoding="utf-8")
    healthy_outcome(cfg)


@pytest.mark.parametrize(
    ("host", "why"),
    [
        ("127.0.0.1", "loopback"),
        ("2130706433", "loopback"),
        ("0x7f000001", "loopback"),
        ("017700000001", "loopback"),
        ("127.1", "loopback"),
        ("[::1]", "loopback"),
        ("[::ffff:127.0.0.1]", "loopback"),
        ("[::ffff:7f00:1]", "loopback"),
        ("[64:ff9b::a9fe:a9fe]", "link-local"),  # NAT64 of 169.254.169.254
        ("[2002:7f00:1::]", "loopback"),  # 6to4 of 127.0.0.1
        ("169.254.169.254", "link-local"),
        ("[fe80::1]", "link-local"),
        ("10.0.0.1", "private"),
        ("172.16.5.4", "private"),
        ("192.168.1.1", "private"),
        ("[fd00::1]", "private"),
        ("224.0.0.1", "multicast"),
        ("[ff02::1]", "multicast"),
        ("0.0.0.0", "unspecified"),
        ("100.64.0.1", "reserved"),  # shared address space (carrier-grade NAT)
        ("240.0.0.1", "reserved"),
    ],
)
def test_every_spelling_of_a_private_address_is_refused(host: str, why: str) -> None:
    ip = literal(host)
    assert ip is not None
    assert refusal(ip) == why

    async def get() -> None:
        async with Fetcher("t", host_spacing=0, respect_robots=False) as f:
            await f.get(f"http://{host}:9/x")

    with pytest.raises(RefusedAddress, match="fetch: refused private address"):
        asyncio.run(get())


def test_public_addresses_and_names_are_not_literals() -> None:
    for host in ("8.8.8.8", "[2001:4860:4860::8888]"):
        ip = literal(host)
        assert ip is not None and refusal(ip) is None
    assert literal("www.dhs.gov") is None and literal("cafe.example") is None


def test_one_deadline_covers_every_redirect(http_server: Server) -> None:
    # Five hops of 0.6 s each: every hop is well inside a 1.5 s deadline, the chain is not.
    for n in range(5):
        http_server.route(
            f"/hop/{n}",
            status=302,
            headers={"Location": f"/hop/{n + 1}"},
            delay=0.6,
        )
    http_server.route("/hop/5", body="<rss/>")

    async def get() -> None:
        settings = {"host_spacing": 0.0, "respect_robots": False, "allow_private": True}
        async with Fetcher("t", deadline=1.5, **settings) as f:  # type: ignore[arg-type]
            await f.get(http_server.url("/hop/0"))

    with pytest.raises(Deadline, match=r"1.5 s deadline \(for the whole fetch and 2 redirects\)"):
        asyncio.run(get())
    http_server.wait_idle()
    assert "/hop/5" not in [e.path for e in http_server.log]


def test_a_slow_host_spends_its_page_budget_and_the_rest_waits(
    tmp_path: Path, http_server: Server, capsys: pytest.CaptureFixture[str]
) -> None:
    healthy(http_server)
    # Another host name for the slow source: requests to one host wait for each other.
    base = http_server.url("", host="localhost").rstrip("/")
    slow = [
        item(f"Officers Finish Slow Audit Number {n}", f"{base}/slow/{n}", n) for n in range(1, 5)
    ]
    http_server.route("/slow.xml", body=rss(slow), headers={"Content-Type": "application/rss+xml"})
    for n in range(1, 5):
        body = page(f"Officers Finish Slow Audit Number {n}", LEAD.replace("records", f"slow {n}"))
        http_server.route(f"/slow/{n}", body=body, delay=0.8, headers={"Content-Type": "text/html"})
    cfg = site(
        tmp_path,
        http_server,
        {"good": "/good.xml", "slow": f"{base}/slow.xml"},
        fetch="allow_private = true\npage_budget = 1.0",
    )
    subscribe(cfg)

    first = _report(cfg, capsys)["slow"]
    notes = " ".join(str(n) for n in first["notes"])  # type: ignore[union-attr]
    assert 1 <= int(str(first["new"])) < 4, first
    assert "page budget of 1 s" in notes, notes
    healthy_outcome(cfg)
    # What was left is fetched by the next polls; nothing is lost.
    for _ in range(4):
        _report(cfg, capsys, "slow")
    titles = atom_titles(cfg)
    assert {f"Officers Finish Slow Audit Number {n}" for n in range(1, 5)} <= set(titles)


def test_sigterm_stops_a_poll_cleanly(tmp_path: Path, http_server: Server) -> None:
    healthy(http_server)
    base = http_server.url("").rstrip("/")
    slow = [
        item(f"Officers Finish Long Audit Number {n}", f"{base}/long/{n}", n) for n in range(1, 4)
    ]
    http_server.route("/long.xml", body=rss(slow), headers={"Content-Type": "application/rss+xml"})
    for n in range(1, 4):
        body = page(f"Officers Finish Long Audit Number {n}", LEAD.replace("records", f"long {n}"))
        http_server.route(f"/long/{n}", body=body, delay=1.5, headers={"Content-Type": "text/html"})
    cfg = site(
        tmp_path,
        http_server,
        {"good": "/good.xml", "long": "/long.xml"},
    )
    proc = subprocess.Popen(
        [sys.executable, "-m", "syndicate", "--config", str(cfg), "poll", "--json"],
        cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 30
        while not any(e.path == "/long/1" for e in http_server.log):
            assert proc.poll() is None, proc.communicate()
            assert time.monotonic() < deadline, "the poll never reached the slow pages"
            time.sleep(0.02)
        os.kill(proc.pid, signal.SIGTERM)
        out, err = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 128 + signal.SIGTERM, err
    assert "Traceback" not in err
    assert "SIGTERM: finishing the work in hand" in err
    assert "poll: stopped by SIGTERM; the next poll takes the rest" in err
    report = {s["id"]: s for s in json.loads(out)["sources"]}
    # The release in hand was finished and stored; the ones after it were not started.
    assert report["long"]["new"] == 1, report["long"]
    assert "stopped: 2 releases left for the next poll" in report["long"]["notes"]
    assert not any(e.path == "/long/2" for e in http_server.log)
    # The next poll, undisturbed, takes the rest and publishes everything.
    assert main(["--config", str(cfg), "poll", "--source", "long"]) == 0
    assert {f"Officers Finish Long Audit Number {n}" for n in range(1, 4)} <= set(atom_titles(cfg))


def _signal_on_first_call(monkeypatch: pytest.MonkeyPatch, owner: object, name: str) -> None:
    """SIGTERM this process the first time `owner.name` is called (then call it)."""
    original = getattr(owner, name)
    sent = []

    def wrapped(*args: object, **kwargs: object) -> object:
        if not sent:
            sent.append(True)
            os.kill(os.getpid(), signal.SIGTERM)
        return original(*args, **kwargs)

    monkeypatch.setattr(owner, name, wrapped)


def test_sigterm_stops_publish_between_feeds(
    tmp_path: Path,
    http_server: Server,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    from syndicate import publish

    healthy(http_server)
    cfg = site(tmp_path, http_server, {"good": "/good.xml"})
    assert main(["--config", str(cfg), "poll", "--no-publish"]) == 0
    capsys.readouterr()
    _signal_on_first_call(monkeypatch, publish, "write")
    assert main(["--config", str(cfg), "publish"]) == 128 + signal.SIGTERM
    out = capsys.readouterr()
    assert "SIGTERM: finishing the work in hand" in out.err
    assert "(stopped early; the next publish finishes)" in out.out
    assert (tmp_path / "data" / "feeds" / "all.atom").exists()  # the feed in hand was finished
    assert not (
        tmp_path / "data" / "feeds" / "agency" / "cbp.atom"
    ).exists()  # the next was not begun
    monkeypatch.undo()
    assert main(["--config", str(cfg), "publish"]) == 0
    assert set(atom_titles(cfg, "agency/cbp")) == set(GOOD_TITLES)


def test_sigterm_stops_digest_between_batches(
    tmp_path: Path,
    http_server: Server,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    from syndicate.pipeline.outbox import Renderer

    healthy(http_server)
    cfg = site(tmp_path, http_server, {"good": "/good.xml"})
    for n in range(20):
        subscribe(cfg, f"reader{n}@example.org")
    assert main(["--config", str(cfg), "poll", "--no-publish"]) == 0
    capsys.readouterr()
    _signal_on_first_call(monkeypatch, Renderer, "row")
    assert main(["--config", str(cfg), "digest", "--cadence", "immediate"]) == 128 + signal.SIGTERM
    out = capsys.readouterr()
    assert "digest: stopped by SIGTERM; the ledger keeps the rest" in out.err
    first = len(mailed_subjects(cfg))
    assert 0 < first < 40  # 20 readers, 2 briefs each: one batch went, the rest waits
    monkeypatch.undo()
    assert main(["--config", str(cfg), "digest"]) == 0
    subjects = mailed_subjects(cfg)
    assert len(subjects) == 40 and len(set(subjects)) == 2
