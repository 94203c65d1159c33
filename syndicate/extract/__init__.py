"""The extract stage: a release page (HTML bytes) or a feed item in, a clean `Article` out.

    article(body, url=..., rules=..., content_type=...) -> Article   the release page
    from_feed(item) -> Article                                       the feed-text fallback
    titled(article, fallback) -> Article                             a title, whatever happens
    kind(body, content_type) -> "html" | "text"                      or ExtractError

All raise `ExtractError` ("extract: ..."): no usable body, no usable title, or a body that
is not HTML, XHTML or plain text (`extract: not an HTML page (application/pdf)`). This
package is the only code that imports lxml and cssselect.
"""

from __future__ import annotations

from syndicate.extract import page as _page
from syndicate.extract.feed import from_feed
from syndicate.extract.media import as_html as _as_html
from syndicate.extract.media import kind
from syndicate.extract.title import titled
from syndicate.model import Article, ArticleRules


def article(
    body: bytes,
    *,
    url: str,
    rules: ArticleRules | None = None,
    content_type: str | None = None,
) -> Article:
    """The release text of one page (HTML, XHTML or plain text); ExtractError otherwise."""
    if kind(body, content_type) == "text":
        body, content_type = _as_html(body, content_type), "text/html; charset=utf-8"
    return _page.article(body, url=url, rules=rules, content_type=content_type)


__all__ = ["article", "from_feed", "kind", "titled"]
