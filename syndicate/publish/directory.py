"""The list of feeds -> `feeds.opml` (OPML 2.0), `index.html` (for people, with
`<link rel="alternate">` autodiscovery of every feed) and `feed.xsl`, the stylesheet that
shows each Atom and RSS document as a page in a browser."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass

from syndicate import templating
from syndicate.publish.document import Links

GROUPS = (("all", "Everything"), ("agency", "By agency"), ("topic", "By topic"))


@dataclass(frozen=True)
class Listed:
    """One feed as the directory shows it."""

    feed: str  # 'all', 'agency/cbp', 'topic/maritime'
    title: str

    @property
    def group(self) -> str:
        return self.feed.split("/", 1)[0]


def _grouped(feeds: list[Listed]) -> list[tuple[str, list[Listed]]]:
    return [(label, [f for f in feeds if f.group == key]) for key, label in GROUPS]


def opml(title: str, links: Links, feeds: list[Listed]) -> bytes:
    """OPML 2.0 listing every feed's Atom URL, grouped (all, agencies, topics)."""
    root = ET.Element("opml", version="2.0")
    head = ET.SubElement(root, "head")
    ET.SubElement(head, "title").text = title
    body = ET.SubElement(root, "body")
    for label, members in _grouped(feeds):
        if not members:
            continue
        # A folder is an outline with `text` alone (OPML 2.0: other attributes need a type).
        group = ET.SubElement(body, "outline", text=label)
        for f in members:
            ET.SubElement(
                group,
                "outline",
                type="rss",
                text=f.title,
                title=f.title,
                xmlUrl=links.feed(f.feed, "atom"),
                htmlUrl=links.page(f.feed),
            )
    ET.indent(root)
    xml: bytes = ET.tostring(root, encoding="utf-8", xml_declaration=True)
    return xml + b"\n"


def index_html(title: str, subtitle: str, links: Links, feeds: list[Listed]) -> bytes:
    """The people's page listing every feed in its three formats."""
    html = templating.render(
        "feeds-index.html",
        title=title,
        subtitle=subtitle,
        links=links,
        groups=[(label, members) for label, members in _grouped(feeds) if members],
        feeds=feeds,
    )
    return html.encode("utf-8")


STYLESHEET = "feed.xsl"


def stylesheet(name: str, links: Links) -> bytes:
    """The XSLT every Atom and RSS document names, rendering it as a page with a note on how
    to subscribe (`templates/feeds.xsl`)."""
    return templating.render("feeds.xsl", service=name, links=links).encode("utf-8")


def stylesheet_href(document: str) -> str:
    """The stylesheet's address relative to a document (`agency/cbp.atom` -> `../feed.xsl`),
    so it resolves wherever the feeds directory is served."""
    return "../" * document.count("/") + STYLESHEET
