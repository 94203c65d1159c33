"""The page as a tree: HTML text in, the title, stated dates and the body element out.

This is where the page's chrome goes: scripts and styles everywhere; then, around and
inside the body, navigation, header, footer, asides, forms, share bars, breadcrumbs,
captions, field labels, tag lists and a mailing's banner and footer. A caption written as
an italic paragraph (`<p><em>...</em></p>`) goes when it stands next to an image or holds
one. What is left for `blocks` is the release's own content.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import datetime
from functools import lru_cache

import lxml.html
from cssselect import SelectorError
from lxml import etree
from lxml.cssselect import CSSSelector
from lxml.etree import ParserError
from lxml.html import HtmlElement

from syndicate import dates
from syndicate.errors import ExtractError
from syndicate.model import ArticleRules
from syndicate.selectors import alternatives
from syndicate.text import squash

# Never content, wherever they are. huge_tree stays off: libxml2 then caps nesting depth
# and text node size, so a hostile page cannot make the walk below run away.
_JUNK_TAGS = (
    "script", "style", "noscript", "template", "iframe", "object", "embed", "applet",
    "svg", "math", "canvas", "video", "audio", "source", "button", "input", "select",
    "textarea", "dialog",
)  # fmt: skip
# Page chrome: dropped inside the body as well as around it.
_CHROME_TAGS = ("nav", "header", "footer", "aside", "form", "figcaption", "menu")
_CHROME_CLASS = re.compile(
    r"^(?:.*[-_])?(?:share|sharing|social|addtoany|a2a_kit|breadcrumbs?|pager|skip-link|"
    r"visually-hidden|sr-only|element-invisible|print-link|last-updated|"
    r"last-modified|page-updated|tags|topics|keywords|caption|image-caption|"
    r"media-caption|credit|back-to-top|related-content|feedback|page-title|meta|"
    r"field__label|field-label|label-above|label-inline|gd_banner|gd_footer)(?:[-_].*)?$",
    re.I,
)
# Inline elements that set a caption in italics.
_ITALIC = ("em", "i", "small", "cite")
_IMAGES = ("img", "picture", "figure")
_BODY_GUESSES = (
    ".field--name-body",
    "[class*='field--name-body']",
    "[itemprop=articleBody]",
    ".node__content",
    "article",
    "main",
    "[role=main]",
    "#main-content",
)
_TITLE_PREFIX = re.compile(
    r"^\s*(?:photos?|videos?|audio)(?:\s+(?:and|&)\s+(?:photos?|videos?))?\s+release\s*[:–—-]\s*",
    re.I,
)
_STAMP = re.compile(
    r"\s*(?:page\s+)?(?:last\s+(?:modified|updated|reviewed)\b\s*:?|(?:modified|updated)\s*:)"
    r"\s*(.{0,60})",
    re.I,
)
_DATE_CLASS = re.compile(r"(?:^|[-_])(?:release-date|date|pubdate|published|post-date)$", re.I)
_PARSER = lxml.html.HTMLParser(
    huge_tree=False, remove_comments=True, remove_pis=True, no_network=True
)


def parse(text: str) -> HtmlElement:
    """Parse a whole page (or a fragment: lxml wraps it in html/body)."""
    # lxml refuses str input that still declares an encoding; the bytes are decoded already.
    text = re.sub(r"^\s*<\?xml[^>]*>", "", text)
    if not text.strip():
        raise ExtractError("extract: empty page")
    try:
        root = lxml.html.document_fromstring(text, parser=_PARSER)
    except (ParserError, ValueError) as exc:
        raise ExtractError(f"extract: unreadable HTML ({exc})") from exc
    for element in list(root.iter(*_JUNK_TAGS)):
        _remove(element)
    for anchor in list(root.iter("a")):
        # A script link is never content, not even its text ("Click here").
        href = re.sub(r"[\x00-\x20]", "", str(anchor.get("href", ""))).lower()
        if href.startswith(("javascript:", "vbscript:", "data:")):
            _remove(anchor)
    return root


@lru_cache(maxsize=1024)
def _compiled(selector: str) -> CSSSelector:
    """A selector compiled once (to XPath) and reused: the rules are a few per source, and
    compiling one costs more than running it on a page."""
    return CSSSelector(selector)


def select(root: HtmlElement, selector: str) -> list[HtmlElement]:
    """Elements matching a CSS selector; a bad selector is the config's fault, said plainly."""
    try:
        found = _compiled(selector)(root)
    except (SelectorError, etree.XPathError) as exc:
        raise ExtractError(f"extract: bad CSS selector {selector!r} ({exc})") from exc
    return [e for e in found if isinstance(e, HtmlElement)] if isinstance(found, list) else []


def preferred(root: HtmlElement, selector: str, text: bool = True) -> list[HtmlElement]:
    """Matches of the first alternative in a selector group that finds text.

    A configured `".field--name-body, article .content, main"` is a list of preferences,
    read left to right, not one group: `main` would otherwise swallow the body field.
    """
    return preferred_with(root, selector, text)[1]


def preferred_with(
    root: HtmlElement, selector: str, text: bool = True
) -> tuple[str, list[HtmlElement]]:
    """`preferred`, and the alternative that matched (the whole group when none did)."""
    for alternative in alternatives(selector):
        found = [e for e in select(root, alternative) if not text or _words(e)]
        if found:
            return alternative, found
    return selector, []


def drop(root: HtmlElement, selectors: Iterable[str]) -> None:
    """Remove every element matching the configured `drop` selectors."""
    for selector in selectors:
        for element in select(root, selector):
            _remove(element)


def title(root: HtmlElement, rules: ArticleRules | None, via: dict[str, str] | None = None) -> str:
    """The release title: configured selector, else h1, og:title, then <title>.

    `via`, when given, is told which of them it was (`via["title"] = "h1"`).
    """
    candidates: list[tuple[str, str]] = []
    if rules and rules.title:
        chosen, found = preferred_with(root, rules.title)
        candidates += [(chosen, _text(e, 1000)) for e in found]
    headings = list(root.iter("h1"))
    in_chrome = [h for h in headings if any(a.tag in _CHROME_TAGS for a in h.iterancestors())]
    candidates += [("h1", _text(h, 1000)) for h in headings if h not in in_chrome]
    for e in select(root, "meta[property='og:title']"):
        candidates.append(("meta og:title", str(e.get("content", ""))))
    candidates += [("h1 (in page chrome)", _text(h, 1000)) for h in in_chrome]
    for element in root.iter("title"):
        # "<release> | Homeland Security": the site name follows the last bar.
        text = re.sub(r"\s+[|–—-]\s+[^|–—]+$", "", _text(element, 1000))
        candidates.append(("<title>", text))
    for label, candidate in candidates:
        if candidate := without_prefix(squash(candidate)):
            if via is not None:
                via["title"] = label
            return candidate
    return ""


def without_prefix(text: str) -> str:
    """A title without its `PHOTO RELEASE:` (or `VIDEO RELEASE:`) label."""
    return _TITLE_PREFIX.sub("", text).strip()


def stated_dates(
    root: HtmlElement, rules: ArticleRules | None, via: dict[str, str] | None = None
) -> tuple[datetime | None, datetime | None]:
    """(published, modified) as the page states them, read before the chrome goes.

    `via`, when given, is told where the published date came from (`via["date"]`).
    """
    published = modified = None
    found: list[tuple[str, datetime | None]] = []
    if rules and rules.date:
        chosen, elements = preferred_with(root, rules.date, text=False)
        for element in elements:
            found.append((chosen, dates.find(element.get("datetime") or _text(element))))
            _remove(element)  # metadata, not the first paragraph
        if len(elements) > 1:  # a date split over elements: "Aug" "07" "2026"
            found.append((f"{chosen} (joined)", dates.joined([_text(e) for e in elements])))
    for prop, is_modified in (
        ("article:published_time", False),
        ("article:modified_time", True),
        ("og:updated_time", True),
    ):
        for element in select(root, f"meta[property='{prop}']"):
            value = dates.find(element.get("content"))
            if is_modified:
                modified = modified or value
            else:
                found.append((f"meta {prop}", value))
    for element in root.iter("time"):
        if not _is_stamp(element):
            found.append(("time", dates.find(element.get("datetime") or _text(element))))
    for element in root.iter():
        if any(value for _, value in found):
            break
        # Drupal date fields without <time>: "field--name-field-release-date", "release-date".
        names = str(element.get("class", "")).split() if isinstance(element.tag, str) else []
        named = [n for n in names if _DATE_CLASS.search(n)]
        if named and not _is_stamp(element):
            found.append((f".{named[0]}", dates.find(_text(element, 160))))
    label, published = next(((k, v) for k, v in found if v is not None), ("", None))
    if via is not None and published is not None:
        via["date"] = label
    for element in root.iter():
        # "Last Modified: 04/16/2025", the date often in a child <time> or <span>.
        if modified or not isinstance(element.tag, str) or not _STAMP.match(element.text or ""):
            continue
        # The date may sit in the same element or in a sibling, so try the parent too.
        parent = element.getparent()
        for holder in (element, parent if parent is not None else element):
            stamp = _STAMP.search(_text(holder, 400))
            modified = modified or (dates.find(stamp.group(1)) if stamp else None)
    return published, modified


def _is_stamp(element: HtmlElement) -> bool:
    """True inside a "Last Modified: ..." stamp, which dates an edit, not the release."""
    parent = element.getparent()
    texts = [_text(element, 80), (parent.text or "") if parent is not None else ""]
    return any(_STAMP.match(t) for t in texts)


def body(
    root: HtmlElement, rules: ArticleRules | None, via: dict[str, str] | None = None
) -> HtmlElement:
    """The element holding the release text, with the chrome inside it removed.

    `via`, when given, is told which selector or guess found it (`via["body"]`).
    """
    found: list[HtmlElement] = []
    label = ""
    if rules and rules.body:
        label, found = preferred_with(root, rules.body)
    found = [e for e in found if not any(a in found for a in e.iterancestors())]
    if len(found) > 1:
        # A configured body split across fields: read the matches as one, in order.
        chosen = lxml.html.Element("div")
        chosen.extend(found)
    elif found:
        chosen = found[0]
    else:
        label, chosen = _guess(root)
    _strip_chrome(chosen)
    if via is not None:
        via["body"] = label
    return chosen


def _guess(root: HtmlElement) -> tuple[str, HtmlElement]:
    """Drupal's body field, else article/main, else the densest block of paragraphs."""
    _strip_chrome(root)
    for guess in _BODY_GUESSES:
        found = [e for e in select(root, guess) if _words(e) >= 8]
        if found:
            return f"{guess} (built-in guess)", max(found, key=_words)
    return "densest paragraphs (built-in guess)", _densest(root)


def _strip_chrome(root: HtmlElement) -> None:
    for element in list(root.iter(*_CHROME_TAGS)):
        _remove(element)
    for element in list(root.iter()):
        if element is root or not isinstance(element.tag, str):
            continue
        names = [*str(element.get("class", "")).split(), str(element.get("id", ""))]
        if any(_CHROME_CLASS.match(name) for name in names if name):
            _remove(element)
    for element in [p for p in root.iter("p", "div") if _caption(p)]:
        _remove(element)


def _caption(element: HtmlElement) -> bool:
    """An italic paragraph beside (or holding) an image: a photo caption."""
    if not _only_italic(element):
        return False
    if _has_image(element):
        return True
    # A neighbour that is only an image (its own caption, if any, is its own business).
    neighbours = (element.getprevious(), element.getnext())
    return any(
        n is not None and _has_image(n) and not "".join(n.itertext()).strip() for n in neighbours
    )


def _has_image(element: HtmlElement) -> bool:
    return isinstance(element.tag, str) and (
        element.tag in _IMAGES or next(element.iter(*_IMAGES), None) is not None
    )


def _only_italic(element: HtmlElement) -> bool:
    """All of the element's text is inside italics (images and line breaks aside)."""
    if (element.text or "").strip():
        return False
    found = False
    for child in element:
        if not isinstance(child.tag, str):
            return False
        if child.tag in _ITALIC:
            found = found or bool("".join(child.itertext()).strip())
        elif child.tag not in ("br", *_IMAGES) and "".join(child.itertext()).strip():
            return False
        if (child.tail or "").strip():
            return False
    return found


def _densest(root: HtmlElement) -> HtmlElement:
    """The element whose own paragraphs hold the most text: the fallback body."""
    best, best_score = root, 0
    for element in root.iter("div", "section", "td", "article", "main", "body"):
        score = sum(
            len("".join(p.itertext())) for p in element if p.tag in ("p", "ul", "ol", "blockquote")
        )
        if score > best_score:
            best, best_score = element, score
    return best


def _words(element: HtmlElement) -> int:
    return len("".join(element.itertext()).split())


def _text(element: HtmlElement, limit: int | None = None) -> str:
    # Cut before squashing: a stamp or date sits in the first characters of a huge element.
    return squash("".join(element.itertext())[:limit])


def _remove(element: etree._Element) -> None:
    """Remove an element but keep its tail text, which belongs to the parent."""
    parent = element.getparent()
    if parent is None:
        return
    tail = element.tail
    if tail:
        previous = element.getprevious()
        if previous is not None:
            previous.tail = (previous.tail or "") + tail
        else:
            parent.text = (parent.text or "") + tail
    parent.remove(element)
