"""The archive pages: a request in, HTML (or a published file) out.

`/` lists the latest briefs with every feed and the subscribe form; `/briefs/<id>` is a brief's
own page (what Atom's `rel="alternate"` points at); `/agency/<code>` and `/topic/<topic>` are
paged listings; `/feeds/...` and `/static/...` serve files with caching headers.
Handlers that read the store are plain functions, which Starlette runs in its thread pool
(the store is synchronous); the file handlers run on the event loop, as an open, an fstat and
(on a change only) one read of a small local file cost less than a hop to a thread.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from markupsafe import Markup
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from syndicate import brief as briefs
from syndicate import templating
from syndicate.model import Brief
from syndicate.web import files, guard
from syndicate.web.site import FORM, Site, topic_label


def _site(request: Request) -> Site:
    site: Site = request.app.state.site
    return site


def _page_number(request: Request) -> int:
    raw = request.query_params.get("page", "1")
    if not raw.isascii() or not raw.isdigit() or len(raw) > 6 or int(raw) < 1:
        raise HTTPException(404)
    return int(raw)


def _listing(site: Site, request: Request, feed: str, path: str) -> dict[str, Any]:
    """The briefs of one page of a feed, and the pager around them."""
    size = site.config.web.page_size
    page = _page_number(request)
    total = site.store.briefs.count(feed)
    pages = max(1, -(-total // size))
    if page > pages:
        raise HTTPException(404)
    found = site.store.briefs.latest(size, (page - 1) * size, feed=feed)
    return {
        "briefs": found,
        "pager": {
            "page": page,
            "pages": pages,
            "prev": f"{path}?page={page - 1}" if page > 1 else None,
            "next": f"{path}?page={page + 1}" if page < pages else None,
        },
    }


def _fragment(found: Brief) -> Markup:
    """The brief stage's sanitised HTML, its section headings lifted to sit under our h1."""
    html = briefs.render(found, "html")
    # Every text in the fragment is escaped, so these tags can only be the template's own.
    return templating.markup(html.replace("<h3>", "<h2>").replace("</h3>", "</h2>"))


def home(request: Request) -> Response:
    """The latest briefs, every feed, and the subscribe form."""
    return home_page(_site(request), request)


def home_page(
    site: Site,
    request: Request,
    *,
    chosen: dict[str, Any] | None = None,
    address: str = "",
    error: str | None = None,
    status: int = 200,
) -> Response:
    """The home page; with `error`, the subscribe form as it was sent and what was wrong."""
    feeds = [{"title": "All briefs", "page": "/", **site.feed_links("all")}]
    for code, name in site.agencies.items():
        feed = f"agency/{code.lower()}"
        feeds.append({"title": name, "page": f"/{feed}", **site.feed_links(feed)})
    for topic in site.topics:
        feed = f"topic/{topic}"
        feeds.append({"title": topic_label(topic), "page": f"/{feed}", **site.feed_links(feed)})
    csrf = guard.csrf_token(request, site.secret)
    response = site.page(
        "home",
        status,
        cache=FORM,
        title="Latest briefs",
        feeds=feeds,
        choices=site.choices(),
        chosen=chosen or {"cadence": "daily", "agencies": (), "topics": ()},
        address=address,
        error=error,
        csrf=csrf,
        **_listing(site, request, "all", "/"),
    )
    guard.set_csrf_cookie(response, request, csrf)
    return response


def brief(request: Request) -> Response:
    """One brief's own page, with its sources and attribution."""
    site = _site(request)
    found = site.store.briefs.visible(request.path_params["id"])
    if found is None:  # unknown, or taken down (`syndicate briefs hide`)
        raise HTTPException(404)
    feed = f"agency/{found.agency.lower()}"
    return site.page(
        "brief",
        title=found.title,
        brief=found,
        body=_fragment(found),
        topics=[(t, topic_label(t)) for t in found.topics],
        original=found.url if urlsplit(found.url).scheme in ("http", "https") else None,
        alternates=site.alternates(feed, site.agencies[found.agency]),
        citations=_citations(site, found),
    )


def _citations(site: Site, found: Brief) -> list[tuple[str, list[tuple[int, str]]]]:
    """Each brief sentence (and quotation piece) with the release sentences it rests on."""
    if not found.provenance.cited:
        return []
    article = site.store.ai.article(found.id)
    if article is None:
        return []
    numbered = {s.n: s.text for s in briefs.numbered(article)}
    return [
        (c.text, [(n, numbered[n]) for n in c.sources if n in numbered])
        for c in found.provenance.cited
        if any(n in numbered for n in c.sources)
    ]


def agency(request: Request) -> Response:
    """The briefs of one agency, newest first, paged."""
    site = _site(request)
    code = request.path_params["code"]
    name = {c.lower(): n for c, n in site.agencies.items()}.get(code)
    if name is None:
        raise HTTPException(404)
    feed = f"agency/{code}"
    return site.page(
        "listing",
        title=name,
        feed=site.feed_links(feed),
        alternates=site.alternates(feed, name),
        **_listing(site, request, feed, f"/{feed}"),
    )


def topic(request: Request) -> Response:
    """The briefs on one topic, newest first, paged."""
    site = _site(request)
    name = request.path_params["topic"]
    if name not in site.config.brief.topics:
        raise HTTPException(404)
    feed = f"topic/{name}"
    title = f"Topic: {topic_label(name)}"
    return site.page(
        "listing",
        title=title,
        feed=site.feed_links(feed),
        alternates=site.alternates(feed, title),
        **_listing(site, request, feed, f"/{feed}"),
    )


def _file(source: files.Files, request: Request) -> Response:
    path = source.path(request.path_params["path"])
    entry = source.entry(path) if path else None
    if entry is None:
        raise HTTPException(404)
    return files.respond(entry, request.headers)


async def feed_file(request: Request) -> Response:
    """A published feed file, with validators, 304 and gzip."""
    return _file(_site(request).files, request)


async def static(request: Request) -> Response:
    """Our own stylesheet."""
    return _file(_site(request).static, request)
