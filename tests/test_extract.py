"""The extract stage against hand-written release pages and feed items.

Each case under tests/data/articles/<case>/ holds a page.html (or a feed item.json) and an
expected.json written by hand: title, dateline, dates, the opening words, strings that must
survive and strings that must be gone, headings, list sizes, tables and links.
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from syndicate.errors import ExtractError
from syndicate.extract import article, from_feed
from syndicate.model import Article, ArticleRules, Item

DATA = Path(__file__).parent / "data" / "articles"
CASES = sorted(p.name for p in DATA.iterdir() if (p / "expected.json").exists())


def _load(case: str) -> tuple[Article, dict[str, Any]]:
    folder = DATA / case
    expected = json.loads((folder / "expected.json").read_text(encoding="utf-8"))
    if (folder / "page.html").exists():
        page = (folder / "page.html").read_bytes()
        return article(page, url=expected["url"], content_type="text/html"), expected
    raw = json.loads((folder / "item.json").read_text(encoding="utf-8"))
    if raw["published"]:
        raw["published"] = datetime.fromisoformat(raw["published"])
    return from_feed(Item(**raw)), expected


def _everything(result: Article) -> str:
    """All text and URLs an Article carries, for the must-be-absent checks."""
    parts = [result.title, result.dateline or "", result.text]
    for block in result.blocks:
        parts += [block.text, *block.items, *(f"{k.text} {k.url}" for k in block.links)]
    parts += [f"{k.text} {k.url}" for k in result.links]
    return "\n".join(parts)


def test_there_are_cases() -> None:
    assert len(CASES) >= 9


@pytest.mark.parametrize("case", CASES)
def test_case(case: str) -> None:
    result, expected = _load(case)
    assert result.origin == expected.get("origin", "page")
    assert result.title == expected["title"]
    assert result.dateline == expected["dateline"]
    for field in ("published", "modified"):
        stated = getattr(result, field)
        assert (stated.isoformat() if stated else None) == expected[field], field
    paragraphs = [b.text for b in result.blocks if b.kind == "paragraph"]
    assert paragraphs[0].startswith(expected["first_paragraph_starts"])
    for wanted in expected["present"]:
        assert wanted in result.text, wanted
    everything = _everything(result)
    for unwanted in expected["absent"]:
        assert unwanted not in everything, unwanted
    assert [b.text for b in result.blocks if b.kind == "heading"] == expected["headings"]
    assert [len(b.items) for b in result.blocks if b.kind == "list"] == expected["list_items"]
    tables = [list(b.items) for b in result.blocks if b.kind == "table"]
    assert tables == expected.get("tables", [])
    if "quotes" in expected:
        assert sum(b.kind == "quote" for b in result.blocks) == expected["quotes"]
    links = {(k.text, k.url) for k in result.links}
    for link in expected["links"]:
        assert (link["text"], link["url"]) in links, link
    assert len(result.links) == expected["link_count"]
    assert all(k.url.startswith(("https://", "http://")) for k in result.links)


@pytest.mark.parametrize("case", CASES)
def test_blocks_are_clean_text(case: str) -> None:
    result, _ = _load(case)
    for block in result.blocks:
        assert block.text == block.text.strip()
        assert "  " not in block.text and "\u00a0" not in block.text
        assert "<" not in block.text or "<" in "".join(block.items)  # no markup leaks
        assert not any(ord(c) < 32 and c not in "\n\t" for c in block.text)


def test_configured_selectors_win_over_the_heuristic() -> None:
    page = b"""<html><head><title>Ignored | Site</title></head><body>
    <div class="hero"><h1>Front page banner</h1><p>Sign up for our newsletter today, it is
    free and arrives weekly with every release we publish.</p></div>
    <div class="story"><h2 class="headline">Coast Guard Rescues Four Off Cape Hatteras</h2>
    <span class="when">November 3, 2025</span>
    <p>PORTSMOUTH, Va. - The Coast Guard rescued four boaters Sunday after their vessel took
    on water roughly 20 miles east of Cape Hatteras.</p>
    <p class="promo">Download our app for alerts.</p></div></body></html>"""
    rules = ArticleRules(body=".story", title=".headline", date=".when", drop=(".promo",))
    result = article(page, url="https://news.uscg.mil/x", rules=rules)
    assert result.title == "Coast Guard Rescues Four Off Cape Hatteras"
    assert result.dateline == "PORTSMOUTH, Va."
    assert result.published is not None and result.published.isoformat().startswith("2025-11-03")
    assert result.text.startswith("The Coast Guard rescued four boaters Sunday")
    assert "newsletter" not in result.text and "Download our app" not in result.text


def test_a_selector_group_is_a_list_of_preferences() -> None:
    # config.toml's DHS rule: `main` must not swallow the body field that comes first.
    page = b"""<html><body><main><div class="field--name-body"><p>WASHINGTON \xe2\x80\x93 The
    Department announced new screening steps for cargo arriving at Gulf Coast ports.</p></div>
    <div class="promo"><p>Subscribe to our newsletter for weekly updates on all of it.</p></div>
    </main></body></html>"""
    url = "https://www.dhs.gov/news/2025/12/02/x"
    for body in (
        ".field--name-body, article .content, main",
        ".none, :is(main, p) .field--name-body",
    ):
        result = article(page, url=url, rules=ArticleRules(body=body))
        assert result.dateline == "WASHINGTON"
        assert "newsletter" not in result.text, body
    assert "newsletter" in article(page, url=url, rules=ArticleRules(body="main")).text


def test_a_bad_configured_selector_is_an_extract_error() -> None:
    with pytest.raises(ExtractError, match=r"^extract: bad CSS selector"):
        article(b"<p>x</p>", url="https://x.gov/", rules=ArticleRules(body="div[[["))


def test_feed_leak_without_drupal_classes_is_still_cut() -> None:
    item = Item(
        source_id="fema",
        key="k",
        title="Disaster Recovery Center Opens in Marion County",
        url="https://www.fema.gov/press-release/20250818/drc-marion",
        summary_html=(
            "<span>Disaster Recovery Center Opens in Marion County</span> <span>jdoe</span> "
            "<span>Mon, 08/18/2025 - 13:44</span><p>OCALA, Fla. – A Disaster Recovery Center "
            "opens Tuesday at the Marion County library to help survivors apply for aid.</p>"
        ),
    )
    result = from_feed(item)
    assert result.origin == "feed"
    assert result.text == (
        "A Disaster Recovery Center opens Tuesday at the Marion County library to help "
        "survivors apply for aid."
    )
    assert result.dateline == "OCALA, Fla."
    # 13:44 Eastern daylight time on Aug. 18 is 17:44 UTC.
    assert result.published is not None and result.published.isoformat() == (
        "2025-08-18T17:44:00+00:00"
    )


def test_feed_item_without_text_is_an_extract_error() -> None:
    item = Item(source_id="s", key="k", title="T", url="https://www.uscis.gov/n/1")
    with pytest.raises(ExtractError, match=r"^extract: feed item https://www.uscis.gov/n/1"):
        from_feed(item)
