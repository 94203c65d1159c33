"""The feed-text fallback: a feed `model.Item` in, a `model.Article` with origin "feed" out.

Used when the release page is blocked (USCIS answers scripts with 403) or the source's
feed carries the full text (CISA). FEMA's Drupal feed renders the whole node into the
description, so the author's user name and a zone-less "Mon, 08/18/2025 - 13:44" stamp
leak in ahead of the body; they are cut here, and the stamp serves as the date when the
item has none.
"""

from __future__ import annotations

import re
from dataclasses import replace

from syndicate import dates
from syndicate.errors import ExtractError
from syndicate.extract import dom
from syndicate.extract.blocks import Walker
from syndicate.extract.boilerplate import tidy
from syndicate.extract.page import finish
from syndicate.model import Article, Block, Item, Link
from syndicate.text import markup

# Drupal's "field--name-uid" and "field--name-created" render the author and the stamp.
_NODE_FIELDS = (
    ".field--name-uid",
    ".field--name-created",
    ".field--name-title",
    "[property='schema:name']",
    ".node__meta",
)
_STAMP = re.compile(
    r"(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun)[a-z]*,\s+\d{1,2}/\d{1,2}/\d{4}\s+-\s+\d{1,2}:\d{2}"
)
_LEAK = re.compile(rf"^(?:(?P<user>[\w.@-]+)\s+)?(?P<stamp>{_STAMP.pattern})\s*")
_USER_NAME = re.compile(r"^[\w.@-]{2,40}$")


def from_feed(item: Item) -> Article:
    """An Article from the item's `content_html` (else `summary_html`); ExtractError if empty."""
    html = item.content_html.strip() or item.summary_html.strip()
    if not html:
        raise ExtractError(f"extract: feed item {item.url} carries no text")
    # The feed's HTML is markup from outside too: the same boundary as a fetched page.
    root = dom.parse(f"<html><body>{markup(html)}</body></html>")
    # The leaked stamp comes before the body; look for it before the body is chosen.
    stamp = _STAMP.search(" ".join(root.itertext())[:1000])
    for selector in _NODE_FIELDS:
        for element in dom.select(root, selector):
            element.drop_tree()
    container = dom.body(root, None)
    raw = Walker(item.url).walk(container)
    raw, leaked = _cut_leak(raw, item.title)
    stamp = stamp or leaked
    dropped: list[Link] = []
    blocks, dateline = tidy(raw, dropped=dropped)
    published = item.published or (dates.find(stamp.group(0)) if stamp else None)
    return finish(
        Article(
            url=item.url,
            title=dom.without_prefix(item.title),
            blocks=tuple(blocks),
            dateline=dateline,
            published=published,
            links=tuple(dropped),
            origin="feed",
        )
    )


def _cut_leak(blocks: list[Block], title: str) -> tuple[list[Block], re.Match[str] | None]:
    """Drop the node's title, user name and timestamp from the head of the blocks."""
    stamp = None
    head = blocks[:4]
    rest = blocks[4:]
    kept: list[Block] = []
    title = title.strip()
    for index, block in enumerate(head):
        nxt = head[index + 1].text if index + 1 < len(head) else ""
        text = block.text
        if title and text.startswith(title):
            rest_of_block = text[len(title) :].strip()
            if not rest_of_block or _LEAK.match(rest_of_block):
                text = rest_of_block  # the node's rendered title
        if _USER_NAME.match(text) and _STAMP.match(nxt):
            continue  # the author's user name, on its own line before the stamp
        leak = _LEAK.match(text)
        if leak:
            stamp = stamp or _STAMP.search(leak.group("stamp"))
            text = text[leak.end() :]
        if text:
            kept.append(block if text == block.text else replace(block, text=text))
    return kept + rest, stamp
