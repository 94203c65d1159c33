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
from dataclasses import replace
from datetime import datetime

from syndicate import brief, extract, fetch, parse
from syndicate.clock import Clock
from syndicate.config import Config
from syndicate.errors import BriefError, ExtractError, FetchError
from syndicate.model import Article, Brief, Item, Source, SourceRef
from syndicate.pipeline import documents, review
from syndicate.pipeline.keys import brief_id, feed_names, fingerprint, story
from syndicate.pipeline.results import SourceResult
from syndicate.store import Store
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
        """Brief the items worth briefing, oldest first, counting into `result`."""
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
            article, raw = await self._article(source, item, result, budget)
        except (FetchError, ExtractError) as e:
            # Not briefed: the next poll tries this release again, so nothing is lost.
            result.failed += 1
            result.notes.append(f"{item.url}: {e}")
            await asyncio.to_thread(self._failed, item, str(e))
            return
        result.bodies += 1
        stored, notes = documents.settled(item, article, self.config.service.timezone)
        result.notes.extend(f"{item.url}: {n}" for n in notes)
        if not article.title and stored.title:
            article = replace(article, title=stored.title)  # the brief needs one (TSA's feed)
        outcome, reason = await asyncio.to_thread(
            self._save, source, stored, article, raw, fingerprint(item)
        )
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
        self, source: Source, item: Item, article: Article, raw: bytes | None, seen_as: str
    ) -> tuple[str, str | None]:
        """Brief one release and store it with its item in one transaction (in a thread);
        `seen_as` is the fingerprint of what the document said, before `settled`."""
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
            fingerprint=seen_as,
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
        self, source: Source, item: Item, result: SourceResult, budget: float
    ) -> tuple[Article, bytes | None]:
        """The release's text: its page, else the feed's text where the page is refused or
        gone; a page without a usable title takes the feed's, else its URL's slug (or is
        refused). Counts the releases tried and the pages refused, for the source's health."""
        if source.full_text or not item.url:
            result.pages += 1
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
            refused = documents.refusal(e) is not None
            has_text = bool(item.content_html or item.summary_html)
            if refused or e.status in _FALLBACK_STATUSES:
                result.pages += 1
                result.refused += int(refused)
            if (refused or e.status in _FALLBACK_STATUSES) and has_text:
                return extract.titled(extract.from_feed(item), item.title), None
            raise
        result.pages += 1
        art = await asyncio.to_thread(  # lxml work, off the event loop
            extract.article,
            page.body,
            url=page.final_url,
            rules=source.article,
            content_type=page.header("content-type"),
        )
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
