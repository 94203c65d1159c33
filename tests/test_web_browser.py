"""A real browser walks the subscription: headless Chromium (Selenium) against a real uvicorn
on 127.0.0.1, the confirmation link taken from mail caught by a real SMTP server (aiosmtpd)
and its page's button pressed. The store is checked after every step."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import pytest
from browser_support import (
    browser_problem,
    chromium,
    click_through,
    link_in,
    listening_socket,
    make_config,
    running,
    seed,
    smtp_server,
)

from syndicate import store as stores
from syndicate import web
from syndicate.model import Subscriber
from syndicate.store import Store

pytestmark = pytest.mark.browser

ADDRESS = "maria.lopez@example.gov"


def settled(store: Store, check: Callable[[Subscriber], bool], timeout: float = 10) -> Subscriber:
    """The subscriber once `check` holds (the subscribe form's store work runs after the answer)."""
    deadline = time.monotonic() + timeout
    while True:
        found = store.subscribers.by_email(ADDRESS)
        if found is not None and check(found):
            return found
        assert time.monotonic() < deadline, f"store never agreed; last seen: {found}"
        time.sleep(0.05)


def test_a_browser_subscribes_confirms_changes_preferences_and_unsubscribes(
    tmp_path: Path,
) -> None:
    problem = browser_problem()
    if problem:
        pytest.skip(problem)
    from selenium.webdriver.common.by import By

    sock = listening_socket()
    base = f"http://127.0.0.1:{sock.getsockname()[1]}"
    with smtp_server() as mailbox:
        config = make_config(tmp_path, base_url=base, transport="smtp", smtp_port=mailbox.port)
        config.data_dir.mkdir()
        store = stores.open(config.database_url)
        seed(store)
        try:
            with running(web.app(config, store), sock) as url, chromium() as browser:
                assert url == base

                def heading() -> str:
                    return str(browser.find_element(By.TAG_NAME, "h1").text)

                def click(selector: str) -> None:
                    browser.find_element(By.CSS_SELECTOR, selector).click()

                def submit(selector: str) -> None:
                    click_through(browser, By.CSS_SELECTOR, selector)

                def follow(text: str) -> None:
                    click_through(browser, By.LINK_TEXT, text)

                browser.get(url + "/")
                # Our stylesheet loaded under the CSP (no inline style, no third party).
                width = browser.find_element(By.TAG_NAME, "body").value_of_css_property("max-width")
                assert width == "736px"
                browser.find_element(By.ID, "address").send_keys(ADDRESS)
                click("#cadence-weekly")
                click("#agency-cisa")
                click("#topic-cybersecurity")
                submit("form[action='/subscribe'] button[type=submit]")
                assert heading() == "Check your inbox"
                pending = settled(store, lambda s: s.status == "pending")
                assert (pending.cadence, pending.agencies, pending.topics) == (
                    "weekly",
                    ("CISA",),
                    ("cybersecurity",),
                )

                message = mailbox.wait(1)
                assert message["To"] == ADDRESS
                # Following the link only shows the button: scanners fetch links too.
                browser.get(link_in(message, "/confirm/"))
                assert heading() == "Confirm your subscription"
                assert settled(store, lambda s: True).status == "pending"
                submit("form button[type=submit]")
                assert heading() == "You are subscribed"
                settled(store, lambda s: s.status == "active")

                follow("Change preferences")
                assert heading() == "Your preferences"
                assert browser.find_element(By.ID, "cadence-weekly").is_selected()
                click("#cadence-daily")
                click("#agency-cisa")  # off
                click("#agency-fema")  # on
                submit("form button[type=submit]")
                assert "Your preferences are saved." in browser.page_source
                changed = settled(store, lambda s: s.cadence == "daily")
                assert (changed.status, changed.agencies, changed.topics) == (
                    "active",
                    ("FEMA",),
                    ("cybersecurity",),
                )

                follow("Unsubscribe instead")
                assert heading() == "Unsubscribe"
                assert settled(store, lambda s: True).status == "active"
                submit("form button[type=submit]")
                assert heading() == "You are unsubscribed"
                settled(store, lambda s: s.status == "unsubscribed")
                assert len(mailbox.messages) == 1
        finally:
            store.close()
