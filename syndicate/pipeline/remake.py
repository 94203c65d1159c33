"""Re-make stored briefs with today's extraction and engine, when an operator asks.

    store -> (stored page -> extract | stored article -> extract.retidy) -> brief -> store

Input: the config, an open store, optionally the earliest publication date to re-make from.
Output: a `RemakeSummary`, one `Remade` per brief: `updated` (what a reader sees changed:
the brief is stored as an update, so its id stays, its `updated` moves, it takes a new seq
and feeds and digests carry it as a correction, never as a new brief), `unchanged` (the
same brief to a reader; the stored copy still takes the new engine's provenance), or
`failed` (extraction or the faithfulness check refused it; the stored brief is kept).

A brief is re-made from the release it was made from: the page as fetched when the store
still holds it (re-extracted with the source's rules), else the stored article cleaned by
today's text rules (`extract.retidy`). Briefs are never re-made on their own: polls brief
new and edited releases only, so an engine upgrade changes nothing until this is run.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Literal

from syndicate import brief, extract
from syndicate.clock import Clock
from syndicate.config import Config
from syndicate.errors import BriefError, ExtractError
from syndicate.model import Article, Brief, Source
from syndicate.pipeline import aiwork
from syndicate.pipeline.keys import feed_names, story
from syndicate.store import Store
from syndicate.store.items import KnownItem

RemakeOutcome = Literal["updated", "unchanged", "failed"]


@dataclass(frozen=True)
class Remade:
    brief_id: str
    title: str
    outcome: RemakeOutcome
    reason: str | None = None
    engine: str | None = None  # the engine the brief was made with before


@dataclass
class RemakeSummary:
    results: list[Remade] = field(default_factory=list)
    dry_run: bool = False

    @property
    def changed(self) -> bool:
        """Whether a brief was materially updated (and written)."""
        return not self.dry_run and any(r.outcome == "updated" for r in self.results)

    def totals(self) -> dict[str, int]:
        keys: Sequence[RemakeOutcome] = ("updated", "unchanged", "failed")
        return {k: sum(r.outcome == k for r in self.results) for k in keys}


def remake(
    config: Config,
    store: Store,
    *,
    since: datetime | None = None,
    dry_run: bool = False,
    clock: Clock | None = None,
    progress: Callable[[Remade], None] | None = None,
) -> RemakeSummary:
    """Re-make every stored brief (or those published at or after `since`)."""
    now = (clock or store.clock)()
    summary = RemakeSummary(dry_run=dry_run)
    sources = {s.id: s for s in config.source_list()}
    for brief_id, item in _briefed(store):
        before = store.briefs.get(brief_id)
        if before is None or (since is not None and before.published < since):
            continue
        result = _one(config, store, item, before, sources.get(item.source_id), now, dry_run)
        summary.results.append(result)
        if progress:
            progress(result)
    return summary


def _briefed(store: Store) -> list[tuple[str, KnownItem]]:
    """Each brief with the item it was first made from (a story told twice has two)."""
    first: dict[str, KnownItem] = {}
    for item in store.items.with_status("briefed"):
        if item.brief_id and item.brief_id not in first:
            first[item.brief_id] = item
    return sorted(first.items(), key=lambda pair: pair[1].id)


def _article(store: Store, item: KnownItem, source: Source | None) -> Article:
    stored = store.items.article(item.id)
    if stored is None:
        raise ExtractError(f"extract: no stored article for {item.url}")
    raw = store.items.raw(item.id)
    if raw is not None and stored.origin == "page":
        rules = source.article if source else None
        return extract.article(raw, url=stored.url, rules=rules)
    return extract.retidy(stored)


def _one(
    config: Config,
    store: Store,
    item: KnownItem,
    before: Brief,
    source: Source | None,
    now: datetime,
    dry_run: bool,
) -> Remade:
    engine = before.provenance.engine
    try:
        article = _article(store, item, source)
        made = brief.make(
            article,
            id=before.id,
            source=source or Source(item.source_id, before.source_name, before.agency, "page", ""),
            attribution=config.attribution.attribution(),
            fetched_at=before.provenance.fetched_at,
            published=before.published,
            topics=config.brief.topics,
            target_words=config.brief.target_words,
            extra_sources=tuple(s for s in before.sources if s.url != article.url),
            engine="extractive",  # an AI brief is re-made by the worker, not here
        )
    except (BriefError, ExtractError) as e:
        return Remade(before.id, before.title, "failed", str(e), engine)
    # The same story from another agency keeps the brief's first agency, as the poll does.
    made = replace(made, agency=before.agency, source_name=before.source_name, url=before.url)
    material = brief.material_hash(made) != brief.material_hash(before)
    when = max(now, before.updated) if material else before.updated
    made = replace(made, published=before.published, updated=when)
    if not dry_run:
        with store.begin() as conn:
            store.briefs.upsert(
                conn,
                made,
                story=story(item.title, before.published),
                feeds=feed_names(made),
                material_hash=brief.material_hash(made),
            )
        aiwork.enqueue(store, config, made, item.source_id, item.key, again=True)
    return Remade(before.id, before.title, "updated" if material else "unchanged", None, engine)


__all__ = ["Remade", "RemakeSummary", "remake"]
