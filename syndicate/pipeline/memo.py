"""What the daemon remembers of a source's feed between polls, so a body byte-identical to
the one it last parsed is not parsed again.

Input: a source id, the main document's body (with its final URL and content type), and what
the poll that parsed it yielded. Output: a `Parsed` to replay, or None. Only a poll that
changed nothing is remembered (no release new, updated, failed, rejected or held), only for a
source with one document, never on its first poll or while it is held: the same body then
yields the same items, all already stored, so replaying the counts records what parsing
would have. Anything else drops the memo, so a failing release is tried again.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass


@dataclass(frozen=True)
class Parsed:
    """What parsing one body yielded, as a poll records it."""

    digest: bytes
    found: int
    notes: tuple[str, ...]
    ttl_minutes: int | None
    unchanged: int


def digest(body: bytes, url: str, content_type: str | None) -> bytes:
    """A digest of what parse reads: the body, its final URL and its content type."""
    h = hashlib.blake2b(body, digest_size=16)
    h.update(f"\0{url}\0{content_type or ''}".encode())
    return h.digest()


class Memo:
    """The last unchanged parse of each source, kept for the daemon's life."""

    def __init__(self) -> None:
        self._by_source: dict[str, Parsed] = {}

    def get(self, source_id: str) -> Parsed | None:
        return self._by_source.get(source_id)

    def keep(self, source_id: str, parsed: Parsed) -> None:
        self._by_source[source_id] = parsed

    def drop(self, source_id: str) -> None:
        self._by_source.pop(source_id, None)
