"""The AI engine's worker: queued releases in, AI briefs (or extractive ones, with the
reason recorded) stored.

Input: the config, the store, the clock (and, for tests, an HTTP transport). Output: the
number of jobs finished. The poll never waits on the model: it stores the extractive brief
and queues a job (`enqueue`); this module claims jobs, asks the model (or the cache), runs
the gate, and either replaces the published brief with the AI brief (`[brief.ai] mode`:
`update` moves its `updated`, `replace` keeps it) or keeps the extractive brief and records
why (`Provenance.fallback`, the job's outcome for `/metrics`). Transient failures (timeout,
429, 5xx, no connection) are retried up to `attempts` times, a 429 no sooner than its
Retry-After, and every call waits for that too; the extractive brief stays published
meanwhile. A daily token budget, when set, stops model calls for the rest of the UTC day.
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket
import time
from collections import deque
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from syndicate import __version__, fetch
from syndicate.brief import ai
from syndicate.clock import Clock
from syndicate.config import Config
from syndicate.config.ai import uses_ai
from syndicate.errors import BriefError, ChatError
from syndicate.model import Article, Brief
from syndicate.pipeline.aitry import fallback
from syndicate.pipeline.keys import feed_names
from syndicate.store import Store
from syndicate.store.ai import Job
from syndicate.store.aicache import Cached, cache_key

log = logging.getLogger("syndicate.ai")

LEASE = 600.0  # seconds before a dead worker's claim may be taken over
BACKOFF = 30.0  # first retry delay after a timeout, 5xx or lost connection
TRANSIENT = {"timeout", "rate_limited", "unreachable"}


def enqueue(
    store: Store, config: Config, made: Brief, source_id: str, key: str, *, again: bool = False
) -> bool:
    """Queue the AI brief of a release just stored, when its source uses the AI engine."""
    if not uses_ai(config.brief.engine, config.brief.ai, source_id):
        return False
    sha = made.provenance.content_sha256
    return store.ai.enqueue(made.id, source_id, key, sha, made.provenance.fetched_at, again=again)


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"[:64]


@dataclass
class Result:
    """What one drain did, by outcome."""

    outcomes: dict[str, int] = field(default_factory=dict)

    def count(self, outcome: str) -> None:
        self.outcomes[outcome] = self.outcomes.get(outcome, 0) + 1

    @property
    def finished(self) -> int:
        return sum(self.outcomes.values())


@dataclass(frozen=True)
class _Loaded:
    base: Brief
    article: Article
    prompt: ai.Prompt
    hit: Cached | None
    blocked: tuple[str, datetime] | None


class Drain:
    """Works the AI queue with `concurrency` calls in flight."""

    def __init__(
        self,
        store: Store,
        config: Config,
        clock: Clock,
        *,
        transport: fetch.Transport | None = None,
        worker: str | None = None,
    ) -> None:
        self.store = store
        self.config = config
        self.ai = config.brief.ai
        self.clock = clock
        self.transport = transport
        self.worker = worker or worker_name()
        self.template = ai.template(self.ai.prompt_path(Path(config.root)))
        self.version = ai.version(self.template)
        self.waiting: deque[tuple[Job, asyncio.Future[_Loaded | None]]] = deque()
        self.claiming: asyncio.Future[None] | None = None
        self.pacing = asyncio.Lock()
        self.next_call = 0.0  # time.monotonic() before which no call starts
        self.paused_until: datetime | None = None  # from a 429's Retry-After
        self.result = Result()
        self.empty = False
        self.closing: list[tuple[Job, dict[str, object]]] = []
        self.wake = asyncio.Event()
        self.judging: set[asyncio.Future[None]] = set()

    async def run(self, limit: int | None = None) -> Result:
        """Claim and finish due jobs until none is due (or `limit` were claimed)."""
        self.left = limit
        # A thread for each call in flight, the writer and a claim: the default pool (cores
        # + 4) would make store reads queue behind each other.
        threads = ThreadPoolExecutor(self.ai.concurrency + 2, thread_name_prefix="ai")
        asyncio.get_running_loop().set_default_executor(threads)
        agent = self.config.user_agent(__version__) + " ai"
        async with fetch.Chat(
            self.ai.endpoint(),
            self.ai.model,
            api_key=self.ai.api_key(),
            timeout=self.ai.timeout,
            max_tokens=self.ai.max_tokens,
            temperature=self.ai.temperature,
            user_agent=agent,
            clock=self.clock,
            transport=self.transport,
        ) as chat:
            self.chat = chat
            loops = asyncio.ensure_future(self._loops())
            await asyncio.gather(loops, self._writer(loops))
        return self.result

    async def _loops(self) -> None:
        await asyncio.gather(*(self._loop() for _ in range(self.ai.concurrency)))
        while self.judging:  # the answers still being turned into briefs
            await asyncio.gather(*self.judging)

    async def _loop(self) -> None:
        while True:
            got = await self._next()
            if got is None:
                return
            job, loading = got
            try:
                await self._work(job, await loading)
            except BriefError as e:  # the stored brief or article cannot be read
                await self._finish(job, "error", str(e), None)

    async def _next(self) -> tuple[Job, asyncio.Future[_Loaded | None]] | None:
        """The next claimed job with its load under way; claims run ahead of the loops (a
        batch is claimed while a call's worth of jobs is still waiting), so a loop goes from
        one answer straight to the next call."""
        while True:
            if len(self.waiting) < self.ai.concurrency and not self.empty and not self.claiming:
                self.claiming = asyncio.ensure_future(self._claim())
            if self.waiting:
                return self.waiting.popleft()
            if not self.claiming:
                return None
            await self.claiming

    async def _claim(self) -> None:
        """Claim a batch and start reading each job's brief, article and prompt."""
        try:
            batch = self.ai.concurrency * 2
            if self.left is not None:
                batch = min(batch, self.left)
            got = []
            if batch > 0:
                got = await asyncio.to_thread(
                    self.store.ai.claim, self.worker, self.clock(), limit=batch, lease=LEASE
                )
                if self.left is not None:
                    self.left -= len(got)
            for job in got:
                loading = asyncio.ensure_future(asyncio.to_thread(self._load, job))
                self.waiting.append((job, loading))
            if not got:
                self.empty = True
        finally:
            self.claiming = None

    def _load(self, job: Job) -> _Loaded | None:
        """In a thread, in one go: the brief, the article, the prompt, the cached answer
        and the budget (what a job needs before the model is asked)."""
        base = self.store.briefs.get(job.brief_id)
        article = self.store.items.article(job.item_id)
        if base is None or article is None:
            return None
        prompt = ai.prompt(article, self.template, self.config.brief.target_words)
        hit = self.store.ai.cached(cache_key(job.content_sha256, self.ai.model, self.version))
        blocked = self._over_budget() if hit is None else None
        return _Loaded(base, article, prompt, hit, blocked)

    async def _finish(
        self, job: Job, outcome: str, reason: str | None, made: Brief | None, **cost: object
    ) -> None:
        """Hand a finished job to the group commit (`_writer`), which counts it once written.
        The loop goes on meanwhile: a crash before the commit leaves the job claimed, and
        its lease running out gives it to a worker again (at most one extra call)."""
        done = {
            "outcome": outcome, "reason": reason, "now": self.clock(), "brief": made,
            "feeds": feed_names(made) if made is not None else None, **cost,
        }  # fmt: skip
        self.closing.append((job, done))
        self.wake.set()

    async def _writer(self, loops: asyncio.Future[Any]) -> None:
        """Write the finished jobs that piled up, in one transaction, until the loops end."""
        while True:
            if not self.closing:
                if loops.done():
                    return
                self.wake.clear()
                waiter: asyncio.Future[Any] = asyncio.ensure_future(self.wake.wait())
                await asyncio.wait({waiter, loops}, return_when=asyncio.FIRST_COMPLETED)
                waiter.cancel()
                continue
            batch, self.closing = self.closing, []
            try:
                await asyncio.to_thread(self.store.ai.finish_many, self.worker, batch)
            except Exception:  # the store failed: stop the drain (the jobs stay claimed)
                loops.cancel()
                raise
            for job, done in batch:
                outcome = str(done["outcome"])
                self.result.count(outcome)
                if outcome != "published":
                    log.info("ai brief %s fell back: %s", job.brief_id, done["reason"])

    def _retry(self, job: Job, outcome: str, reason: str, when: datetime, base: Brief) -> None:
        self.store.ai.retry(
            job, self.worker, when=when, outcome=outcome, reason=reason,
            brief=fallback(base, f"{reason} (retrying)"),
        )  # fmt: skip
        self.result.count(f"retry:{outcome}")

    async def _work(self, job: Job, loaded: _Loaded | None) -> None:
        if loaded is None:
            await self._finish(job, "stale", "brief or article gone", None)
            return
        base, prompt, hit = loaded.base, loaded.prompt, loaded.hit
        if base.provenance.content_sha256 != job.content_sha256:
            why = "the release changed since this job was queued"
            await self._finish(job, "stale", why, None)
            return
        latency = 0.0
        if hit is None:
            if loaded.blocked is not None:
                reason, when = loaded.blocked
                await asyncio.to_thread(self._retry, job, "budget", reason, when, base)
                return
            now = self.clock()
            if self.paused_until is not None and self.paused_until > now:
                wait = (self.paused_until - now).total_seconds()
                reason = f"rate_limited: waiting {wait:g} s for the endpoint's Retry-After"
                await asyncio.to_thread(
                    self._retry, job, "rate_limited", reason, self.paused_until, base
                )
                return
            try:
                await self._pace()
                form = ai.response_format() if self.ai.json_schema else None
                answer = await self.chat.complete(prompt.messages, form)
            except ChatError as e:
                await self._failed(job, e, base)
                return
            hit = Cached(answer.content, answer.prompt_tokens, answer.completion_tokens)
            latency = answer.latency
            # Cached in the transaction that closes the job (one write per job, not two).
            fresh: tuple[str, str, Cached] | None = (self.ai.model, self.version, hit)
        else:
            fresh = None
        # The answer is judged apart, so this call's slot goes on to the next job now.
        judged = asyncio.ensure_future(self._judge(job, loaded, hit, fresh, latency))
        self.judging.add(judged)
        judged.add_done_callback(self.judging.discard)

    async def _judge(
        self,
        job: Job,
        loaded: _Loaded,
        hit: Cached,
        fresh: tuple[str, str, Cached] | None,
        latency: float,
    ) -> None:
        """The brief from the model's answer, through the gate, to the group commit."""
        base, article = loaded.base, loaded.article
        cost: dict[str, object] = {
            "prompt_tokens": hit.prompt_tokens, "completion_tokens": hit.completion_tokens,
            "latency": latency, "cached": fresh is None, "answer": fresh,
        }  # fmt: skip
        try:
            made = ai.brief(
                hit.content, article, base, model=self.ai.model, prompt_version=self.version
            )
        except BriefError as e:
            reason = f"malformed: {e}"
            await self._finish(job, "malformed", reason, fallback(base, reason), **cost)
            return
        failed = ai.failure(made, article)
        if failed is not None:
            reason = f"gate: {failed}"
            await self._finish(job, "gate", reason, fallback(base, reason), **cost)
            return
        if self.ai.mode == "update":
            made = replace(made, updated=max(self.clock(), base.updated))
        await self._finish(job, "published", None, made, **cost)

    async def _failed(self, job: Job, e: ChatError, base: Brief) -> None:
        outcome = e.outcome
        transient = outcome in TRANSIENT or (e.status is not None and e.status >= 500)
        reason = f"{outcome}: {e}"
        now = self.clock()
        if e.retry_at is not None:
            self.paused_until = max(self.paused_until or e.retry_at, e.retry_at)
        if transient and job.attempts < self.ai.attempts:
            when = e.retry_at or now + timedelta(seconds=BACKOFF * 2 ** (job.attempts - 1))
            await asyncio.to_thread(self._retry, job, outcome, reason, when, base)
            return
        await self._finish(job, outcome, reason, fallback(base, reason))

    def _over_budget(self) -> tuple[str, datetime] | None:
        """The reason and the next UTC midnight when today's token budget is spent."""
        limit = self.ai.daily_tokens
        if not limit:
            return None
        now = self.clock()
        midnight = now.replace(hour=0, minute=0, second=0, microsecond=0)
        spent = self.store.ai.tokens_since(midnight)
        if spent < limit:
            return None
        log.warning(
            "ai: daily token budget of %d reached (%d spent); no calls until 00:00 UTC",
            limit,
            spent,
        )
        return (
            f"budget: daily token budget of {limit} reached ({spent} spent)",
            midnight + timedelta(days=1),
        )

    async def _pace(self) -> None:
        """Wait for the requests-per-minute spacing."""
        async with self.pacing:
            rpm = self.ai.requests_per_minute
            if rpm:
                gap = self.next_call - time.monotonic()
                if gap > 0:
                    await asyncio.sleep(gap)
                self.next_call = time.monotonic() + 60.0 / rpm


def run_once(store: Store, config: Config, clock: Clock) -> int:
    """Claim the AI jobs due now and finish them; how many were finished (a worker job kind)."""
    if config.brief.engine != "ai" and not config.brief.ai.sources:
        return 0
    result = asyncio.run(Drain(store, config, clock).run())
    return result.finished
