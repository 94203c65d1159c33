"""An HTML listing page (DHS's USWDS collection, Drupal views rows and the like) → `Item`s.

Input is the decoded text of one page, its URL, and the source's `ListingRules` (item, link,
title, date); output is the page title, one `Item` per listed release in page order (keys not
yet assigned), and notes on what was not trusted. Links are made absolute against the page's
`<base href>` or its URL. A page on which the item selector matches nothing is an error, never
"no new releases": it is a redesign, a login wall or a challenge page.

A selector group (`"li.usa-collection__item, .views-row"`) is a list of preferences, read left
to right: the first alternative that finds something wins, and each item records which one it
was in `Item.via`. A date may be a `datetime` attribute, an element's text, or pieces of text
split over several elements (`<p>Aug</p><p>07</p><p>2026</p>`). A date that is the same on
every row of a page (CBP's `<time datetime>` template default) is not a publication date: the
rows fall back to their next candidate (the element's text), or to no date at all, and the
release page's own date decides.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from urllib.parse import urljoin, urlsplit

from selectolax.lexbor import LexborHTMLParser, LexborNode, SelectolaxError

from syndicate import dates, model
from syndicate.errors import ParseError
from syndicate.parse import guard
from syndicate.parse.identity import normalise_url
from syndicate.selectors import alternatives
from syndicate.text import squash

# What `syndicate inspect --kind page` uses unless told otherwise: DHS's listing as it is
# today (a USWDS collection), then the Drupal views rows it had before and /archive/news has.
DHS_RULES = model.ListingRules(
    item="li.usa-collection__item, .views-row, article",
    link=".usa-collection__heading a, a[href*='/news/']",
    title=".usa-collection__heading, h2, h3, .field--name-title",
    date="time[datetime], time, .date-display-single",
)
# A listing of fewer rows than this cannot show that its dates are a template's.
PLACEHOLDER_ROWS = 3


@dataclass(frozen=True)
class Listing:
    """What a listing page shows: its title, its items, and what was not trusted."""

    title: str | None
    items: tuple[model.Item, ...]
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class _Row:
    item: model.Item
    dates: tuple[tuple[str, datetime], ...]  # (selector, date) candidates, best first


def read(doc: str, *, source_id: str, url: str, rules: model.ListingRules) -> Listing:
    """Find the releases a listing page shows."""
    page = LexborHTMLParser(doc)
    title = guard.page_title(doc)
    base = url
    if (tag := page.css_first("base[href]")) is not None:
        base = urljoin(url, tag.attributes.get("href") or "")
    alternative, nodes = _preferred(page.root, rules.item, "item")
    if not nodes:
        where = f" (page titled {title!r})" if title else ""
        raise ParseError(f"parse: no items matched selector {rules.item!r}{where}")
    rows: list[_Row] = []
    seen: set[str] = set()
    for node in nodes:
        row = _row(node, rules, source_id, base, alternative)
        # Nested matches and teasers repeated in a sidebar name the same release twice;
        # the first is the fuller one.
        if row is not None and (k := normalise_url(row.item.url)) not in seen:
            seen.add(k)
            rows.append(row)
    if not rows:
        raise ParseError(
            f"parse: {len(nodes)} items matched selector {rules.item!r} "
            f"but none holds a link matching {rules.link!r}"
        )
    items, notes = _dated(rows)
    return Listing(title, items, notes)


def _dated(rows: list[_Row]) -> tuple[tuple[model.Item, ...], tuple[str, ...]]:
    """Each row's best date, unless that date is the same on every row (a placeholder)."""
    chosen = [row.dates[0] if row.dates else None for row in rows]
    values = {c[1] for c in chosen if c is not None}
    notes: list[str] = []
    if len(rows) >= PLACEHOLDER_ROWS and None not in chosen and len(values) == 1:
        constant = values.pop()
        notes.append(
            f"dates: every row says {constant.isoformat()}, a template default; not trusted"
        )
        chosen = [next((c for c in row.dates if c[1] != constant), None) for row in rows]
        if len({c[1] for c in chosen if c is not None}) <= 1:
            chosen = [None] * len(rows)
    items: list[model.Item] = []
    for row, pick in zip(rows, chosen, strict=True):
        if pick is None:
            items.append(row.item)
        else:
            via = (*row.item.via, ("date", pick[0]))
            items.append(replace(row.item, published=pick[1], via=via))
    return tuple(items), tuple(notes)


def _select(node: LexborNode | None, selector: str, what: str) -> list[LexborNode]:
    if node is None:
        return []
    try:
        return list(node.css(selector))
    except SelectolaxError:
        raise ParseError(f"parse: bad CSS {what} selector {selector!r}") from None


def _preferred(node: LexborNode | None, selector: str, what: str) -> tuple[str, list[LexborNode]]:
    """The first alternative of a group that matches, and its matches."""
    for alternative in alternatives(selector):
        found = _select(node, alternative, what)
        if found:
            return alternative, found
    _select(node, selector, what)  # a bad group is said as a bad selector, not "no items"
    return selector, []


def _row(
    node: LexborNode, rules: model.ListingRules, source_id: str, base: str, item_via: str
) -> _Row | None:
    link = _link(node, rules.link)
    if link is None:
        return None
    link_via, anchor, href = link
    absolute = urljoin(base, href)
    if urlsplit(absolute).scheme not in ("http", "https", "file"):
        return None
    via: list[tuple[str, str]] = [("item", item_via), ("link", link_via)]
    title = ""
    if rules.title:
        for alternative in alternatives(rules.title):
            found = [t for n in _select(node, alternative, "title") if (t := _text(n))]
            if found:
                title = found[0]
                via.append(("title", alternative))
                break
    if not title:
        title = _text(anchor) or squash(anchor.attributes.get("title") or "")
        via.append(("title", "link text" if _text(anchor) else "link title attribute"))
    item = model.Item(source_id=source_id, key="", title=title, url=absolute, via=tuple(via))
    return _Row(item, _candidates(node, rules.date) if rules.date else ())


def _link(node: LexborNode, selector: str) -> tuple[str, LexborNode, str] | None:
    for alternative in alternatives(selector):
        for anchor in _select(node, alternative, "link"):
            href = (anchor.attributes.get("href") or "").strip()
            if href and not href.startswith("#"):
                return alternative, anchor, href
    return None


def _candidates(node: LexborNode, selector: str) -> tuple[tuple[str, datetime], ...]:
    """Every date the row states under the date selector, best first."""
    found: list[tuple[str, datetime]] = []
    for alternative in alternatives(selector):
        for stamp in _select(node, alternative, "date"):
            raw = stamp.attributes.get("datetime") or stamp.attributes.get("content") or ""
            if raw and (when := dates.parse_date(raw)):
                found.append((f"{alternative} [datetime]", when))
            # A labelled date ("PRESS RELEASE | Jan. 28, 2026", "Posted: ...") reads too.
            if when := dates.parse_date(text := _text(stamp)) or dates.find(text[:100]):
                found.append((alternative, when))
    # A date whose pieces are separate elements: the group's matches read as one.
    pieces = [_text(n) for n in _select(node, selector, "date")]
    if len(pieces) > 1 and (when := dates.joined(pieces)):
        found.append((f"{selector} (joined)", when))
    return tuple(found)


def _text(node: LexborNode) -> str:
    return squash(node.text(separator=" "))
