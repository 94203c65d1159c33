"""The feed-against-listing cross-check: does one of an agency's documents show releases the
other never did?

Input: a source with `cross_check = "OTHER"`, the other source (usually configured with
`enabled = false`, so it is read for this and never briefed), the fetcher, the store and the
clock. Output: a report, stored on the source and shown by `syndicate sources`: the items
the other document showed that this source never did (`missed_here`) and the reverse
(`missed_there`). The other document is read at most once per its own `interval`.

Items match by normalised URL, else by title (case and punctuation aside). An item counts as
missed only once it has been visible on its side for `[health] missed_after` (a feed and a
listing rarely update in the same minute), and only when it is newer than the oldest item
the other side ever showed (before that, the other side was not being watched). What each
side "never did" show is what syndicate saw of it: a listing that is read less often than
releases scroll off it can seem to miss an item it showed in between.
"""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta
from typing import Any

from syndicate import fetch, logs, parse
from syndicate.config import HealthConfig
from syndicate.model import Source
from syndicate.pipeline import documents
from syndicate.store import Store
from syndicate.store.polls import Seen

# Examples kept in the report, each way.
EXAMPLES = 10


def due(store: Store, source: Source, other: Source, now: datetime) -> bool:
    """Whether the other document should be read in this poll of `source`."""
    state = store.sources.state(source.id)
    last = state.cross_checked_at if state else None
    return last is None or now - last >= timedelta(seconds=other.interval)


async def run(
    fetcher: fetch.Fetcher,
    store: Store,
    source: Source,
    other: Source,
    *,
    now: datetime,
    settings: HealthConfig,
) -> dict[str, Any]:
    """Read the other source's documents and compare; the report is stored and returned."""
    known = await asyncio.to_thread(store.polls.document, other.id, other.url)
    read = await documents.read(
        fetcher, store, other, main_url=other.url,
        main_validators=known.validators if known else None, now=now,
    )  # fmt: skip
    report: dict[str, Any] = {"other": other.id, "checked_at": now.isoformat()}
    if not read.read_any:
        report["error"] = "; ".join(d.error or "" for d in read.documents)
    else:
        seen = [
            Seen(_key(i.url, i.title), i.url, i.title, i.published, now)
            for i in read.items
            if i.url
        ]
        report |= await asyncio.to_thread(_compare, store, source.id, seen, now, settings)
    before = await asyncio.to_thread(store.sources.state, source.id)
    await asyncio.to_thread(store.sources.set_cross_report, source.id, now, report)
    _log(source.id, before.cross_report if before else None, report)
    return report


def _compare(
    store: Store, source_id: str, seen: list[Seen], now: datetime, settings: HealthConfig
) -> dict[str, Any]:
    store.polls.cross_seen(source_id, seen)
    here = store.polls.source_items(source_id)
    there = store.polls.cross_items(source_id)
    grace = timedelta(seconds=settings.missed_after)
    missed_here = _missing(there, here, now - grace)
    missed_there = _missing(here, there, now - grace)
    return {
        "missed_here": [_shown(s) for s in missed_here[-EXAMPLES:]],
        "missed_here_count": len(missed_here),
        "missed_there": [_shown(s) for s in missed_there[-EXAMPLES:]],
        "missed_there_count": len(missed_there),
    }


def _missing(shown: list[Seen], other: list[Seen], visible_by: datetime) -> list[Seen]:
    """What `shown` has that `other` never had, within the span `other` has been watched."""
    if not other:
        return []
    urls = {_url_key(s.url) for s in other}
    titles = {_title_key(s.title) for s in other if s.title}
    floor = min(_when(s) for s in other)
    return [
        s
        for s in shown
        if s.first_seen <= visible_by
        and _when(s) >= floor
        and _url_key(s.url) not in urls
        and (not s.title or _title_key(s.title) not in titles)
    ]


def _when(seen: Seen) -> datetime:
    return seen.published or seen.first_seen


def _key(url: str, title: str) -> str:
    return _url_key(url) or f"title:{_title_key(title)}"


def _url_key(url: str) -> str:
    return parse.normalise_url(url) if url else ""


def _title_key(title: str) -> str:
    return " ".join("".join(c.lower() if c.isalnum() else " " for c in title).split())


def _shown(seen: Seen) -> dict[str, Any]:
    return {
        "title": seen.title,
        "url": seen.url,
        "published": seen.published.isoformat() if seen.published else None,
    }


def _log(source_id: str, before: dict[str, Any] | None, report: dict[str, Any]) -> None:
    """One warning when the set of items this source missed changes, one line when it
    empties. What only this source showed (`missed_there`) is stored and shown, not warned
    about: the other document is the incomplete one (ICE's topic feeds each carry one topic)."""
    if "error" in report:
        if not (before and before.get("error")):
            logs.warning("source.cross_check.failed", source=source_id, error=report["error"])
        return

    def keys(r: dict[str, Any] | None) -> set[str]:
        return {str(x.get("url")) for x in (r or {}).get("missed_here", [])}

    now_missing, was_missing = keys(report), keys(before)
    if now_missing and now_missing != was_missing:
        logs.warning(
            "source.missed",
            source=source_id,
            other=report["other"],
            missed_here=report["missed_here_count"],
            missed_there=report["missed_there_count"],
            examples=", ".join(x["url"] for x in report["missed_here"][:3]) or None,
        )
    elif was_missing and not now_missing:
        logs.event("source.missed.cleared", source=source_id, other=report["other"])
