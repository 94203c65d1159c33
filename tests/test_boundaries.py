"""The small rules behind issue 13, one by one: the XML-safe text boundary, what a body is
(HTML, text or refused), a release's title when its page has none, a document that leaves
out the entry it cannot build, and the stop requests of the one-shot commands."""

from __future__ import annotations

import unicodedata
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest
from smtp_support import mail_config, put_briefs
from store_support import T0, make_brief

from syndicate import parse, publish
from syndicate.errors import ExtractError, PublishError
from syndicate.extract import kind, titled
from syndicate.model import Article, Block, Source
from syndicate.pipeline import feeds, mail
from syndicate.store import Store
from syndicate.text import clean, decode, markup, xml_safe
from syndicate.titles import from_url

# --- the XML-safe boundary ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "safe"),
    [
        ("a&#xFFFE;b", "ab"),  # a noncharacter
        ("a&#xffff;b&#xFDD0;c&#x1FFFE;d&#x10FFFF;e", "abcde"),  # noncharacters, every plane
        ("a&#xD800;b", "ab"),  # a lone surrogate (feedparser raises on it)
        ("a&#55296;b", "ab"),  # the same, in decimal
        ("a&#x110000;b", "ab"),  # past the last code point (feedparser raises on it too)
        ("a&#99999999999999999999;b", "ab"),
        ("a&#0;b&#x1;c&#x1F;d", "abcd"),  # NUL and C0 controls
        ("a&#x9;b&#10;c", "a&#x9;b&#10;c"),  # tab and line feed are fine
        ("it&#146;s &#150; ok", "it’s – ok"),  # C1 references mean Windows-1252 (HTML)
        ("a&#129;b", "ab"),  # a C1 reference Windows-1252 leaves undefined
        ("&#xD83D;&#xDE00;", "&#x1F600;"),  # a UTF-16 pair written as two references
        ("&#x1F600; &amp;#xD800; &lt;", "&#x1F600; &amp;#xD800; &lt;"),  # left as they are
        ("raw \ufffe\uffff\x00\x85\x9f\ud800 text", "raw  text"),  # the characters themselves
    ],
)
def test_markup_removes_what_xml_cannot_carry(raw: str, safe: str) -> None:
    assert markup(raw) == safe
    assert xml_safe(markup(raw))


def test_clean_and_xml_safe_agree() -> None:
    for bad in ("\ufffe", "\uffff", "\U0001fffe", "\U0010ffff", "\ufdd0", "\ufdef", "\x0b", "\x7f"):
        assert not xml_safe(f"a{bad}b") and clean(f"a{bad}b") == "ab"
    for good in ("\t", "\n", "\r", "é", "\u2028", "\ufffd", "\U0001f600", "\ufdcf", "\ufdf0"):
        assert xml_safe(good) and clean(good) == good


def test_clean_drops_exactly_what_xml_cannot_carry_of_every_code_point() -> None:
    def bad(c: int) -> bool:  # XML 1.0's Char production, less the noncharacters
        return (
            (c < 0x20 and c not in (0x09, 0x0A, 0x0D))
            or 0x7F <= c <= 0x9F
            or 0xD800 <= c <= 0xDFFF
            or 0xFDD0 <= c <= 0xFDEF
            or c & 0xFFFE == 0xFFFE
        )

    every = "".join(chr(c) for c in range(0x110000))
    good = "".join(chr(c) for c in range(0x110000) if not bad(c))
    assert len(every) - len(good) == 29 + 33 + 2048 + 32 + 34
    assert clean(every) == unicodedata.normalize("NFC", good)
    assert not xml_safe(every) and xml_safe(good)
    assert [c for c in range(0x10000, 0x110000, 0xFFF) if not xml_safe(chr(c))] == []


def test_decode_applies_the_boundary_before_any_parser() -> None:
    body = b'<?xml version="1.0" encoding="utf-8"?><t>x&#xD800;y\xef\xbf\xbez</t>'
    text, charset = decode(body)
    assert (text, charset) == ('<?xml version="1.0" encoding="utf-8"?><t>xyz</t>', "utf-8")


@pytest.mark.parametrize("reference", ["&#xD800;", "&#x110000;", "&#xFFFE;", "&#1;"])
def test_a_feed_with_bad_references_still_parses(reference: str) -> None:
    feed = (
        '<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>'
        f"<item><title>Officers {reference}Seize Cargo</title><link>https://www.cbp.gov/n/1</link>"
        f"<description>&lt;p&gt;Text{reference} here.&lt;/p&gt;</description></item>"
        "</channel></rss>"
    ).encode()
    source = Source(id="cbp", name="CBP", agency="CBP", kind="feed", url="https://www.cbp.gov/f")
    [found] = parse.items(feed, source=source, url=source.url).items
    assert found.title == "Officers Seize Cargo"
    assert xml_safe(found.summary_html)


# --- what a body is -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "content_type", "expected"),
    [
        (b"<!DOCTYPE html><html><body>x</body></html>", "text/html", "html"),
        (b"<html><body>x</body></html>", None, "html"),
        (
            b"<?xml version='1.0'?><html xmlns='http://www.w3.org/1999/xhtml'/>",
            "application/xhtml+xml",
            "html",
        ),
        (b"Title\n\nA paragraph of a release.", "text/plain; charset=utf-8", "text"),
        (b"<!doctype html><html></html>", "application/octet-stream", "html"),  # mislabelled
        (b"\xff\xfeh\x00i\x00", "text/plain; charset=utf-16", "text"),  # UTF-16 with a BOM
    ],
)
def test_pages_and_text_are_read(body: bytes, content_type: str | None, expected: str) -> None:
    assert kind(body, content_type) == expected


@pytest.mark.parametrize(
    ("body", "content_type", "shown"),
    [
        (b"%PDF-1.7\n...", "application/pdf", "application/pdf"),
        (b"%PDF-1.4\n...", "text/html", "application/pdf"),  # the bytes decide
        (b"\x89PNG\r\n\x1a\n....", "text/html; charset=utf-8", "image/png"),
        (b"PK\x03\x04 docx", None, "application/zip"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1 doc", "application/msword", "application/msword"),
        (b"text with a NUL\x00 in it", "text/plain", "application/octet-stream"),
        (bytes(range(256)), None, "application/octet-stream"),
        (b"%%some words", "application/json", "application/json"),  # a declared non-page
        (b"plain words", "image/svg+xml", "image/svg+xml"),
    ],
)
def test_everything_else_is_refused(body: bytes, content_type: str | None, shown: str) -> None:
    with pytest.raises(ExtractError) as refused:
        kind(body, content_type)
    assert str(refused.value) == f"extract: not an HTML page ({shown})"


# --- titles -------------------------------------------------------------------------------


def _article(title: str, url: str) -> Article:
    para = Block("paragraph", "Officers finished the inspection of the harbor on Monday.")
    return Article(url=url, title=title, blocks=(para,))


@pytest.mark.parametrize(
    ("url", "slug"),
    [
        (
            "https://www.dhs.gov/news/2025/11/20/dhs-signs-agreement-with-ecuador",
            "DHS signs agreement with ecuador",
        ),
        (
            "https://www.news.uscg.mil/Press-Releases/Article/4123456/coast-guard-rescues-four/",
            "Coast guard rescues four",
        ),
        ("https://www.fema.gov/press-release/20251120/fema-approves-aid.html", "FEMA approves aid"),
        ("https://www.cisa.gov/node/24817", ""),  # an id, and a folder is not a title
        ("https://www.uscis.gov/news/0b6c2f3e-1d9a-4c55-9a61-6f1c2e7b9d10", ""),
        ("https://www.ice.gov/news/releases/press", ""),  # one word is not a title
        ("https://www.tsa.gov/", ""),
    ],
)
def test_a_slug_reads_as_a_title(url: str, slug: str) -> None:
    assert from_url(url) == slug


def test_titled_falls_back_in_order() -> None:
    url = "https://www.cbp.gov/newsroom/officers-seize-cargo"
    assert titled(_article("On The Page", url), "In The Feed").title == "On The Page"
    assert titled(_article("  ", url), "In The Feed").title == "In The Feed"
    assert titled(_article("", url), "—").title == "Officers seize cargo"
    with pytest.raises(ExtractError, match=r"extract: no usable title for https://x\.gov/node/7"):
        titled(_article("", "https://x.gov/node/7"), "")


# --- one entry a builder cannot take --------------------------------------------------------


def _entries(*titles: str) -> list[publish.Entry]:
    return [
        publish.Entry(make_brief(f"b-{n}", title=t, agency="CBP"), "<p>ok</p>")
        for n, t in enumerate(titles)
    ]


def _channel() -> publish.Channel:
    return publish.Channel(
        feed="all",
        title="t",
        subtitle="s",
        links=publish.Links("https://briefs.example.org"),
        authority="syndicate.invalid,2026",
        author="a",
    )


def test_build_leaves_out_the_entry_that_breaks_the_builder() -> None:
    def picky(channel: publish.Channel, entries: list[publish.Entry]) -> bytes:
        if any("Broken" in e.brief.title for e in entries):
            raise ValueError("All strings must be XML compatible")
        return publish.atom(channel, entries)

    built = publish.build(picky, _channel(), _entries("Fine One", "Broken Two", "Fine Three"))
    assert built.skipped == {"b-1": "publish: ValueError: All strings must be XML compatible"}
    assert b"Fine One" in built.data and b"Fine Three" in built.data and b"Broken" not in built.data


def test_build_gives_up_on_a_document_no_entry_explains() -> None:
    def broken(channel: publish.Channel, entries: list[publish.Entry]) -> bytes:
        raise OSError("disk full")

    with pytest.raises(
        PublishError, match=r"publish: cannot build .*all\.atom: OSError: disk full"
    ):
        publish.build(broken, _channel(), _entries("Fine One"))


def test_problem_names_what_a_feed_cannot_carry() -> None:
    [empty, odd, fine] = _entries("", "Officers \ufffe Seize", "Fine")
    assert publish.problem(empty) == "publish: the brief has no title (RFC 4287 requires one)"
    assert publish.problem(odd) == (
        "publish: the brief's title holds U+FFFE, which XML cannot carry"
    )
    assert publish.problem(fine) is None
    naive = publish.Entry(replace(fine.brief, updated=T0.replace(tzinfo=None)), "<p>x</p>")
    assert "has no zone" in (publish.problem(naive) or "")


# --- stopping between units of work ----------------------------------------------------------


def test_publish_stops_between_feeds_and_finishes_next_time(tmp_path: Path, store: Store) -> None:
    cfg = mail_config(tmp_path, "", extra='[feeds]\ndir = "feeds"\nfsync = false\n')
    put_briefs(store, make_brief("b-1"), make_brief("b-2", agency="CBP", title="CBP Opens Lanes"))
    asked = []

    def stop() -> bool:
        asked.append(1)
        return len(asked) > 1  # after the first feed

    first = feeds.publish(store, cfg, stop=stop)
    assert first.stopped and first.feeds and first.written
    assert (tmp_path / "data" / "feeds" / "all.atom").exists()
    assert not (tmp_path / "data" / "feeds" / "agency" / "uscis.atom").exists()
    second = feeds.publish(store, cfg)
    assert not second.stopped
    assert (tmp_path / "data" / "feeds" / "agency" / "uscis.atom").exists()
    assert (tmp_path / "data" / "feeds" / "agency" / "cbp.atom").exists()


def test_digest_stops_between_batches_and_the_ledger_keeps_the_rest(
    tmp_path: Path, store: Store
) -> None:
    cfg = mail_config(tmp_path, "")
    for n in range(30):
        store.subscribers.add(f"r{n}@example.org", "immediate", confirmed=True, now=T0)
    put_briefs(store, replace(make_brief("b-1"), updated=T0 + timedelta(minutes=1)))

    def stop() -> bool:  # a signal that arrives once the first batch of messages is sent
        return store.deliveries.counts().get("sent", 0) > 0

    first = mail.run(store, cfg, stop=stop, clock=lambda: T0 + timedelta(minutes=2))
    assert first.made == 30 and 0 < first.sent < 30
    rest = mail.run(store, cfg, clock=lambda: T0 + timedelta(minutes=3))
    assert first.sent + rest.sent == 30 and rest.made == 0
