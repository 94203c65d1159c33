"""publish: briefs (with their sanitised HTML) -> Atom, RSS 2.0 and JSON Feed documents.

The stage is pure of the store and of the brief stage: the pipeline hands it `Entry` values
and a `Channel` describing one document, and gets bytes back; `write` replaces files
atomically and `ping` tells a WebSub hub; `problem` and `build` keep one entry that cannot
be serialised from stopping a document. Only this package imports feedgen.
"""

from __future__ import annotations

from syndicate.publish.atom import atom, rss
from syndicate.publish.directory import (
    STYLESHEET,
    Listed,
    index_html,
    opml,
    stylesheet,
    stylesheet_href,
)
from syndicate.publish.document import Channel, Deleted, Entry, Links, entry_id, feed_id
from syndicate.publish.files import remove, write
from syndicate.publish.isolate import Builder, Built, build, problem
from syndicate.publish.jsonfeed import json_feed
from syndicate.publish.sanitise import sanitise
from syndicate.publish.websub import ping

__all__ = [
    "STYLESHEET",
    "Builder",
    "Built",
    "Channel",
    "Deleted",
    "Entry",
    "Links",
    "Listed",
    "atom",
    "build",
    "entry_id",
    "feed_id",
    "index_html",
    "json_feed",
    "opml",
    "ping",
    "problem",
    "remove",
    "rss",
    "sanitise",
    "stylesheet",
    "stylesheet_href",
    "write",
]
