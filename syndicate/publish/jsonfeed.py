"""`Channel` + `Entry`s -> JSON Feed 1.1 bytes (https://jsonfeed.org/version/1.1).

Built with `json` from the same values as the Atom document, so the two always agree: the
item `id` is the Atom entry id, `url` the brief's page, `external_url` the original release.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from syndicate.publish.document import (
    Channel,
    Entry,
    categories_of,
    category_scheme,
    entry_id,
    standfirst,
    updated_times,
)

VERSION = "https://jsonfeed.org/version/1.1"


def _item(channel: Channel, entry: Entry, modified: datetime) -> dict[str, Any]:
    brief = entry.brief
    return {
        "id": entry_id(channel.authority, brief.id),
        "url": channel.links.brief(brief.id),
        "external_url": brief.url,
        "title": brief.title,
        "summary": standfirst(brief),
        "content_html": entry.content,
        "date_published": brief.published.isoformat(),
        "date_modified": modified.isoformat(),
        "authors": [{"name": channel.author}],
        "tags": [term for _, term in categories_of(brief)],
        "_syndicate": {
            "agency": brief.agency,
            "topics": list(brief.topics),
            "schemes": {
                "agency": category_scheme(channel.authority, "agency"),
                "topic": category_scheme(channel.authority, "topic"),
            },
        },
    }


def json_feed(channel: Channel, entries: list[Entry]) -> bytes:
    """The JSON Feed twin of a subscription document."""
    links = channel.links
    doc: dict[str, Any] = {
        "version": VERSION,
        "title": channel.title,
        "home_page_url": links.home(),
        "feed_url": links.feed(channel.feed, "json"),
        "description": channel.subtitle or channel.title,
        "authors": [{"name": channel.author}],
        "language": channel.language,
    }
    if channel.icon:
        doc["favicon"] = channel.icon
    if channel.logo:
        doc["icon"] = channel.logo
    if channel.hub:
        doc["hubs"] = [{"type": "WebSub", "url": channel.hub}]
    times = updated_times(entries)
    doc["items"] = [_item(channel, e, t) for e, t in zip(entries, times, strict=True)]
    text = json.dumps(doc, ensure_ascii=False, indent=2) + "\n"
    return text.encode("utf-8")
