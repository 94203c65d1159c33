"""A release's title, when its page gives none: an `Article` and the feed's title in, the
same `Article` with a usable title out.

A page with no `<title>`, `<h1>` or `og:title` would give a brief titled `''`, which no
feed can carry (RFC 4287 section 4.1.2 requires an entry title). The title falls back to
the feed item's, then to the words of the URL's slug (`syndicate.titles`: `/news/2026/11/20/
coast-guard-rescues-four` gives "Coast guard rescues four"); with none of them the release is
refused with a reason, and the rest of the poll goes on.
"""

from __future__ import annotations

import re
from dataclasses import replace

from syndicate import titles
from syndicate.errors import ExtractError
from syndicate.model import Article
from syndicate.text import squash

_EXTENSION = re.compile(r"\.(?:s?html?|aspx?|php|jsp|cfm)$", re.I)
_WORD = re.compile(r"[^\W_]+")
_ID = re.compile(r"^(?:\d+|[0-9a-f]{8}(?:-?[0-9a-f]{4}){3}-?[0-9a-f]{12})$", re.I)


def usable(title: str) -> bool:
    """Whether a title says something: at least two letters or digits."""
    return len(_WORD.findall(title)) >= 1 and sum(c.isalnum() for c in title) >= 2


def titled(article: Article, fallback: str = "") -> Article:
    """The article with a usable title: its own, else `fallback` (the feed item's), else
    the URL's slug; ExtractError when none of them is usable."""
    for candidate in (article.title, fallback, titles.from_url(article.url)):
        title = squash(candidate)
        if usable(title):
            return article if title == article.title else replace(article, title=title)
    raise ExtractError(
        f"extract: no usable title for {article.url} (none on the page, in the feed item "
        "or in the URL)"
    )
