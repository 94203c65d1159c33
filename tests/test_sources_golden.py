"""The shipped config.toml against our fixtures of each agency's pages as they are today.

Each directory under tests/data/sources/ holds one source's document (a listing page or a
feed), two or three of its release pages, and `case.json`, written by hand from the shapes
SOURCES.md records (the USWDS collection, Drupal views rows, dates split over elements,
placeholder dates, empty feed titles, decoy body blocks) and the old shapes still served
(/archive/news, .views-row). The selectors tested are the shipped config's own, so a change
there that stops reading an agency fails here.

Bodies are checked on stable facts (the opening sentence is in the text, the page furniture is
not), not byte for byte, so the brief stage's tidying can improve without rewriting these.
"""

from __future__ import annotations

import asyncio
import json
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx
import pytest

from syndicate import config, extract, fetch, parse, titles
from syndicate import store as stores
from syndicate.model import Item, Source
from syndicate.pipeline import documents

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "tests" / "data" / "sources"
SHIPPED = {s.id: s for s in config.load(ROOT / "config.toml").source_list()}
CASES = sorted(p.name for p in DATA.iterdir() if (p / "case.json").exists())
ZONE = "America/New_York"


def _case(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((DATA / name / "case.json").read_text(encoding="utf-8"))
    return data


def _source(case: dict[str, Any]) -> Source:
    return SHIPPED[case["source"]]


def _parsed(name: str) -> parse.Parsed:
    case = _case(name)
    body = (DATA / name / case["document"]).read_bytes()
    return parse.items(
        body, source=_source(case), url=case["url"], content_type=case["content_type"]
    )


def _when(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def test_every_agency_has_a_case() -> None:
    agencies = {_source(_case(name)).agency for name in CASES}
    assert agencies == {"DHS", "CBP", "ICE", "USCIS", "TSA", "FEMA", "CISA", "USCG", "USSS"}
    # Listing pages and release pages for every agency whose pages syndicate reads.
    for name in CASES:
        case = _case(name)
        pages = case.get("pages", [])
        if _source(case).kind == "page" and _source(case).enabled:
            assert len(pages) >= 2, f"{name}: a listing needs two or three release pages"


@pytest.mark.parametrize("name", CASES)
def test_document_items(name: str) -> None:
    case = _case(name)
    parsed = _parsed(name)
    got = [(i.title, i.url, i.published) for i in parsed.items]
    want = [(w["title"], w["url"], _when(w["published"])) for w in case["items"]]
    assert got == want
    for item, expected in zip(parsed.items, case["items"], strict=True):
        via = dict(item.via)
        for field, selector in expected.get("via", {}).items():
            assert via.get(field) == selector, f"{name}: {item.url} {field} via {via}"
        if "key" in expected:
            assert item.key == expected["key"]
        if "slug_title" in expected:
            assert titles.from_url(item.url) == expected["slug_title"]


def _page_cases() -> list[tuple[str, dict[str, Any]]]:
    return [(name, page) for name in CASES for page in _case(name).get("pages", [])]


@pytest.mark.parametrize(
    ("name", "page"), _page_cases(), ids=[f"{n}/{p['file']}" for n, p in _page_cases()]
)
def test_release_page(name: str, page: dict[str, Any]) -> None:
    case = _case(name)
    source = _source(case)
    listed: Item = _parsed(name).items[page["item"]]
    body = (DATA / name / page["file"]).read_bytes()
    article = extract.article(body, url=listed.url, rules=source.article)
    assert article.title == page["title"]
    assert article.published == _when(page["published"])
    assert page["first"] in article.text, article.text[:300]
    for text in page.get("present", []):
        assert text in article.text
    for text in page.get("absent", []):
        assert text not in article.text, f"{name}/{page['file']}: {text!r} should be gone"
    via = dict(article.via)
    for field, selector in page.get("via", {}).items():
        assert via.get(field) == selector, f"{name}/{page['file']}: {field} via {via}"
    stored, notes = documents.settled(listed, article, ZONE)
    assert stored.title == page.get("stored_title", listed.title or page["title"])
    want = page.get("stored_published") or (listed.published and listed.published.isoformat())
    assert stored.published == _when(want)
    if "note" in page:
        assert page["note"] in notes
    else:
        assert not [n for n in notes if n.startswith("date:")], notes


def _feed_text_cases() -> list[tuple[str, dict[str, Any]]]:
    return [(name, spec) for name in CASES for spec in _case(name).get("feed_text", [])]


@pytest.mark.parametrize(("name", "spec"), _feed_text_cases())
def test_feed_text(name: str, spec: dict[str, Any]) -> None:
    item = _parsed(name).items[spec["item"]]
    article = extract.from_feed(item)
    assert article.origin == "feed"
    assert spec["first"] in article.text
    for text in spec.get("present", []):
        assert text in article.text
    for text in spec.get("absent", []):
        assert text not in article.text


def _fixture_site(name: str) -> httpx.MockTransport:
    """The case's real URLs answered from its files, nothing else (robots.txt: 404)."""
    case = _case(name)
    routes = {case["url"]: case["document"], **case.get("extra", {})}

    def answer(request: httpx.Request) -> httpx.Response:
        file = routes.get(str(request.url))
        if file is None:
            return httpx.Response(404)
        kind = "text/html" if file.endswith(".html") else "application/rss+xml"
        return httpx.Response(200, content=(DATA / name / file).read_bytes(),
                              headers={"Content-Type": kind})  # fmt: skip

    return httpx.MockTransport(answer)


@pytest.mark.parametrize("name", [n for n in CASES if "merged" in _case(n)])
def test_several_documents_merge_by_identity(name: str, tmp_path: Path) -> None:
    case = _case(name)
    source = _source(case)
    extra = tuple(case["extra"])
    assert set(extra) <= set(source.extra_feeds), "the case's feeds are the shipped ones"
    # Only the documents the case has; the other shipped feeds would 404 here.
    trimmed = Source(**{**source.__dict__, "url": case["url"], "extra_feeds": extra})
    as_feed = replace(trimmed, kind="feed", listing=None)
    store = stores.open(f"sqlite:///{tmp_path / 'x.db'}")

    async def read() -> documents.Read:
        fetcher = fetch.Fetcher("test", transport=_fixture_site(name), respect_robots=False,
                                host_spacing=0)  # fmt: skip
        async with fetcher:
            return await documents.read(
                fetcher, store, trimmed, main_url=trimmed.url, main_validators=None,
                now=datetime.fromisoformat("2026-08-08T12:00:00+00:00"),
            )  # fmt: skip

    try:
        result = asyncio.run(read())
        assert [i.url for i in result.items] == case["merged"]
        assert [d.found for d in result.documents] == [len(case["items"]), *(
            len(parse.items((DATA / name / f).read_bytes(), source=as_feed, url=u).items)
            for u, f in case["extra"].items()
        )]  # fmt: skip
        assert {d.url for d in store.polls.documents(source.id)} == {case["url"], *extra}
    finally:
        store.close()
