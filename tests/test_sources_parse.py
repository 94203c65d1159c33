"""Dates and titles from the right place: listing rules, placeholder dates, split dates, every
date format SOURCES.md records, the URL slug, and a listing's word against the release page's.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from syndicate import dates, model, parse, titles
from syndicate.errors import ParseError
from syndicate.model import Article, Block, Item
from syndicate.pipeline.documents import settled


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)  # type: ignore[misc]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # CBP's inline release-date field, Drupal's slash date with a weekday.
        ("Fri, 08/07/2026", utc(2026, 8, 7, 4)),
        # The Coast Guard's abbreviated month with a period, alone and after its label.
        ("Jan. 28, 2026", utc(2026, 1, 28, 5)),
        # Two-digit-year RFC 822 (USCIS, CISA).
        ("Thu, 06 Aug 26 10:15:00 -0400", utc(2026, 8, 6, 14, 15)),
        ("Tue, 28 Jul 26 10:00:00 EDT", utc(2026, 7, 28, 14)),
        # DHS listing: a date-only ISO value in <time datetime>.
        ("2026-07-31", utc(2026, 7, 31, 4)),
        # CBP's placeholder is still a date; the listing reader is what distrusts it.
        ("2020-09-30T12:00:00+01:00", utc(2020, 9, 30, 11)),
        # FEMA's <time datetime> with Z; ICE's prose; TSA's feed dates.
        ("2026-07-30T15:59:07Z", utc(2026, 7, 30, 15, 59, 7)),
        ("August 7, 2026", utc(2026, 8, 7, 4)),
        ("Aug. 4, 2026", utc(2026, 8, 4, 4)),
        ("July 17, 2026", utc(2026, 7, 17, 4)),
        ("Friday, July 17, 2026", utc(2026, 7, 17, 4)),
        # Press-office zone abbreviations: the zone's wall clock, daylight saving or not.
        ("August 5, 2026 at 3:15 p.m. ET", utc(2026, 8, 5, 19, 15)),
        ("Jan. 5, 2026 3:15 pm ET", utc(2026, 1, 5, 20, 15)),
        ("Jan. 5, 2026 9:00 am PT", utc(2026, 1, 5, 17)),
    ],
)
def test_every_date_format_in_sources_md(text: str, expected: datetime) -> None:
    assert dates.parse_date(text) == expected


def test_labelled_dates_are_found_in_their_text() -> None:
    assert dates.find("PRESS RELEASE | Jan. 28, 2026") == utc(2026, 1, 28, 5)
    assert dates.find("Release Date: July 14, 2025") == utc(2025, 7, 14, 4)
    assert dates.parse_date("PRESS RELEASE | Jan. 28, 2026") is None  # one date, not a label


@pytest.mark.parametrize(
    ("parts", "expected"),
    [
        (["Aug 07", "2026"], utc(2026, 8, 7, 4)),  # CBP: "month" span "Aug 07", "day" "2026"
        (["Aug", "07", "2026"], utc(2026, 8, 7, 4)),  # USSS: three <p>
        (["07", "Aug", "2026"], utc(2026, 8, 7, 4)),
        (["08", "07", "2026"], utc(2026, 8, 7, 4)),  # numbers only: read as 08/07/2026
        ([" Jul 31 ", "\n2026 "], utc(2026, 7, 31, 4)),
        (["Aug", "07"], None),  # no year: not a date
        ([], None),
    ],
)
def test_dates_split_across_elements(parts: list[str], expected: datetime | None) -> None:
    assert dates.joined(parts) == expected


def _listing(rows: str, rules: model.ListingRules) -> parse.Parsed:
    source = model.Source("x", "X", "CBP", "page", "https://www.example.gov/news", listing=rules)
    html = f"<html><head><title>News</title></head><body><ul>{rows}</ul></body></html>"
    return parse.items(html.encode(), source=source, url=source.url)


PLACEHOLDER_ROWS = "".join(
    f'<li class="row"><time datetime="2020-09-30T12:00:00+01:00">Aug {d:02d} 2026</time>'
    f'<a href="/r/{d}">Release {d}</a></li>'
    for d in (7, 6, 5)
)


def test_a_date_the_same_on_every_row_falls_back_to_the_rows_text() -> None:
    parsed = _listing(PLACEHOLDER_ROWS, model.ListingRules(item=".row", link="a", date="time"))
    assert [i.published for i in parsed.items] == [
        utc(2026, 8, 5, 4), utc(2026, 8, 6, 4), utc(2026, 8, 7, 4)
    ]  # fmt: skip
    assert [dict(i.via)["date"] for i in parsed.items] == ["time"] * 3
    assert parsed.notes == (
        "dates: every row says 2020-09-30T11:00:00+00:00, a template default; not trusted",
    )


def test_a_placeholder_with_nothing_behind_it_leaves_the_rows_undated() -> None:
    rows = "".join(
        f'<li class="row"><time datetime="2020-09-30T12:00:00+01:00"></time>'
        f'<a href="/r/{d}">Release {d}</a></li>'
        for d in (1, 2, 3)
    )
    parsed = _listing(rows, model.ListingRules(item=".row", link="a", date="time"))
    assert [i.published for i in parsed.items] == [None, None, None]
    assert parsed.notes and parsed.notes[0].startswith("dates: every row says")


def test_two_rows_on_the_same_day_are_not_a_placeholder() -> None:
    rows = "".join(
        f'<li class="row"><time datetime="2026-08-06">x</time><a href="/r/{d}">R {d}</a></li>'
        for d in (1, 2)
    )
    parsed = _listing(rows, model.ListingRules(item=".row", link="a", date="time"))
    assert [i.published for i in parsed.items] == [utc(2026, 8, 6, 4)] * 2
    assert parsed.notes == ()


def test_a_selector_group_listing_the_pieces_of_a_date_joins_them() -> None:
    rows = (
        '<li class="row"><div class="d"><p class="m">Aug</p><p class="dd">07</p>'
        '<p class="y">2026</p></div><a href="/r/1">One</a></li>'
    )
    rules = model.ListingRules(item=".row", link="a", date="p.m, p.dd, p.y")
    (item,) = _listing(rows, rules).items
    assert item.published == utc(2026, 8, 7, 4)
    assert dict(item.via)["date"] == "p.m, p.dd, p.y (joined)"


def test_the_first_item_alternative_that_matches_wins() -> None:
    rows = (
        '<li class="usa-collection__item"><a href="/news/a">A</a></li>'
        '<li class="views-row"><a href="/news/sidebar">Sidebar teaser</a></li>'
    )
    rules = model.ListingRules(item="li.usa-collection__item, .views-row", link="a")
    parsed = _listing(rows, rules)
    assert [i.title for i in parsed.items] == ["A"]
    assert dict(parsed.items[0].via)["item"] == "li.usa-collection__item"
    old = _listing('<li class="views-row"><a href="/news/b">B</a></li>', rules)
    assert dict(old.items[0].via)["item"] == ".views-row"


def test_a_title_outside_its_link_is_not_taken() -> None:
    rows = (
        '<li class="row"><div class="h"><a href="/n/1">Officers seize fakes </a> | National '
        "Media Release</div></li>"
    )
    rules = model.ListingRules(item=".row", link=".h a", title=".h a")
    (item,) = _listing(rows, rules).items
    assert item.title == "Officers seize fakes"


def test_a_bad_selector_in_a_group_is_said_plainly() -> None:
    with pytest.raises(ParseError, match=r"^parse: bad CSS item selector"):
        _listing("<li>x</li>", model.ListingRules(item="li[[", link="a"))


@pytest.mark.parametrize(
    ("url", "title"),
    [
        ("https://www.tsa.gov/news/press/releases/2026/07/17/tsa-screens-record-travelers",
         "TSA screens record travelers"),
        ("https://www.dhs.gov/news/2026/08/07/secretary-tours-facility-0",
         "Secretary tours facility"),
        ("https://www.news.uscg.mil/Press-Releases/Article/4460663/coast-guard-rescues-4/",
         "Coast guard rescues 4"),
        ("https://www.fema.gov/press-release/20260731/fema-opens-center.html", "FEMA opens center"),
        ("https://www.example.gov/2026/", ""),
    ],
)  # fmt: skip
def test_a_title_from_the_url_slug(url: str, title: str) -> None:
    assert titles.from_url(url) == title


def _article(title: str = "", published: datetime | None = None) -> Article:
    blocks = (Block("paragraph", "Officers finished the project on Monday at the port."),)
    return Article("https://x.gov/news/2026/08/07/officers-finish-project", title, blocks,
                   published=published)  # fmt: skip


def _item(title: str = "Listed", published: datetime | None = None) -> Item:
    return Item("x", "k", title, "https://x.gov/news/2026/08/07/officers-finish-project",
                published=published)  # fmt: skip


def test_the_release_page_date_wins_over_a_contradicting_listing() -> None:
    item, notes = settled(_item(published=utc(2026, 8, 6, 4)), _article("T", utc(2026, 8, 5, 4)),
                          "America/New_York")  # fmt: skip
    assert item.published == utc(2026, 8, 5, 4)
    assert dict(item.via)["date"] == "release page"
    assert notes == [
        "date: the document says 2026-08-06, the release page 2026-08-05; the page's is used"
    ]


def test_a_feed_time_is_kept_when_the_page_gives_only_the_same_day() -> None:
    feed = utc(2026, 8, 7, 14, 20)  # 10:20 in Washington
    item, notes = settled(_item(published=feed), _article("T", utc(2026, 8, 7, 4)),
                          "America/New_York")  # fmt: skip
    assert item.published == feed and notes == []
    # A page that states a time on the same day is the better date.
    page = utc(2026, 8, 7, 12)
    assert (
        settled(_item(published=feed), _article("T", page), "America/New_York")[0].published == page
    )


def test_an_undated_listing_takes_the_pages_date() -> None:
    item, _ = settled(_item(), _article("T", utc(2026, 8, 7, 4)), "America/New_York")
    assert item.published == utc(2026, 8, 7, 4)


def test_an_empty_title_falls_back_to_the_page_heading_then_the_slug() -> None:
    item, notes = settled(_item(title=""), _article("Officers Finish Project"), "UTC")
    assert item.title == "Officers Finish Project"
    assert dict(item.via)["title"] == "release page title"
    assert notes == ["title: the document gives none; took the release page title"]
    item, _ = settled(_item(title=""), _article(""), "UTC")
    assert item.title == "Officers finish project"
    assert dict(item.via)["title"] == "URL slug"
    kept, notes = settled(_item(title="Listed"), _article("Other"), "UTC")
    assert kept.title == "Listed" and notes == []
