"""`Channel` + `Entry`s -> Atom 1.0 (RFC 4287, RFC 5005 archives) and RSS 2.0 bytes, via feedgen.

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
    Deleted,
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
    """Adds `<fh:archive/>` to archive documents, tombstones to Atom subscription documents
    and the hub link to RSS channels."""

    def __init__(self) -> None:
        self.archive = False
        self.rss_links: list[dict[str, str]] = []
        self.deleted: list[tuple[str, Deleted]] = []  # (entry id, tombstone)

    def extend_ns(self) -> dict[str, str]:
        spaces = {"fh": FH_NS} if self.archive else {}
        return spaces | ({"at": AT_NS} if self.deleted else {})

    def extend_atom(self, feed: Any) -> Any:
        if self.archive:
            # RFC 5005 section 4: an archive document carries fh:archive.
            xml_elem(f"{{{FH_NS}}}archive", feed)
        for ref, gone in self.deleted:
            # RFC 6721 section 2: ref is the entry's atom:id, when the time of the removal.
            tomb = xml_elem(f"{{{AT_NS}}}deleted-entry", feed, ref=ref, when=gone.when.isoformat())
            xml_elem(f"{{{AT_NS}}}comment", tomb).text = "This brief was withdrawn."
        return feed

    def extend_rss(self, feed: Any) -> Any:
        channel = feed[0]
        for link in self.rss_links:
            xml_elem(f"{{{ATOM_NS}}}link", channel, **link)
        return feed


class _EntryExtension(BaseEntryExtension):  # type: ignore[misc]
    """Entry links with their `rel` and `type` kept (feedgen 1.0 loses them)."""

    def __init__(self) -> None:
        self.links: list[dict[str, str]] = []
        self.rss_link = ""

    def extend_atom(self, entry: Any) -> Any:
        for link in self.links:
            xml_elem("link", entry, **link)
        return entry

    def extend_rss(self, entry: Any) -> Any:
        if self.rss_link:
            xml_elem("link", entry).text = self.rss_link
        return entry


def _build(channel: Channel, entries: list[Entry], *, rss: bool) -> FeedGenerator:
    fg = FeedGenerator()
    fg.register_extension(_EXT, _FeedExtension, _EntryExtension)
    links = channel.links
    fg.id(channel.id)
    fg.title(channel.title)
    fg.subtitle(channel.subtitle or channel.title)
    fg.description(channel.subtitle or channel.title)
    stamp = updated(entries, channel.deleted, channel.since)
    fg.updated(stamp)
    fg.lastBuildDate(stamp)
    fg.author({"name": channel.author})
    fg.language(channel.language)  # Atom xml:lang, RSS <language> (the briefs are English)
    fg.generator(channel.generator, version=channel.version or None)
    if channel.rights:
        fg.rights(channel.rights)
    if channel.icon:
        fg.icon(channel.icon)
    if channel.logo:
        fg.logo(channel.logo)
        if rss:
            fg.image(channel.logo, title=channel.title, link=links.home())
    # `self` first: feedgen takes the RSS channel <link> from the last link added.
    if rss:
        fg.link(href=links.feed(channel.feed, "rss"), rel="self", type="application/rss+xml")
    else:
        fg.link(href=channel.self_url, rel="self", type="application/atom+xml")
    ext: _FeedExtension = getattr(fg, _EXT)
    if channel.hub:
        # WebSub section 4: the hub and self links are how subscribers find the hub.
        fg.link(href=channel.hub, rel="hub")
        ext.rss_links.append({"href": channel.hub, "rel": "hub"})
    if channel.is_archive:
        ext.archive = not rss
        fg.link(href=links.feed(channel.feed), rel="current", type="application/atom+xml")
    if channel.prev_archive:
        fg.link(href=links.archive(channel.feed, channel.prev_archive), rel="prev-archive")
    if channel.next_archive:
        fg.link(href=links.archive(channel.feed, channel.next_archive), rel="next-archive")
    fg.link(href=links.home(), rel="alternate", type="text/html")
    if not rss:
        ext.deleted = [(entry_id(channel.authority, d.brief_id), d) for d in channel.deleted]
    for entry, when in zip(entries, updated_times(entries), strict=True):
        _add(fg, channel, entry, when, rss=rss)
    return fg


def _add(fg: FeedGenerator, channel: Channel, entry: Entry, when: datetime, *, rss: bool) -> None:
    brief = entry.brief
    fe = fg.add_entry(order="append")
    fe.id(entry_id(channel.authority, brief.id))
    # A title that is nothing but markup still needs words in RSS: the standfirst's.
    fe.title(
        (plain(brief.title) or plain(standfirst(brief))[:120] or brief.id) if rss else brief.title
    )
    fe.updated(when)
    fe.published(brief.published)
    fe.pubDate(brief.published)
    fe.summary(standfirst(brief))
    # RSS readers render <description> as HTML: escape the standfirst so it stays text.
    fe.description(html.escape(standfirst(brief), quote=False))
    fe.content(entry.content, type="html")
    fe.author({"name": channel.author})
    if channel.rights:
        fe.rights(channel.rights)
    # One term everywhere (Atom term, RSS category, JSON Feed tag); Atom's label is for
    # people (feedgen would put the label in RSS, so RSS gets the term alone).
    categories = [
        {"term": term, "scheme": category_scheme(channel.authority, kind)}
        | ({} if rss else {"label": channel.label(term)})
        for kind, term in categories_of(brief)
    ]
    fe.category(categories)
    ext: _EntryExtension = getattr(fe, _EXT)
    page = channel.links.brief(brief.id)
    ext.links = [{"href": page, "rel": "alternate", "type": "text/html"}]
    ext.links.append({"href": brief.url, "rel": "via"})
    ext.rss_link = page


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


def atom(channel: Channel, entries: list[Entry]) -> bytes:
    """One Atom document (subscription or archive), entries in the order given."""
    _check(entries)
    out: bytes = _build(channel, entries, rss=False).atom_str(pretty=True)
    return _styled(out, channel.stylesheet)


def rss(channel: Channel, entries: list[Entry]) -> bytes:
    """The RSS 2.0 twin of a subscription document."""
    _check(entries)
    out: bytes = _build(channel, entries, rss=True).rss_str(pretty=True)
    return _styled(out, channel.stylesheet)
