"""An HTML listing page (DHS's Drupal news list and the like) → `Item`s, via CSS selectors.

Input is the decoded text of one page, its URL, and the source's `ListingRules` (item, link,
title, date); output is the page title and one `Item` per listed release, in page order, keys
not yet assigned. Links are made absolute against the page's `<base href>` or its URL. A page
on which the item selector matches nothing is an error, never "no new releases": it is a
redesign, a login wall or a challenge page.
"""

from __future__ import annotations

from urllib.parse import urljoin, urlsplit

from selectolax.lexbor import LexborHTMLParser, LexborNode, SelectolaxError

from syndicate import model
from syndicate.dates import parse_date
from syndicate.errors import ParseError
from syndicate.parse import guard
from syndicate.parse.identity import normalise_url
from syndicate.text import squash

# What `syndicate inspect --kind page` uses unless told otherwise: DHS's Drupal 10 listing.
DHS_RULES = model.ListingRules(
    item=".views-row, article",
    link="a[href*='/news/']",
    title="h2, h3, .field--name-title",
    date="time, .date-display-single",
)


def read(
    doc: str, *, source_id: str, url: str, rules: model.ListingRules
) -> tuple[str | None, tuple[model.Item, ...]]:
    """Find the releases a listing page shows; returns the page title and items."""
    page = LexborHTMLParser(doc)
    title = guard.page_title(doc)
    base = url
    if (tag := page.css_first("base[href]")) is not None:
        base = urljoin(url, tag.attributes.get("href") or "")
    nodes = _select(page.root, rules.item, "item")
    if not nodes:
        where = f" (page titled {title!r})" if title else ""
        raise ParseError(f"parse: no items matched selector {rules.item!r}{where}")
    items: list[model.Item] = []
    seen: set[str] = set()
    for node in nodes:
        item = _item(node, rules, source_id, base)
        # Nested matches (".views-row, article" when the row holds an article) and teasers
        # repeated in a sidebar name the same release twice; the first is the fuller one.
        if item is not None and (k := normalise_url(item.url)) not in seen:
            seen.add(k)
            items.append(item)
    if not items:
        raise ParseError(
            f"parse: {len(nodes)} items matched selector {rules.item!r} "
            f"but none holds a link matching {rules.link!r}"
        )
    return title, tuple(items)


def _select(node: LexborNode | None, selector: str, what: str) -> list[LexborNode]:
    if node is None:
        return []
    try:
        return list(node.css(selector))
    except SelectolaxError:
        raise ParseError(f"parse: bad CSS {what} selector {selector!r}") from None


def _item(
    node: LexborNode, rules: model.ListingRules, source_id: str, base: str
) -> model.Item | None:
    href = ""
    link_text = ""
    for link in _select(node, rules.link, "link"):
        href = (link.attributes.get("href") or "").strip()
        if href and not href.startswith("#"):
            link_text = squash(link.text(separator=" "))
            break
    else:
        return None
    absolute = urljoin(base, href)
    if urlsplit(absolute).scheme not in ("http", "https", "file"):
        return None
    title = ""
    if rules.title:
        found = _select(node, rules.title, "title")
        title = squash(found[0].text(separator=" ")) if found else ""
    published = None
    if rules.date:
        for stamp in _select(node, rules.date, "date"):
            raw = stamp.attributes.get("datetime") or stamp.attributes.get("content") or ""
            published = parse_date(raw or "") or parse_date(stamp.text(separator=" "))
            if published:
                break
    return model.Item(
        source_id=source_id,
        key="",
        title=title or link_text,
        url=absolute,
        published=published,
    )
