"""Is a source still working? A poll's yield and the source's history in, its health out.

Input: what one poll did (`PollRecord`), the source's recent polls, the state of each of its
documents, when its latest items appeared, the `[health]` settings and the clock. Output: a
`Health` (state and reason), recorded in the store and logged once when a state starts and
once when it ends. The states, first match wins:

- **blocked**: a document or most release pages are refused (robots.txt, 401, 403, 451);
- **broken**: a document does not parse (the selectors match nothing, a login wall where a
  feed should be), a document that used to list items lists none, a document failed
  `broken_after` polls in a row, or fewer than `body_ratio` of the recent release pages gave
  a body (at least three pages: one bad page is not a pattern);
- **stalled**: no new item for longer than `stall_factor` times the source's median gap
  between items (its last 40), and never sooner than `stall_floor`. A warning: shutdowns and
  holidays are quiet, not broken;
- **ok** otherwise. A transient failure (a timeout, a 5xx, a 429) keeps the state it had.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import statistics
from dataclasses import dataclass
from datetime import datetime
from typing import Literal, cast

from syndicate import logs
from syndicate.config import HealthConfig
from syndicate.store import Store
from syndicate.store.polls import DocumentState, History, PollRecord, Verdict

State = Literal["ok", "broken", "stalled", "blocked"]
STATES: tuple[State, ...] = ("ok", "broken", "stalled", "blocked")
# The pages the body check looks at: the latest polls' until this many.
PAGE_WINDOW = 10
MIN_PAGES = 3
MIN_DATES = 5


@dataclass(frozen=True)
class Health:
    state: State
    reason: str | None = None


def judge(
    *,
    history: list[PollRecord],
    documents: list[DocumentState],
    refused: dict[str, str],
    previous: Health | None,
    item_dates: list[datetime],
    now: datetime,
    settings: HealthConfig,
) -> Health:
    """A source's health after a poll; `history` is newest first and includes this poll,
    `refused` maps a document refused in this poll to why."""
    for url, why in refused.items():
        return Health("blocked", f"{why}: {url}")
    for doc in documents:
        if doc.last_error and doc.last_error.startswith("parse:"):
            return Health("broken", doc.last_error)
    for doc in documents:
        if doc.last_error is None and doc.most_items > 0 and doc.last_items == 0:
            return Health(
                "broken", f"{doc.url} used to list {doc.most_items} items and now lists none"
            )
    for doc in documents:
        if doc.last_error and doc.failures >= settings.broken_after:
            return Health("broken", f"{doc.failures} polls in a row failed: {doc.last_error}")
    pages = bodies = refusals = 0
    for record in history[:PAGE_WINDOW]:
        pages += record.pages
        bodies += record.bodies
        refusals += record.refused
        if pages >= PAGE_WINDOW:
            break
    if pages >= MIN_PAGES and bodies < settings.body_ratio * pages:
        if refusals * 2 > pages:
            return Health("blocked", f"{refusals} of {pages} recent release pages were refused")
        return Health("broken", f"{pages - bodies} of {pages} recent release pages gave no body")
    if any(doc.last_error for doc in documents) and previous is not None:
        return previous  # a timeout, a 5xx, a 429: not yet a pattern
    stall = stalled(item_dates, now, settings)
    return Health("stalled", stall) if stall else Health("ok")


def stalled(item_dates: list[datetime], now: datetime, settings: HealthConfig) -> str | None:
    """Why the source counts as stalled, or None: its quiet spell against its usual gap."""
    if len(item_dates) < MIN_DATES:
        return None
    ordered = sorted(item_dates, reverse=True)
    gaps = [(a - b).total_seconds() for a, b in itertools.pairwise(ordered)]
    usual = statistics.median(gaps)
    allowed = max(settings.stall_factor * usual, settings.stall_floor)
    quiet = (now - ordered[0]).total_seconds()
    if quiet <= allowed:
        return None
    return (
        f"no new item for {_span(quiet)} (its usual gap is {_span(usual)}; "
        f"stalled after {_span(allowed)})"
    )


def _span(seconds: float) -> str:
    if seconds >= 86400:
        return f"{seconds / 86400:.1f} days"
    if seconds >= 3600:
        return f"{seconds / 3600:.1f} hours"
    return f"{max(seconds, 0) / 60:.0f} minutes"


async def record(
    store: Store,
    source_id: str,
    poll: PollRecord,
    *,
    refused: dict[str, str],
    urls: tuple[str, ...],
    settings: HealthConfig,
) -> Health:
    """Record one poll, judge the source, store its health and log a change of state; the
    recording, the reading of the history and the health's write (only when it changed) are
    one transaction."""

    def verdict(history: History) -> Verdict:
        previous = _previous(history)
        health = judge(
            history=history.recent,
            documents=[d for d in history.documents if d.url in urls],
            refused=refused,
            previous=previous,
            item_dates=history.item_dates,
            now=poll.polled_at,
            settings=settings,
        )
        since = history.health_since
        if previous is None or previous.state != health.state:
            since = poll.polled_at
        return health.state, health.reason, since or poll.polled_at

    history, (state, reason, _since) = await asyncio.to_thread(
        store.polls.judge, source_id, poll, verdict, recent=PAGE_WINDOW
    )
    health = Health(cast(State, state), reason)
    log_change(source_id, _previous(history), health, history.health_since, poll.polled_at)
    return health


def _previous(history: History) -> Health | None:
    """The health stored before this poll; None before the first judgement."""
    if history.health in STATES:
        return Health(history.health, history.health_reason)
    return None


def log_change(
    source_id: str, previous: Health | None, health: Health, began: datetime | None, now: datetime
) -> None:
    """One line when a state other than ok starts, one when it ends."""
    was = previous.state if previous else "ok"
    if was == health.state:
        return
    if was != "ok":
        lasted = (now - began).total_seconds() if began else None
        logs.event("source.state.end", source=source_id, state=was, now=health.state,
                   lasted=_span(lasted) if lasted is not None else None)  # fmt: skip
    if health.state != "ok":
        level = logging.INFO if health.state == "stalled" else logging.WARNING
        logs.event("source.state.start", level, source=source_id, state=health.state,
                   reason=health.reason)  # fmt: skip
