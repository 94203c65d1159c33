"""A small stand-in for the DHS family's web sites, served on 127.0.0.1 for `syndicate demo`.

Input: `releases.toml` beside this file (sample releases written for this project).
Output: HTTP answers shaped like the real sources (see DESIGN.md): a Drupal listing page and
article pages for DHS, RSS for CBP, USCIS (UUID guids; article pages answer 403), CISA
(relative `/node/N` guids, a two-digit-year pubDate, full-HTML descriptions) and FEMA (the
whole rendered node in the description), and a permissive robots.txt.
"""

from __future__ import annotations

import html
import re
import threading
import tomllib
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib import resources
from typing import Any

FEEDS = {
    "cbp": ("/cbp/rss/newsroom/media-releases", "/cbp/newsroom/national-media-release/"),
    "uscis": ("/uscis/news/rss-feed/59144", "/uscis/newsroom/news-releases/"),
    "cisa": ("/cisa/news.xml", "/cisa/news-events/news/"),
    "fema": ("/fema/feeds/news.rss", "/fema/press-release/"),
}
LISTING = "/dhs/news-releases/press-releases"
_LINK = re.compile(r"\[([^\]]+)\]\(([^)\s]+)\)")


@dataclass(frozen=True)
class Release:
    source: str
    slug: str
    date: datetime
    title: str
    body: str
    dateline: str = ""
    guid: str = ""
    node: int = 0
    author: str = ""
    blocked: bool = False
    two_digit_year: bool = False
    whole_node: bool = False
    later: bool = False

    @property
    def path(self) -> str:
        if self.source == "dhs":
            return f"/news/{self.date:%Y/%m/%d}/{self.slug}"
        return FEEDS[self.source][1] + self.slug


def releases() -> list[Release]:
    """Every sample release, in date order."""
    text = resources.files("syndicate.demo").joinpath("releases.toml").read_text("utf-8")
    out = []
    for r in tomllib.loads(text)["release"]:
        fields: dict[str, Any] = dict(r)
        fields["date"] = datetime.fromisoformat(fields["date"])
        out.append(Release(**fields))
    return sorted(out, key=lambda r: r.date)


def _inline(text: str) -> str:
    escaped = html.escape(text, quote=False)
    return _LINK.sub(lambda m: f'<a href="{html.escape(m.group(2))}">{m.group(1)}</a>', escaped)


def body_html(r: Release, *, boilerplate: bool = True) -> str:
    """The release body as the CMS would render it."""
    out: list[str] = []
    bullets: list[str] = []
    first = True
    for block in r.body.strip().split("\n\n"):
        lines = [line for line in block.strip().splitlines() if line.strip()]
        if all(line.startswith("- ") for line in lines):
            bullets = [f"<li>{_inline(line[2:])}</li>" for line in lines]
            out.append("<ul>" + "".join(bullets) + "</ul>")
            continue
        text = " ".join(lines)
        if text.startswith("## "):
            out.append(f"<h2>{_inline(text[3:])}</h2>")
        elif text.startswith("CAPTION: "):
            out.append(
                f'<figure><img src="/img/photo.jpg" alt=""><figcaption>'
                f"{_inline(text[9:])}</figcaption></figure>"
            )
        elif text.startswith("BOILERPLATE: "):
            if boilerplate:
                out.append(f"<p><em>{_inline(text[13:])}</em></p>")
        elif text == "###":
            out.append('<p style="text-align:center">###</p>')
        else:
            lead = f"{html.escape(r.dateline)} " if first and r.dateline else ""
            out.append(f"<p>{lead}{_inline(text)}</p>")
            first = False
    return "\n".join(out)


def _page(title: str, main: str) -> str:
    return f"""<!DOCTYPE html>
<html lang="en" dir="ltr"><head><meta charset="utf-8"><title>{html.escape(title)}</title></head>
<body><header role="banner"><a href="/">Home</a><nav><ul><li><a href="/topics">Topics</a></li>
<li><a href="/news">News</a></li></ul></nav></header>
<main role="main"><div class="region-content">{main}</div></main>
<footer><div class="share">Share this: <a href="https://x.example/share">X</a></div>
<p>Last Modified: 04/10/2025</p></footer></body></html>"""


def article_page(r: Release) -> str:
    """A Drupal-10-shaped release page."""
    main = (
        f'<article class="node node--type-news"><h1 class="page-title"><span>'
        f"{html.escape(r.title)}</span></h1>"
        f'<div class="field--name-field-release-date"><time datetime="'
        f'{r.date.isoformat()}">{r.date:%B %d, %Y}</time></div>'
        f'<div class="field--name-body">{body_html(r)}</div></article>'
    )
    return _page(r.title, main)


def listing_page(items: list[Release]) -> str:
    """The DHS press-release listing: newest first, relative links."""
    rows = "".join(
        f'<div class="views-row"><h3><a href="{r.path}">{html.escape(r.title)}</a></h3>'
        f'<time datetime="{r.date.astimezone(UTC):%Y-%m-%dT%H:%M:%SZ}">'
        f"{r.date:%B %d, %Y}</time></div>"
        for r in sorted(items, key=lambda r: r.date, reverse=True)
    )
    return _page("Press Releases", f'<h1>Press Releases</h1><div class="view-content">{rows}</div>')


def _pubdate(r: Release) -> str:
    text = format_datetime(r.date.astimezone(UTC), usegmt=True)
    if r.two_digit_year:  # CISA's feed has shown two-digit years
        text = text.replace(f" {r.date.year} ", f" {r.date.year % 100:02d} ")
    return text


def _item(r: Release, base: str) -> str:
    if r.whole_node:  # FEMA: the whole rendered node, author and zone-less stamp included
        desc = (
            f'<span class="username">{html.escape(r.author)}</span> '
            f"<time>{r.date:%a, %m/%d/%Y - %H:%M}</time>" + body_html(r)
        )
    else:
        desc = body_html(r)
    if r.guid:
        guid = f'<guid isPermaLink="false">{r.guid}</guid>'
    elif r.node:
        guid = f'<guid isPermaLink="false">/node/{r.node}</guid>'
    else:
        guid = f"<guid>{base}{r.path}</guid>"
    return (
        f"<item><title>{html.escape(r.title)}</title><link>{base}{r.path}</link>"
        f"<description>{html.escape(desc)}</description><pubDate>{_pubdate(r)}"
        f"</pubDate>{guid}</item>"
    )


def feed(source: str, items: list[Release], base: str, ttl: int | None = 5) -> str:
    """An RSS 2.0 document for one sample source (`<ttl>` in minutes, RSS 2.0 spec)."""
    entries = "".join(_item(r, base) for r in sorted(items, key=lambda r: r.date, reverse=True))
    return (
        f'<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0"><channel>'
        f"<title>{source.upper()} News</title><link>{base}/{source}</link>"
        f"<description>Sample {source.upper()} releases</description>"
        f"{f'<ttl>{ttl}</ttl>' if ttl else ''}"
        f"{entries}</channel></rss>"
    )


class Site:
    """The sample sites on one local port; `later` releases appear when `released` is set."""

    def __init__(self, *, released: bool = False, port: int = 0, ttl: int | None = 5) -> None:
        self.released = released
        self.ttl = ttl
        self.all = releases()
        self.server = ThreadingHTTPServer(("127.0.0.1", port), self._handler())
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def visible(self, source: str | None = None) -> list[Release]:
        return [
            r
            for r in self.all
            if (self.released or not r.later) and (source is None or r.source == source)
        ]

    def start(self) -> Site:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def answer(self, path: str, agent: str = "") -> tuple[int, str, str]:
        """(status, content type, body) for a request path and User-Agent."""
        if path == "/robots.txt":
            return 200, "text/plain", "User-agent: *\nAllow: /\n"
        if path == LISTING:
            return 200, "text/html; charset=utf-8", listing_page(self.visible("dhs"))
        for source, (feed_path, _) in FEEDS.items():
            if path == feed_path:
                return (
                    200,
                    "application/rss+xml; charset=utf-8",
                    feed(source, self.visible(source), self.base, self.ttl),
                )
        for r in self.visible():
            if path == r.path:
                if r.blocked and agent.startswith("syndicate/"):
                    # USCIS answers scripts with 403 while its feed works; people (a browser
                    # following a brief's link to the original) get the page.
                    return 403, "text/html", _page("Access Denied", "<h1>Access Denied</h1>")
                return 200, "text/html; charset=utf-8", article_page(r)
        return 404, "text/html", _page("Not Found", "<h1>Page not found</h1>")

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        site = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                agent = self.headers.get("User-Agent", "")
                status, kind, text = site.answer(self.path.split("?")[0], agent)
                data = text.encode("utf-8")
                self.send_response(status)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        return Handler
