"""The daemon as an operator runs it: a subprocess on a test config with the sample sources.

Within seconds it polls, publishes feeds and sends an immediate digest to a local SMTP
server; a new release shows up in the feed and in a mail without a restart; SIGTERM ends it
with exit 0; a restart does nothing twice; a second daemon on the same SQLite store refuses;
on PostgreSQL a standby takes over after the first is killed with SIGKILL.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from xml.etree import ElementTree

import pytest
from smtp_support import Sink, free_port, smtp_sink  # noqa: F401
from store_support import fresh_database

from syndicate import store
from syndicate.cli import main
from syndicate.config import load
from syndicate.demo.site import Site

ATOM = "{http://www.w3.org/2005/Atom}"
SUBSCRIBER = "reader@example.org"


def _config(tmp: Path, site: Site, smtp_port: int, database_url: str = "") -> Path:
    sources = "\n".join(
        f'[[sources]]\nid = "{sid}"\nname = "Sample {sid}"\nagency = "{agency}"\n'
        f'kind = "feed"\nurl = "{site.base}{path}"\ninterval = 1\n'
        for sid, agency, path in (
            ("cbp", "CBP", "/cbp/rss/newsroom/media-releases"),
            ("cisa", "CISA", "/cisa/news.xml"),
        )
    )
    path = tmp / "config.toml"
    path.write_text(
        f"""
[service]
base_url = "http://127.0.0.1:{free_port()}"
data_dir = "data"
[database]
url = "{database_url}"
[fetch]
host_spacing = 0.0
allow_private = true
[mail]
from = "Briefs <briefs@example.org>"
transport = "smtp"
[mail.smtp]
port = {smtp_port}
[web]
enabled = false
{sources}
""",
        encoding="utf-8",
    )
    return path


@pytest.fixture
def site() -> Iterator[Site]:
    s = Site(ttl=None).start()
    try:
        yield s
    finally:
        s.stop()


def _start(config: Path) -> subprocess.Popen[str]:
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    return subprocess.Popen(
        [sys.executable, "-m", "syndicate", "--config", str(config), "run"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=env,
    )


def _wait(what: str, check: Callable[[], bool], proc: subprocess.Popen[str], limit: float) -> None:
    end = time.monotonic() + limit
    while time.monotonic() < end:
        if check():
            return
        if proc.poll() is not None:
            out = proc.stdout.read() if proc.stdout else ""
            pytest.fail(f"daemon exited ({proc.returncode}) before {what}:\n{out}")
        time.sleep(0.2)
    proc.kill()
    out = proc.communicate()[0]
    pytest.fail(f"timed out waiting for {what}:\n{out[-4000:]}")


def _follow(proc: subprocess.Popen[str]) -> tuple[list[str], threading.Thread]:
    """Collect a daemon's output lines as they come (a thread reads the pipe)."""
    lines: list[str] = []

    def read() -> None:
        assert proc.stdout is not None
        with proc.stdout:
            lines.extend(iter(proc.stdout.readline, ""))

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    return lines, reader


def _titles(feed: Path) -> list[str]:
    if not feed.exists():
        return []
    root = ElementTree.parse(feed).getroot()
    return [e.findtext(f"{ATOM}title") or "" for e in root.iter(f"{ATOM}entry")]


def _stop(proc: subprocess.Popen[str]) -> tuple[int, str]:
    proc.send_signal(signal.SIGTERM)
    try:
        out = proc.communicate(timeout=40)[0]
    except subprocess.TimeoutExpired:
        proc.kill()
        pytest.fail("daemon did not exit within 40 s of SIGTERM")
    return proc.returncode, out


def _subscribe(config: Path) -> None:
    argv = ["--config", str(config), "subscribers", "add", SUBSCRIBER, "--cadence", "immediate"]
    assert main([*argv, "--confirmed"]) == 0


def test_daemon_polls_publishes_mails_and_stops_cleanly(
    tmp_path: Path,
    site: Site,
    smtp_sink: Sink,
) -> None:
    config = _config(tmp_path, site, smtp_sink.port)
    _subscribe(config)
    feed = tmp_path / "data" / "feeds" / "all.atom"
    proc = _start(config)
    try:
        _wait("the first feed", lambda: len(_titles(feed)) == 2, proc, 60)
        _wait("the first digests", lambda: len(smtp_sink.messages) == 2, proc, 60)

        site.released = True  # a new CBP release appears upstream
        new_title = "CBP Officers at Otay Mesa Intercept Fentanyl Hidden in Vehicle Floor"
        _wait("the new release in the feed", lambda: new_title in _titles(feed), proc, 60)
        _wait("the new release by mail", lambda: len(smtp_sink.messages) == 3, proc, 60)
        assert new_title in smtp_sink.messages[-1].parsed()["Subject"] or new_title in (
            smtp_sink.messages[-1].data.decode("utf-8", "replace")
        )
    finally:
        status, out = _stop(proc)
    assert status == 0, out
    assert "daemon.stop" in out

    # A restart does nothing twice: it polls again, and sends and publishes nothing new.
    before = feed.read_bytes()
    restarted = datetime.now(UTC)
    proc = _start(config)
    try:
        _wait("a poll after the restart", lambda: _polled_since(config, restarted), proc, 60)
        time.sleep(1)
    finally:
        status, out = _stop(proc)
    assert status == 0, out
    assert len(smtp_sink.messages) == 3
    assert feed.read_bytes() == before


def _polled_since(config: Path, when: datetime) -> bool:
    cfg = load(config)
    st = store.open(cfg.database_url)
    try:
        states = st.sources.all()
    finally:
        st.close()
    return len(states) == 2 and all(s.last_poll_at and s.last_poll_at > when for s in states)


def test_second_daemon_on_sqlite_refuses(tmp_path: Path, site: Site, smtp_sink: Sink) -> None:
    config = _config(tmp_path, site, smtp_sink.port)
    first = _start(config)
    try:
        _wait(
            "the first daemon's feed",
            lambda: (tmp_path / "data/feeds/all.atom").exists(),
            first,
            60,
        )
        second = subprocess.run(
            [sys.executable, "-m", "syndicate", "--config", str(config), "run"],
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert second.returncode == 1
        assert "another syndicate daemon is running" in second.stderr
        assert "Traceback" not in second.stderr
    finally:
        status, out = _stop(first)
    assert status == 0, out


@pytest.mark.postgres
def test_postgres_standby_takes_over_after_sigkill(
    tmp_path: Path,
    site: Site,
    smtp_sink: Sink,
) -> None:
    with fresh_database("syn_daemon") as url:
        config = _config(tmp_path, site, smtp_sink.port, url)
        _subscribe(config)
        first = _start(config)
        standby: subprocess.Popen[str] | None = None
        try:
            feed = tmp_path / "data" / "feeds" / "all.atom"
            _wait("the first daemon's feed", lambda: len(_titles(feed)) == 2, first, 60)
            standby = _start(config)
            said, reader = _follow(standby)
            # Under load the standby may take seconds to start: kill the first daemon only
            # once the standby says it is waiting, or the test would not test a takeover.
            _wait("the standby to wait", lambda: "daemon.standby" in "".join(said), standby, 60)
            time.sleep(1)
            assert standby.poll() is None, "the standby should wait, not exit"
            assert first.poll() is None, "the first daemon should still run"
            first.kill()
            first_out = first.communicate(timeout=10)[0]
            assert "daemon.start" in first_out
            site.released = True
            title = "CBP Officers at Otay Mesa Intercept Fentanyl Hidden in Vehicle Floor"
            _wait("the standby to publish", lambda: title in _titles(feed), standby, 60)
        finally:
            if first.poll() is None:
                first.kill()
                first.communicate(timeout=10)
            if standby is not None:
                standby.send_signal(signal.SIGTERM)
                status = standby.wait(timeout=40)
                reader.join(timeout=10)
                out = "".join(said)
                assert status == 0, out
                assert "daemon.takeover" in out, out


def test_housekeeping_prunes_raw_pages_older_than_configured(tmp_path: Path) -> None:
    from store_support import make_item

    from syndicate.config import parse
    from syndicate.schedule import Daemon

    cfg = parse("[service]\ndata_dir = 'data'\n[housekeeping]\nkeep_raw_days = 30\n", tmp_path)
    cfg.data_dir.mkdir()
    st = store.open(cfg.database_url)
    try:
        now = datetime.now(UTC)
        st.items.save(make_item("old"), now=now - timedelta(days=45), status="new", raw=b"old")
        st.items.save(make_item("new"), now=now - timedelta(days=2), status="new", raw=b"new")
        assert Daemon(cfg, st)._housekeeping() == {"raw_pruned": 1}
        known = st.items.known("uscis", ["old", "new"])
        assert st.items.raw(known["old"].id) is None
        assert st.items.raw(known["new"].id) == b"new"
    finally:
        st.close()


def test_auto_publish_after_releases_held_briefs_and_logs_it(
    tmp_path: Path, site: Site, smtp_sink: Sink, capsys: pytest.CaptureFixture[str]
) -> None:
    config = _config(tmp_path, site, smtp_sink.port)
    with config.open("a", encoding="utf-8") as f:
        f.write('[review]\nmode = "all"\nauto_publish_after = 3\n')
    first = _start(config)
    try:
        feed = tmp_path / "data" / "feeds" / "all.atom"
        _wait("the held briefs to publish on their own", lambda: len(_titles(feed)) == 2, first, 60)
    finally:
        status, out = _stop(first)
    assert status == 0, out
    assert "review.auto.done" in out, out
    assert main(["--config", str(config), "desk", "log"]) == 0
    log = capsys.readouterr().out
    # Held first (the desk's log has the approvals), then approved by the daemon, not a person.
    assert log.count("auto-publish approve") == 2, log
