"""Taking a brief down (issue 13): `syndicate briefs hide ID` removes it from the pages, the
feeds and the digests still to come, Atom documents announce it with an RFC 6721 tombstone,
RSS and JSON Feed drop it; `briefs restore ID` puts it back, newer than its tombstone."""

from __future__ import annotations

import email
import email.policy
import json
import xml.etree.ElementTree as ET
from datetime import datetime
from pathlib import Path

import httpx
import pytest
from browser_support import running
from hostile_support import AT, GOOD_TITLES, A, atom_titles, healthy, site, subscribe
from server import Server

from syndicate import config as config_module
from syndicate import store as stores
from syndicate import web
from syndicate.cli import main

AUTHORITY = "syndicate.invalid,2026"


def _ids(cfg: Path, capsys: pytest.CaptureFixture[str]) -> dict[str, str]:
    assert main(["--config", str(cfg), "briefs", "list", "--json"]) == 0
    return {b["title"]: b["id"] for b in json.loads(capsys.readouterr().out)}


def _tombstones(cfg: Path, feed: str) -> dict[str, str]:
    root = ET.parse(cfg.parent / "data" / "feeds" / f"{feed}.atom").getroot()
    return {t.get("ref", ""): t.get("when", "") for t in root.iter(f"{AT}deleted-entry")}


def _page(cfg: Path, brief_id: str) -> int:
    config = config_module.load(cfg)
    st = stores.open(config.database_url)
    try:
        with running(web.app(config, st)) as url:
            return httpx.get(f"{url}/briefs/{brief_id}").status_code
    finally:
        st.close()


def _mailed(cfg: Path) -> list[str]:
    folder = cfg.parent / "data" / "maildir" / "new"
    texts = []
    for path in sorted(folder.iterdir()):
        message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
        body = message.get_body(("plain",))
        texts.append(str(body.get_content()) if body is not None else "")
    return texts


def test_hide_and_restore_a_brief(
    tmp_path: Path, http_server: Server, capsys: pytest.CaptureFixture[str]
) -> None:
    healthy(http_server)
    cfg = site(tmp_path, http_server, {"good": "/good.xml"})
    subscribe(cfg, cadence="daily")
    assert main(["--config", str(cfg), "poll"]) == 0
    capsys.readouterr()
    ids = _ids(cfg, capsys)
    gone, kept = ids[GOOD_TITLES[0]], ids[GOOD_TITLES[1]]
    assert _page(cfg, gone) == 200

    assert main(["--config", str(cfg), "briefs", "hide", gone, "--reason", "wrong photo"]) == 0
    out = capsys.readouterr().out
    assert f"briefs: {gone} hidden" in out and "publish:" in out
    ref = f"tag:{AUTHORITY}:brief/{gone}"
    for feed in ("all", "agency/cbp"):
        assert GOOD_TITLES[0] not in atom_titles(cfg, feed)
        assert GOOD_TITLES[1] in atom_titles(cfg, feed)
        stones = _tombstones(cfg, feed)
        assert list(stones) == [ref]
        when = datetime.fromisoformat(stones[ref])
        assert when.tzinfo is not None
        updated = (
            ET.parse(tmp_path / "data" / "feeds" / f"{feed}.atom").getroot().findtext(f"{A}updated")
        )
        assert datetime.fromisoformat(updated or "") == when  # the removal is the newest change
    # A feed it was never in carries no tombstone for it.
    assert _tombstones(cfg, "agency/ice") == {}
    rss = (tmp_path / "data" / "feeds" / "all.rss").read_text(encoding="utf-8")
    assert GOOD_TITLES[0] not in rss and gone not in rss and GOOD_TITLES[1] in rss
    items = json.loads((tmp_path / "data" / "feeds" / "all.json").read_text(encoding="utf-8"))[
        "items"
    ]
    assert [i["title"] for i in items] == [GOOD_TITLES[1]]
    assert _page(cfg, gone) == 404 and _page(cfg, kept) == 200

    assert main(["--config", str(cfg), "briefs", "list", "--hidden", "--json"]) == 0
    [hidden] = json.loads(capsys.readouterr().out)
    assert (hidden["id"], hidden["status"], hidden["hidden_reason"]) == (
        gone,
        "hidden",
        "wrong photo",
    )
    assert main(["--config", str(cfg), "briefs", "show", gone]) == 0
    shown = capsys.readouterr().out
    assert shown.startswith("status: hidden\nhidden: ") and "(wrong photo)" in shown
    assert GOOD_TITLES[0] in shown  # the brief itself, for the operator

    # The digest still to come leaves it out.
    assert main(["--config", str(cfg), "digest", "--cadence", "daily"]) == 0
    [text] = _mailed(cfg)
    assert GOOD_TITLES[1] in text and GOOD_TITLES[0] not in text

    # Hiding twice changes nothing; restoring brings it back, newer than its tombstone.
    assert main(["--config", str(cfg), "briefs", "hide", gone]) == 0
    assert "already hidden" in capsys.readouterr().out
    assert main(["--config", str(cfg), "briefs", "restore", gone]) == 0
    assert f"briefs: {gone} restored" in capsys.readouterr().out
    assert GOOD_TITLES[0] in atom_titles(cfg)
    assert _tombstones(cfg, "all") == {}
    root = ET.parse(tmp_path / "data" / "feeds" / "all.atom").getroot()
    entry = next(e for e in root.iter(f"{A}entry") if e.findtext(f"{A}id") == ref)
    assert datetime.fromisoformat(entry.findtext(f"{A}updated") or "") > when
    assert _page(cfg, gone) == 200
    assert main(["--config", str(cfg), "briefs", "restore", gone]) == 0
    assert "is not hidden" in capsys.readouterr().out


def test_an_edit_of_a_hidden_release_keeps_it_hidden(
    tmp_path: Path, http_server: Server, capsys: pytest.CaptureFixture[str]
) -> None:
    healthy(http_server)
    cfg = site(tmp_path, http_server, {"good": "/good.xml"})
    assert main(["--config", str(cfg), "poll"]) == 0
    capsys.readouterr()
    gone = _ids(cfg, capsys)[GOOD_TITLES[0]]
    assert main(["--config", str(cfg), "briefs", "hide", gone]) == 0
    capsys.readouterr()
    # The agency edits the release: new text on the page and in the feed.
    body = http_server.url("/good/2025/11/01/release-1")
    page = httpx.get(body).text.replace("the spring of 2026", "the summer of 2026")
    http_server.route(
        "/good/2025/11/01/release-1", body=page, headers={"Content-Type": "text/html"}
    )
    feed = httpx.get(http_server.url("/good.xml")).text.replace("day 1.", "day 1, revised.")
    http_server.route("/good.xml", body=feed, headers={"Content-Type": "application/rss+xml"})
    assert main(["--config", str(cfg), "poll", "--source", "good", "--json"]) == 0
    [result] = json.loads(capsys.readouterr().out)["sources"]
    assert result["updated"] == 1, result
    assert GOOD_TITLES[0] not in atom_titles(cfg)
    assert list(_tombstones(cfg, "all")) == [f"tag:{AUTHORITY}:brief/{gone}"]
    assert _page(cfg, gone) == 404


def test_hiding_an_unknown_brief_says_so(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cfg = tmp_path / "config.toml"
    cfg.write_text('[service]\ndata_dir = "data"\n[feeds]\ndir = "feeds"\n', encoding="utf-8")
    assert main(["--config", str(cfg), "briefs", "hide", "no-such-brief"]) == 1
    assert "store: no brief 'no-such-brief'" in capsys.readouterr().err
    assert main(["--config", str(cfg), "briefs", "show", "no-such-brief"]) == 1
