"""What every handler needs, built once per app: config, store, secret, transport, renderers.

In: the config, an open store and an optional mail transport. Out: a `Site` the handlers
find on `request.app.state.site`, with the page renderer that adds the site-wide context,
and the plain error pages (404 and friends) that never show a traceback.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from starlette.exceptions import HTTPException
from starlette.responses import HTMLResponse

from syndicate import templating, tokens
from syndicate.clock import Clock, utc_now
from syndicate.config import Config
from syndicate.config.topics import topic_label
from syndicate.model import CADENCES, Subscriber
from syndicate.store import Store
from syndicate.web.files import FEED_TYPES, STATIC_TYPES, Files
from syndicate.web.prometheus import Timings

# The stylesheet lives beside the web templates and is served from /static/.
STATIC = Path(templating.__file__).parent / templating.TEMPLATES / "web"

# Archive pages may be cached a minute anywhere. Pages with a form token (which pairs with a
# cookie) or a signed link must never be stored by a shared cache (RFC 9111 section 5.2.2).
PUBLIC = "public, max-age=60"
FORM = "private, no-cache"
PRIVATE = "no-store"

CADENCE_LABELS = {
    "immediate": "As each brief is published",
    "daily": "A daily digest",
    "weekly": "A weekly digest",
}
FORMATS = {
    "atom": "application/atom+xml",
    "rss": "application/rss+xml",
    "json": "application/feed+json",
}
FORMAT_NAMES = {"atom": "Atom", "rss": "RSS", "json": "JSON Feed"}
ERRORS = {
    400: ("Bad request", "The form was not filled in as expected."),
    403: ("Form expired", "Reload the page and send the form again."),
    404: ("Not found", "There is nothing at this address."),
    405: ("Method not allowed", "This address does not accept that kind of request."),
    413: ("Request too large", "The request was larger than this site accepts."),
    414: ("Address too long", "The address was longer than this site accepts."),
    431: ("Request headers too large", "The request's headers were larger than this site accepts."),
    429: ("Too many requests", "Please wait a while before trying again."),
    500: ("Something went wrong", "The error has been logged. Please try again later."),
    503: ("Unavailable", "The service is not available right now."),
}


class Refusal(HTTPException):
    """An error answer whose `detail` is a sentence for people, shown on the error page."""


__all__ = ["Refusal", "Site", "topic_label"]


@dataclass
class Site:
    """The app's shared state; handlers read it, never a global."""

    config: Config
    store: Store
    secret: bytes
    transport: Any = None
    clock: Clock = utc_now
    files: Files = field(init=False)
    timings: Timings = field(default_factory=Timings)
    static: Files = field(init=False)

    def __post_init__(self) -> None:
        self.files = Files(self.config.feeds_dir, FEED_TYPES)
        self.static = Files(STATIC, STATIC_TYPES)

    @property
    def agencies(self) -> dict[str, str]:
        """Agency code -> its full name: the nine built in, then those config.toml adds."""
        return self.config.agency_names

    @property
    def name(self) -> str:
        """The site's name, which is also the title of its main feed."""
        return self.config.feeds.title or self.config.service.name

    @property
    def topics(self) -> list[str]:
        return sorted(self.config.brief.topics)

    def choices(self) -> dict[str, list[dict[str, str]]]:
        """What the subscribe and preferences forms offer."""
        return {
            "cadences": [{"value": c, "label": CADENCE_LABELS[c]} for c in CADENCES],
            "agencies": [{"value": c, "label": n} for c, n in self.agencies.items()],
            "topics": [{"value": t, "label": topic_label(t)} for t in self.topics],
        }

    def feed_links(self, feed: str) -> dict[str, str]:
        """The three published files of one feed (`all`, `agency/dhs`, `topic/...`)."""
        return {fmt: f"/feeds/{feed}.{fmt}" for fmt in FORMATS}

    def alternates(self, feed: str, title: str) -> list[dict[str, str]]:
        """`<link rel="alternate">` autodiscovery entries for one feed."""
        return [
            {
                "type": kind,
                "href": f"/feeds/{feed}.{fmt}",
                "title": f"{title} ({FORMAT_NAMES[fmt]})",
            }
            for fmt, kind in FORMATS.items()
        ]

    def link(self, purpose: tokens.Purpose, subscriber: Subscriber) -> str:
        """The path of a signed link for one subscriber (`/confirm/<token>` ...)."""
        token = tokens.make(
            self.secret, purpose, subscriber.id, subscriber.secret, now=self.clock()
        )
        return f"/{purpose}/{token}"

    def page(
        self, name: str, status: int = 200, *, cache: str = PUBLIC, **context: Any
    ) -> HTMLResponse:
        """Render `web/<name>.html` with the site-wide context."""
        context.setdefault("alternates", self.alternates("all", self.name))
        html = templating.render(
            f"web/{name}.html",
            site={"name": self.name, "subtitle": self.config.feeds.subtitle},
            **context,
        )
        return HTMLResponse(html, status_code=status, headers={"Cache-Control": cache})

    def message(
        self, title: str, text: str, *, status: int = 200, links: list[dict[str, str]] | None = None
    ) -> HTMLResponse:
        """A short page: a heading, a paragraph, some links; never cached (it may hold tokens)."""
        return self.page(
            "message", status, cache=PRIVATE, title=title, paragraphs=[text], links=links or []
        )

    def error_page(self, status: int, detail: str | None = None) -> HTMLResponse:
        """A plain error page; `detail` is our own words, never an exception's text."""
        title, text = ERRORS.get(status, ERRORS[500])
        home = [{"href": "/", "text": "Go to the latest briefs"}]
        return self.message(title, detail or text, status=status, links=home)
