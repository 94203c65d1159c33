"""The extract stage: a release page (HTML bytes) or a feed item in, a clean `Article` out.

    article(body, url=..., rules=..., content_type=...) -> Article   the release page
    from_feed(item) -> Article                                       the feed-text fallback
    from_text(text, url) -> Article                                  a plain-text release
    retidy(article) -> Article          an Article extracted before, cleaned by today's rules

The first three raise `ExtractError` ("extract: ...") when no usable body is left. This package is
the only code that imports lxml and cssselect.
"""

from __future__ import annotations

from dataclasses import replace

from syndicate.extract.boilerplate import tidy
from syndicate.extract.feed import from_feed
from syndicate.extract.page import article
from syndicate.extract.text import from_text
from syndicate.model import Article


def retidy(stored: Article) -> Article:
    """An Article as stored by an older syndicate, cleaned again by today's text rules.

    For re-making a brief when the page itself is no longer kept: what only the page's
    markup showed (an italic caption) cannot be recovered, everything the text shows can.
    """
    blocks, place = tidy(list(stored.blocks), find_dateline=stored.dateline is None)
    return replace(stored, blocks=tuple(blocks), dateline=stored.dateline or place)


__all__ = ["article", "from_feed", "from_text", "retidy"]
