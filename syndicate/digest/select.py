"""Choosing briefs: a subscriber, candidate briefs and what they were already sent in;
the digests they are owed out (none when there is nothing new).

Pure: the pipeline reads candidates from the store (briefs whose `seq` moved past the
subscriber's cursor) and passes the ids the subscriber was already sent. A candidate already
sent is an edit: it is never sent again, and is mentioned as a correction when the settings
ask for it (the store moves `seq` only on material edits, so every such edit is material).
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime

from syndicate.config import DigestsConfig
from syndicate.model import Brief, Cadence, Digest, Subscriber


@dataclass(frozen=True)
class Owed:
    """One digest to send, with the already-sent briefs it mentions as corrected."""

    digest: Digest
    corrections: tuple[Brief, ...] = ()


def matches(subscriber: Subscriber, brief: Brief) -> bool:
    """Whether a brief passes the subscriber's filters (an empty filter passes all)."""
    if subscriber.agencies and brief.agency.upper() not in {a.upper() for a in subscriber.agencies}:
        return False
    if subscriber.topics:
        wanted = {t.lower() for t in subscriber.topics}
        return any(t.lower() in wanted for t in brief.topics)
    return True


def order(briefs: Sequence[Brief], how: str) -> list[Brief]:
    """Newest first; with `agency`, grouped by agency code and newest first in each group."""
    ranked = sorted(briefs, key=lambda b: (b.published, b.id), reverse=True)
    if how == "agency":
        ranked.sort(key=lambda b: b.agency)  # stable: keeps newest-first inside a group
    return ranked


def make(
    subscriber: Subscriber,
    candidates: Sequence[Brief],
    sent: Collection[str],
    *,
    key: str,
    cadence: Cadence,
    settings: DigestsConfig,
    now: datetime,
) -> list[Owed]:
    """The digests owed to one subscriber now: one for daily/weekly, one per brief for
    immediate, none when no candidate is new to them. `key` is the slot's digest key
    (ignored for immediate, whose keys name the brief)."""
    wanted = [b for b in candidates if matches(subscriber, b)]
    fresh = order([b for b in wanted if b.id not in sent], settings.order)
    if not fresh:
        return []
    edited: tuple[Brief, ...] = ()
    if settings.corrections:
        edited = tuple(order([b for b in wanted if b.id in sent], "newest"))
    if cadence == "immediate":
        oldest_first = sorted(fresh, key=lambda b: (b.published, b.id))
        return [
            Owed(
                Digest(f"immediate:{b.id}", subscriber, cadence, (b,), 0, now),
                edited if i == 0 else (),
            )
            for i, b in enumerate(oldest_first)
        ]
    shown = tuple(fresh[: settings.max_briefs])
    digest = Digest(key, subscriber, cadence, shown, len(fresh) - len(shown), now)
    return [Owed(digest, edited)]
