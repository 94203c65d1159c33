"""The commands as a demanding operator uses them: bad arguments, closed pipes, taken ports.

Each test is a regression test for something an operator ran into: a traceback, an exit
status the README contradicts, a message that did not say what was wrong, or a promise the
README makes that the command broke. Signals and pipes are tested in a subprocess.
"""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from server import Server
from smtp_support import free_port

from syndicate import schedule, store
from syndicate.cli import main
from syndicate.model import Validators
from syndicate.pipeline.outbox import Summary
from syndicate.store.sources import RELEASED

ROOT = Path(__file__).resolve().parent.parent


def _config(tmp: Path, extra: str = "") -> Path:
    path = tmp / "config.toml"
    path.write_text(
        f'[service]\ndata_dir = "data"\n[feeds]\ndir = "feeds"\nfsync = false\n{extra}',
        encoding="utf-8",
    )
    return path


def _status(cfg: Path, email: str) -> str:
    st = store.open(f"sqlite:///{cfg.parent / 'data' / 'syndicate.db'}")
    try:
        found = st.subscribers.by_email(email)
    finally:
        st.close()
    assert found is not None
    return found.status


@pytest.fixture
def taken_port() -> Iterator[int]:
    """A port on 127.0.0.1 with a listener on it for the test's duration."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        yield s.getsockname()[1]


# -- subscribers import ----------------------------------------------------------------


@pytest.mark.parametrize("leaving", ["unsubscribed", "bounced", "complained"])
def test_import_never_brings_back_someone_who_left(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], leaving: str
) -> None:
    # README: import "keeps unsubscribed/bounced/complained rows that way"; --confirmed used
    # to make a row without a status (and a row saying "active") active again.
    cfg = _config(tmp_path)
    first = tmp_path / "first.csv"
    first.write_text(f"email,status\nleft@example.org,{leaving}\n", encoding="utf-8")
    assert main(["--config", str(cfg), "subscribers", "import", str(first)]) == 0
    assert _status(cfg, "left@example.org") == leaving

    again = tmp_path / "again.csv"
    again.write_text("email,cadence\nLeft@Example.org,weekly\nnew@example.org,\n", "utf-8")
    assert main(["--config", str(cfg), "subscribers", "import", str(again), "--confirmed"]) == 0
    assert _status(cfg, "left@example.org") == leaving
    assert _status(cfg, "new@example.org") == "active"  # --confirmed still works for others

    active = tmp_path / "active.csv"
    active.write_text("email,status\nleft@example.org,active\n", encoding="utf-8")
    assert main(["--config", str(cfg), "subscribers", "import", str(active)]) == 0
    assert _status(cfg, "left@example.org") == leaving
    assert "0 bad rows" in capsys.readouterr().out


def test_import_reports_an_unclosed_quote_instead_of_swallowing_the_rest(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Without strict parsing the quote on line 3 made one "address" of lines 3-5, reported
    # as "bad domain in ..." while rows 4 and 5 vanished without a word.
    cfg = _config(tmp_path)
    sheet = tmp_path / "list.csv"
    sheet.write_text(
        "email,name\n"
        "one@example.org,One\n"
        'two@example.org,"Two\n'
        "three@example.org,Three\n"
        "four@example.org,Four\n",
        encoding="utf-8",
    )
    assert main(["--config", str(cfg), "subscribers", "import", str(sheet)]) == 1
    out, err = capsys.readouterr()
    assert err.splitlines() == [
        f"subscribers: {sheet}: line 3: a quoted field is never closed; the rest of the file "
        "was not read"
    ]
    assert out == "subscribers: 1 added, 0 updated, 1 bad rows\n"

    stray = tmp_path / "stray.csv"
    stray.write_text('email,name\nfive@example.org,"Five"x\nsix@example.org,Six\n', "utf-8")
    assert main(["--config", str(cfg), "subscribers", "import", str(stray)]) == 1
    out, err = capsys.readouterr()
    assert err == f"subscribers: {stray}: line 2: malformed CSV (',' expected after '\"')\n"
    assert out == "subscribers: 1 added, 0 updated, 1 bad rows\n"


def test_export_then_import_round_trips_quotes_and_commas(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cfg = _config(tmp_path)
    name = 'Ana "The Reader" Ruiz, Jr.'
    assert (
        main(["--config", str(cfg), "subscribers", "add", "ana@example.org", "--name", name]) == 0
    )
    capsys.readouterr()
    assert main(["--config", str(cfg), "subscribers", "export"]) == 0
    sheet = tmp_path / "export.csv"
    sheet.write_text(capsys.readouterr().out, encoding="utf-8")
    assert main(["--config", str(cfg), "subscribers", "import", str(sheet)]) == 0
    assert capsys.readouterr().out == "subscribers: 0 added, 1 updated, 0 bad rows\n"


# -- check -----------------------------------------------------------------------------


def test_check_says_when_publish_could_not_write_the_feeds(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # `publish` failed with "cannot write .../feeds/all.atom: File exists" while check said ok.
    cfg = _config(tmp_path)
    feeds = tmp_path / "data" / "feeds"  # relative paths are under data_dir
    assert main(["--config", str(cfg), "check"]) == 0
    assert f"ok    feeds: {feeds} does not exist yet" in capsys.readouterr().out
    feeds.parent.mkdir()
    feeds.write_text("a file where the feeds directory should be\n", "utf-8")
    assert main(["--config", str(cfg), "check"]) == 1
    out = capsys.readouterr().out
    assert f"FAIL  feeds: config: feeds.dir = '{feeds}': " in out
    assert out.count("FAIL") == 1 and "is not a directory" in out


# -- sources release -------------------------------------------------------------------

_SOURCE = (
    '[[sources]]\nid = "cbp"\nname = "CBP"\nagency = "CBP"\nkind = "feed"\n'
    'url = "http://127.0.0.1:9/feed.xml"\n'
)


def test_release_names_the_configured_ids_and_refuses_a_source_holding_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cfg = _config(tmp_path, _SOURCE)
    base = ["--config", str(cfg), "sources", "release"]
    assert main([*base, "cpb"]) == 2
    assert capsys.readouterr().err == "sources: no source with id 'cpb' (configured: cbp)\n"

    # Never polled, then polled and not held: nothing to release, and no "released" marker
    # that would let the next poll take a flood of new ids unasked.
    assert main([*base, "cbp"]) == 1
    assert "nothing is held for cbp" in capsys.readouterr().err
    st = store.open(f"sqlite:///{tmp_path / 'data' / 'syndicate.db'}")
    try:
        now = datetime.now(UTC)
        st.sources.record_success(
            "cbp",
            url="http://127.0.0.1:9/feed.xml",
            now=now,
            validators=Validators(),
            next_poll_at=now,
            status=200,
        )
        assert main([*base, "cbp"]) == 1
        state = st.sources.state("cbp")
        assert state is not None and state.held_reason is None

        st.sources.hold("cbp", "held: 9 of 10 items are new at once")
        assert main([*base, "cbp"]) == 0
        assert main([*base, "cbp"]) == 0
        out = capsys.readouterr().out.splitlines()
        assert out[-2:] == [
            "sources: cbp released; its held items are taken on the next poll",
            "sources: cbp is already released; the next poll takes its held items",
        ]
        state = st.sources.state("cbp")
        assert state is not None and state.held_reason == RELEASED
    finally:
        st.close()


# -- ports -----------------------------------------------------------------------------


@pytest.mark.parametrize("value", ["99999", "-1", "http"])
def test_serve_and_demo_refuse_a_port_that_is_not_one(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], value: str
) -> None:
    cfg = _config(tmp_path)
    for argv in (["serve", "--port", value], ["demo", "--serve", "--port", value]):
        with pytest.raises(SystemExit) as stopped:
            main(["--config", str(cfg), *argv])
        assert stopped.value.code == 2
        err = capsys.readouterr().err
        assert "argument --port" in err and "port" in err.splitlines()[-1]
        assert "Traceback" not in err


def test_demo_says_the_port_is_taken_before_doing_the_work(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], taken_port: int
) -> None:
    data = tmp_path / "demo"
    argv = ["demo", "--data", str(data), "--serve", "--port", str(taken_port)]
    assert main(argv) == 2
    assert f"demo: port {taken_port} is taken; choose another with --port" in (
        capsys.readouterr().err
    )
    assert not data.exists()


@pytest.mark.parametrize("kind", ["file", "unwritable"])
def test_demo_with_a_data_dir_it_cannot_use(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], kind: str
) -> None:
    target = tmp_path / "taken.txt"
    if kind == "file":
        target.write_text("not a directory\n", encoding="utf-8")
    else:
        target = Path("/proc/syndicate-demo-here")  # /proc refuses new entries, even to root
    assert main(["demo", "--data", str(target)]) == 1
    err = capsys.readouterr().err
    assert err.startswith(f"demo: cannot use {target}: ")
    assert "--data names a directory" in err


def test_demo_counts_the_messages_it_does_not_list(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = tmp_path / "demo"
    assert main(["demo", "--data", str(data)]) == 0
    out = capsys.readouterr().out
    maildir = data / "maildir" / "new"
    sent = len(list(maildir.iterdir()))
    assert sent > 5  # the demo mails one message per sample brief
    assert f"messages in the Maildir ({sent}):" in out
    assert f"  ... and {sent - 5} more in {maildir}\n" in out


# -- inspect and brief -----------------------------------------------------------------


def test_inspect_an_empty_directory_or_a_non_http_url_is_a_rejection(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    empty = tmp_path / "nothing-here"
    empty.mkdir()
    assert main(["inspect", str(empty), "ftp://example.org/feed.xml"]) == 1
    out = capsys.readouterr().out.splitlines()
    assert out == [
        f"{empty}: REJECTED inspect: {empty} is a directory with no files in it",
        "ftp://example.org/feed.xml: REJECTED inspect: cannot read ftp://example.org/feed.xml:"
        " only http(s) URLs are fetched",
        "2 documents: 0 read, 2 rejected",
    ]


@pytest.mark.parametrize("command", ["inspect", "brief"])
def test_a_fifo_is_refused_not_read_forever(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], command: str
) -> None:
    fifo = tmp_path / "feed.xml"
    os.mkfifo(fifo)
    returned = threading.Event()

    def unblock() -> None:  # without the check the command waits on the FIFO: end that wait
        if not returned.wait(10):
            with contextlib.suppress(OSError), open(fifo, "wb") as writer:
                writer.write(b"x")

    helper = threading.Thread(target=unblock, daemon=True)
    helper.start()
    status = main(["--config", str(tmp_path / "none.toml"), command, str(fifo)])
    returned.set()
    helper.join()
    out, err = capsys.readouterr()
    assert status == 1
    assert f"{fifo} is not a regular file" in out + err


def test_brief_of_an_empty_html_file_names_the_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    page = tmp_path / "release.html"
    page.write_bytes(b"")
    assert main(["--config", str(tmp_path / "none.toml"), "brief", str(page)]) == 1
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 1
    assert err[0].startswith(f"error: brief: {page}: extract: ")


# -- subprocesses: pipes and the daemon ------------------------------------------------


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SYNDICATE")}
    return env | {"PYTHONPATH": str(ROOT)} | extra


@pytest.mark.parametrize("unbuffered", ["1", ""])
def test_a_closed_pipe_is_no_traceback(tmp_path: Path, unbuffered: str) -> None:
    # `syndicate check | head -1`: the reader is gone before the command writes.
    cfg = _config(tmp_path)
    read, write = os.pipe()
    os.close(read)
    try:
        done = subprocess.run(
            [sys.executable, "-m", "syndicate", "--config", str(cfg), "check"],
            stdout=write,
            stderr=subprocess.PIPE,
            env=_env(PYTHONUNBUFFERED=unbuffered),
            timeout=60,
            text=True,
        )
    finally:
        os.close(write)
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    assert "Exception ignored" not in done.stderr


def test_run_with_the_web_port_taken_exits_2_without_starting(
    tmp_path: Path, taken_port: int
) -> None:
    # It used to log web.failed and go on polling without /healthz, exit status 0 at the end.
    cfg = _config(tmp_path, f"[web]\nport = {taken_port}\n")
    t0 = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-m", "syndicate", "--config", str(cfg), "run"],
        capture_output=True,
        env=_env(),
        timeout=60,
        text=True,
    )
    assert done.returncode == 2, done.stderr
    assert f"web: cannot listen on 127.0.0.1:{taken_port}" in done.stderr.splitlines()[-1]
    assert "Traceback" not in done.stderr
    assert "publish" not in done.stderr  # the scheduler never started
    assert not (tmp_path / "data" / "feeds").exists()
    assert time.monotonic() - t0 < 30
    # The store's daemon lock was let go: the next daemon (without the web) starts.
    again = subprocess.Popen(
        [sys.executable, "-m", "syndicate", "--config", str(cfg), "run", "--no-web"],
        stderr=subprocess.PIPE,
        env=_env(),
        text=True,
    )
    try:
        assert again.stderr is not None
        assert "daemon.start" in again.stderr.readline()
    finally:
        again.send_signal(signal.SIGTERM)
        again.communicate(timeout=30)
    assert again.returncode == 0


def test_daemon_log_on_dead_sources(tmp_path: Path) -> None:
    # One line per event: a failed poll is a warning, and publishing is logged once (by the
    # publish pipeline, no longer by the job wrapper too).
    dead = free_port()
    cfg = _config(
        tmp_path,
        "[fetch]\nhost_spacing = 0.0\nallow_private = true\n[web]\nenabled = false\n"
        '[[sources]]\nid = "dead"\n'
        f'name = "Dead"\nagency = "CBP"\nkind = "feed"\nurl = "http://127.0.0.1:{dead}/f.xml"\n'
        "interval = 1\n",
    )
    daemon = subprocess.Popen(
        [sys.executable, "-m", "syndicate", "--config", str(cfg), "run"],
        stderr=subprocess.PIPE,
        env=_env(),
        text=True,
    )
    assert daemon.stderr is not None
    lines: list[str] = []
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and sum(" poll.source " in x for x in lines) < 2:
            line = daemon.stderr.readline()
            if not line:
                break
            lines.append(line)
    finally:
        daemon.send_signal(signal.SIGTERM)
        _, rest = daemon.communicate(timeout=30)
    lines += rest.splitlines()
    assert daemon.returncode == 0
    polls = [x for x in lines if " poll.source " in x]
    assert len(polls) >= 2, lines
    assert all(" warning poll.source source=dead " in x for x in polls)
    assert len([x for x in lines if " publish.done " in x]) == 1, lines
    assert "Traceback" not in "".join(lines)


def test_an_idle_retry_run_is_logged_at_debug_only() -> None:
    # The retry job runs every 30 s; "made 0, sent 0, ..." at info filled the log.
    assert schedule._level("deliver.retry", Summary()) == logging.DEBUG
    assert schedule._level("deliver.retry", Summary(sent=1)) == logging.INFO
    assert schedule._level("deliver.retry", Summary(retry=2)) == logging.INFO
    assert schedule._level("digest.daily", Summary()) == logging.INFO  # a slot is news


def test_sigterm_lets_the_poll_in_hand_finish(tmp_path: Path, http_server: Server) -> None:
    # README: SIGTERM "lets the job in hand finish for up to 20 s". APScheduler's shutdown
    # cancelled it at once (poll.abandoned, and a CancelledError traceback in the log), and
    # each tick skipped during a long poll printed an APScheduler warning in its own format.
    quiet = '<?xml version="1.0"?><rss version="2.0"><channel><title>Q</title></channel></rss>'
    http_server.route(
        "/feed.xml", body=quiet, headers={"Content-Type": "application/rss+xml"}, delay=4.5
    )
    cfg = _config(
        tmp_path,
        "[fetch]\nhost_spacing = 0.0\nrespect_robots = false\nallow_private = true\n"
        "[web]\nenabled = false\n"
        '[[sources]]\nid = "slow"\nname = "Slow"\nagency = "CBP"\nkind = "feed"\n'
        f'url = "{http_server.url("/feed.xml")}"\ninterval = 600\n',
    )
    daemon = subprocess.Popen(
        [sys.executable, "-m", "syndicate", "--config", str(cfg), "run"],
        stderr=subprocess.PIPE,
        env=_env(),
        text=True,
    )
    try:
        deadline = time.monotonic() + 30
        while not http_server.requests("/feed.xml") and time.monotonic() < deadline:
            time.sleep(0.05)
        assert http_server.requests("/feed.xml"), "the daemon never asked for the feed"
        time.sleep(2.5)  # a tick or so is skipped while the fetch waits
        daemon.send_signal(signal.SIGTERM)
        t0 = time.monotonic()
        _, err = daemon.communicate(timeout=40)
    finally:
        if daemon.poll() is None:
            daemon.kill()
            daemon.communicate()
    assert daemon.returncode == 0, err
    assert time.monotonic() - t0 < 20
    lines = err.splitlines()
    polled = [x for x in lines if " poll.source source=slow " in x]
    assert len(polled) == 1 and "outcome=ok" in polled[0], err
    assert "abandoned" not in err and "Traceback" not in err
    assert "maximum number of running instances" not in err
    stopping = next(i for i, x in enumerate(lines) if " daemon.stopping " in x)
    assert stopping < lines.index(polled[0])  # the poll ended after SIGTERM, not before
