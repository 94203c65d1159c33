"""The parse stage against hand-written documents shaped like the real DHS sources.

Each directory under tests/data/feeds/ holds one document (`input.*`) and `expected.json`,
written by hand: either the items it must yield (oldest first) or the error it must raise.
"""

from __future__ import annotations

import json
import tracemalloc
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from syndicate import model, parse
from syndicate.errors import ParseError

DATA = Path(__file__).parent / "data" / "feeds"
CASES = sorted(p.name for p in DATA.iterdir() if (p / "expected.json").exists())


def _source(spec: dict[str, Any]) -> model.Source:
    listing = model.ListingRules(**spec["listing"]) if spec.get("listing") else None
    return model.Source(
        id=spec["id"],
        name=spec["id"].upper(),
        agency="DHS",
        kind=spec["kind"],
        url=spec["url"],
        listing=listing,
    )


def _run(case: str) -> tuple[dict[str, Any], parse.Parsed | ParseError]:
    expected = json.loads((DATA / case / "expected.json").read_text(encoding="utf-8"))
    (body_path,) = (DATA / case).glob("input.*")
    source = _source(expected["source"])
    try:
        return expected, parse.items(
            body_path.read_bytes(),
            source=source,
            url=source.url,
            content_type=expected["content_type"],
        )
    except ParseError as e:
        return expected, e


def test_there_are_cases() -> None:
    assert len(CASES) >= 15


@pytest.mark.parametrize("case", CASES)
def test_document(case: str) -> None:
    expected, result = _run(case)
    if "error" in expected:
        assert isinstance(result, ParseError), f"{case}: expected an error, got {result}"
        assert str(result).startswith(expected["error"])
        return
    assert not isinstance(result, ParseError), f"{case}: {result}"
    assert result.kind == expected["kind"]
    assert result.title == expected["title"]
    assert result.ttl_minutes == expected["ttl_minutes"]
    got = [
        {
            "key": i.key,
            "guid": i.guid,
            "title": i.title,
            "url": i.url,
            "published": i.published.isoformat() if i.published else None,
            "author": i.author,
        }
        for i in result.items
    ]
    fields = ("key", "guid", "title", "url", "published", "author")
    want = [{k: e[k] for k in fields} for e in expected["items"]]
    assert got == want
    for item, spec in zip(result.items, expected["items"], strict=True):
        assert item.source_id == expected["source"]["id"]
        assert item.published is None or item.published.tzinfo == UTC
        for fragment in spec.get("summary_contains", []):
            assert fragment in item.summary_html
        for fragment in spec.get("content_contains", []):
            assert fragment in item.content_html
        if "content_equals" in spec:
            assert item.content_html == spec["content_equals"]


@pytest.mark.parametrize("case", CASES)
def test_no_control_characters_survive(case: str) -> None:
    _, result = _run(case)
    if isinstance(result, ParseError):
        return
    for item in result.items:
        for text in (item.title, item.summary_html, item.content_html, item.url):
            assert not any(ord(c) < 32 and c not in "\t\n\r" for c in text)
            assert not any(0xD800 <= ord(c) <= 0xDFFF for c in text)
            assert "\ufffd" not in text


def test_entity_bomb_is_refused_before_any_expansion() -> None:
    body = (DATA / "entity-bomb" / "input.xml").read_bytes()
    source = model.Source("x", "X", "CBP", "feed", "https://example.gov/feed")
    tracemalloc.start()
    try:
        with pytest.raises(ParseError, match=r"^parse: refused .*ENTITY"):
            parse.items(body, source=source, url=source.url)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    # The document expands to 20 MB; refused unexpanded it costs a few copies of 24 kB.
    assert peak < 2_000_000, f"peak {peak} bytes"


@pytest.mark.parametrize(
    "doc",
    [
        b'<?xml version="1.0"?><!DOCTYPE rss [ ]><rss version="2.0"><channel/></rss>',
        b'<?xml version="1.0"?>\n<!doctype rss\n  [<!ENTITY a "b">]><rss version="2.0"/>',
        b'<rss version="2.0"><channel><!ENTITY x SYSTEM "file:///etc/passwd"></channel></rss>',
        '<?xml version="1.0" encoding="utf-16"?><!DOCTYPE r [<!ENTITY a "b">]><rss/>'.encode(
            "utf-16"
        ),
    ],
)
def test_internal_subsets_are_refused(doc: bytes) -> None:
    source = model.Source("x", "X", "CBP", "feed", "https://example.gov/feed")
    with pytest.raises(ParseError, match=r"^parse: refused"):
        parse.items(doc, source=source, url=source.url)


def test_external_doctype_is_fine() -> None:
    doc = (
        b'<?xml version="1.0"?>\n<!DOCTYPE rss PUBLIC "-//Netscape Communications//DTD RSS 0.91'
        b'//EN" "http://my.netscape.com/publish/formats/rss-0.91.dtd">\n<rss version="0.91">'
        b"<channel><title>Old</title><item><title>One</title><link>https://example.gov/1</link>"
        b"</item></channel></rss>"
    )
    source = model.Source("x", "X", "CBP", "feed", "https://example.gov/feed")
    parsed = parse.items(doc, source=source, url=source.url)
    assert [i.key for i in parsed.items] == ["https://example.gov/1"]


def _rss(*items: tuple[str, str | None]) -> bytes:
    rows = "".join(
        f"<item><title>{t}</title><link>https://example.gov/{t}</link>"
        + (f"<pubDate>{d}</pubDate>" if d else "")
        + "</item>"
        for t, d in items
    )
    return f'<rss version="2.0"><channel><title>T</title>{rows}</channel></rss>'.encode()


@pytest.mark.parametrize(
    ("doc", "order"),
    [
        # Newest first, as most feeds list: reversed.
        (
            _rss(("c", "Wed, 03 Dec 2025 10:00:00 GMT"), ("b", "Tue, 02 Dec 2025 10:00:00 GMT")),
            ["b", "c"],
        ),
        # Oldest first already: kept.
        (
            _rss(("b", "Tue, 02 Dec 2025 10:00:00 GMT"), ("c", "Wed, 03 Dec 2025 10:00:00 GMT")),
            ["b", "c"],
        ),
        # Out of order: sorted by date.
        (
            _rss(
                ("b", "Tue, 02 Dec 2025 10:00:00 GMT"),
                ("d", "Thu, 04 Dec 2025 10:00:00 GMT"),
                ("a", "Mon, 01 Dec 2025 10:00:00 GMT"),
            ),
            ["a", "b", "d"],
        ),
        # No dates at all: the document's order, reversed (newest first is the norm).
        (_rss(("z", None), ("y", None), ("x", None)), ["x", "y", "z"]),
        # An undated item keeps its place between dated ones.
        (
            _rss(
                ("c", "Wed, 03 Dec 2025 10:00:00 GMT"),
                ("u", None),
                ("a", "Mon, 01 Dec 2025 10:00:00 GMT"),
            ),
            ["a", "u", "c"],
        ),
    ],
)
def test_oldest_first(doc: bytes, order: list[str]) -> None:
    source = model.Source("x", "X", "CBP", "feed", "https://example.gov/feed")
    parsed = parse.items(doc, source=source, url=source.url)
    assert [i.title for i in parsed.items] == order
    assert parsed.items[0].published is None or parsed.items[0].published < datetime.now(UTC)


def test_listing_selector_that_finds_no_links_says_so() -> None:
    page = b"<html><body><div class='views-row'><p>No link here</p></div></body></html>"
    source = model.Source(
        "dhs", "DHS", "DHS", "page", "https://www.dhs.gov/news", listing=parse.DHS_RULES
    )
    with pytest.raises(ParseError, match=r"1 items matched selector .* but none holds a link"):
        parse.items(page, source=source, url=source.url)


def test_listing_bad_selector_is_a_parse_error() -> None:
    rules = model.ListingRules(item="div[", link="a")
    source = model.Source("dhs", "DHS", "DHS", "page", "https://www.dhs.gov/", listing=rules)
    with pytest.raises(ParseError, match="bad CSS item selector"):
        parse.items(b"<html><body><div>x</div></body></html>", source=source, url=source.url)


def test_listing_resolves_against_base_href() -> None:
    page = (
        b"<html><head><base href='https://www.tsa.gov/news/'></head><body>"
        b"<article><h2>Grant</h2><a href='press/releases/2026/11/02/x'>Read</a></article>"
        b"</body></html>"
    )
    rules = model.ListingRules(item="article", link="a", title="h2")
    source = model.Source("tsa", "TSA", "TSA", "page", "https://tsa.gov/list", listing=rules)
    (item,) = parse.items(page, source=source, url=source.url).items
    assert item.url == "https://www.tsa.gov/news/press/releases/2026/11/02/x"
    assert item.title == "Grant"


def test_feedparser_never_sees_a_file_name() -> None:
    # A body that happens to be a path on disk must be parsed as text, not opened.
    source = model.Source("x", "X", "CBP", "feed", "https://example.gov/feed")
    with pytest.raises(ParseError, match=r"^parse: not a feed"):
        parse.items(b"/etc/hostname", source=source, url=source.url)


def test_utf16_feed_with_bom() -> None:
    doc = (
        '<?xml version="1.0" encoding="utf-16"?><rss version="2.0"><channel><title>Aviso</title>'
        "<item><title>Declaración de desastre – Puerto Rico</title>"
        "<link>https://www.fema.gov/es/press-release/20261120/x</link></item></channel></rss>"
    ).encode("utf-16")
    source = model.Source("x", "X", "FEMA", "feed", "https://www.fema.gov/es/feeds/news.rss")
    (item,) = parse.items(doc, source=source, url=source.url).items
    assert item.title == "Declaración de desastre – Puerto Rico"


@pytest.mark.parametrize(
    ("doc", "error"),
    [
        # Scans over these must stay linear (bounded patterns), and still say what they saw.
        (b"<html>" + b"<title>" * 20_000, "parse: not a feed (looks like an HTML page)"),
        (b"<!DOCTYPE " * 20_000, "parse: not a feed ("),
        (b"<!--" * 20_000, "parse: not a feed ("),
        (b"{" * 50_000, "parse: malformed JSON feed ("),
        (b"\x00\x01\x02 \x1b\n", "parse: empty document (only control characters"),
        (b"\xef\xbb\xbf \n", "parse: empty document"),
    ],
)
def test_pathological_documents(doc: bytes, error: str) -> None:
    source = model.Source("x", "X", "CBP", "feed", "https://example.gov/feed")
    with pytest.raises(ParseError) as caught:
        parse.items(doc, source=source, url=source.url)
    assert str(caught.value).startswith(error)


def test_relative_item_links_are_made_absolute() -> None:
    doc = (
        b'<rss version="2.0"><channel><title>T</title>'
        b"<item><title>Rel</title><link>/news/2026/11/02/rel</link></item>"
        b"<item><title>Perma</title><guid>/news/2026/11/03/perma</guid></item>"
        b"<item><title>None</title><guid isPermaLink='false'>n-1</guid></item>"
        b"</channel></rss>"
    )
    source = model.Source("x", "X", "DHS", "feed", "https://www.dhs.gov/feeds/news.xml")
    parsed = parse.items(doc, source=source, url=source.url)
    urls = {i.title: i.url for i in parsed.items}
    assert urls == {
        "Rel": "https://www.dhs.gov/news/2026/11/02/rel",
        "Perma": "https://www.dhs.gov/news/2026/11/03/perma",
        "None": "",
    }


def test_a_crash_inside_feedparser_is_a_parse_error(monkeypatch: pytest.MonkeyPatch) -> None:
    import feedparser

    def explode(*args: object, **kwargs: object) -> None:
        raise RecursionError("maximum recursion depth exceeded")

    monkeypatch.setattr(feedparser, "parse", explode)
    source = model.Source("x", "X", "CBP", "feed", "https://example.gov/feed")
    with pytest.raises(ParseError, match=r"^parse: feedparser failed \(RecursionError: maximum"):
        parse.items(b'<rss version="2.0"><channel/></rss>', source=source, url=source.url)
