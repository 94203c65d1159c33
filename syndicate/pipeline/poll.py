"""One poll: sources -> fetch -> parse -> extract -> brief -> store.

Input: the config, an open store, a fetcher. Output: a `PollSummary` with one `SourceResult`
per source (new, updated, unchanged, rejected, failed with the reason). A failing source or
page is recorded and the run goes on; only config and store errors escape.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Literal

from syndicate import __version__, brief, extract, fetch, parse
from syndicate.clock import Clock
from syndicate.config import Config
from syndicate.errors import (
    BriefError,
    ConfigError,
    ExtractError,
    FetchError,
    ParseError,
    Throttled,
)
from syndicate.model import Article, Brief, Fetched, Item, Source, SourceRef
from syndicate.pipeline.keys import brief_id, feed_names, fingerprint, story
from syndicate.store import Store
from syndicate.store.sources import RELEASED

Outcome = Literal["ok", "not-modified", "failed", "held"]
# Statuses for which the page's own text is gone for good or refused to us: the feed's text
# is the best we will get (USCIS answers 403 to scripts while its feed works).
_FALLBACK_STATUSES = {401, 403, 404, 410, 451}


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


@dataclass
class PollSummary:
    results: list[SourceResult]
    started: datetime
    finished: datetime

    @property
    def changed(self) -> bool:
        """Whether any brief was added or materially updated."""
        return any(r.new or r.updated for r in self.results)

    def totals(self) -> dict[str, int]:
        keys = ("new", "updated", "unchanged", "rejected", "failed")
        out = {k: sum(getattr(r, k) for r in self.results) for k in keys}
        out["sources_failed"] = sum(1 for r in self.results if r.outcome == "failed")
        return out


class Poller:
    """Runs one poll over the configured sources with a shared fetcher."""

    def __init__(
        self,
        config: Config,
        store: Store,
        fetcher: fetch.Fetcher,
        *,
        clock: Clock | None = None,
        progress: Callable[[SourceResult], None] | None = None,
        stopping: asyncio.Event | None = None,
    ) -> None:
        self.config = config
        self.store = store
        self.fetcher = fetcher
        self.clock = clock or store.clock
        self.progress = progress
        self.stopping = stopping  # set: start no new source or release (SIGTERM)
        self.attribution = config.attribution.attribution()

    async def run(self, source_ids: Sequence[str] | None = None) -> PollSummary:
        """Poll the named sources (due or not), or every due, enabled source."""
        started = self.clock()
        sources = self._select(source_ids, started)
        limit = asyncio.Semaphore(self.config.fetch.concurrency)

        async def one(source: Source) -> SourceResult | None:
            async with limit:
                if self.stopping is not None and self.stopping.is_set():
                    return None  # not started: it stays due for the next poll
                result = await self._source(source)
            if self.progress:
                self.progress(result)
            return result

        done = await asyncio.gather(*(one(s) for s in sources))
        results = [r for r in done if r is not None]
        finished = self.clock()
        # "The poller ran", for /healthz, even when no source was due.
        self.store.meta.set("last_poll_at", finished.isoformat())
        if results:
            self.store.meta.set("duration:poll", f"{(finished - started).total_seconds():.3f}")
        return PollSummary(results, started, finished)

    def _select(self, source_ids: Sequence[str] | None, now: datetime) -> list[Source]:
        sources = self.config.source_list()
        if source_ids:
            wanted = set(source_ids)
            unknown = wanted - {s.id for s in sources}
            if unknown:
                ids = ", ".join(s.id for s in sources) or "none configured"
                raise ConfigError(
                    f"poll: no source with id {', '.join(sorted(unknown))} (known: {ids})"
                )
            return [s for s in sources if s.id in wanted]
        due = set(self.store.sources.due(now))
        known = {st.id for st in self.store.sources.all()}
        return [s for s in sources if s.enabled and (s.id in due or s.id not in known)]

    async def _source(self, source: Source) -> SourceResult:
        t0 = time.monotonic()
        result = SourceResult(source.id)
        try:
            await self._poll_source(source, result)
        finally:
            result.duration = time.monotonic() - t0
        return result

    async def _poll_source(self, source: Source, result: SourceResult) -> None:
        now = self.clock()
        state = await asyncio.to_thread(self.store.sources.state, source.id)
        url = (state.moved_to if state and state.moved_to else None) or source.url
        result.url = url
        fetched: Fetched | None = None
        try:
            fetched = await self.fetcher.get(url, state.validators if state else None)
            result.status = fetched.status
            if fetched.not_modified:
                result.outcome = "not-modified"
                result.next_poll_at = self._next(source, now, not_before=fetched.next_after)
                await asyncio.to_thread(
                    self.store.sources.record_not_modified,
                    source.id,
                    now=now,
                    next_poll_at=result.next_poll_at,
                )
                return
            # feedparser is slow on big hostile documents: keep the event loop free.
            parsed = await asyncio.to_thread(
                parse.items,
                fetched.body,
                source=source,
                url=fetched.final_url,
                content_type=fetched.header("content-type"),
            )
        except (FetchError, ParseError) as e:
            # Backoff with jitter after failures; Retry-After wins when it is later.
            failures = (state.failures if state else 0) + 1
            retry_at = e.retry_at if isinstance(e, Throttled) else None
            status = e.status if isinstance(e, FetchError) else fetched.status if fetched else None
            result.outcome, result.error, result.status = "failed", str(e), status
            result.next_poll_at = self._next(source, now, failures=failures, not_before=retry_at)
            await asyncio.to_thread(
                self.store.sources.record_failure,
                source.id, url=url, now=now, error=str(e), status=status,
                next_poll_at=result.next_poll_at,
            )  # fmt: skip
            return

        first = state is None or state.last_success_at is None
        await self._items(source, first, parsed.items, result)
        result.next_poll_at = self._next(
            source, now, ttl_minutes=parsed.ttl_minutes, not_before=fetched.next_after
        )
        await asyncio.to_thread(
            self.store.sources.record_success,
            source.id,
            url=url,
            now=now,
            validators=fetched.validators,
            next_poll_at=result.next_poll_at,
            status=fetched.status,
            moved_to=fetched.permanent_url,
        )

    def _next(
        self,
        source: Source,
        now: datetime,
        *,
        failures: int = 0,
        ttl_minutes: int | None = None,
        not_before: datetime | None = None,
    ) -> datetime:
        """The latest of the interval, `<ttl>`, the server's wishes and the backoff."""
        return fetch.next_poll(
            now,
            source.interval,
            failures=failures,
            max_backoff=self.config.fetch.max_backoff,
            ttl_minutes=ttl_minutes,
            not_before=not_before,
        )

    async def _items(
        self, source: Source, first_poll: bool, items: Sequence[Item], result: SourceResult
    ) -> None:
        # The store work runs in a thread: a web side in the same process keeps answering.
        fresh = await asyncio.to_thread(self._fresh, source, first_poll, items, result)
        # One budget for the release pages of this source in this poll, so a slow host
        # cannot hold a worker for minutes; what is left waits for the next poll.
        budget = time.monotonic() + self.config.fetch.page_budget
        for index, item in enumerate(fresh):  # oldest first, as parse returns them
            left = len(fresh) - index
            why = None
            if self.stopping is not None and self.stopping.is_set():
                why = "stopped"
            elif time.monotonic() >= budget:
                why = f"page budget of {self.config.fetch.page_budget:g} s spent"
            if why is not None:
                result.notes.append(f"{why}: {left} releases left for the next poll")
                for rest in fresh[index:]:
                    await asyncio.to_thread(self._failed, rest, f"not read yet: {why}")
                return
            await self._item(source, item, result, budget)

    def _failed(self, item: Item, reason: str) -> None:
        """A new release that could not be read now is remembered as seen-but-failed, so the
        next poll retries it without taking it (and others) for a flood of new ids."""
        self.store.items.note_failure(item, now=self.clock(), reason=reason)

    def _fresh(
        self, source: Source, first_poll: bool, items: Sequence[Item], result: SourceResult
    ) -> list[Item]:
        """The items to brief now: new or changed, less a first poll's backlog or a flood."""
        known = self.store.items.known(source.id, [i.key for i in items])
        fresh: list[Item] = []
        for item in items:
            seen = known.get(item.key)
            if seen is None:
                moved = self.store.items.find_by_url(parse.normalise_url(item.url))
                if moved is not None and moved.source_id == source.id:
                    result.unchanged += 1  # a guid or URL change, not a new release
                    continue
                fresh.append(item)
            elif seen.fingerprint != fingerprint(item):
                fresh.append(item)
            else:
                result.unchanged += 1
        if first_poll:
            # The first poll of a source takes the latest N, not the whole archive.
            keep = source.first_poll_items
            if len(fresh) > keep:
                result.notes.append(f"first poll: briefed the latest {keep} of {len(fresh)}")
                older, fresh = fresh[:-keep], fresh[-keep:]
                now = self.clock()
                for item in older:  # seen, so they are neither new nor a flood later
                    self.store.items.save(
                        item, now=now, status="new", fingerprint=fingerprint(item)
                    )
        else:
            brand_new = [i for i in fresh if i.key not in known]
            ratio = self.config.fetch.flood_ratio
            if len(items) >= 4 and len(brand_new) > ratio * len(items):
                reason = (
                    f"held: {len(brand_new)} of {len(items)} items are new at once "
                    "(a CMS migration rewriting ids?); release with `syndicate sources "
                    f"release {source.id}`"
                )
                state = self.store.sources.state(source.id)
                if not (state and state.held_reason == RELEASED):
                    self.store.sources.hold(source.id, reason)
                    result.outcome, result.error = "held", reason
                    fresh = [i for i in fresh if i.key in known]
        return fresh

    async def _item(self, source: Source, item: Item, result: SourceResult, budget: float) -> None:
        try:
            article, raw = await self._article(source, item, budget)
        except (FetchError, ExtractError) as e:
            # Not briefed: the next poll tries this release again, so nothing is lost.
            result.failed += 1
            result.notes.append(f"{item.url}: {e}")
            await asyncio.to_thread(self._failed, item, str(e))
            return
        outcome, reason = await asyncio.to_thread(self._save, source, item, article, raw)
        if reason is not None:
            result.rejected += 1
            result.notes.append(f"{item.url}: {reason}")
        elif outcome == "new":
            result.new += 1
        elif outcome == "updated":
            result.updated += 1
        else:
            result.unchanged += 1

    def _save(
        self, source: Source, item: Item, article: Article, raw: bytes | None
    ) -> tuple[str, str | None]:
        """Brief one release and store it with its item in one transaction (in a thread)."""
        now = self.clock()
        published = item.published or article.published or now
        made: Brief | None = None
        reason: str | None = None
        known_brief = False
        try:
            made, known_brief = self._brief(source, item, article, published, now)
        except BriefError as e:
            reason = str(e)
        outcome = self.store.items.save(
            item,
            now=now,
            article=article,
            raw=raw,
            fetched_at=now,
            content_sha256=brief.content_sha256(article),
            fingerprint=fingerprint(item),
            brief=made,
            story=story(item.title, published) if made else None,
            feeds=feed_names(made) if made else None,
            material_hash=brief.material_hash(made) if made else None,
            reason=reason,
        )
        if outcome == "new" and known_brief:
            outcome = "unchanged"  # a new id for a story already briefed: nothing new to read
        return outcome, reason

    async def _article(
        self, source: Source, item: Item, budget: float
    ) -> tuple[Article, bytes | None]:
        if source.full_text or not item.url:
            return extract.titled(extract.from_feed(item), item.title), None
        try:
            async with asyncio.timeout(max(budget - time.monotonic(), 0.0)):
                page = await self.fetcher.get(item.url, None, accept=fetch.PAGE_ACCEPT)
        except TimeoutError:
            spent = self.config.fetch.page_budget
            raise FetchError(
                f"fetch: the page budget ({spent:g} s) ran out while fetching {item.url}"
            ) from None
        except FetchError as e:
            has_text = bool(item.content_html or item.summary_html)
            if e.status in _FALLBACK_STATUSES and has_text:
                return extract.titled(extract.from_feed(item), item.title), None
            raise
        art = await asyncio.to_thread(  # lxml work, off the event loop
            extract.article,
            page.body,
            url=page.final_url,
            rules=source.article,
            content_type=page.header("content-type"),
        )
        # A page without a usable title takes the feed's, else its URL's slug (or is refused).
        return extract.titled(art, item.title), page.body

    def _brief(
        self, source: Source, item: Item, article: Article, published: datetime, now: datetime
    ) -> tuple[Brief, bool]:
        """The release's brief, and whether a brief with its id was stored before."""
        ident = brief_id(source.id, item.key)
        existing = self.store.briefs.find_story(story(item.title, published))
        extra: tuple[SourceRef, ...] = ()
        if existing is not None and existing.id != ident:
            # The same story again: from another agency it is one brief with both sources;
            # from the same agency it is the release under a new guid and URL (a CMS move).
            ident = existing.id
            if existing.agency != source.agency:
                extra = tuple(s for s in existing.sources if s.url != item.url)
        made = brief.make(
            article,
            id=ident,
            source=source,
            attribution=self.attribution,
            fetched_at=now,
            published=published,
            topics=self.config.brief.topics,
            target_words=self.config.brief.target_words,
            extra_sources=extra,
            engine=self.config.brief.engine,
        )
        if existing is not None and existing.agency != source.agency:
            made = replace(
                made, agency=existing.agency, source_name=existing.source_name, url=existing.url
            )
        # After the story match above, a found story's id is the brief's id.
        before = existing if existing is not None else self.store.briefs.get(ident)
        if before is not None:
            # `updated` moves only on a material change (RFC 4287 4.2.15); `published` never.
            if brief.material_hash(made) == brief.material_hash(before):
                made = replace(made, updated=before.updated, published=before.published)
            else:
                made = replace(made, updated=max(now, made.updated), published=before.published)
        return made, before is not None


async def poll(
    config: Config,
    store: Store,
    *,
    source_ids: Sequence[str] | None = None,
    fetcher: fetch.Fetcher | None = None,
    clock: Clock | None = None,
    progress: Callable[[SourceResult], None] | None = None,
    stopping: asyncio.Event | None = None,
) -> PollSummary:
    """Poll due sources (or the named ones) once and store what is new (`clock`: the
    store's unless given; once `stopping` is set no new source or release is started)."""

    async def with_fetcher(f: fetch.Fetcher) -> PollSummary:
        poller = Poller(config, store, f, clock=clock, progress=progress, stopping=stopping)
        return await poller.run(source_ids)

    if fetcher is not None:
        return await with_fetcher(fetcher)
    async with make_fetcher(config) as own:
        return await with_fetcher(own)


def make_fetcher(config: Config) -> fetch.Fetcher:
    """A fetcher with the config's limits and our honest User-Agent."""
    return fetch.Fetcher.from_config(config.fetch, config.user_agent(__version__))


__all__ = ["PollSummary", "SourceResult", "make_fetcher", "poll"]
