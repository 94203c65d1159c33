"""HTML in -> HTML safe to embed in a feed out (nh3, an allow-list sanitiser).

The brief's HTML comes from our own templates, but its words come from a government web page;
sanitising again at the edge means a `<script>`, an `onerror=` or a `javascript:` link in a
source can never reach a feed reader, whatever a template does.
"""

from __future__ import annotations

import nh3

_TAGS = {
    "a", "abbr", "article", "b", "blockquote", "br", "caption", "cite", "code", "dd", "div",
    "dl", "dt", "em", "figcaption", "figure", "footer", "h1", "h2", "h3", "h4", "h5", "h6",
    "header", "hr", "i", "li", "ol", "p", "q", "section", "small", "span", "strong", "sub",
    "sup", "table", "tbody", "td", "tfoot", "th", "thead", "tr", "ul",
}  # fmt: skip
_ATTRIBUTES = {"a": {"href", "title"}, "abbr": {"title"}, "q": {"cite"}, "blockquote": {"cite"}}
_SCHEMES = {"http", "https", "mailto"}


def sanitise(html: str) -> str:
    """Keep only harmless markup: no scripts, event handlers, styles or non-web URLs."""
    return nh3.clean(
        html,
        tags=_TAGS,
        attributes=_ATTRIBUTES,
        url_schemes=_SCHEMES,
        link_rel="noopener noreferrer",
        strip_comments=True,
    )
