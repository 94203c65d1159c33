"""The desk's whole flow in a real browser (headless Chromium via Selenium) against a real
uvicorn on 127.0.0.1: sign in, the queue, the side-by-side view, an edit the gate refuses,
an edit that passes with the editor's context, approve, the brief in all.atom and on its
page, a correction, and the update in the feed. The pages the browser saw go through the
Nu HTML Checker.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import feedparser
import pytest
from brief_support import make
from browser_support import (
    browser_problem,
    chromium,
    click_through,
    make_config,
    running,
    vnu,
    vnu_problem,
)

from syndicate import config as configs
from syndicate import store as stores
from syndicate import web
from syndicate.model import Item
from syndicate.pipeline import review
from syndicate.pipeline.feeds import publish

pytestmark = pytest.mark.browser
NOW = datetime(2026, 12, 3, 9, 0, tzinfo=UTC)
PASSWORD = "a long desk password"


def _set(browser: Any, field: str, text: str) -> None:
    from selenium.webdriver.common.by import By

    element = browser.find_element(By.ID, field)
    element.clear()
    element.send_keys(text)


def _click(browser: Any, button: str) -> None:
    """Submit with a button and wait for the next page."""
    from selenium.webdriver.common.by import By

    click_through(browser, By.ID, button)


def test_desk_flow_in_a_browser(tmp_path: Path) -> None:
    problem = browser_problem()
    if problem:
        pytest.skip(problem)
    from selenium.webdriver.common.by import By

    make_config(tmp_path)
    path = tmp_path / "config.toml"
    path.write_text(path.read_text() + '\n[review]\nmode = "all"\n')
    config = configs.load(path)
    config.data_dir.mkdir()
    store = stores.open(config.database_url)
    clock = [NOW]
    seen: dict[str, str] = {}
    try:
        review.install(store, config)
        made, article = make("ecuador-mou")
        made = replace(made, id="browser-ecuador-mou")
        item = Item(source_id="dhs", key="ecuador", title=made.title, url=made.url)
        store.items.save(item, now=NOW, article=article, brief=made, content_sha256="0" * 64)
        store.desk.add_editor("Ari Moss", PASSWORD, now=NOW)
        app = web.app(config, store, clock=lambda: clock[0])
        with running(app) as url, chromium() as browser:
            browser.get(f"{url}/desk/")  # no session: the login page
            assert browser.current_url == f"{url}/desk/login"
            seen["login"] = browser.page_source
            _set(browser, "name", "Ari Moss")
            _set(browser, "password", PASSWORD)
            _click(browser, "sign-in")
            assert browser.current_url == f"{url}/desk/"
            seen["queue"] = browser.page_source
            row = browser.find_element(By.CSS_SELECTOR, "tr.state-held")
            assert "held" in row.text and "DHS" in row.text
            row.find_element(By.TAG_NAME, "a").click()

            # Side by side: a brief sentence's citation leads to its source sentence.
            cite = browser.find_element(By.CSS_SELECTOR, ".brief-sentences a.cite")
            target = cite.get_attribute("href").rsplit("#", 1)[1]
            source = browser.find_element(By.ID, target)
            assert source.text and source.get_attribute("class") == "used"
            assert browser.find_elements(By.CSS_SELECTOR, ".source-sentences mark")
            assert "quotes: passed" in browser.find_element(By.CLASS_NAME, "verdicts").text
            seen["brief"] = browser.page_source

            # A quotation one word off: refused, with the reason, nothing saved.
            quote = browser.find_element(By.ID, "quote-0").get_attribute("value")
            words = quote.split()
            _set(browser, "quote-0", " ".join([words[0], "never", *words[1:]]))
            _click(browser, "save")
            refusal = browser.find_element(By.ID, "refused").text
            assert "quotes: quote not in source" in refusal
            seen["refused"] = browser.page_source
            assert store.briefs.get(made.id) == made

            # Drop the second standfirst sentence and add context: passes.
            browser.get(f"{url}/desk/briefs/{made.id}")
            _set(browser, "summary", made.summary[0])
            _set(browser, "context", "Talks on the agreement began last year.")
            _click(browser, "save")
            assert browser.find_element(By.ID, "message").text == "Saved."
            assert store.briefs.visible(made.id) is None  # still held

            _click(browser, "approve")
            assert browser.find_element(By.ID, "state").text == "published"
            publish(store, config, now=NOW)
            atom = feedparser.parse((config.feeds_dir / "all.atom").read_bytes())
            (entry,) = [e for e in atom.entries if e.title == made.title]
            assert "Context added by Ari Moss" in entry.content[0].value
            browser.get(f"{url}/briefs/{made.id}")
            assert "Context added by Ari Moss" in browser.page_source

            # A correction: the brief's page says so, the feed carries an update.
            clock[0] = NOW + timedelta(hours=2)
            browser.get(f"{url}/desk/briefs/{made.id}")
            _set(browser, "context", "Talks on the agreement began in 2024.")
            _set(browser, "note", "the context now gives the year talks began")
            _click(browser, "save")
            assert "Correction saved" in browser.find_element(By.ID, "message").text
            seen["corrected"] = browser.page_source
            publish(store, config, now=clock[0])
            again = feedparser.parse((config.feeds_dir / "all.atom").read_bytes())
            (fixed,) = [e for e in again.entries if e.title == made.title]
            assert fixed.id == entry.id and fixed.updated_parsed > entry.updated_parsed
            # The page may be cached a minute (public, max-age=60): ask past the cache.
            browser.get(f"{url}/briefs/{made.id}?corrected")
            page = browser.page_source
            assert "Corrected on December 3, 2026: the context now gives the year" in page
            assert "Talks on the agreement began in 2024." in page
            browser.get(f"{url}/desk/log")
            seen["log"] = browser.page_source
            assert "correct" in browser.find_element(By.CLASS_NAME, "log").text
    finally:
        store.close()
    problem = vnu_problem()
    if problem:
        pytest.skip(problem)
    assert vnu(seen, tmp_path) == {name: [] for name in seen}
