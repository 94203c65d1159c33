"""The keys the poll pipeline gives what it stores: a brief's id, an item's feed fingerprint,
a story's key (the same story from two agencies), and the feeds a brief belongs to.

Values in, strings out; the rules are documented in README "What one poll does".
"""

from __future__ import annotations

import hashlib
from datetime import datetime

from syndicate.model import Brief, Item


def brief_id(source_id: str, key: str) -> str:
    """A brief's id: stable for the release whatever its title or URL does later."""
    return hashlib.sha256(f"{source_id}\n{key}".encode()).hexdigest()[:20]


def fingerprint(item: Item) -> str:
    """What the feed says about an item; a change means the release may have been edited."""
    parts = (item.title, item.summary_html, item.content_html)
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()


def story(title: str, published: datetime) -> str:
    """The same story from two agencies: same normalised title on the same day."""
    words = "".join(c.lower() if c.isalnum() else " " for c in title).split()
    return f"{published.date().isoformat()}:{' '.join(words)}"


def feed_names(b: Brief) -> tuple[str, ...]:
    """The feeds a brief belongs to: all, its agency, each topic."""
    return ("all", f"agency/{b.agency.lower()}", *(f"topic/{t}" for t in b.topics))
