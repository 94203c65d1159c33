"""`syndicate check`: a bad config exits 2 naming the key; a good one is verified end to end
without changing anything; `--network` reads each source as a poll would."""

from __future__ import annotations

from pathlib import Path

import pytest
from server import Server

from syndicate.cli import main

GOOD_RSS = (
    '<?xml version="1.0"?><rss version="2.0"><channel><title>t</title><link>http://x/</link>'
    "<description>d</description><item><title>Coast Guard Rescues Four Boaters</title>"
    "<link>/r/1</link><pubDate>Tue, 25 Nov 2025 09:00:00 EST</pubDate></item>"
    "</channel></rss>"
)


def _write(tmp: Path, text: str) -> str:
    path = tmp / "config.toml"
    path.write_text(text, encoding="utf-8")
    return str(path)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("[service]\nbase_url = 'ftp://nope'\n", "service.base_url = 'ftp://nope'"),
        ("[fetch]\nmax_bytez = 5\n", "unknown key 'fetch.max_bytez'"),
        ("[fetch]\ndeadline = 'soon'\n", "fetch.deadline = 'soon'"),
        (
            "[[sources]]\nid = 'x'\nname = 'X'\nagency = 'FBI'\nkind = 'feed'\nurl = 'https://a.gov/'\n",
            "sources[0] (id 'x').agency = 'FBI'",
        ),
        (
            "[[sources]]\nid = 'x'\nname = 'X'\nagency = 'DHS'\nkind = 'page'\nurl = 'https://a.gov/'\n",
            "needs a [sources.listing] table",
        ),
        ("[service\n", "not valid TOML"),
        ("[web]\nport = 'eighty'\n", "web.port = 'eighty': expected a valid integer"),
        (
            "[[sources]]\nid = 'a'\nname = 'A'\nagency = 'DHS'\nkind = 'feed'\nurl = 'https://a.gov/'\n"
            "[[sources]]\nid = 'a'\nname = 'A'\nagency = 'DHS'\nkind = 'feed'\nurl = 'https://a.gov/'\n",
            "config: source id 'a' is used twice",
        ),
    ],
)
def test_bad_config_exits_2_naming_key_and_value(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], text: str, expected: str
) -> None:
    assert main(["--config", _write(tmp_path, text), "check"]) == 2
    err = capsys.readouterr().err
    assert expected in err
    assert "Traceback" not in err


def test_good_config_is_verified_and_nothing_is_created(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _write(tmp_path, "[service]\ndata_dir = 'data'\n")
    assert main(["--config", path, "check"]) == 0
    out = capsys.readouterr().out
    assert "ok    store:" in out and "created on first use" in out
    assert "ok    templates:" in out and "ok    mail: maildir" in out
    assert not (tmp_path / "data" / "syndicate.db").exists()


def test_missing_smtp_password_variable_fails(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("SYNDICATE_TEST_SMTP_PW", raising=False)
    text = (
        "[mail]\ntransport = 'smtp'\n[mail.smtp]\nusername = 'u'\n"
        "password_env = 'SYNDICATE_TEST_SMTP_PW'\n"
    )
    assert main(["--config", _write(tmp_path, text), "check"]) == 1
    out = capsys.readouterr().out
    assert "FAIL  mail:" in out and "SYNDICATE_TEST_SMTP_PW" in out


def test_network_reads_each_source(
    tmp_path: Path, http_server: Server, capsys: pytest.CaptureFixture[str]
) -> None:
    feed = GOOD_RSS.replace("<link>/r/1", f"<link>{http_server.url('/r/1')}")
    http_server.route("/feed.xml", body=feed, headers={"Content-Type": "application/rss+xml"})
    http_server.route(
        "/r/1",
        body="<html><body><main><h1>Coast Guard Rescues Four Boaters</h1><p>Crews rescued "
        "four boaters near the harbor entrance on Tuesday morning after their boat lost "
        "power.</p></main></body></html>",
        headers={"Content-Type": "text/html"},
    )
    http_server.route(
        "/listing",
        body="<html><body><p>No releases here</p></body></html>",
        headers={"Content-Type": "text/html"},
    )
    text = f"""
[fetch]
host_spacing = 0.0
respect_robots = false
allow_private = true
[[sources]]
id = "uscg"
name = "U.S. Coast Guard"
agency = "USCG"
kind = "feed"
url = "{http_server.url("/feed.xml")}"
[[sources]]
id = "usss"
name = "U.S. Secret Service"
agency = "USSS"
kind = "page"
url = "{http_server.url("/listing")}"
[sources.listing]
item = ".views-row"
"""
    assert main(["--config", _write(tmp_path, text), "check", "--network"]) == 1
    out = capsys.readouterr().out
    # Each source is tried as `sources test` would: the document, then its newest page.
    assert "ok    source uscg: feed, 1 item; newest 'Coast Guard Rescues Four Boaters'" in out
    assert "body 16 words via main (built-in guess)" in out
    assert "FAIL  source usss: parse:" in out


def test_an_unreachable_postgresql_store_fails(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Port 9 (discard) has no PostgreSQL behind it: the probe must connect and say so.
    text = "[database]\nurl = 'postgresql+psycopg://postgres@127.0.0.1:9/nodb'\n"
    assert main(["--config", _write(tmp_path, text), "check"]) == 1
    out = capsys.readouterr().out
    assert "FAIL  store:" in out and "nodb" in out


def test_config_may_follow_the_command(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = _write(tmp_path, "[fetch]\nbogus = 1\n")
    assert main(["check", "--config", path]) == 2
    assert "unknown key 'fetch.bogus'" in capsys.readouterr().err
    assert main(["subscribers", "list", "--config", path]) == 2
