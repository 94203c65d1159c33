"""The web side serving what the publish stage really writes: every feed the pages link to
exists, each Atom entry's `rel="alternate"` is a brief page we serve, and republishing moves
the validators."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import replace
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import feedparser
import httpx
import pytest
from browser_support import NOW, briefs, make_config, running, seed

from syndicate import store as stores
from syndicate import web
from syndicate.config import Config
from syndicate.pipeline import feeds
from syndicate.store import Store


@pytest.fixture
def published(tmp_path: Path) -> Iterator[tuple[Config, Store, str]]:
    config = make_config(tmp_path)
    config.data_dir.mkdir()
    store = stores.open(config.database_url)
    seed(store)
    feeds.publish(store, config, full=True, now=NOW)
    try:
        with running(web.app(config, store)) as url:
            yield config, store, url
    finally:
        store.close()


def test_every_feed_the_pages_link_to_is_served(published: tuple[Config, Store, str]) -> None:
    _, _, url = published
    with httpx.Client(base_url=url) as c:
        home = c.get("/").text
        links = sorted(set(re.findall(r'href="(/feeds/[^"]+)"', home)))
        assert len(links) > 30  # all, nine agencies and every topic, three formats each
        for link in links:
            r = c.get(link)
            assert r.status_code == 200, link
            ext = link.rsplit(".", 1)[1]
            kind = {"atom": "application/atom+xml", "rss": "application/rss+xml"}.get(
                ext, "application/feed+json"
            )
            assert r.headers["content-type"] == f"{kind}; charset=utf-8", link


def test_atom_alternate_links_are_our_brief_pages(published: tuple[Config, Store, str]) -> None:
    config, _, url = published
    with httpx.Client(base_url=url) as c:
        parsed = feedparser.parse(c.get("/feeds/all.atom").content)
        assert not parsed.bozo, parsed.get("bozo_exception")
        assert len(parsed.entries) == len(briefs())
        for entry in parsed.entries:
            alternate = next(x.href for x in entry.links if x.rel == "alternate")
            assert alternate.startswith(config.service.base_url + "/briefs/")
            page = c.get(urlsplit(alternate).path)
            assert page.status_code == 200, alternate
            assert "<h1>" in page.text


def test_republishing_moves_the_validators(published: tuple[Config, Store, str]) -> None:
    config, store, url = published
    with httpx.Client(base_url=url) as c:
        before = c.get("/feeds/agency/dhs.atom", headers={"Accept-Encoding": "identity"})
        etag = before.headers["etag"]
        same = {"Accept-Encoding": "identity", "If-None-Match": etag}
        assert c.get("/feeds/agency/dhs.atom", headers=same).status_code == 304
        newer = replace(
            briefs()[0],
            id="2026-11-28-new-release",
            title="DHS Opens a New Liaison Office in Quito",
            published=NOW - timedelta(hours=1),
            updated=NOW - timedelta(hours=1),
        )
        with store.begin() as conn:
            store.briefs.upsert(conn, newer, story=newer.id)
        feeds.publish(store, config, now=NOW)
        after = c.get("/feeds/agency/dhs.atom", headers=same)
        assert after.status_code == 200
        assert after.headers["etag"] != etag
        assert "DHS Opens a New Liaison Office in Quito" in after.text
        assert c.get(f"/briefs/{newer.id}").status_code == 200


BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


def test_a_browser_gets_the_feed_as_xml_its_stylesheet_may_style(
    published: tuple[Config, Store, str],
) -> None:
    _, _, url = published
    with httpx.Client(base_url=url) as c:
        reader = c.get("/feeds/agency/cbp.atom", headers={"Accept": "application/atom+xml"})
        page = c.get("/feeds/agency/cbp.atom", headers={"Accept": BROWSER})
        sheet = c.get("/feeds/feed.xsl")
    assert reader.content == page.content
    assert reader.headers["content-type"] == "application/atom+xml; charset=utf-8"
    assert "script-src" not in reader.headers["content-security-policy"]
    # Browsers apply <?xml-stylesheet?> only to XML types, and count XSLT as script.
    assert page.headers["content-type"] == "application/xml; charset=utf-8"
    csp = page.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "default-src 'none'" in csp and "unsafe" not in csp
    assert page.headers["etag"] != reader.headers["etag"]  # another representation
    assert page.headers["vary"] == reader.headers["vary"] == "Accept-Encoding, Accept"
    assert b'<?xml-stylesheet type="text/xsl" href="../feed.xsl"?>' in page.content
    assert sheet.status_code == 200 and sheet.headers["content-type"].startswith("text/xsl")
    assert b"How to subscribe" in sheet.content
