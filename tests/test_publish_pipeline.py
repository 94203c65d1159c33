"""store -> publish pipeline: incremental rebuilds, RFC 5005 archives, atomic replacement,
WebSub notification. Uses the `store` fixture (SQLite file and PostgreSQL) and briefs made
with store_support.make_brief."""

from __future__ import annotations

import threading
import time
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import parse_qsl

import feedparser
import pytest
from server import Server
from store_support import make_brief
from test_publish_documents import FH, _active, _html_fields, hostile, strict_atom

from syndicate import config as config_module
from syndicate import publish as publish_stage
from syndicate import store as stores
from syndicate.config import Config
from syndicate.model import AGENCIES, Brief
from syndicate.pipeline.feednames import feed_names
from syndicate.pipeline.feeds import PublishSummary, publish
from syndicate.store import Store

A = "{http://www.w3.org/2005/Atom}"
SITE = "http://127.0.0.1:8080"
AUTHORITY = "syndicate.invalid,2026"
AGENCY_NAMES = {"CBP": "U.S. Customs and Border Protection", "CISA": "CISA", "USCIS": "USCIS"}


def make_config(
    root: Path, entries: int = 3, hub: str | None = None, fsync: bool = False
) -> Config:
    hub_line = f'hub = "{hub}"' if hub else ""
    text = f"""
[service]
base_url = "{SITE}"
data_dir = "data"

[feeds]
dir = "feeds"
entries = {entries}
rights = "Public domain"
tag_authority = "{AUTHORITY}"
fsync = {str(fsync).lower()}
{hub_line}
"""
    return config_module.parse(text, root)


def brief(n: int, when: datetime, agency: str = "CBP", topic: str = "border-security") -> Brief:
    return make_brief(
        f"b-{n:04d}",
        title=f"Release number {n} & <friends>",
        agency=agency,
        source_name=AGENCY_NAMES.get(agency, agency),
        url=f"https://www.example.gov/news/{n}",
        published=when,
        updated=when,
        topics=(topic,),
    )


def put(store: Store, *briefs: Brief) -> None:
    with store.begin() as conn:
        for b in briefs:
            store.briefs.upsert(conn, b, story=b.id)


def ids(path: Path) -> list[str]:
    root = strict_atom(path.read_bytes())
    return [e.findtext(f"{A}id") or "" for e in root.findall(f"{A}entry")]


def rel(root: ET.Element, name: str) -> str | None:
    return next((ln.get("href") for ln in root.findall(f"{A}link") if ln.get("rel") == name), None)


def local(feeds: Path, url: str) -> Path:
    return feeds / url.removeprefix(f"{SITE}/feeds/")


def walk_archives(feeds: Path, feed: str) -> list[tuple[Path, list[str]]]:
    """The current document, then each archive by prev-archive, checking RFC 5005 links."""
    path = feeds / f"{feed}.atom"
    root = strict_atom(path.read_bytes())
    out = [(path, ids(path))]
    newer: str | None = f"{SITE}/feeds/{feed}.atom"
    url = rel(root, "prev-archive")
    first = True
    while url:
        path = local(feeds, url)
        root = strict_atom(path.read_bytes())
        assert root.find(f"{FH}archive") is not None
        assert rel(root, "self") == url
        assert rel(root, "current") == f"{SITE}/feeds/{feed}.atom"
        if not first:
            assert rel(root, "next-archive") == newer
        else:
            assert rel(root, "next-archive") is None
        first = False
        out.append((path, ids(path)))
        newer, url = url, rel(root, "prev-archive")
    return out


def snapshot(feeds: Path) -> dict[str, tuple[bytes, int]]:
    return {
        str(p.relative_to(feeds)): (p.read_bytes(), p.stat().st_mtime_ns)
        for p in sorted(feeds.rglob("*"))
        if p.is_file()
    }


def test_every_feed_is_published_in_three_formats(store: Store, tmp_path: Path) -> None:
    cfg = make_config(tmp_path, fsync=True)
    t = datetime(2026, 11, 2, 14, 0, tzinfo=UTC)
    put(store, brief(1, t), brief(2, t + timedelta(hours=1), "CISA", "cybersecurity"))
    summary = publish(store, cfg, now=t)
    feeds = cfg.feeds_dir
    for name in feed_names(cfg):
        for ext in ("atom", "rss", "json"):
            assert (feeds / f"{name}.{ext}").is_file(), f"{name}.{ext}"
        strict_atom((feeds / f"{name}.atom").read_bytes())
        assert not feedparser.parse((feeds / f"{name}.rss").read_bytes()).bozo
    assert len(feed_names(cfg)) == 1 + len(AGENCIES) + len(cfg.brief.topics)
    assert ids(feeds / "all.atom") == [
        f"tag:{AUTHORITY}:brief/b-0002",
        f"tag:{AUTHORITY}:brief/b-0001",
    ]
    assert ids(feeds / "agency/cbp.atom") == [f"tag:{AUTHORITY}:brief/b-0001"]
    assert ids(feeds / "topic/cybersecurity.atom") == [f"tag:{AUTHORITY}:brief/b-0002"]
    assert ids(feeds / "agency/ice.atom") == []
    entry = strict_atom((feeds / "all.atom").read_bytes()).find(f"{A}entry")
    assert entry is not None
    links = {ln.get("rel"): ln.get("href") for ln in entry.findall(f"{A}link")}
    assert links == {"alternate": f"{SITE}/briefs/b-0002", "via": "https://www.example.gov/news/2"}
    opml = ET.fromstring((feeds / "feeds.opml").read_bytes())
    listed = {o.get("xmlUrl") for o in opml.iter("outline") if o.get("xmlUrl")}
    assert listed == {f"{SITE}/feeds/{n}.atom" for n in feed_names(cfg)}
    assert 'rel="alternate" type="application/atom+xml"' in (feeds / "index.html").read_text()
    assert "all" in summary.feeds and "agency/cbp.atom" in summary.written


def test_a_brief_is_rendered_and_sanitised_once_per_publish(
    store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Each brief below is in three feeds (all, its agency, its topic), in up to three
    # formats and in an archive month: its HTML is still made and cleaned once.
    import syndicate.publish.document as document

    cleaned: list[str] = []
    real = document.sanitise
    monkeypatch.setattr(document, "sanitise", lambda html: cleaned.append(html) or real(html))
    cfg = make_config(tmp_path, entries=2)
    t = datetime(2026, 9, 2, 14, 0, tzinfo=UTC)
    made = [brief(n, t + timedelta(days=12 * n)) for n in range(6)]
    put(store, *made)
    rendered: list[str] = []
    publish(store, cfg, now=t, render=lambda b: rendered.append(b.id) or f"<p>{b.id}</p>")
    assert sorted(rendered) == sorted(b.id for b in made)
    assert sorted(cleaned) == sorted(f"<p>{b.id}</p>" for b in made)
    assert len(ids(cfg.feeds_dir / "topic/border-security.atom")) == 2


def test_a_new_brief_renders_only_the_archive_month_it_pushes_into(
    store: Store, tmp_path: Path
) -> None:
    cfg = make_config(tmp_path, entries=2)
    t = datetime(2026, 9, 5, 14, 0, tzinfo=UTC)
    # September and October are archived; November's archive already holds one brief.
    made = [brief(n, t + timedelta(days=d)) for n, d in enumerate((0, 3, 30, 33, 60, 62, 64))]
    put(store, *made)
    publish(store, cfg, now=t)
    october = cfg.feeds_dir / "archive/all/2026-10.atom"
    assert rel(strict_atom(october.read_bytes()), "next-archive") == (
        f"{SITE}/feeds/archive/all/2026-11.atom"
    )
    before = october.read_bytes()
    late = brief(9, t + timedelta(days=66))  # pushes the 4th November brief out of the window
    put(store, late)
    rendered: list[str] = []
    publish(store, cfg, now=t, render=lambda b: rendered.append(b.id) or f"<p>{b.id}</p>")
    november = {b.id for b in made[4:]} | {late.id}
    assert set(rendered) <= november  # October's briefs were not rendered again
    assert f"tag:{AUTHORITY}:brief/b-0005" in ids(cfg.feeds_dir / "archive/all/2026-11.atom")
    assert october.read_bytes() == before


def test_a_full_rebuild_holds_one_month_of_entries_at_a_time(
    store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # 60 briefs over six months, each in three feeds: the rebuild writes the archives
    # month by month across the feeds, so at most one month's entries (10) and the
    # subscription windows' (2) are kept at once, never all 60.
    import syndicate.pipeline.feedrun as pipeline

    peak = 0
    entries = pipeline.Run.entries

    def counted(run: pipeline.Run, briefs: list[Brief]) -> list[publish_stage.Entry]:
        nonlocal peak
        out = entries(run, briefs)
        peak = max(peak, len(run.made))
        return out

    monkeypatch.setattr(pipeline.Run, "entries", counted)
    cfg = make_config(tmp_path, entries=2)
    t = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
    put(store, *(brief(n, t + timedelta(days=3 * n + 1)) for n in range(60)))
    publish(store, cfg, now=t, full=True)
    chain = walk_archives(cfg.feeds_dir, "agency/cbp")
    assert len(chain) == 7 and sum(len(found) for _, found in chain) == 60
    assert 10 <= peak <= 12


def test_archives_are_complete_immutable_and_match_a_full_rebuild(
    store: Store, tmp_path: Path
) -> None:
    cfg = make_config(tmp_path / "incremental", entries=3)
    start = datetime(2026, 6, 20, 12, 0, tzinfo=UTC)
    made: list[Brief] = []
    closed: dict[str, tuple[bytes, int]] = {}
    # A brief every six days for four months, published after each arrival.
    for n in range(20):
        b = brief(n, start + timedelta(days=6 * n), ["CBP", "CISA"][n % 2])
        made.append(b)
        put(store, b)
        publish(store, cfg, now=b.published)
        chain = walk_archives(cfg.feeds_dir, "all")
        # Once an archive has a newer one (it is closed), its bytes and mtime never change.
        now_files = snapshot(cfg.feeds_dir)
        for name, (data, mtime) in closed.items():
            assert now_files[name] == (data, mtime), f"closed archive {name} was rewritten"
        for path, _ in chain[2:]:
            name = str(path.relative_to(cfg.feeds_dir))
            closed.setdefault(name, now_files[name])
    assert len(closed) >= 3
    chain = walk_archives(cfg.feeds_dir, "all")
    seen = [i for _, found in chain for i in found]
    assert sorted(seen) == sorted(f"tag:{AUTHORITY}:brief/{b.id}" for b in made)
    assert len(chain[0][1]) == 3
    months = [p.stem for p, _ in chain[1:]]
    assert months == sorted(months, reverse=True)
    for path, found in chain[1:]:
        for i in found:  # each archive holds its own month's briefs only
            b = next(b for b in made if i.endswith(b.id))
            assert f"{b.published:%Y-%m}" == path.stem
    cbp = [i for _, found in walk_archives(cfg.feeds_dir, "agency/cbp") for i in found]
    assert sorted(cbp) == sorted(f"tag:{AUTHORITY}:brief/{b.id}" for b in made if b.agency == "CBP")

    # The incremental result is byte for byte what a full rebuild writes.
    full = make_config(tmp_path / "full", entries=3)
    publish(store, full, full=True)
    inc = {k: v[0] for k, v in snapshot(cfg.feeds_dir).items()}
    assert {k: v[0] for k, v in snapshot(full.feeds_dir).items()} == inc


def test_an_edit_keeps_the_id_and_moves_updated(store: Store, tmp_path: Path) -> None:
    cfg = make_config(tmp_path, entries=3)
    t = datetime(2026, 11, 2, 14, 0, tzinfo=UTC)
    original = brief(1, t)
    put(store, original, brief(2, t + timedelta(hours=1)))
    publish(store, cfg, now=t)
    edited = replace(
        original,
        title="Release number 1, corrected",
        url="https://www.example.gov/archive/news/1",
        updated=t + timedelta(days=1),
        summary=("A corrected standfirst.", "With a second sentence."),
    )
    put(store, edited)
    summary = publish(store, cfg, now=t + timedelta(days=1))
    assert "all.atom" in summary.written
    root = strict_atom((cfg.feeds_dir / "all.atom").read_bytes())
    entries = {e.findtext(f"{A}id"): e for e in root.findall(f"{A}entry")}
    assert len(entries) == 2  # the new title did not make a second entry
    e = entries[f"tag:{AUTHORITY}:brief/b-0001"]
    assert e.findtext(f"{A}title") == "Release number 1, corrected"
    moved = datetime.fromisoformat(e.findtext(f"{A}updated") or "")
    assert moved.replace(microsecond=0) == t + timedelta(days=1)  # plus a stable fraction
    assert datetime.fromisoformat(e.findtext(f"{A}published") or "") == t
    assert rel(root, "self") == f"{SITE}/feeds/all.atom"
    assert datetime.fromisoformat(root.findtext(f"{A}updated") or "") == moved
    via = [ln.get("href") for ln in e.findall(f"{A}link") if ln.get("rel") == "via"]
    assert via == ["https://www.example.gov/archive/news/1"]


def test_an_edit_that_drops_a_topic_leaves_that_feed(store: Store, tmp_path: Path) -> None:
    cfg = make_config(tmp_path, entries=2)
    t = datetime(2026, 9, 2, 14, 0, tzinfo=UTC)
    moved = brief(1, t)  # border-security; the next two push it into the September archive
    put(store, moved, brief(2, t + timedelta(days=40)), brief(3, t + timedelta(days=41)))
    publish(store, cfg, now=t + timedelta(days=41))
    archive = cfg.feeds_dir / "archive/topic/border-security/2026-09.atom"
    assert ids(archive) == [f"tag:{AUTHORITY}:brief/b-0001"]
    put(store, replace(moved, topics=("maritime",), updated=t + timedelta(days=42)))
    summary = publish(store, cfg, now=t + timedelta(days=42))
    assert "topic/border-security" in summary.feeds
    chain = walk_archives(cfg.feeds_dir, "topic/border-security")
    assert f"tag:{AUTHORITY}:brief/b-0001" not in [i for _, found in chain for i in found]
    assert not archive.exists()  # the month it emptied is gone, not left stale
    assert ids(cfg.feeds_dir / "topic/maritime.atom") == [f"tag:{AUTHORITY}:brief/b-0001"]
    assert "agency/ice.atom" not in summary.written  # looked at, identical, left alone


def test_unchanged_feeds_are_not_rewritten(store: Store, tmp_path: Path) -> None:
    cfg = make_config(tmp_path)
    t = datetime(2026, 11, 2, 14, 0, tzinfo=UTC)
    put(store, brief(1, t))
    publish(store, cfg, now=t)
    before = snapshot(cfg.feeds_dir)
    again = publish(store, cfg, now=t + timedelta(hours=1))
    assert again == PublishSummary()
    assert snapshot(cfg.feeds_dir) == before
    # --all renders everything again but writes nothing that did not change.
    full = publish(store, cfg, full=True, now=t + timedelta(hours=2))
    assert full.written == () and full.unchanged > 0
    assert snapshot(cfg.feeds_dir) == before

    put(store, brief(2, t + timedelta(hours=3), "CISA", "cybersecurity"))
    changed = publish(store, cfg, now=t + timedelta(hours=3))
    after = snapshot(cfg.feeds_dir)
    assert set(changed.feeds) == {"all", "agency/cisa", "topic/cybersecurity"}
    assert after["agency/cbp.atom"] == before["agency/cbp.atom"]
    assert after["topic/border-security.rss"] == before["topic/border-security.rss"]
    assert after["all.atom"] != before["all.atom"]
    assert not [p for p in cfg.feeds_dir.rglob("*.tmp")]


def test_websub_hub_is_told_after_a_change(
    store: Store, tmp_path: Path, http_server: Server
) -> None:
    http_server.route("/hub", status=204)
    cfg = make_config(tmp_path, hub=http_server.url("/hub"))
    t = datetime(2026, 11, 2, 14, 0, tzinfo=UTC)
    put(store, brief(1, t))
    publish(store, cfg, now=t)
    assert len(http_server.log) == 1  # the first publish announces every new document
    put(store, brief(2, t + timedelta(minutes=1), "CISA", "cybersecurity"))
    publish(store, cfg, now=t + timedelta(minutes=1))
    assert len(http_server.log) == 2
    sent = http_server.log[1]
    assert sent.method == "POST"
    assert sent.headers["content-type"] == "application/x-www-form-urlencoded"
    pairs = parse_qsl(sent.body.decode())
    assert ("hub.mode", "publish") in pairs
    urls = {v for k, v in pairs if k == "hub.url"}
    assert f"{SITE}/feeds/all.atom" in urls and f"{SITE}/feeds/agency/cisa.json" in urls
    assert f"{SITE}/feeds/agency/cbp.atom" not in urls  # unchanged feeds are not announced
    hub_link = rel(strict_atom((cfg.feeds_dir / "all.atom").read_bytes()), "hub")
    assert hub_link == http_server.url("/hub")

    publish(store, cfg, now=t + timedelta(hours=1))  # nothing changed: nothing to announce
    assert len(http_server.log) == 2


def test_a_down_hub_does_not_block_and_is_retried(
    store: Store, tmp_path: Path, http_server: Server
) -> None:
    http_server.route("/hub", status=503)
    cfg = make_config(tmp_path, hub=http_server.url("/hub"))
    t = datetime(2026, 11, 2, 14, 0, tzinfo=UTC)
    put(store, brief(1, t))
    first = publish(store, cfg, now=t)
    assert first.pending and not first.pinged
    assert (cfg.feeds_dir / "all.atom").is_file()  # published all the same
    http_server.route("/hub", status=202)
    second = publish(store, cfg, now=t + timedelta(minutes=5))  # no new briefs
    assert second.pending == () and set(second.pinged) == set(first.pending)
    urls = {v for k, v in parse_qsl(http_server.log[-1].body.decode()) if k == "hub.url"}
    assert f"{SITE}/feeds/all.atom" in urls

    # A hub nobody listens on: refused at once, publishing goes on.
    refused = make_config(tmp_path / "other", hub="http://127.0.0.1:1/hub")
    put(store, brief(2, t + timedelta(hours=1)))
    third = publish(store, refused, now=t + timedelta(hours=1))
    assert third.pending and (refused.feeds_dir / "all.atom").is_file()


@pytest.fixture
def sqlite_store(tmp_path: Path) -> Iterator[Store]:
    opened = stores.open(f"sqlite:///{tmp_path / 'db' / 'syndicate.db'}")
    try:
        yield opened
    finally:
        opened.close()


def test_a_polling_reader_never_sees_a_partial_document(
    sqlite_store: Store, tmp_path: Path
) -> None:
    cfg = make_config(tmp_path, entries=5)
    t = datetime(2026, 11, 1, tzinfo=UTC)
    put(sqlite_store, brief(0, t))
    publish(sqlite_store, cfg, now=t)
    path = cfg.feeds_dir / "all.atom"
    stop = threading.Event()
    reads: list[int] = []
    problems: list[str] = []

    def reader() -> None:
        while not stop.is_set():
            data = path.read_bytes()
            try:
                root = ET.fromstring(data)
            except ET.ParseError as e:
                problems.append(f"{len(data)} bytes: {e}")
                continue
            reads.append(len(root.findall(f"{A}entry")))
            time.sleep(0.005)  # poll hard, but leave the writer the interpreter

    thread = threading.Thread(target=reader)
    thread.start()
    try:
        for n in range(1, 101):
            put(sqlite_store, brief(n, t + timedelta(hours=n)))
            publish(sqlite_store, cfg, now=t + timedelta(hours=n))
    finally:
        stop.set()
        thread.join()
    assert problems == []
    assert len(reads) > 100 and reads[-1] == 5


def test_a_script_payload_in_a_source_never_reaches_a_feed(store: Store, tmp_path: Path) -> None:
    cfg = make_config(tmp_path)
    put(store, hostile())
    publish(store, cfg, now=datetime(2026, 11, 12, 19, 0, tzinfo=UTC))
    for fmt in ("atom", "rss", "json"):
        data = (cfg.feeds_dir / f"all.{fmt}").read_bytes()
        fields = _html_fields(fmt, data)
        assert fields and all(_active(f) == [] for f in fields), fmt
        # The payload survives only as visible text (the brief quotes its source): no element,
        # handler or URL in any field a reader renders as HTML can run it.
    entry = strict_atom((cfg.feeds_dir / "all.atom").read_bytes()).find(f"{A}entry")
    assert entry is not None
    assert entry.findtext(f"{A}title") == hostile().title  # shown as text, never as markup
