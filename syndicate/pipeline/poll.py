"""One poll: sources -> fetch -> parse -> extract -> brief -> store.

Input: the config, an open store, a fetcher. Output: a `PollSummary` with one `SourceResult`
per source (new, updated, unchanged, rejected, failed with the reason). A failing source or
page is recorded and the run goes on; only config and store errors escape.

Per source: its documents are read (`documents`), its releases taken (`releases`), its
state recorded, the cross-check run when due (`crosscheck`), and what the poll yielded
recorded and judged (`watch`: ok, broken, stalled, blocked).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Sequence
from datetime import datetime

from syndicate import __version__, fetch
from syndicate.clock import Clock
from syndicate.config import Config
from syndicate.errors import ConfigError, Throttled
from syndicate.model import Source, Validators
from syndicate.pipeline import crosscheck, documents, memo, watch
from syndicate.pipeline.releases import Releases
from syndicate.pipeline.results import PollSummary, SourceResult
from syndicate.store import Store
from syndicate.store.polls import PollRecord
from syndicate.store.sources import SourceState


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
        follow: Sequence[Callable[[], dict[str, str]]] = (),
        bodies: memo.Memo | None = None,
    ) -> None:
        self.config = config
        self.bodies = bodies  # the daemon's: bodies not parsed again (`memo`)
        self.store = store
        self.fetcher = fetcher
        self.clock = clock or store.clock
        self.progress = progress
        self.stopping = stopping  # set: start no new source or release (SIGTERM)
        self.releases = Releases(config, store, fetcher, self.clock, stopping)
        self.followers = [Follower(work) for work in follow]

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
            if result.new or result.updated:
                for follower in self.followers:  # fresh: published and mailed as it ends
                    follower.changed()
            if self.progress:
                self.progress(result)
            return result

        done = await asyncio.gather(*(one(s) for s in sources))
        results = [r for r in done if r is not None]
        followups: dict[str, str] = {}
        for follower in self.followers:
            followups |= await follower.drain()
        finished = self.clock()
        # "The poller ran", for /healthz, even when no source was due.
        self.store.meta.set("last_poll_at", finished.isoformat())
        if results:
            self.store.meta.set("duration:poll", f"{(finished - started).total_seconds():.3f}")
        return PollSummary(results, started, finished, followups)

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
        first = state is None or state.last_success_at is None
        # The memo serves a source with one document, past its first poll and not held.
        remember = (
            self.bodies is not None and not source.extra_feeds and not first
            and not (state is not None and state.held)
        )  # fmt: skip
        last = self.bodies.get(source.id) if self.bodies is not None and remember else None
        read = await documents.read(
            self.fetcher, self.store, source, main_url=url,
            main_validators=state.validators if state else None, now=now, last=last,
        )  # fmt: skip
        main, got = read.documents[0], read.main
        result.status = main.status
        counted = [d.found for d in read.documents if d.found is not None]
        result.found = sum(counted) if counted else None
        for doc in read.documents:
            result.notes.extend(doc.notes)
            if doc.error and doc is not main:
                result.notes.append(f"{doc.url}: {doc.error}")
        refused = {d.url: d.refused for d in read.documents if d.refused}
        if not read.read_any:
            await self._failed(source, state, url, now, read, result)
            await self._judge(source, result, now, refused)
            return
        if read.all_not_modified and got is not None:
            result.outcome = "not-modified"
            result.next_poll_at = self._next(source, now, not_before=got.next_after)
            await asyncio.to_thread(
                self.store.sources.record_not_modified,
                source.id, now=now, next_poll_at=result.next_poll_at,
            )  # fmt: skip
            await self._judge(source, result, now, refused)
            return

        if main.repeated and last is not None:
            result.unchanged = last.unchanged  # what taking the same items again would count
        else:
            await self.releases.take(source, first, read.items, result)
        main_ok = main.error is None and got is not None
        if self.bodies is not None:
            unchanged = not (result.new or result.updated or result.failed or result.rejected)
            if remember and main_ok and main.digest and unchanged and result.outcome == "ok":
                self.bodies.keep(source.id, memo.Parsed(
                    main.digest, main.found or 0, main.notes, read.ttl_minutes, result.unchanged,
                ))  # fmt: skip
            else:
                self.bodies.drop(source.id)
        if not main_ok:
            result.error = main.error
        result.next_poll_at = self._next(
            source, now, ttl_minutes=read.ttl_minutes,
            not_before=got.next_after if main_ok and got else None,
        )  # fmt: skip
        await asyncio.to_thread(
            self.store.sources.record_success,
            source.id,
            url=url,
            now=now,
            validators=got.validators
            if main_ok and got
            else (state.validators if state else Validators()),
            next_poll_at=result.next_poll_at,
            status=main.status or 0,
            moved_to=got.permanent_url if main_ok and got else None,
        )
        await self._cross_check(source, now, result)
        await self._judge(source, result, now, refused)

    async def _failed(
        self,
        source: Source,
        state: SourceState | None,
        url: str,
        now: datetime,
        read: documents.Read,
        result: SourceResult,
    ) -> None:
        """Every document failed: count it, back off (Retry-After wins when it is later)."""
        e = read.main_error
        failures = (state.failures if state else 0) + 1
        retry_at = e.retry_at if isinstance(e, Throttled) else None
        error = str(e) if e else "; ".join(d.error or "" for d in read.documents)
        status = read.documents[0].status
        result.outcome, result.error, result.status = "failed", error, status
        result.next_poll_at = self._next(source, now, failures=failures, not_before=retry_at)
        await asyncio.to_thread(
            self.store.sources.record_failure,
            source.id, url=url, now=now, error=error, status=status,
            next_poll_at=result.next_poll_at,
        )  # fmt: skip

    async def _cross_check(self, source: Source, now: datetime, result: SourceResult) -> None:
        """Compare with the other document of the agency, when configured and due."""
        other = next((s for s in self.config.source_list() if s.id == source.cross_check), None)
        if other is None:
            return
        due = await asyncio.to_thread(crosscheck.due, self.store, source, other, now)
        if not due:
            return
        report = await crosscheck.run(
            self.fetcher, self.store, source, other, now=now, settings=self.config.health
        )
        if "error" in report:
            result.notes.append(f"cross-check with {other.id} failed: {report['error']}")
        elif report["missed_here_count"]:
            result.notes.append(
                f"cross-check with {other.id}: {report['missed_here_count']} shown there and "
                f"never here, {report['missed_there_count']} shown here and never there"
            )

    async def _judge(
        self, source: Source, result: SourceResult, now: datetime, refused: dict[str, str]
    ) -> None:
        """Record what this poll yielded and judge the source's health from its history."""
        record = PollRecord(
            polled_at=now, outcome=result.outcome, status=result.status, found=result.found,
            pages=result.pages, bodies=result.bodies, refused=result.refused,
            error=result.error,
        )  # fmt: skip
        health = await watch.record(
            self.store, source.id, record, refused=refused, urls=source.urls,
            settings=self.config.health,
        )  # fmt: skip
        result.health, result.health_reason = health.state, health.reason

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


class Follower:
    """Runs `work` (publish, then mail) in a thread whenever sources finish with new or
    updated briefs, one run at a time: sources that finish during a run are taken by the
    next, so a long poll publishes as it goes, and a burst costs one run, not one each."""

    def __init__(self, work: Callable[[], dict[str, str]]) -> None:
        self.work = work
        self.said: dict[str, list[str]] = {}
        self._dirty = False
        self._task: asyncio.Task[None] | None = None

    def changed(self) -> None:
        self._dirty = True
        if self._task is None or self._task.done():
            self._task = asyncio.ensure_future(self._run())

    async def _run(self) -> None:
        while self._dirty:
            self._dirty = False
            for name, value in (await asyncio.to_thread(self.work)).items():
                self.said.setdefault(name, []).append(value)

    async def drain(self) -> dict[str, str]:
        """Wait for the runs owed (a change noted during the last run gets one more)."""
        if self._task is not None:
            await self._task
        return {name: " | ".join(values) for name, values in self.said.items()}


async def poll(
    config: Config,
    store: Store,
    *,
    source_ids: Sequence[str] | None = None,
    fetcher: fetch.Fetcher | None = None,
    clock: Clock | None = None,
    progress: Callable[[SourceResult], None] | None = None,
    stopping: asyncio.Event | None = None,
    follow: Sequence[Callable[[], dict[str, str]]] = (),
    bodies: memo.Memo | None = None,
) -> PollSummary:
    """Poll due sources (or the named ones) once and store what is new (`clock`: the
    store's unless given; once `stopping` is set no new source or release is started).
    Each of `follow` (publish, mail: `followup.steps`) runs in a thread as sources finish
    with new or updated briefs, coalesced, each on its own, and once more for the last of
    them before this returns; what they said is in the summary's `followups`. With
    `bodies` (the daemon's, kept across polls) a feed body byte-identical to the last one
    parsed for its source, after a poll that changed nothing, is not parsed again."""

    async def with_fetcher(f: fetch.Fetcher) -> PollSummary:
        poller = Poller(
            config, store, f, clock=clock, progress=progress, stopping=stopping, follow=follow,
            bodies=bodies,
        )  # fmt: skip
        return await poller.run(source_ids)

    if fetcher is not None:
        return await with_fetcher(fetcher)
    async with make_fetcher(config) as own:
        return await with_fetcher(own)


def make_fetcher(config: Config) -> fetch.Fetcher:
    """A fetcher with the config's limits and our honest User-Agent."""
    return fetch.Fetcher.from_config(config.fetch, config.user_agent(__version__))


__all__ = ["PollSummary", "SourceResult", "make_fetcher", "poll"]
