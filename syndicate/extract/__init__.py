"""The extract stage: a release page (HTML bytes) or a feed item in, a clean `Article` out.

    article(body, url=..., rules=..., content_type=...) -> Article   the release page
    from_feed(item) -> Article                                       the feed-text fallback

Both raise `ExtractError` ("extract: ...") when no usable body is left. This package is
the only code that imports lxml and cssselect.
"""

from __future__ import annotations

from syndicate.extract.feed import from_feed
from syndicate.extract.page import article

__all__ = ["article", "from_feed"]
