"""A release page: HTML bytes in, a clean `model.Article` out.

The source's `[sources.article]` selectors (title, date, body; each a list of preferences)
are tried before the built-in rules, and `Article.via` says which selector or rule produced
each field, for `syndicate sources test`.
"""

from __future__ import annotations

from dataclasses import replace
from urllib.parse import urljoin

from lxml.html import HtmlElement

from syndicate.errors import ExtractError
from syndicate.extract import dom
from syndicate.extract.blocks import Walker
from syndicate.extract.boilerplate import tidy
from syndicate.model import Article, ArticleRules, Block, Link
from syndicate.text import decode


def article(
    body: bytes,
    *,
    url: str,
    rules: ArticleRules | None = None,
    content_type: str | None = None,
) -> Article:
    """The release text of one page; raises ExtractError when there is no usable body."""
    text, _ = decode(body, content_type)
    root = dom.parse(text)
    if rules and rules.drop:
        dom.drop(root, rules.drop)
    via: dict[str, str] = {}
    title = dom.title(root, rules, via)
    published, modified = dom.stated_dates(root, rules, via)
    container = dom.body(root, rules, via)
    dropped: list[Link] = []
    blocks, dateline = tidy(Walker(_base(root, url)).walk(container), dropped=dropped)
    blocks = [b for b in blocks if not (b.kind == "heading" and b.text == title)]
    return finish(
        Article(
            url=url,
            title=title,
            blocks=tuple(blocks),
            dateline=dateline,
            published=published,
            modified=modified,
            links=tuple(dropped),
            origin="page",
            via=tuple(via.items()),
        )
    )


def finish(result: Article) -> Article:
    """Check the article has text and gather its links; shared with the feed fallback."""
    words = sum(len(b.text.split()) for b in result.blocks if b.kind != "heading")
    if words < 5:
        raise ExtractError(f"extract: no usable body in {result.url}")
    return replace(
        result,
        title=result.title or _first_heading(result.blocks),
        # The blocks' links, then those of the furniture taken out (`result.links`).
        links=_unique((*(link for b in result.blocks for link in b.links), *result.links)),
    )


def _base(root: HtmlElement, url: str) -> str:
    # <base href> changes what relative links mean (HTML Living Standard, 4.2.3).
    for element in root.iter("base"):
        href = str(element.get("href") or "").strip()
        if href.startswith(("http://", "https://", "/")):
            return urljoin(url, href)
    return url


def _unique(links: tuple[Link, ...]) -> tuple[Link, ...]:
    seen: set[str] = set()
    kept: list[Link] = []
    for link in links:
        if link.url not in seen:
            seen.add(link.url)
            kept.append(link)
    return tuple(kept)


def _first_heading(blocks: tuple[Block, ...]) -> str:
    return next((b.text for b in blocks if b.kind == "heading"), "")
