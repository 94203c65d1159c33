"""Issue 13: what one item can do to the service, served from 127.0.0.1 beside a healthy
source, through `syndicate poll` as an operator runs it. In every case the hostile item is
dealt with alone (cleaned, refused with its reason, or left out of the feeds with it) and the
healthy source's releases are still published and mailed."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import feedparser
import pytest
from hostile_support import (
    GOOD_TITLES,
    atom_titles,
    healthy,
    healthy_outcome,
    item,
    page,
    rss,
    site,
    subscribe,
)
from server import Server
from store_support import T0, make_brief, make_item

from syndicate import store as stores
from syndicate.cli import main
from syndicate.text import xml_safe

LEAD = "Officers completed the cargo inspection at the southern port on Monday."


def _poll(cfg: Path, capsys: pytest.CaptureFixture[str]) -> dict[str, dict[str, object]]:
    assert main(["--config", str(cfg), "poll", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    return {s["id"]: s for s in report["sources"]}


def _briefs(cfg: Path) -> dict[str, str]:
    st = stores.open(f"sqlite:///{cfg.parent / 'data' / 'syndicate.db'}")
    try:
        return {b.title: b.agency for b in st.briefs.latest(50)}
    finally:
        st.close()


def test_characters_xml_cannot_carry_never_stop_publishing(
    tmp_path: Path, http_server: Server, capsys: pytest.CaptureFixture[str]
) -> None:
    healthy(http_server)
    base = http_server.url("").rstrip("/")
    # A noncharacter, a lone surrogate and a code point past U+10FFFF as references (the
    # last two made feedparser raise for the whole feed), and U+FFFF written as UTF-8.
    odd = [
        item("Officers Seize Cargo &#xFFFE;At The Southern Port", f"{base}/odd/1", 3),
        item("Officers Inspect &#xD800;Containers At The Dock", f"{base}/odd/2", 4),
        item("Officers Clear Backlog &#x110000;Of Manifests", f"{base}/odd/3", 5),
        item("Officers Train New Canine \uffffTeams", f"{base}/odd/4", 6),
    ]
    http_server.route("/odd.xml", body=rss(odd), headers={"Content-Type": "application/rss+xml"})
    for n, place in enumerate(("port", "dock", "office", "kennel"), 1):
        # The pages carry the same references in their own titles and text.
        title = "Officers Report &#xFFFE;Progress At The " + place.title()
        body = page(title, LEAD.replace("cargo", f"{place} &#xD800;&#1;"), place)
        http_server.route(f"/odd/{n}", body=body, headers={"Content-Type": "text/html"})
    cfg = site(tmp_path, http_server, {"good": "/good.xml", "odd": "/odd.xml"})
    subscribe(cfg)

    by_id = _poll(cfg, capsys)
    assert by_id["odd"]["outcome"] == "ok", by_id["odd"]
    assert by_id["odd"]["new"] == 4 and by_id["odd"]["failed"] == 0, by_id["odd"]
    titles = _briefs(cfg)
    for place in ("Port", "Dock", "Office", "Kennel"):
        assert f"Officers Report Progress At The {place}" in titles
    assert all(xml_safe(t) for t in titles)
    healthy_outcome(cfg)
    # Every published document is well-formed XML a strict parser reads.
    for path in (tmp_path / "data" / "feeds").rglob("*.atom"):
        ET.parse(path)
    assert "Officers Report Progress At The Dock" in [
        e.title for e in feedparser.parse(tmp_path / "data" / "feeds" / "all.rss").entries
    ]


def test_a_release_without_a_title_takes_the_feeds_then_the_slug_or_is_refused(
    tmp_path: Path, http_server: Server, capsys: pytest.CaptureFixture[str]
) -> None:
    healthy(http_server)
    base = http_server.url("").rstrip("/")
    untitled = [
        item("Coast Guard Crews Finish Buoy Tending Season", f"{base}/u/2025/buoy", 3),
        item("", f"{base}/news/2025/11/04/coast-guard-rescues-four-fishermen", 4),
        item("", f"{base}/node/24817", 5),
    ]
    http_server.route("/u.xml", body=rss(untitled), headers={"Content-Type": "application/rss+xml"})
    for path, place in (
        ("/u/2025/buoy", "buoy yard"),
        ("/news/2025/11/04/coast-guard-rescues-four-fishermen", "rescue station"),
        ("/node/24817", "air station"),
    ):
        body = page(None, LEAD.replace("cargo", place), place)
        http_server.route(path, body=body, headers={"Content-Type": "text/html"})
    cfg = site(tmp_path, http_server, {"good": "/good.xml", "untitled": "/u.xml"})
    subscribe(cfg)

    by_id = _poll(cfg, capsys)
    untitled_result = by_id["untitled"]
    assert (untitled_result["new"], untitled_result["failed"]) == (2, 1), untitled_result
    notes = " ".join(str(n) for n in untitled_result["notes"])  # type: ignore[union-attr]
    assert f"extract: no usable title for {base}/node/24817" in notes
    titles = _briefs(cfg)
    assert "Coast Guard Crews Finish Buoy Tending Season" in titles  # the feed item's title
    assert "Coast guard rescues four fishermen" in titles  # the URL's slug
    healthy_outcome(cfg)


def test_a_pdf_or_binary_release_is_refused_and_the_rest_goes_on(
    tmp_path: Path, http_server: Server, capsys: pytest.CaptureFixture[str]
) -> None:
    healthy(http_server)
    base = http_server.url("").rstrip("/")
    http_server.route(
        "/docs/report.pdf",
        body=b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj << /Type /Catalog >> endobj\n",
        headers={"Content-Type": "application/pdf"},
    )
    # Served as HTML, but the bytes are a PDF all the same; and bytes with NULs.
    http_server.route(
        "/docs/mislabelled", body=b"%PDF-1.4\n...", headers={"Content-Type": "text/html"}
    )
    http_server.route(
        "/docs/binary", body=bytes(range(256)) * 8, headers={"Content-Type": "text/html"}
    )
    docs = [
        item("Agency Publishes Annual Report", f"{base}/docs/report.pdf", 3),
        item("Agency Publishes Quarterly Figures", f"{base}/docs/mislabelled", 4),
        item("Agency Publishes Data Tables", f"{base}/docs/binary", 5),
    ]
    http_server.route("/docs.xml", body=rss(docs), headers={"Content-Type": "application/rss+xml"})
    cfg = site(tmp_path, http_server, {"good": "/good.xml", "docs": "/docs.xml"})
    subscribe(cfg)

    by_id = _poll(cfg, capsys)
    docs_result = by_id["docs"]
    assert (docs_result["new"], docs_result["failed"]) == (0, 3), docs_result
    notes = [str(n) for n in docs_result["notes"]]  # type: ignore[union-attr]
    assert f"{base}/docs/report.pdf: extract: not an HTML page (application/pdf)" in notes
    assert f"{base}/docs/mislabelled: extract: not an HTML page (application/pdf)" in notes
    assert f"{base}/docs/binary: extract: not an HTML page (text/html)" not in notes
    assert any(n.startswith(f"{base}/docs/binary: extract: not an HTML page (") for n in notes)
    healthy_outcome(cfg)


def test_syndicate_brief_refuses_random_bytes(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    noise = tmp_path / "release.html"
    noise.write_bytes(bytes((n * 7919 + 13) % 256 for n in range(4096)))  # fixed "random" bytes
    assert main(["--config", str(tmp_path / "none.toml"), "brief", str(noise)]) == 1
    err = capsys.readouterr()
    assert "extract: not an HTML page (application/octet-stream)" in err.err
    assert err.out == ""


def test_rss_titles_are_plain_text(
    tmp_path: Path, http_server: Server, capsys: pytest.CaptureFixture[str]
) -> None:
    healthy(http_server)
    base = http_server.url("").rstrip("/")
    title = "&lt;img src=x onerror=alert(1)&gt;Officers Open New Inspection Lanes"
    http_server.route(
        "/x.xml",
        body=rss([item(title, f"{base}/x/1", 3)]),
        headers={"Content-Type": "application/rss+xml"},
    )
    body = page(title, LEAD.replace("cargo", "lane"), "lanes")
    http_server.route("/x/1", body=body, headers={"Content-Type": "text/html"})
    cfg = site(tmp_path, http_server, {"good": "/good.xml", "x": "/x.xml"})
    subscribe(cfg)
    _poll(cfg, capsys)

    rss_doc = ET.parse(tmp_path / "data" / "feeds" / "all.rss").getroot()
    rss_titles = [i.findtext("title") or "" for i in rss_doc.iter("item")]
    assert "Officers Open New Inspection Lanes" in rss_titles
    assert not any("<" in t for t in rss_titles), rss_titles
    # Atom says its titles are text, so the words stay exactly, as text.
    atom = ET.parse(tmp_path / "data" / "feeds" / "all.atom").getroot()
    atom_titles = [e.findtext("{http://www.w3.org/2005/Atom}title") for e in atom.iter()]
    assert "<img src=x onerror=alert(1)>Officers Open New Inspection Lanes" in atom_titles
    healthy_outcome(cfg)


def test_a_brief_that_cannot_be_serialised_is_skipped_and_reported(
    tmp_path: Path, http_server: Server, capsys: pytest.CaptureFixture[str]
) -> None:
    """Briefs stored before the boundary existed (or by a bug): one with U+FFFE in its
    title, one with none. Publishing leaves them out, says why, and writes the rest."""
    healthy(http_server)
    cfg = site(tmp_path, http_server, {"good": "/good.xml"})
    _poll(cfg, capsys)
    st = stores.open(f"sqlite:///{tmp_path / 'data' / 'syndicate.db'}")
    try:
        bad = [
            make_brief("bad-char", title="Officers Seize \ufffe Cargo", agency="CBP"),
            make_brief("bad-empty", title="", agency="CBP"),
        ]
        for n, b in enumerate(bad):
            release = make_item(f"bad-{n}", source_id="good")
            st.items.save(release, now=T0, brief=b, story=b.id, fingerprint="x")
    finally:
        st.close()

    assert main(["--config", str(cfg), "publish", "--all"]) == 0
    out = capsys.readouterr()
    assert "2 briefs skipped" in out.out
    assert "bad-char: publish: the brief's title holds U+FFFE, which XML cannot carry" in out.err
    assert "bad-empty: publish: the brief has no title" in out.err
    titles = atom_titles(cfg)
    assert set(GOOD_TITLES) <= set(titles) and len(titles) == 2
    for path in (tmp_path / "data" / "feeds").rglob("*.atom"):
        ET.parse(path)  # every document was written, and is well-formed

    assert main(["--config", str(cfg), "sources", "--json"]) == 0
    [good] = json.loads(capsys.readouterr().out)
    left_out = {u["brief"]: u["reason"] for u in good["unpublished"]}
    assert set(left_out) == {"bad-char", "bad-empty"}
    assert main(["--config", str(cfg), "briefs", "list", "--problems", "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert {b["id"] for b in listed} == {"bad-char", "bad-empty"}
    assert {b["status"] for b in listed} == {"not published"}
