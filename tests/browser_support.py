"""Support for the web tests: a config and seeded store, a real uvicorn on 127.0.0.1, a real
SMTP server (aiosmtpd) that captures mail, headless Chromium, and the Nu HTML Checker.

Everything here talks only to 127.0.0.1. Briefs are written for these tests; one of them
carries script payloads in its title and text, so every page can be checked for inertness.
"""

from __future__ import annotations

import asyncio
import email
import email.policy
import json
import os
import re
import shutil
import socket
import subprocess
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import httpx
import pytest

from syndicate import config as configs
from syndicate import store as stores
from syndicate import web
from syndicate.config import Config
from syndicate.model import (
    Attribution,
    Brief,
    Link,
    Message,
    Provenance,
    Quote,
    Section,
    SourceRef,
)
from syndicate.store import Store
from syndicate.web.site import Site

ROOT = Path(__file__).resolve().parent.parent
VNU = ROOT / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
T0 = datetime(2026, 11, 20, 15, 0, tzinfo=UTC)
NOW = datetime(2026, 11, 29, 12, 0, tzinfo=UTC)
PAYLOAD = '<script>alert("pwned")</script><img src=x onerror=alert(1)>'

CONFIG = """
[service]
name = "DHS Briefs (test)"
base_url = "{base_url}"
data_dir = "data"

[feeds]
dir = "feeds"

[web]
page_size = 2
subscribe_per_hour = {per_hour}

[mail]
from = "DHS Briefs <briefs@127.0.0.1>"
transport = "{transport}"

[mail.smtp]
host = "127.0.0.1"
port = {smtp_port}
timeout = 5.0

[[sources]]
id = "dhs"
name = "U.S. Department of Homeland Security"
agency = "DHS"
kind = "page"
url = "https://www.dhs.gov/news-releases/press-releases"
interval = 900
[sources.listing]
item = ".views-row"
link = "a"

[[sources]]
id = "cisa"
name = "Cybersecurity and Infrastructure Security Agency"
agency = "CISA"
kind = "feed"
url = "https://www.cisa.gov/news.xml"
interval = 1800
"""


def make_config(
    root: Path,
    *,
    base_url: str = "http://127.0.0.1:8080",
    per_hour: int = 10,
    transport: str = "maildir",
    smtp_port: int = 25,
) -> Config:
    """A config rooted at `root` (data and feeds beneath it)."""
    text = CONFIG.format(
        base_url=base_url, per_hour=per_hour, transport=transport, smtp_port=smtp_port
    )
    (root / "config.toml").write_text(text, encoding="utf-8")
    return configs.load(root / "config.toml")


def _brief(n: int, agency: str, title: str, **changes: Any) -> Brief:
    when = T0 + timedelta(hours=n)
    url = f"https://www.example.gov/news/2026/11/{20 + n % 5}/release-{n}"
    values: dict[str, Any] = {
        "id": f"2026-11-{20 + n % 5}-release-{n}",
        "title": title,
        "agency": agency,
        "source_name": "U.S. Department of Homeland Security"
        if agency == "DHS"
        else "Cybersecurity and Infrastructure Security Agency",
        "url": url,
        "published": when,
        "updated": when,
        "summary": (
            f"The department announced release number {n} on Nov. {20 + n % 5}, 2026.",
            "The announcement takes effect at once.",
        ),
        "sections": (
            Section("What Changes", ("Two offices will share one intake desk.",)),
            Section("Key Figures", (), ("12 field offices", "3 new liaison posts")),
        ),
        "quotes": (Quote("This makes the work simpler for everyone.", "the Under Secretary"),),
        "links": (Link("Fact sheet", "https://www.example.gov/fact-sheet"),),
        "topics": ("cybersecurity",) if agency == "CISA" else ("international-cooperation",),
        "sources": (SourceRef("U.S. Department of Homeland Security", url),),
        "attribution": Attribution(prepared_by="Prepared by the syndicate test desk."),
        "provenance": Provenance(when + timedelta(minutes=3), "cd" * 32, "extractive/1"),
    }
    values.update(changes)
    return Brief(**values)


def briefs() -> list[Brief]:
    """Four briefs, one of them hostile (script payloads in title, summary and quote)."""
    return [
        _brief(1, "DHS", "DHS and Ecuador Sign a Memorandum on Border Data Sharing"),
        _brief(2, "CISA", "CISA Adds Two Known Exploited Vulnerabilities to Its Catalog"),
        _brief(3, "DHS", "Secretary Names New Liaison Officers for Partner Nations"),
        _brief(
            4,
            "CISA",
            f"Advisory {PAYLOAD} & <b>bold</b>",
            summary=(f"Text with {PAYLOAD} inside.", "A second sentence."),
            quotes=(Quote(f"Quoted {PAYLOAD}", f"Speaker {PAYLOAD}"),),
            sections=(Section(f"Heading {PAYLOAD}", (f"Para {PAYLOAD}",), (f"Bullet {PAYLOAD}",)),),
            links=(Link(f"Link {PAYLOAD}", "javascript:alert(1)"),),
        ),
    ]


def seed(store: Store) -> list[Brief]:
    """Store the test briefs; returns them."""
    made = briefs()
    with store.begin() as conn:
        for b in made:
            store.briefs.upsert(conn, b, story=b.id)
    return made


ATOM = """<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
<title>DHS Briefs (test)</title>
<id>tag:syndicate.invalid,2026:feed/all</id>
<updated>2026-11-20T19:00:00Z</updated>
{entries}
</feed>
"""
ENTRY = """<entry><title>Brief {n}</title><id>tag:syndicate.invalid,2026:brief/{n}</id>
<updated>2026-11-20T19:00:00Z</updated>
<summary>Release number {n}, written for the web tests.</summary></entry>
"""


def atom(entries: int, marker: str = "") -> bytes:
    body = "".join(ENTRY.format(n=f"{marker}{n}") for n in range(entries))
    return ATOM.format(entries=body).encode()


@dataclass
class Served:
    url: str
    config: Config
    store: Store
    site: Site
    briefs: list[Brief]

    def client(self, ip: str = "192.0.2.1") -> httpx.Client:
        # uvicorn trusts X-Forwarded-For from 127.0.0.1, so each test can be its own client.
        return httpx.Client(base_url=self.url, headers={"X-Forwarded-For": ip}, timeout=10)


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    root = tmp_path_factory.mktemp("web")
    config = make_config(root)
    config.data_dir.mkdir()
    feeds = config.feeds_dir
    (feeds / "agency").mkdir(parents=True)
    (feeds / "all.atom").write_bytes(atom(20))
    (feeds / "all.rss").write_bytes(b'<?xml version="1.0"?><rss version="2.0"><channel/></rss>\n')
    (feeds / "all.json").write_bytes(b'{"version": "https://jsonfeed.org/version/1.1"}\n')
    (feeds / "agency" / "dhs.atom").write_bytes(atom(2))
    (feeds / ".all.atom.tmp").write_bytes(b"half a file")
    (feeds / "feeds.opml").write_bytes(b'<?xml version="1.0"?><opml version="2.0"/>\n')
    (feeds / "index.html").write_bytes(b"<!DOCTYPE html><title>Feeds</title>\n")
    (feeds / "notes.txt").write_bytes(b"not a published kind of file")
    (root / "secret.atom").write_bytes(b"outside the feeds directory")
    store = stores.open(config.database_url)
    made = seed(store)
    app = web.app(config, store, transport=Outbox(), clock=lambda: NOW)
    try:
        with running(app) as url:
            yield Served(url, config, store, app.state.site, made)
    finally:
        store.close()


# --- a real uvicorn on 127.0.0.1 -------------------------------------------------------------


def listening_socket() -> socket.socket:
    """A bound, listening TCP socket on 127.0.0.1 with an ephemeral port."""
    sock = socket.create_server(("127.0.0.1", 0))
    sock.set_inheritable(True)
    return sock


@contextmanager
def running(app: Any, sock: socket.socket | None = None) -> Iterator[str]:
    """Serve an ASGI app with uvicorn in a thread; yields its base URL."""
    import uvicorn

    sock = sock or listening_socket()
    port = sock.getsockname()[1]
    server = uvicorn.Server(
        uvicorn.Config(app, log_level="error", access_log=False, lifespan="off")
    )
    server.install_signal_handlers = lambda: None  # type: ignore[method-assign]
    thread = threading.Thread(target=lambda: asyncio.run(server.serve(sockets=[sock])))
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.01)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(10)
        sock.close()


class Outbox:
    """A mail transport that keeps what it is given (for tests that need no SMTP server)."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []

    async def send(self, message: Message) -> str:
        parsed = email.message_from_bytes(message.data, policy=email.policy.default)
        self.messages.append(parsed)  # type: ignore[arg-type]
        return "250 kept"

    async def close(self) -> None:
        return None


# --- a real SMTP server that keeps what it receives -----------------------------------------


@dataclass
class Mailbox:
    """Messages received by the local aiosmtpd server, parsed."""

    messages: list[EmailMessage] = field(default_factory=list)
    port: int = 0

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        parsed = email.message_from_bytes(envelope.content, policy=email.policy.default)
        self.messages.append(parsed)  # type: ignore[arg-type]
        return "250 OK"

    def wait(self, count: int, timeout: float = 10.0) -> EmailMessage:
        """The `count`-th message (1-based), waiting for it to arrive."""
        deadline = time.monotonic() + timeout
        while len(self.messages) < count:
            if time.monotonic() > deadline:
                raise AssertionError(f"expected {count} messages, got {len(self.messages)}")
            time.sleep(0.05)
        return self.messages[count - 1]


@contextmanager
def smtp_server() -> Iterator[Mailbox]:
    """An aiosmtpd server on 127.0.0.1 (ephemeral port) for the block."""
    from aiosmtpd.controller import Controller

    box = Mailbox()
    with socket.create_server(("127.0.0.1", 0)) as probe:
        box.port = probe.getsockname()[1]
    controller = Controller(box, hostname="127.0.0.1", port=box.port)
    controller.start()
    try:
        yield box
    finally:
        controller.stop()


def text_of(message: EmailMessage) -> str:
    """The plain-text body of a message."""
    part = message.get_body(preferencelist=("plain",))
    assert part is not None, "message has no text/plain part"
    return str(part.get_content())


def link_in(message: EmailMessage, path: str) -> str:
    """The first absolute URL in the message whose path starts with `path`."""
    found = re.search(r"https?://[^\s<>\"]+" + re.escape(path) + r"[^\s<>\"]+", text_of(message))
    assert found, f"no {path} link in:\n{text_of(message)}"
    return found.group(0)


# --- headless Chromium -------------------------------------------------------------------------

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"


def browser_problem() -> str | None:
    """Why the browser test cannot run here, or None."""
    for path in (CHROMIUM, CHROMEDRIVER):
        if not os.access(path, os.X_OK):
            return f"{path} is not installed (scripts/test installs chromium and chromium-driver)"
    return None


@contextmanager
def chromium() -> Iterator[Any]:
    """A headless Chromium driven by Selenium, with a fresh profile."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    profile = tempfile.mkdtemp(prefix="syndicate-chromium-")
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in (
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--disable-dev-shm-usage",
        f"--user-data-dir={profile}",
    ):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    driver.set_page_load_timeout(15)
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


# --- HTML checks ----------------------------------------------------------------------------


def click_through(browser: Any, by: str, what: str) -> None:
    """Click an element and wait until the next page has replaced this one and loaded.

    Chromium can refuse an element found while its document was still being swapped in
    ("Node with given id does not belong to the document", raised before any click
    happens); it is then found again, so a click is never made twice.
    """
    from selenium.common.exceptions import StaleElementReferenceException, WebDriverException
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.expected_conditions import staleness_of
    from selenium.webdriver.support.wait import WebDriverWait

    page = browser.find_element(By.TAG_NAME, "html")

    def clicked(b: Any) -> bool:
        try:
            b.find_element(by, what).click()
        except StaleElementReferenceException:
            return False
        except WebDriverException as e:
            if "does not belong to the document" not in str(e):
                raise
            return False
        return True

    def gone(_: Any) -> bool:
        try:
            return bool(staleness_of(page)(browser))
        except WebDriverException:  # "does not belong to the document": gone as well
            return True

    WebDriverWait(browser, 10).until(clicked)
    WebDriverWait(browser, 10).until(gone)
    WebDriverWait(browser, 10).until(
        lambda b: b.execute_script("return document.readyState") == "complete"
    )


def vnu_problem() -> str | None:
    """Why the Nu HTML Checker cannot run here, or None."""
    if not VNU.exists():
        return f"{VNU} missing: scripts/test installs it (npm install --no-save vnu-jar@24)"
    if not shutil.which("java"):
        return "java is not installed (the Nu HTML Checker needs it)"
    return None


def vnu(pages: dict[str, str], workdir: Path) -> dict[str, list[str]]:
    """Validate every page in ONE checker run; errors (and warnings) per page name."""
    paths = {}
    for name, html in pages.items():
        path = workdir / (re.sub(r"[^A-Za-z0-9]+", "_", name).strip("_") + ".html")
        path.write_text(html, encoding="utf-8")
        paths[path.resolve().as_uri()] = name
    result = subprocess.run(
        ["java", "-jar", str(VNU), "--format", "json", "--stdout", *[str(p) for p in paths]],
        capture_output=True,
        text=True,
        timeout=180,
    )
    report = json.loads(result.stdout)
    found: dict[str, list[str]] = {name: [] for name in pages}
    for m in report["messages"]:
        name = paths.get(m.get("url", ""), m.get("url", "?"))
        if m["type"] == "error" or m.get("subType") == "fatal":
            found.setdefault(name, []).append(f"{m.get('lastLine')}: {m['message']}")
    return found


class Outline(HTMLParser):
    """Collects what the accessibility checks look at: lang, headings, inputs and labels."""

    def __init__(self) -> None:
        super().__init__()
        self.lang: str | None = None
        self.headings: list[int] = []
        self.inputs: list[dict[str, str | None]] = []
        self.labels: set[str] = set()
        self.scripts = 0
        self.inline_styles = 0
        self.handlers: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "html":
            self.lang = a.get("lang")
        if re.fullmatch(r"h[1-6]", tag):
            self.headings.append(int(tag[1]))
        if tag in ("input", "select", "textarea") and a.get("type") != "hidden":
            self.inputs.append(a)
        if tag == "label" and a.get("for"):
            self.labels.add(str(a["for"]))
        if tag == "script":
            self.scripts += 1
        if tag == "style" or "style" in a:
            self.inline_styles += 1
        self.handlers += [k for k in a if k.startswith("on")]
        for k in ("href", "src", "action"):
            if (a.get(k) or "").strip().lower().startswith("javascript:"):
                self.handlers.append(f"{k}=javascript:")


def outline(html: str) -> Outline:
    """Parse a page for the accessibility and inertness checks."""
    parsed = Outline()
    parsed.feed(html)
    return parsed
