"""`syndicate sources` (its table and --json), `sources test ID [--file PATH]`, and the feed
against listing cross-check, through `main(argv)` with the shipped config."""

from __future__ import annotations

import asyncio
import json
import shutil
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from server import Server
from sources_support import DATA, ROOT, Clock, captured_events, events, serve, shipped

from syndicate import store as stores
from syndicate.cli import main
from syndicate.pipeline.poll import poll


def _json(capsys: pytest.CaptureFixture[str], *argv: str) -> list[dict[str, object]]:
    assert main(list(argv)) == 0
    rows: list[dict[str, object]] = json.loads(capsys.readouterr().out)
    return rows


def test_sources_json_speaks_iso_and_null(
    tmp_path: Path, http_server: Server, capsys: pytest.CaptureFixture[str]
) -> None:
    serve(http_server, "dhs")
    cfg = shipped(tmp_path, http_server, ["https://www.dhs.gov"])
    path = str(tmp_path / "config.toml")
    before = {r["id"]: r for r in _json(capsys, "--config", path, "sources", "--json")}
    assert list(before) == [s.id for s in cfg.sources]
    dhs = before["dhs"]
    assert (dhs["state"], dhs["last_poll"], dhs["next_poll"], dhs["last_error"]) == (
        "new", None, None, None
    )  # fmt: skip
    assert (dhs["held"], dhs["held_reason"], dhs["last_yield"]) == (False, None, None)
    uscg = before["uscg"]
    assert uscg["state"] == "disabled" and str(uscg["state_reason"]).startswith(
        "blocked by robots.txt"
    )

    clock = Clock()
    store = stores.open(cfg.database_url, clock=clock)
    try:
        asyncio.run(poll(cfg, store, source_ids=["dhs"]))
        store.sources.hold("dhs", "held: 9 of 10 items are new at once")
    finally:
        store.close()
    after = {r["id"]: r for r in _json(capsys, "--config", path, "sources", "--json")}["dhs"]
    assert after["state"] == "ok"
    assert datetime.fromisoformat(str(after["last_poll"])) == clock.now
    assert datetime.fromisoformat(str(after["state_since"])) == clock.now
    assert datetime.fromisoformat(str(after["next_poll"])) == clock.now + timedelta(seconds=900)
    assert (after["held"], after["held_reason"]) == (True, "held: 9 of 10 items are new at once")
    assert after["last_error"] is None  # the hold is not an error
    assert after["last_yield"] == {"found": 3, "releases": 3, "bodies": 3, "refused": 0}
    assert [d["items"] for d in after["documents"]] == [3]  # type: ignore[union-attr]

    assert main(["--config", path, "sources"]) == 0
    table = capsys.readouterr().out
    assert "blocked by robots.txt" in table
    assert "3 items, 3/3 bodies" in table


def _shipped_copy(tmp_path: Path) -> str:
    shutil.copyfile(ROOT / "config.toml", tmp_path / "config.toml")
    return str(tmp_path / "config.toml")


def test_sources_test_on_a_saved_listing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _shipped_copy(tmp_path)
    listing = str(DATA / "dhs" / "listing.html")
    assert main(["--config", path, "sources", "test", "dhs", "--file", listing]) == 0
    out = capsys.readouterr().out
    assert f"page {listing}: 3 items" in out
    assert "  1. Secretary Tours Maritime Training Center in Georgia" in out
    assert "     title  [.usa-collection__heading]" in out
    assert "     date   2026-08-07 04:00 UTC  [time[datetime] [datetime]]" in out
    assert "link   https://www.dhs.gov/news/2026/08/06/dhs-expands-trusted-traveler-kiosks  " \
        "[.usa-collection__heading a]" in out  # fmt: skip
    assert "ok: 3 items, 0 bodies read" in out


def test_sources_test_on_a_saved_release_page(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _shipped_copy(tmp_path)
    page = str(DATA / "ice" / "release-1.html")
    assert main(["--config", path, "sources", "test", "ice", "--file", page, "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["mode"] == "article" and result["ok"] is True
    (item,) = result["items"]
    assert item["title"] == "ICE Houston removes fugitive wanted in Guatemala"
    assert item["page"]["via"] == {"title": ".nr-title h1", "date": ".nr-meta", "body": ".nr-body"}
    assert item["page"]["first_words"].startswith("Enforcement and Removal Operations Houston")
    assert "Securing the Homeland" not in item["page"]["first_words"]


def test_sources_test_fetches_politely_and_says_what_failed(
    tmp_path: Path, http_server: Server, capsys: pytest.CaptureFixture[str]
) -> None:
    serve(http_server, "ice")  # the job fair's page is not served: 404
    shipped(tmp_path, http_server, ["https://www.ice.gov"])
    path = str(tmp_path / "config.toml")
    assert main(["--config", path, "sources", "test", "ice", "--pages", "3"]) == 1
    out = capsys.readouterr().out
    assert "body   Enforcement and Removal Operations Houston removed a 41-year-old" in out
    assert "[.nr-body]" in out
    assert "body   FAILED fetch: 404 from" in out
    assert "PROBLEMS: 3 items, 2 bodies read" in out
    assert [r.path for r in http_server.log][:2] == ["/robots.txt", "/newsroom"]


def test_sources_test_respects_robots_txt(
    tmp_path: Path, http_server: Server, capsys: pytest.CaptureFixture[str]
) -> None:
    http_server.route("/robots.txt", body="User-agent: *\nDisallow: /Press-Releases/\n")
    shipped(tmp_path, http_server, ["https://www.news.uscg.mil"])
    path = str(tmp_path / "config.toml")
    assert main(["--config", path, "sources", "test", "uscg"]) == 1
    out = capsys.readouterr().out
    assert "source uscg (USCG, page) [disabled]" in out
    assert "disabled: blocked by robots.txt" in out
    assert "FAILED fetch: robots.txt of" in out and "disallows" in out
    assert [r.path for r in http_server.log] == ["/robots.txt"]


def test_sources_test_names_the_known_ids(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _shipped_copy(tmp_path)
    assert main(["--config", path, "sources", "test", "nope"]) == 2
    assert "no source with id 'nope' (configured: dhs, cbp, cbp-listing" in capsys.readouterr().err


def test_the_cross_check_reports_what_the_feed_never_showed(
    tmp_path: Path, http_server: Server, capsys: pytest.CaptureFixture[str]
) -> None:
    serve(http_server, "cbp")
    serve(http_server, "cbp-listing")
    for path in ("/newsroom/local-media-release/border-patrol-agents-rescue-hikers-baboquivari-"
                 "mountains",):  # fmt: skip
        http_server.route(path, status=404)
    cfg = shipped(tmp_path, http_server, ["https://www.cbp.gov"])
    clock = Clock()
    store = stores.open(cfg.database_url, clock=clock)
    try:
        with captured_events() as records:
            asyncio.run(poll(cfg, store, source_ids=["cbp"]))
            state = store.sources.state("cbp")
            assert state is not None and state.cross_report is not None
            assert state.cross_report["missed_here_count"] == 0  # not visible long enough yet
            clock.advance(hours=7)
            (result,) = asyncio.run(poll(cfg, store, source_ids=["cbp"])).results
            clock.advance(hours=2)
            asyncio.run(poll(cfg, store, source_ids=["cbp"]))  # the same finding: no new line
        state = store.sources.state("cbp")
        assert state is not None and state.cross_report is not None
        report = state.cross_report
        assert report["other"] == "cbp-listing"
        assert report["missed_here_count"] == 1
        assert (
            report["missed_here"][0]["title"]
            == "Agriculture specialists stop khapra beetle at Laredo"
        )
        # The feed's Baboquivari rescue is older than anything the listing ever showed.
        assert report["missed_there_count"] == 0
        assert "cross-check with cbp-listing: 1 shown there and never here" in " ".join(
            result.notes
        )
        missed = events(records, "source.missed")
        assert [(e["source"], e["other"], e["missed_here"]) for e in missed] == [
            ("cbp", "cbp-listing", 1)
        ]
    finally:
        store.close()
    assert main(["--config", str(tmp_path / "config.toml"), "sources"]) == 0
    assert "cross-check with cbp-listing: 1 shown there" in capsys.readouterr().out


def test_check_network_tries_each_enabled_source_and_skips_the_disabled(
    tmp_path: Path, http_server: Server, capsys: pytest.CaptureFixture[str]
) -> None:
    serve(http_server, "dhs")
    base = http_server.url("").rstrip("/")
    text = (ROOT / "config.toml").read_text(encoding="utf-8")
    head = text[: text.index("# ----------")].replace("host_spacing = 1.0", "host_spacing = 0.0")
    head = head.replace("# allow_private = false", "allow_private = true")  # 127.0.0.1
    # The shipped DHS and Coast Guard entries as they are, the DHS one pointed at the server.
    sources = text[text.index('[[sources]]\nid = "dhs"') : text.index("# CBP: ")]
    uscg = text[text.index('[[sources]]\nid = "uscg"') : text.index("# Secret Service:")]
    body = head + sources.replace("https://www.dhs.gov", base) + uscg
    (tmp_path / "config.toml").write_text(body, encoding="utf-8")
    assert main(["--config", str(tmp_path / "config.toml"), "check", "--network"]) == 0
    out = capsys.readouterr().out
    assert (
        "ok    source dhs: page, 3 items; newest 'Secretary Tours Maritime Training Center in "
        "Georgia' (2026-08-07), body " in out
    )
    assert "words via article .field--name-body" in out
    assert "skip  source uscg: disabled: blocked by robots.txt" in out
    # One release page only: the newest.
    pages = [r.path for r in http_server.log if r.path.startswith("/news/20")]
    assert pages == ["/news/2026/08/07/secretary-tours-maritime-training-center"]
