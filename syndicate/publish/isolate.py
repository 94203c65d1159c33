"""One bad brief never stops a feed: entries in, the document and what was left out out.

Every string a feed carries came from a government web page, and one entry that a builder
cannot serialise (a character XML cannot carry, an empty title: feedgen raises "All strings
must be XML compatible" or "Required fields not set" for the whole document) would stop
every feed it is in, and every publish after. So entries are checked before a builder sees
them (`problem`), and if a document still fails, each entry is built alone to find the
ones that fail; those are left out with their reason, and the rest of the document is
written. A document that fails even so raises `PublishError`, and the pipeline goes on with
the other documents.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from syndicate.errors import PublishError
from syndicate.publish.document import Channel, Entry, standfirst
from syndicate.text import xml_safe

Builder = Callable[[Channel, list[Entry]], bytes]


@dataclass(frozen=True)
class Built:
    """A document's bytes and the entries left out of it (brief id -> why)."""

    data: bytes
    skipped: dict[str, str] = field(default_factory=dict)


def problem(entry: Entry) -> str | None:
    """Why an entry cannot go in a feed, or None when it can."""
    brief = entry.brief
    if not brief.title.strip():
        return "publish: the brief has no title (RFC 4287 requires one)"
    fields = {
        "title": brief.title,
        "summary": standfirst(brief),
        "content": entry.html,
        "url": brief.url,
        "agency": brief.agency,
        "topics": " ".join(brief.topics),
    }
    for name, value in fields.items():
        if not xml_safe(value):
            bad = next(c for c in value if not xml_safe(c))
            return f"publish: the brief's {name} holds U+{ord(bad):04X}, which XML cannot carry"
    for name, when in (("published", brief.published), ("updated", brief.updated)):
        if when.tzinfo is None or when.utcoffset() is None:
            return f"publish: the brief's {name} time {when.isoformat()} has no zone"
    return None


def build(builder: Builder, channel: Channel, entries: list[Entry]) -> Built:
    """The document with every entry that can be built; PublishError when none helps."""
    try:
        return Built(builder(channel, entries))
    except Exception as whole:  # a builder's own error, whatever its type: find the entry
        skipped: dict[str, str] = {}
        for entry in entries:
            try:
                builder(channel, [entry])
            except Exception as e:
                skipped[entry.brief.id] = f"publish: {type(e).__name__}: {e}"
        kept = [e for e in entries if e.brief.id not in skipped]
        try:
            return Built(builder(channel, kept), skipped)
        except Exception as still:
            raise PublishError(
                f"publish: cannot build {channel.self_url}: {type(still).__name__}: {still}"
            ) from whole
