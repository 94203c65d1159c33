"""A source's items in, briefs stored: which releases to take (new, edited, not a flood),
their text (release page, else the feed's), the brief, and one transaction per release.

Input: the config, the store, the fetcher and the clock (from the `Poller`), a source and
its items oldest first. Output: the counts in the source's `SourceResult`, including what the
source's health is judged from (releases tried, bodies, refused pages).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime

from syndicate import fetch, parse
from syndicate.clock import Clock
from syndicate.config import Config
from syndicate.errors import BriefError, ExtractError, FetchError, StoreError
from syndicate.model import Article, Brief, Fetched, Item, Source, SourceRef
from syndicate.pipeline import documents, review
from syndicate.pipeline.keys import brief_id, feed_names, fingerprint, story
from syndicate.pipeline.results import SourceResult
from syndicate.store import Store
from syndicate.store.items import Save
from syndicate.store.sources import RELEASED

# Statuses for which the page's own text is gone for good or refused to us: the feed's text
# is the best we will get (USCIS answers 403 to scripts while its feed works).
_FALLBACK_STATUSES = {401, 403, 404, 410, 451}


class Releases:
    """The release-level half of a poll, for one run's config, store and fetcher."""

    def __init__(
        self,
        config: Config,
        store: Store,
        fetcher: fetch.Fetcher,
        clock: Clock,
        stopping: asyncio.Event | None = None,
    ) -> None:
        self.config = config
        self.store = store
        self.fetcher = fetcher
        self.clock = clock
        self.stopping = stopping  # set: start no new release (SIGTERM)
        self.attribution = config.attribution.attribution()
        review.install(store, config)  # [review]: new briefs may wait for an editor

    async def take(
        self, source: Source, first_poll: bool, items: Sequence[Item], result: SourceResult
    ) -> None:
        """Brief the items worth briefing, oldest first, counting into `result`.

        The release pages are fetched one at a time, oldest first (the host's politeness is
        the fetcher's), while the pages already read are extracted in threads; then the
        source's briefs are made and stored in one transaction (`_store`)."""
        # The store work runs in a thread: a web side in the same process keeps answering.
        fresh = await asyncio.to_thread(self._fresh, source, first_poll, items, result)
        if not fresh:
            return
        # One budget for the release pages of this source in this poll, so a slow host
        # cannot hold a worker for minutes; what is left waits for the next poll.
        budget = time.monotonic() + self.config.fetch.page_budget
        turn = asyncio.Semaphore(1)  # FIFO: the page requests go in item order
        why: list[str] = []  # why the first release not started was not (stopped, budget)

        async def read(item: Item) -> tuple[Article, bytes | None] | Exception | None:
            try:
                return await self._article(source, item, result, budget, turn, why)
            except (FetchError, ExtractError) as e:
                return e

        read_all = await asyncio.gather(*(read(item) for item in fresh))
        ready: list[tuple[Item, Article, bytes | None, str]] = []
        failed: list[tuple[Item, str]] = []
        left = [item for item, got in zip(fresh, read_all, strict=True) if got is None]
        for item, got in zip(fresh, read_all, strict=True):
            if isinstance(got, Exception):
                # Not briefed: the next poll tries this release again, so nothing is lost.
                result.failed += 1
                result.notes.append(f"{item.url}: {got}")
                failed.append((item, str(got)))
            elif got is not None:
                result.bodies += 1
                stored, notes = documents.settled(item, got[0], self.config.service.timezone)
                result.notes.extend(f"{item.url}: {n}" for n in notes)
                article = got[0]
                if not article.title and stored.title:
                    article = replace(article, title=stored.title)  # the brief needs one (TSA)
                ready.append((stored, article, got[1], fingerprint(item)))
        if left:
            result.notes.append(f"{why[0]}: {len(left)} releases left for the next poll")
            failed += [(item, f"not read yet: {why[0]}") for item in left]
        await asyncio.to_thread(self._store, source, ready, failed, result)

    def _failed(self, item: Item, reason: str) -> None:
        """A new release that could not be read now is remembered as seen-but-failed, so the
        next poll retries it without taking it (and others) for a flood of new ids."""
        self.store.items.note_failure(item, now=self.clock(), reason=reason)

    def _fresh(
        self, source: Source, first_poll: bool, items: Sequence[Item], result: SourceResult
    ) -> list[Item]:
        """The items to brief now: new or changed, less a first poll's backlog or a flood."""
        known = self.store.items.known(source.id, [i.key for i in items])
        unseen = [parse.normalise_url(i.url) for i in items if i.key not in known]
        by_url = self.store.items.first_by_urls(unseen) if unseen else {}
        fresh: list[Item] = []
        for item in items:
            seen = known.get(item.key)
            if seen is None:
                moved = by_url.get(parse.normalise_url(item.url))
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
                # Seen, so they are neither new nor a flood later.
                self.store.items.save_many(
                    [Save(i, now, status="new", fingerprint=fingerprint(i)) for i in older]
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

    def _store(
        self,
        source: Source,
        ready: Sequence[tuple[Item, Article, bytes | None, str]],
        failed: Sequence[tuple[Item, str]],
        result: SourceResult,
    ) -> None:
        """Brief the releases read and store them, with their items, in one transaction (in
        a thread); each is marked seen in the transaction that stores its brief, and one
        whose write fails is left unseen for the next poll. The fingerprint in each of
        `ready` is what the document said, before `settled`."""
        from syndicate import brief  # loaded by the first poll with something new

        now = self.clock()
        when = [item.published or article.published or now for item, article, _r, _f in ready]
        stories = [story(item.title, w) for (item, *_), w in zip(ready, when, strict=True)]
        known = Known(
            self.store.briefs.find_stories(stories),
            self.store.briefs.get_many([brief_id(source.id, item.key) for item, *_ in ready]),
        )
        saves: list[Save] = []
        made_flags: list[tuple[bool, str | None]] = []
        for (item, article, raw, seen_as), published, key in zip(ready, when, stories, strict=True):
            made: Brief | None = None
            reason: str | None = None
            known_brief = False
            try:
                made, known_brief = self._brief(source, item, article, published, now, known)
            except BriefError as e:
                reason = str(e)
            if made is not None:
                known.made(key, made)
            made_flags.append((known_brief, reason))
            saves.append(
                Save(
                    item, now, article=article, raw=raw, fetched_at=now,
                    content_sha256=made.provenance.content_sha256 if made
                    else brief.content_sha256(article), fingerprint=seen_as,
                    brief=made, story=key if made else None,
                    feeds=feed_names(made) if made else None,
                    material_hash=brief.material_hash(made) if made else None, reason=reason,
                )
            )  # fmt: skip
        outcomes = self.store.items.save_many(saves)
        for (item, *_), outcome, (known_brief, reason) in zip(
            ready, outcomes, made_flags, strict=True
        ):
            if isinstance(outcome, StoreError):
                result.failed += 1
                result.notes.append(f"{item.url}: {outcome}")
            elif reason is not None:
                result.rejected += 1
                result.notes.append(f"{item.url}: {reason}")
            elif outcome == "new" and not known_brief:
                result.new += 1
            elif outcome == "updated":
                result.updated += 1
            else:  # a new id for a story already briefed is nothing new to read
                result.unchanged += 1
        self._enqueue(saves, outcomes)
        for item, why in failed:
            self._failed(item, why)

    async def _article(
        self,
        source: Source,
        item: Item,
        result: SourceResult,
        budget: float,
        turn: asyncio.Semaphore,
        why: list[str],
    ) -> tuple[Article, bytes | None] | None:
        """The release's text: its page, else the feed's text where the page is refused or
        gone; a page without a usable title takes the feed's, else its URL's slug (or is
        refused). Counts the releases tried and the pages refused, for the source's health.
        None when it was not started: stopped, or the page budget spent (said in `why`)."""
        from syndicate import extract  # as brief, in _store

        async with turn:
            if not why and self.stopping is not None and self.stopping.is_set():
                why.append("stopped")
            elif not why and time.monotonic() >= budget:
                why.append(f"page budget of {self.config.fetch.page_budget:g} s spent")
            if why:
                return None
            if source.full_text or not item.url:
                result.pages += 1
                return extract.titled(extract.from_feed(item), item.title), None
            page = await self._page(item, result, budget)
        if isinstance(page, Article):
            return page, None
        art = await asyncio.to_thread(  # lxml work, off the event loop
            extract.article,
            page.body,
            url=page.final_url,
            rules=source.article,
            content_type=page.header("content-type"),
        )
        return extract.titled(art, item.title), page.body

    async def _page(self, item: Item, result: SourceResult, budget: float) -> Fetched | Article:
        """The release page, or the feed's text where the page is refused or gone."""
        from syndicate import extract

        try:
            async with asyncio.timeout(max(budget - time.monotonic(), 0.0)):
                page = await self.fetcher.get(item.url, None, accept=fetch.PAGE_ACCEPT)
        except TimeoutError:
            spent = self.config.fetch.page_budget
            raise FetchError(
                f"fetch: the page budget ({spent:g} s) ran out while fetching {item.url}"
            ) from None
        except FetchError as e:
            refused = documents.refusal(e) is not None
            has_text = bool(item.content_html or item.summary_html)
            if refused or e.status in _FALLBACK_STATUSES:
                result.pages += 1
                result.refused += int(refused)
            if (refused or e.status in _FALLBACK_STATUSES) and has_text:
                return extract.titled(extract.from_feed(item), item.title)
            raise
        result.pages += 1
        return page

    def _enqueue(self, saves: Sequence[Save], outcomes: Sequence[str | StoreError]) -> None:
        """Queue the AI engine's work for each brief stored; never awaited, so the poll does
        not wait on a model (a no-op when the AI engine is off)."""
        from syndicate.pipeline import aiwork  # it loads the brief stage

        for save, outcome in zip(saves, outcomes, strict=True):
            if save.brief is not None and not isinstance(outcome, StoreError):
                aiwork.enqueue(
                    self.store, self.config, save.brief, save.item.source_id, save.item.key
                )

    def _brief(
        self,
        source: Source,
        item: Item,
        article: Article,
        published: datetime,
        now: datetime,
        known: Known,
    ) -> tuple[Brief, bool]:
        """The release's brief, and whether a brief with its id was stored before."""
        from syndicate import brief

        ident = brief_id(source.id, item.key)
        existing = known.stories.get(story(item.title, published))
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
            engine="extractive",  # the AI engine's brief comes later, from the worker
        )
        if existing is not None and existing.agency != source.agency:
            made = replace(
                made, agency=existing.agency, source_name=existing.source_name, url=existing.url
            )
        # After the story match above, a found story's id is the brief's id.
        before = existing if existing is not None else known.ids.get(ident)
        if before is not None:
            # `updated` moves only on a material change (RFC 4287 4.2.15); `published` never.
            if brief.material_hash(made) == brief.material_hash(before):
                made = replace(made, updated=before.updated, published=before.published)
            else:
                made = replace(made, updated=max(now, made.updated), published=before.published)
        return made, before is not None


@dataclass
class Known:
    """The briefs a source's batch may meet again: by story key and by id, read in one
    query each, plus the ones made earlier in the same batch."""

    stories: dict[str, Brief]
    ids: dict[str, Brief]

    def made(self, key: str, made: Brief) -> None:
        self.stories.setdefault(key, made)
        self.ids[made.id] = made
