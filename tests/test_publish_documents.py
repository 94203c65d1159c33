"""The publish stage alone: briefs + HTML in, Atom / RSS 2.0 / JSON Feed bytes out.

Every document is read back by two parsers: feedparser (what readers use) and a strict one
(ElementTree for XML with our own RFC 4287 checks, `json` for JSON Feed). The briefs are the
hand-written ones in tests/data/publish/.
"""

from __future__ import annotations

import json
import re
import threading
import time
import xml.etree.ElementTree as ET
from dataclasses import replace
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import feedparser
import pytest

from syndicate import codec, publish
from syndicate.errors import PublishError
from syndicate.model import Brief

DATA = Path(__file__).parent / "data" / "publish"
A = "{http://www.w3.org/2005/Atom}"
FH = "{http://purl.org/syndication/history/1.0}"
RFC3339 = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")
SITE = "http://127.0.0.1:8080"
AUTHORITY = "syndicate.invalid,2026"


def briefs() -> list[Brief]:
    """The hand-written briefs, newest first."""
    data = json.loads((DATA / "briefs.json").read_text(encoding="utf-8"))
    found = [codec.brief_from_json(d) for d in data]
    return sorted(found, key=lambda b: (b.published, b.id), reverse=True)


def hostile() -> Brief:
    return codec.brief_from_json(json.loads((DATA / "hostile-brief.json").read_text("utf-8")))


def simple_html(brief: Brief) -> str:
    """What a brief renderer gives: escaped text in paragraphs (the summary may hold markup)."""
    from html import escape

    return "".join(f"<p>{escape(s)}</p>" for s in brief.summary)


def channel(feed: str = "all", **extra: Any) -> publish.Channel:
    values: dict[str, Any] = {
        "feed": feed,
        "title": "DHS Briefs & <Friends>",
        "subtitle": "Faithful briefs",
        "links": publish.Links(SITE),
        "authority": AUTHORITY,
        "author": "syndicate",
        "rights": "Public domain",
        "version": "0.1.0",
    }
    values.update(extra)
    return publish.Channel(**values)


def entries(items: list[Brief] | None = None) -> list[publish.Entry]:
    return [publish.Entry(b, simple_html(b)) for b in (items if items is not None else briefs())]


def strict_atom(data: bytes) -> ET.Element:
    """Parse an Atom document strictly and check what RFC 4287 requires of it."""
    root = ET.fromstring(data)
    assert root.tag == f"{A}feed"
    for name in ("id", "title", "updated"):
        assert len(root.findall(f"{A}{name}")) == 1, f"feed needs exactly one atom:{name}"
    assert RFC3339.match(root.findtext(f"{A}updated") or "")
    feed_author = root.find(f"{A}author/{A}name") is not None
    selfs = [ln for ln in root.findall(f"{A}link") if ln.get("rel") == "self"]
    assert len(selfs) == 1 and (selfs[0].get("href") or "").startswith("http://")
    ids = []
    for entry in root.findall(f"{A}entry"):
        for name in ("id", "title", "updated"):
            assert len(entry.findall(f"{A}{name}")) == 1, f"entry needs exactly one atom:{name}"
        for name in ("updated", "published"):
            assert RFC3339.match(entry.findtext(f"{A}{name}") or ""), name
        assert feed_author or entry.find(f"{A}author/{A}name") is not None
        content = entry.find(f"{A}content")
        assert content is not None and content.get("type") == "html"
        rels = [ln.get("rel", "alternate") for ln in entry.findall(f"{A}link")]
        assert rels.count("alternate") == 1 and rels.count("via") == 1
        ids.append(entry.findtext(f"{A}id"))
    assert len(ids) == len(set(ids)), "entry ids must be unique"
    return root


def _time(text: str | None) -> datetime:
    assert text
    return datetime.fromisoformat(text)


def test_atom_parses_the_same_in_feedparser_and_a_strict_parser() -> None:
    items = briefs()
    data = publish.atom(channel(), entries(items))
    root = strict_atom(data)
    parsed = feedparser.parse(data)
    assert not parsed.bozo, parsed.get("bozo_exception")
    assert parsed.version == "atom10"
    strict = root.findall(f"{A}entry")
    assert len(strict) == len(parsed.entries) == len(items)
    for brief, xml_entry, fp in zip(items, strict, parsed.entries, strict=True):
        tag = f"tag:{AUTHORITY}:brief/{brief.id}"
        assert xml_entry.findtext(f"{A}id") == fp.id == tag
        assert xml_entry.findtext(f"{A}title") == fp.title == brief.title
        # The brief's time, with a stable fraction of a second so no two entries share it.
        assert _time(xml_entry.findtext(f"{A}updated")).replace(microsecond=0) == brief.updated
        assert _time(xml_entry.findtext(f"{A}published")) == brief.published
        assert _time(fp.updated).replace(microsecond=0) == brief.updated
        assert _time(fp.published) == brief.published
        links = {ln.get("rel"): ln.get("href") for ln in xml_entry.findall(f"{A}link")}
        assert links == {"alternate": f"{SITE}/briefs/{brief.id}", "via": brief.url}
        assert {ln.rel: ln.href for ln in fp.links} == links
        assert fp.summary == " ".join(brief.summary)
        terms = {(c.get("term"), c.get("scheme")) for c in xml_entry.findall(f"{A}category")}
        assert (brief.agency, f"tag:{AUTHORITY}:agency") in terms
        assert {t for t, s in terms if s == f"tag:{AUTHORITY}:topic"} == set(brief.topics)
        assert xml_entry.findtext(f"{A}rights") == "Public domain"
    assert parsed.feed.title == "DHS Briefs & <Friends>"
    newest = max(b.updated for b in items)
    assert _time(root.findtext(f"{A}updated")).replace(microsecond=0) == newest


def test_titles_with_markup_characters_survive_exactly() -> None:
    tricky = next(b for b in briefs() if b.id == "b-fws-update")
    assert tricky.title == "Fish & Wildlife <Update>: “curly” quotes — and dashes"
    ch = channel()
    atom_entry = strict_atom(publish.atom(ch, entries([tricky]))).find(f"{A}entry")
    assert atom_entry is not None and atom_entry.findtext(f"{A}title") == tricky.title
    # RSS titles are plain text: readers that render them as HTML get no tag (issue 13).
    plain = "Fish & Wildlife : “curly” quotes — and dashes"
    rss_item = ET.fromstring(publish.rss(ch, entries([tricky]))).find("channel/item")
    assert rss_item is not None and rss_item.findtext("title") == plain
    item = json.loads(publish.json_feed(ch, entries([tricky])))["items"][0]
    assert item["title"] == tricky.title
    fp = feedparser.parse(publish.rss(ch, entries([tricky]))).entries[0]
    assert fp.title == plain
    # The standfirst's "&" and quotes reach every format as text, not as markup.
    assert item["summary"] == " ".join(tricky.summary)
    assert feedparser.parse(publish.rss(ch, entries([tricky]))).entries[0].summary == (
        " ".join(tricky.summary).replace("&", "&amp;")
    )


def test_every_text_and_attribute_reads_back_exactly_from_atom() -> None:
    odd = "A & B <c> \"d\" 'e'\r\n\tf > g"
    base = briefs()[0]
    tricky = replace(base, title=f"Title {odd}", url=f"https://www.example.gov/x?a=1&b={odd}")
    ch = channel(
        title=f"Feed {odd}", subtitle=f"Sub {odd}", author=f"Desk {odd}",
        rights=f"Rights {odd}", hub=f"https://hub.example/?q={odd}",
        labels=((base.agency, f"Agency {odd}"),),
        deleted=(publish.Deleted(f"gone {odd}", base.updated),),
    )  # fmt: skip
    html = f"<p>{odd}</p>"
    root = strict_atom(publish.atom(ch, [publish.Entry(tricky, html)]))
    # XML turns a CR in character data into a LF unless it was written as a reference.
    assert root.findtext(f"{A}title") == ch.title
    assert root.findtext(f"{A}subtitle") == ch.subtitle
    assert root.findtext(f"{A}rights") == ch.rights
    assert root.findtext(f"{A}author/{A}name") == ch.author
    hub = next(ln for ln in root.findall(f"{A}link") if ln.get("rel") == "hub")
    assert hub.get("href") == ch.hub
    tomb = root.find("{http://purl.org/atompub/tombstones/1.0}deleted-entry")
    assert tomb is not None and tomb.get("ref") == f"tag:{AUTHORITY}:brief/gone {odd}"
    entry = root.find(f"{A}entry")
    assert entry is not None
    assert entry.findtext(f"{A}title") == tricky.title
    assert entry.findtext(f"{A}content") == publish.sanitise(html)
    via = next(ln for ln in entry.findall(f"{A}link") if ln.get("rel") == "via")
    assert via.get("href") == tricky.url
    labels = {c.get("term"): c.get("label") for c in entry.findall(f"{A}category")}
    assert labels[base.agency] == f"Agency {odd}"


def test_an_entry_is_serialised_once_for_the_documents_of_one_channel_setting() -> None:
    made = entries()
    first = publish.atom(channel("all"), made)
    assert all(len(e.fragments) == 1 for e in made)
    # Another feed (or archive) with the same settings reuses the entry as written...
    (key, text), *_ = made[0].fragments.items()
    made[0].fragments[key] = text.replace(b"<title>", b"<title>Reused ")
    assert b"<title>Reused " in publish.atom(channel("agency/cbp"), made)
    made[0].fragments[key] = text
    publish.atom(channel("all", month="2026-10"), made)
    assert all(len(e.fragments) == 1 for e in made)
    assert publish.atom(channel("all"), made) == first
    # ...and different settings are written afresh, never taken from the other.
    relabelled = channel("all", labels=(("CISA", "Cyber Agency"),), rights="")
    root = strict_atom(publish.atom(relabelled, made))
    assert all(len(e.fragments) == 2 for e in made)
    assert "Cyber Agency" in {c.get("label") for c in root.iter(f"{A}category")}
    assert root.find(f"{A}entry/{A}rights") is None
    assert b"Cyber Agency" not in publish.atom(channel("all"), made)


def test_rss_and_json_feed_agree_with_atom() -> None:
    items = briefs()
    ch = channel(hub="http://127.0.0.1:9/hub")
    atom_root = strict_atom(publish.atom(ch, entries(items)))
    atom_entries = [
        (
            e.findtext(f"{A}id"),
            e.findtext(f"{A}title"),
            next(ln.get("href") for ln in e.findall(f"{A}link") if ln.get("rel") == "alternate"),
            _time(e.findtext(f"{A}published")),
        )
        for e in atom_root.findall(f"{A}entry")
    ]

    rss_bytes = publish.rss(ch, entries(items))
    rss_root = ET.fromstring(rss_bytes)
    assert rss_root.tag == "rss" and rss_root.get("version") == "2.0"
    chan = rss_root.find("channel")
    assert chan is not None
    assert chan.findtext("link") == f"{SITE}/"  # the alternate, not the self link
    rss_links = {ln.get("rel"): ln.get("href") for ln in chan.findall(f"{A}link")}
    assert rss_links == {"self": f"{SITE}/feeds/all.rss", "hub": "http://127.0.0.1:9/hub"}
    assert parsedate_to_datetime(chan.findtext("lastBuildDate") or "") == max(
        b.updated for b in items
    )
    rss_entries = [
        (
            i.findtext("guid"),
            i.findtext("title"),
            i.findtext("link"),
            parsedate_to_datetime(i.findtext("pubDate") or ""),
        )
        for i in chan.findall("item")
    ]
    assert all(i.find("guid") is not None for i in chan.findall("item"))
    assert {i.find("guid").get("isPermaLink") for i in chan.findall("item")} == {"false"}  # type: ignore[union-attr]
    # RSS titles lose what looks like markup (issue 13); everything else agrees with Atom.
    plain = [(i, (t or "").replace("<Update>", ""), ln, when) for i, t, ln, when in atom_entries]
    assert rss_entries == plain
    fp = feedparser.parse(rss_bytes)
    assert not fp.bozo and fp.version == "rss20"
    assert [(e.id, e.title, e.link) for e in fp.entries] == [a[:3] for a in plain]

    doc = json.loads(publish.json_feed(ch, entries(items)))
    assert doc["version"] == "https://jsonfeed.org/version/1.1"
    assert doc["feed_url"] == f"{SITE}/feeds/all.json"
    assert doc["hubs"] == [{"type": "WebSub", "url": "http://127.0.0.1:9/hub"}]
    json_entries = [
        (i["id"], i["title"], i["url"], datetime.fromisoformat(i["date_published"]))
        for i in doc["items"]
    ]
    assert json_entries == atom_entries
    for item, brief in zip(doc["items"], items, strict=True):
        assert item["external_url"] == brief.url
        modified = datetime.fromisoformat(item["date_modified"])
        assert modified.replace(microsecond=0) == brief.updated
        assert RFC3339.match(item["date_published"]) and RFC3339.match(item["date_modified"])


def test_identical_input_gives_identical_bytes() -> None:
    ch = channel(hub="http://127.0.0.1:9/hub", icon=f"{SITE}/i.png", logo=f"{SITE}/l.png")
    for render in (publish.atom, publish.rss, publish.json_feed):
        first = render(ch, entries())
        assert render(ch, entries()) == first
    # Nothing of "now" leaks in (feedgen stamps the clock, with microseconds, by default).
    stamps = re.findall(
        rb"\d{4}-\d{2}-\d{2}T[\d:.]+(?:Z|[+-]\d{2}:\d{2})", publish.atom(ch, entries())
    )
    known = {t for b in briefs() for t in (b.published, b.updated)}
    seen = {datetime.fromisoformat(t.decode()).replace(microsecond=0) for t in stamps}
    assert stamps and seen <= known


def test_an_edited_brief_keeps_its_id_and_moves_updated() -> None:
    original = next(b for b in briefs() if b.id == "b-cisa-advisory")
    edited = replace(
        original,
        title="CISA Adds Three Known Exploited Vulnerabilities to Catalog",
        url="https://www.cisa.gov/news-events/alerts/2026/11/10/cisa-adds-three-kev",
        updated=datetime(2026, 11, 11, 8, 0, tzinfo=UTC),
    )
    before = strict_atom(publish.atom(channel(), entries([original]))).find(f"{A}entry")
    after = strict_atom(publish.atom(channel(), entries([edited]))).find(f"{A}entry")
    assert before is not None and after is not None
    assert before.findtext(f"{A}id") == after.findtext(f"{A}id")
    assert before.findtext(f"{A}published") == after.findtext(f"{A}published")
    assert _time(after.findtext(f"{A}updated")) > _time(before.findtext(f"{A}updated"))


def test_archive_documents_carry_rfc5005_markers() -> None:
    ch = channel("agency/cbp", month="2026-10", prev_archive="2026-08", next_archive="2026-11")
    data = publish.atom(ch, entries())
    root = strict_atom(data)
    assert root.find(f"{FH}archive") is not None
    links = {ln.get("rel"): ln.get("href") for ln in root.findall(f"{A}link")}
    assert links["self"] == f"{SITE}/feeds/archive/agency/cbp/2026-10.atom"
    assert links["current"] == f"{SITE}/feeds/agency/cbp.atom"
    assert links["prev-archive"] == f"{SITE}/feeds/archive/agency/cbp/2026-08.atom"
    assert links["next-archive"] == f"{SITE}/feeds/archive/agency/cbp/2026-11.atom"
    assert root.findtext(f"{A}id") == f"tag:{AUTHORITY}:feed/agency/cbp/archive/2026-10"
    assert not feedparser.parse(data).bozo

    current = strict_atom(publish.atom(channel("agency/cbp", prev_archive="2026-10"), entries()))
    assert current.find(f"{FH}archive") is None
    rels = {ln.get("rel"): ln.get("href") for ln in current.findall(f"{A}link")}
    assert rels["prev-archive"] == f"{SITE}/feeds/archive/agency/cbp/2026-10.atom"
    assert "next-archive" not in rels and "current" not in rels


def test_feed_metadata_links_and_hub() -> None:
    ch = channel(hub="http://127.0.0.1:9/hub", icon=f"{SITE}/i.png", logo=f"{SITE}/l.png")
    root = strict_atom(publish.atom(ch, entries()))
    links = {ln.get("rel"): ln.get("href") for ln in root.findall(f"{A}link")}
    assert links == {
        "self": f"{SITE}/feeds/all.atom",
        "alternate": f"{SITE}/",
        "hub": "http://127.0.0.1:9/hub",
    }
    assert root.findtext(f"{A}icon") == f"{SITE}/i.png"
    assert root.findtext(f"{A}logo") == f"{SITE}/l.png"
    assert root.findtext(f"{A}generator") == "syndicate"
    assert root.findtext(f"{A}subtitle") == "Faithful briefs"


def test_an_empty_feed_is_still_valid() -> None:
    since = datetime(2026, 11, 1, 9, 30, tzinfo=UTC)
    root = strict_atom(publish.atom(channel("topic/maritime", since=since), []))
    assert root.findall(f"{A}entry") == []
    # When publishing began, not 1970 (which feed validators call an implausible date).
    assert _time(root.findtext(f"{A}updated")) == since
    assert json.loads(publish.json_feed(channel("topic/maritime"), []))["items"] == []


def test_naive_times_are_refused() -> None:
    naive = replace(briefs()[0], updated=datetime(2026, 11, 1, 12, 0))
    with pytest.raises(PublishError, match=r"^publish: brief .* naive"):
        publish.atom(channel(), entries([naive]))


class _Markup(HTMLParser):
    """Collects the elements and attributes an HTML fragment would create in a browser."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[str] = []
        self.attrs: list[tuple[str, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.attrs += [(k, v or "") for k, v in attrs]


def _active(fragment: str) -> list[str]:
    """Anything in an HTML fragment that could run code."""
    p = _Markup()
    p.feed(fragment)
    p.close()
    bad = [t for t in p.tags if t in ("script", "iframe", "svg", "object", "embed", "style")]
    bad += [k for k, _ in p.attrs if k.startswith("on") or k == "style"]
    bad += [v for k, v in p.attrs if k in ("href", "src") and "javascript:" in v.lower()]
    return bad


def _html_fields(fmt: str, data: bytes) -> list[str]:
    """Every field of a document that readers render as HTML."""
    if fmt == "json":
        return [i["content_html"] for i in json.loads(data)["items"]]
    root = ET.fromstring(data)
    if fmt == "atom":
        out = []
        for e in root.iter(f"{A}entry"):
            for child in e:
                if child.get("type") in ("html", "xhtml"):
                    out.append(child.text or "")
        return out
    ns = "{http://purl.org/rss/1.0/modules/content/}encoded"
    return [i.findtext(ns) or "" for i in root.iter("item")] + [
        i.findtext("description") or "" for i in root.iter("item")
    ]


@pytest.mark.parametrize("fmt", ["atom", "rss", "json"])
def test_script_payloads_never_reach_a_feed(fmt: str) -> None:
    brief = hostile()
    raw = (DATA / "hostile.html").read_text(encoding="utf-8")
    # One entry whose HTML is hostile itself, one whose plain-text fields carry the payload.
    pair = [publish.Entry(brief, raw), publish.Entry(replace(brief, id="b-2"), "<p>ok</p>")]
    render = {"atom": publish.atom, "rss": publish.rss, "json": publish.json_feed}[fmt]
    data = render(channel(), pair)
    fields = _html_fields(fmt, data)
    assert fields, "no HTML fields found"
    for field in fields:
        assert _active(field) == [], field
    assert b"evil.example" not in data
    assert any("https://www.disasterassistance.gov/" in f for f in fields)  # good links stay
    if fmt == "atom":
        for e in ET.fromstring(data).iter(f"{A}entry"):
            # Title and summary are plain text (RFC 4287 section 3.1: no type means text).
            assert e.find(f"{A}title").get("type") in (None, "text")  # type: ignore[union-attr]
            assert e.find(f"{A}summary").get("type") in (None, "text")  # type: ignore[union-attr]
    parsed = feedparser.parse(data) if fmt != "json" else None
    if parsed is not None:
        if fmt == "rss":  # RSS titles are plain text: the tags are gone, their words stay
            assert parsed.entries[0].title == "FEMA Approves Assistance alert('title')"
        else:
            assert parsed.entries[0].title == brief.title  # the payload is shown, as text


def test_sanitise_keeps_structure_and_drops_active_content() -> None:
    out = publish.sanitise((DATA / "hostile.html").read_text(encoding="utf-8"))
    assert "<p>FEMA approved individual assistance for two counties.</p>" in out
    assert '<a href="https://www.disasterassistance.gov/"' in out
    for bad in ("script", "onerror", "onclick", "javascript", "iframe", "style", "svg"):
        assert bad not in out.lower(), bad


def test_directory_lists_every_feed_with_autodiscovery() -> None:
    links = publish.Links(SITE)
    listed = [
        publish.Listed("all", "DHS Briefs"),
        publish.Listed("agency/cbp", "DHS Briefs: CBP"),
        publish.Listed("topic/maritime", "DHS Briefs: Maritime & <Ports>"),
    ]
    root = ET.fromstring(publish.opml("DHS Briefs", links, listed))
    assert root.tag == "opml" and root.get("version") == "2.0"
    urls = [o.get("xmlUrl") for o in root.iter("outline") if o.get("xmlUrl")]
    assert urls == [
        f"{SITE}/feeds/all.atom",
        f"{SITE}/feeds/agency/cbp.atom",
        f"{SITE}/feeds/topic/maritime.atom",
    ]
    assert {o.get("title") for o in root.iter("outline")} >= {"DHS Briefs: Maritime & <Ports>"}
    page = publish.index_html("DHS Briefs", "sub", links, listed).decode()
    found = re.findall(
        r'<link rel="alternate" type="application/atom\+xml" title="([^"]*)" href="([^"]*)">', page
    )
    assert found == [
        ("DHS Briefs", f"{SITE}/feeds/all.atom"),
        ("DHS Briefs: CBP", f"{SITE}/feeds/agency/cbp.atom"),
        ("DHS Briefs: Maritime &amp; &lt;Ports&gt;", f"{SITE}/feeds/topic/maritime.atom"),
    ]
    assert f'href="{SITE}/feeds/topic/maritime.json"' in page


def test_a_reader_never_sees_a_partial_file_during_100_replacements(tmp_path: Path) -> None:
    path = tmp_path / "feeds" / "all.atom"
    many = [replace(b, id=f"{b.id}-{n}") for n in range(20) for b in briefs()]
    small, large = publish.atom(channel(), entries()[:1]), publish.atom(channel(), entries(many))
    publish.write(path, small)
    stop = threading.Event()
    counts: list[int] = []
    problems: list[str] = []

    def reader() -> None:
        while not stop.is_set():
            data = path.read_bytes()
            try:
                counts.append(len(ET.fromstring(data).findall(f"{A}entry")))
            except ET.ParseError as e:
                problems.append(f"{len(data)} bytes: {e}")

    thread = threading.Thread(target=reader)
    thread.start()
    try:
        for n in range(100):
            assert publish.write(path, large if n % 2 == 0 else small) is True
    finally:
        stop.set()
        thread.join()
    assert problems == []
    assert set(counts) == {1, 60}
    assert [p.name for p in path.parent.iterdir()] == ["all.atom"]  # no temp file left


def test_an_identical_document_is_not_rewritten(tmp_path: Path) -> None:
    path = tmp_path / "all.atom"
    data = publish.atom(channel(), entries())
    assert publish.write(path, data) is True
    stamp = path.stat().st_mtime_ns
    time.sleep(0.01)
    assert publish.write(path, data) is False
    assert path.stat().st_mtime_ns == stamp
    assert oct(path.stat().st_mode & 0o777) == "0o644"


def test_an_unwritable_directory_is_a_publish_error(tmp_path: Path) -> None:
    blocker = tmp_path / "feeds"
    blocker.write_text("a file where the directory should be")
    with pytest.raises(PublishError, match=r"^publish: cannot write"):
        publish.write(blocker / "all.atom", b"<feed/>")
