"""The extract stage: a release page (HTML bytes) or a feed item in, a clean `Article` out.

    article(body, url=..., rules=..., content_type=...) -> Article   the release page
    from_feed(item) -> Article                                       the feed-text fallback
    from_text(text, url) -> Article                                  a plain-text release
    titled(article, fallback) -> Article                             a title, whatever happens
    kind(body, content_type) -> "html" | "text"                      or ExtractError
    retidy(article) -> Article          an Article extracted before, cleaned by today's rules

All raise `ExtractError` ("extract: ..."): no usable body, no usable title, or a body that
is not HTML, XHTML or plain text (`extract: not an HTML page (application/pdf)`). This
package is the only code that imports lxml and cssselect.
"""

from __future__ import annotations

from dataclasses import replace

from syndicate.extract import page as _page
from syndicate.extract.boilerplate import tidy
from syndicate.extract.feed import from_feed
from syndicate.extract.media import kind
from syndicate.extract.text import from_text
from syndicate.extract.title import titled
from syndicate.model import Article, ArticleRules
from syndicate.text import decode


def article(
    body: bytes,
    *,
    url: str,
    rules: ArticleRules | None = None,
    content_type: str | None = None,
) -> Article:
    """The release text of one page (HTML, XHTML or plain text); ExtractError otherwise."""
    if kind(body, content_type) == "text":
        return from_text(decode(body, content_type)[0], url)
    return _page.article(body, url=url, rules=rules, content_type=content_type)


def retidy(stored: Article) -> Article:
    """An Article as stored by an older syndicate, cleaned again by today's text rules.

    For re-making a brief when the page itself is no longer kept: what only the page's
    markup showed (an italic caption) cannot be recovered, everything the text shows can.
    """
    blocks, place = tidy(list(stored.blocks), find_dateline=stored.dateline is None)
    return replace(stored, blocks=tuple(blocks), dateline=stored.dateline or place)


__all__ = ["article", "from_feed", "from_text", "kind", "retidy", "titled"]
