"""The identity rule: the same release keeps its key through what government sites do to it."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from syndicate import model, parse
from syndicate.parse import identity, key, normalise_url

FEED = "https://www.cisa.gov/news.xml"


@pytest.mark.parametrize(
    ("variant", "canonical"),
    [
        ("http://www.dhs.gov/news/2026/11/20/x", "https://dhs.gov/news/2026/11/20/x"),
        ("HTTPS://WWW.DHS.GOV/news/2026/11/20/x/", "https://dhs.gov/news/2026/11/20/x"),
        ("https://www.dhs.gov/archive/news/2026/11/20/x", "https://dhs.gov/news/2026/11/20/x"),
        ("https://dhs.gov/news/2026/11/20/x#main-content", "https://dhs.gov/news/2026/11/20/x"),
        (
            "https://www.dhs.gov/news/2026/11/20/x?utm_source=govdelivery&utm_medium=email",
            "https://dhs.gov/news/2026/11/20/x",
        ),
        ("https://dhs.gov/news/x?fbclid=IwAR0abc&gclid=Cj0K&msclkid=1", "https://dhs.gov/news/x"),
        ("https://dhs.gov:443/news/x", "https://dhs.gov/news/x"),
        ("http://dhs.gov:80/news/x", "https://dhs.gov/news/x"),
        ("https://dhs.gov/news/%7Ex", "https://dhs.gov/news/~x"),
        ("https://dhs.gov/news/a%2fb", "https://dhs.gov/news/a%2Fb"),
        ("https://dhs.gov/news/caf\u00e9", "https://dhs.gov/news/caf%C3%A9"),
        ("https://dhs.gov/search?page=2&keys=ice", "https://dhs.gov/search?keys=ice&page=2"),
        ("https://dhs.gov:8443/news/x", "https://dhs.gov:8443/news/x"),
        ("https://www.dhs.gov/", "https://dhs.gov"),
    ],
)
def test_normalise_url(variant: str, canonical: str) -> None:
    assert normalise_url(variant) == canonical


def test_path_case_and_meaningful_query_are_kept() -> None:
    assert normalise_url("https://dhs.gov/News/X") != normalise_url("https://dhs.gov/news/x")
    assert normalise_url("https://dhs.gov/n?id=1") != normalise_url("https://dhs.gov/n?id=2")


def test_archive_only_moves_news() -> None:
    # DHS moves releases to /archive/news/...; other /archive paths are different pages.
    assert normalise_url("https://dhs.gov/archive/publication/x") == (
        "https://dhs.gov/archive/publication/x"
    )


def test_non_http_urls_are_left_alone() -> None:
    assert normalise_url("mailto:media@hq.dhs.gov") == "mailto:media@hq.dhs.gov"


def _item(
    guid: str | None, url: str, title: str = "Release", published: datetime | None = None
) -> model.Item:
    return model.Item("cisa", "", title, url, guid, published)


@pytest.mark.parametrize(
    ("before", "after"),
    [
        # A relative guid made absolute, however the feed's host is spelled.
        (_item("/node/24817", "https://www.cisa.gov/a"), _item("/node/24817/", "https://x/a")),
        # A UUID guid whose case changed.
        (
            _item("3F2B8C1D-7E4A-4B9C-9D21-6A5E0F3C8B47", "https://u/a"),
            _item("3f2b8c1d-7e4a-4b9c-9d21-6a5e0f3c8b47", "https://u/b"),
        ),
        # A permalink guid that moved to /archive/ and lost www.
        (
            _item("https://www.dhs.gov/news/2026/11/20/x", "https://www.dhs.gov/news/2026/11/20/x"),
            _item("https://dhs.gov/archive/news/2026/11/20/x/", "https://dhs.gov/x"),
        ),
        # No guid: the URL, with tracking parameters, www. and a trailing slash.
        (
            _item(None, "https://www.dhs.gov/news/2026/11/20/x/?utm_campaign=a"),
            _item(None, "http://dhs.gov/archive/news/2026/11/20/x"),
        ),
        # A relative link from a listing page, against the page URL.
        (_item(None, "/news/2026/11/20/x"), _item(None, "https://www.cisa.gov/news/2026/11/20/x")),
    ],
)
def test_same_release_same_key(before: model.Item, after: model.Item) -> None:
    (a,) = identity([before], base=FEED)
    (b,) = identity([after], base=FEED)
    assert a.key == b.key != ""


def test_relative_guid_is_made_absolute_against_the_feed() -> None:
    (item,) = identity([_item("/node/123", "https://www.cisa.gov/x")], base=FEED)
    assert item.key == "https://cisa.gov/node/123"
    assert item.guid == "/node/123"


def test_duplicated_guids_fall_back_to_urls() -> None:
    shared = "https://www.ice.gov/news/releases"
    items = [
        _item(shared, "https://www.ice.gov/news/releases/a", "A"),
        _item(shared, "https://www.ice.gov/news/releases/b", "B"),
        _item("ice-1", "https://www.ice.gov/news/releases/c", "C"),
    ]
    assert [i.key for i in identity(items, base=FEED)] == [
        "https://ice.gov/news/releases/a",
        "https://ice.gov/news/releases/b",
        "ice-1",
    ]


def test_exact_repeats_are_dropped_first_kept() -> None:
    items = [
        _item("g1", "https://e.gov/1", "One", datetime(2026, 1, 2, tzinfo=UTC)),
        _item("g1", "https://e.gov/1", "One", datetime(2026, 1, 1, tzinfo=UTC)),
    ]
    (only,) = identity(items, base=FEED)
    assert only.key == "g1" and only.published == datetime(2026, 1, 2, tzinfo=UTC)


def test_no_guid_no_url_falls_back_to_title_and_date() -> None:
    when = datetime(2026, 11, 20, 23, 30, tzinfo=UTC)
    first = key(
        guid=None, url=None, title="  Coast Guard  Rescues Four ", published=when, base=FEED
    )
    again = key(guid="", url="", title="coast guard rescues four", published=when, base=FEED)
    assert first == again == "title:2026-11-20 coast guard rescues four"
    assert key(guid=None, url=None, title="X", published=None, base=FEED) == "title:undated x"


def test_keys_within_a_parsed_document_are_unique() -> None:
    doc = (
        b'<rss version="2.0"><channel><title>T</title>'
        b"<item><title>A</title><link>https://e.gov/a</link><guid>same</guid></item>"
        b"<item><title>B</title><link>https://e.gov/a/</link><guid>same</guid></item>"
        b"<item><title>C</title><link>https://e.gov/c</link><guid>same</guid></item>"
        b"</channel></rss>"
    )
    source = model.Source("x", "X", "CBP", "feed", "https://e.gov/feed")
    parsed = parse.items(doc, source=source, url=source.url)
    keys = [i.key for i in parsed.items]
    # B repeats A's guid and (normalised) URL: one release announced twice, first kept.
    assert keys == ["https://e.gov/c", "https://e.gov/a"]


def test_drupal_guid_survives_a_host_change() -> None:
    (a,) = identity([_item("148203 at https://www.fema.gov", "https://www.fema.gov/a")], base=FEED)
    (b,) = identity([_item("148203 at http://fema.gov/", "https://fema.gov/b")], base=FEED)
    assert a.key == b.key == "148203 at https://fema.gov"
    (c,) = identity([_item("148204 at https://www.fema.gov", "https://www.fema.gov/a")], base=FEED)
    assert c.key != a.key
