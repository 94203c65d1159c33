"""`Channel` + `Entry`s -> Atom 1.0 (RFC 4287, RFC 5005 archives) and RSS 2.0 bytes.

Atom is written here as text, in the layout feedgen gave it (the same bytes for the same
briefs): each entry's `<entry>` element is made once per entry and channel and kept on the
`Entry`, so a brief in several feeds and archives is serialised once per publish, where
feedgen built and serialised an element tree for every document it was in (about half of
a full rebuild's time). RSS 2.0, one document per feed, is made with feedgen.

feedgen is wrapped here and nowhere else, with its traps handled:
- it stamps the generation time into `<updated>` and `<lastBuildDate>`: both are set from the
  data, so the same briefs give the same bytes (and an unchanged file is not rewritten);
- it prepends entries by default: they are appended, newest first;
- version 1.0 drops `rel`/`type` from entry links, so entry links are added by a small
  extension of our own;
- the RSS channel `<link>` is the last link added: `self` goes first, `alternate` last.

Taken-down briefs appear in Atom subscription documents as RFC 6721 `at:deleted-entry`
tombstones (RSS and JSON Feed have none: the item is simply gone). RSS titles are plain
text, markup removed, since some readers render an RSS `<title>` as HTML.
"""

from __future__ import annotations

import html
from datetime import datetime
from typing import Any

from feedgen.ext.base import BaseEntryExtension, BaseExtension
from feedgen.feed import FeedGenerator
from feedgen.util import xml_elem

from syndicate.errors import PublishError
from syndicate.publish.document import (
    AT_NS,
    FH_NS,
    Channel,
    Entry,
    categories_of,
    category_scheme,
    entry_id,
    plain,
    standfirst,
    updated,
    updated_times,
)

ATOM_NS = "http://www.w3.org/2005/Atom"
_EXT = "syndicate"


class _FeedExtension(BaseExtension):  # type: ignore[misc]
    """Adds the hub link to RSS channels."""

    def __init__(self) -> None:
        self.rss_links: list[dict[str, str]] = []

    def extend_rss(self, feed: Any) -> Any:
        channel = feed[0]
        for link in self.rss_links:
            xml_elem(f"{{{ATOM_NS}}}link", channel, **link)
        return feed


class _EntryExtension(BaseEntryExtension):  # type: ignore[misc]
    """The item's `<link>`, the brief's page."""

    def __init__(self) -> None:
        self.rss_link = ""

    def extend_rss(self, entry: Any) -> Any:
        if self.rss_link:
            xml_elem("link", entry).text = self.rss_link
        return entry


def _build_rss(channel: Channel, entries: list[Entry]) -> FeedGenerator:
    fg = FeedGenerator()
    fg.register_extension(_EXT, _FeedExtension, _EntryExtension)
    links = channel.links
    fg.id(channel.id)
    fg.title(channel.title)
    fg.description(channel.subtitle or channel.title)
    fg.lastBuildDate(updated(entries, channel.deleted, channel.since))
    fg.author({"name": channel.author})
    fg.language(channel.language)  # RSS <language> (the briefs are English)
    fg.generator(channel.generator, version=channel.version or None)
    if channel.rights:
        fg.rights(channel.rights)
    if channel.logo:
        fg.image(channel.logo, title=channel.title, link=links.home())
    # `self` first: feedgen takes the RSS channel <link> from the last link added.
    fg.link(href=links.feed(channel.feed, "rss"), rel="self", type="application/rss+xml")
    if channel.hub:
        # WebSub section 4: the hub and self links are how subscribers find the hub.
        getattr(fg, _EXT).rss_links.append({"href": channel.hub, "rel": "hub"})
    fg.link(href=links.home(), rel="alternate", type="text/html")
    for entry, when in zip(entries, updated_times(entries), strict=True):
        _add(fg, channel, entry, when)
    return fg


def _add(fg: FeedGenerator, channel: Channel, entry: Entry, when: datetime) -> None:
    brief = entry.brief
    fe = fg.add_entry(order="append")
    fe.id(entry_id(channel.authority, brief.id))
    # A title that is nothing but markup still needs words in RSS: the standfirst's.
    fe.title(plain(brief.title) or plain(standfirst(brief))[:120] or brief.id)
    fe.updated(when)
    fe.pubDate(brief.published)
    # RSS readers render <description> as HTML: escape the standfirst so it stays text.
    fe.description(html.escape(standfirst(brief), quote=False))
    fe.content(entry.content, type="html")
    fe.author({"name": channel.author})
    # One term everywhere (RSS category, Atom term, JSON Feed tag): feedgen would put a
    # label in RSS, so RSS gets the term alone.
    fe.category(
        [
            {"term": term, "scheme": category_scheme(channel.authority, kind)}
            for kind, term in categories_of(brief)
        ]
    )
    getattr(fe, _EXT).rss_link = channel.links.brief(brief.id)


def _check(entries: list[Entry]) -> None:
    for e in entries:
        for when in (e.brief.published, e.brief.updated):
            if when.tzinfo is None or when.utcoffset() is None:
                raise PublishError(f"publish: brief {e.brief.id} has a naive time {when}")


def _styled(document: bytes, stylesheet: str | None) -> bytes:
    """The document with an `<?xml-stylesheet?>` after its XML declaration (W3C, "Associating
    Style Sheets with XML documents"), so a browser shows a page instead of raw XML."""
    if not stylesheet:
        return document
    declaration, rest = document.split(b"\n", 1)
    pi = f'<?xml-stylesheet type="text/xsl" href="{html.escape(stylesheet)}"?>'
    return declaration + b"\n" + pi.encode("utf-8") + b"\n" + rest


def _text(value: str) -> str:
    """Character data as libxml2 writes it."""
    return (
        value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\r", "&#13;")
    )


def _attrs(**values: str | None) -> str:
    """Attributes in the order given (None left out), escaped as libxml2 writes them."""
    out = []
    for name, value in values.items():
        if value is None:
            continue
        value = _text(value).replace('"', "&quot;").replace("\n", "&#10;").replace("\t", "&#9;")
        out.append(f' {name.rstrip("_")}="{value}"')
    return "".join(out)


def _leaf(indent: str, tag: str, text: str, **attrs: str | None) -> str:
    """`<tag ...>text</tag>` on its own line (`<tag .../>` when the text is empty)."""
    if not text:
        return f"{indent}<{tag}{_attrs(**attrs)}/>\n"
    return f"{indent}<{tag}{_attrs(**attrs)}>{_text(text)}</{tag}>\n"


def _author(indent: str, name: str) -> str:
    if not name:
        return ""
    return f"{indent}<author>\n{_leaf(indent + '  ', 'name', name)}{indent}</author>\n"


def _category(channel: Channel, kind: str, term: str) -> str:
    # One term everywhere; Atom's label is for people.
    scheme = category_scheme(channel.authority, kind)
    return f"    <category{_attrs(term=term, scheme=scheme, label=channel.label(term))}/>\n"


def _entry(channel: Channel, entry: Entry, when: datetime) -> bytes:
    """One `<entry>`, made once per entry and channel and kept on the entry."""
    key = (channel.authority, channel.author, channel.rights, channel.labels, channel.links, when)
    made = entry.fragments.get(key)
    if made is not None:
        return made
    brief, i = entry.brief, "    "
    page = channel.links.brief(brief.id)
    parts = [
        "  <entry>\n",
        _leaf(i, "id", entry_id(channel.authority, brief.id)),
        _leaf(i, "title", brief.title),
        _leaf(i, "updated", when.isoformat()),
        _author(i, channel.author),
        _leaf(i, "content", entry.content, type="html"),
        _leaf(i, "summary", standfirst(brief)),
        *(_category(channel, kind, term) for kind, term in categories_of(brief)),
        _leaf(i, "published", brief.published.isoformat()),
        _leaf(i, "rights", channel.rights) if channel.rights else "",
        f"{i}<link{_attrs(href=page, rel='alternate', type_='text/html')}/>\n",
        f"{i}<link{_attrs(href=brief.url, rel='via')}/>\n",
        "  </entry>\n",
    ]
    made = entry.fragments[key] = "".join(parts).encode("utf-8")
    return made


def atom(channel: Channel, entries: list[Entry]) -> bytes:
    """One Atom document (subscription or archive), entries in the order given."""
    _check(entries)
    links, i = channel.links, "  "
    spaces = ' xmlns:fh="' + FH_NS + '"' if channel.is_archive else ""
    spaces += ' xmlns:at="' + AT_NS + '"' if channel.deleted else ""
    lang = _attrs(**{"xml:lang": channel.language or None})
    head = [
        f'<feed{spaces} xmlns="{ATOM_NS}"{lang}>\n',
        _leaf(i, "id", channel.id),
        _leaf(i, "title", channel.title),
        _leaf(i, "updated", updated(entries, channel.deleted, channel.since).isoformat()),
        _author(i, channel.author),
    ]
    rels: list[tuple[str, str, str | None]] = [(channel.self_url, "self", "application/atom+xml")]
    if channel.hub:
        rels.append((channel.hub, "hub", None))
    if channel.is_archive:
        rels.append((links.feed(channel.feed), "current", "application/atom+xml"))
    if channel.prev_archive:
        rels.append((links.archive(channel.feed, channel.prev_archive), "prev-archive", None))
    if channel.next_archive:
        rels.append((links.archive(channel.feed, channel.next_archive), "next-archive", None))
    rels.append((links.home(), "alternate", "text/html"))
    head += [f"{i}<link{_attrs(href=h, rel=r, type_=t)}/>\n" for h, r, t in rels]
    if channel.generator:
        head.append(_leaf(i, "generator", channel.generator, version=channel.version or None))
    for tag, value in (("icon", channel.icon), ("logo", channel.logo), ("rights", channel.rights)):
        if value:
            head.append(_leaf(i, tag, value))
    head.append(_leaf(i, "subtitle", channel.subtitle or channel.title))
    if channel.is_archive:
        head.append(f"{i}<fh:archive/>\n")  # RFC 5005 section 4
    for gone in channel.deleted:  # RFC 6721 section 2: ref is the entry's atom:id
        ref = entry_id(channel.authority, gone.brief_id)
        head.append(
            f"{i}<at:deleted-entry{_attrs(ref=ref, when=gone.when.isoformat())}>\n"
            f"{i}  <at:comment>This brief was withdrawn.</at:comment>\n{i}</at:deleted-entry>\n"
        )
    body = [_entry(channel, e, w) for e, w in zip(entries, updated_times(entries), strict=True)]
    # Joined as bytes, once: a document of thousands of entries is not copied again (as
    # text, one dash would make it two bytes a character, one emoji four).
    declaration = b"<?xml version='1.0' encoding='UTF-8'?>\n"
    return b"".join(
        [
            _styled(declaration, channel.stylesheet),
            "".join(head).encode("utf-8"),
            *body,
            b"</feed>\n",
        ]
    )


def rss(channel: Channel, entries: list[Entry]) -> bytes:
    """The RSS 2.0 twin of a subscription document."""
    _check(entries)
    out: bytes = _build_rss(channel, entries).rss_str(pretty=True)
    return _styled(out, channel.stylesheet)
