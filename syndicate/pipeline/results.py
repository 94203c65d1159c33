"""What one poll did: a `SourceResult` per source, gathered in a `PollSummary`.

Counts of new, updated, unchanged, rejected and failed releases, the error and notes, the
schedule, and what the poll yielded for the source's health (items found in its documents,
releases tried, releases that gave a body, release pages refused), with the health judged.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

Outcome = Literal["ok", "not-modified", "failed", "held"]


@dataclass
class SourceResult:
    source_id: str
    outcome: Outcome = "ok"
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    failed: int = 0
    error: str | None = None
    url: str | None = None
    status: int | None = None
    next_poll_at: datetime | None = None
    duration: float = 0.0
    notes: list[str] = field(default_factory=list)
    # What the poll yielded (README "Source health"): items in the documents (None when none
    # was read), releases tried, releases that gave a body, release pages refused.
    found: int | None = None
    pages: int = 0
    bodies: int = 0
    refused: int = 0
    health: str | None = None
    health_reason: str | None = None


@dataclass
class PollSummary:
    results: list[SourceResult]
    started: datetime
    finished: datetime
    # What the follow-ups run as sources finished said (publish, immediate digests), when
    # the poll was given them (`poll(follow=...)`); each run's word, in order, " | " apart.
    followups: dict[str, str] = field(default_factory=dict)

    @property
    def changed(self) -> bool:
        """Whether any brief was added or materially updated."""
        return any(r.new or r.updated for r in self.results)

    def totals(self) -> dict[str, int]:
        keys = ("new", "updated", "unchanged", "rejected", "failed")
        out = {k: sum(getattr(r, k) for r in self.results) for k in keys}
        out["sources_failed"] = sum(1 for r in self.results if r.outcome == "failed")
        return out


__all__ = ["Outcome", "PollSummary", "SourceResult"]
