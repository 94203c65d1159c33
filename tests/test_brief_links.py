"""Additional Reading: the release's official links, resolved, cleaned, without social media."""

from __future__ import annotations

from syndicate.brief import links
from syndicate.model import Article, Block, Link

BLOCK = Block(
    "paragraph",
    "text",
    links=(
        Link("Read the full advisory", "/news-events/advisories/aa25-273a"),
        Link("@CISAgov", "https://x.com/CISAgov"),
        Link("Share", "https://www.facebook.com/sharer/sharer.php?u=https://www.cisa.gov/a"),
        Link("StopRansomware.gov", "https://www.cisa.gov/stopransomware"),
        Link("here", "https://www.fbi.gov/contact-us"),
        Link("the vendor", "https://vendor.example.com/patch"),
        Link("StopRansomware.gov again", "https://www.cisa.gov/stopransomware"),
        Link("Flickr album", "https://www.flickr.com/photos/dhsgov/x"),
    ),
)


def _reading(url: str) -> list[tuple[str, str]]:
    page = Article(url, "T", (BLOCK,))
    return [(k.text, k.url) for k in links.reading(page, "CISA")]


def test_official_links_only_resolved_against_the_page() -> None:
    assert _reading("https://www.cisa.gov/news-events/news/x") == [
        ("full advisory", "https://www.cisa.gov/news-events/advisories/aa25-273a"),
        ("StopRansomware.gov", "https://www.cisa.gov/stopransomware"),
        ("https://www.fbi.gov/contact-us", "https://www.fbi.gov/contact-us"),
    ]


def test_a_local_file_resolves_site_paths_against_the_agencys_site() -> None:
    first = _reading("file:///home/op/release.html")[0]
    assert first == ("full advisory", "https://www.cisa.gov/news-events/advisories/aa25-273a")
