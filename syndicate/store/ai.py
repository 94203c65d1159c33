"""The AI engine's durable state: its job queue and its response cache.

Input: jobs the poll enqueues (a brief and the content hash it was made from), a worker's
claims and outcomes, and model answers to cache. Output: `Job` rows to work on, cached
answers, and the sums `/metrics` shows (outcomes, tokens, latency).

A job is claimed (`claimed`, with the worker and time) before the model is called; on
PostgreSQL with `FOR UPDATE SKIP LOCKED`, so several workers split the queue. `finish`
stores the brief (AI or extractive with its fallback reason) and closes the job in ONE
transaction; a worker that dies leaves its claim to expire after the lease. The cache is
keyed by (content hash, model, prompt version): the same release asked of the same model
with the same prompt is answered from the store, at no token cost.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    Column,
    Connection,
    Float,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
    and_,
    func,
    select,
)

from syndicate.codec import article_from_json, loads
from syndicate.model import Article, Brief
from syndicate.store import aicache, schema
from syndicate.store.aicache import Cached, ai_cache
from syndicate.store.dialects import claim, insert_ignore
from syndicate.store.schema import UtcDateTime

if TYPE_CHECKING:
    from syndicate.store.core import Store

# One row per (brief, content version) the AI engine is to brief.
ai_jobs = Table(
    "ai_jobs",
    schema.metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("brief_id", String(64), nullable=False),
    Column("item_id", Integer, nullable=False),
    Column("content_sha256", String(64), nullable=False),
    Column("status", String(16), nullable=False),  # pending, claimed, done
    Column("outcome", String(24)),  # published, gate, timeout, rate_limited, http, ...
    Column("reason", Text),
    Column("attempts", Integer, nullable=False, default=0),
    Column("next_attempt_at", UtcDateTime()),
    Column("claimed_at", UtcDateTime()),
    Column("claimed_by", String(64)),
    Column("prompt_tokens", Integer, nullable=False, default=0),
    Column("completion_tokens", Integer, nullable=False, default=0),
    Column("latency", Float, nullable=False, default=0.0),
    Column("cached", Integer, nullable=False, default=0),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("done_at", UtcDateTime()),
    UniqueConstraint("brief_id", "content_sha256", name="uq_ai_jobs_brief_content"),
)
Index("ix_ai_jobs_status", ai_jobs.c.status, ai_jobs.c.next_attempt_at)

OUTCOMES = (
    "published",
    "gate",
    "malformed",
    "timeout",
    "rate_limited",
    "http",
    "unreachable",
    "budget",
    "stale",
    "error",
)


@dataclass(frozen=True)
class Job:
    id: int
    brief_id: str
    item_id: int
    content_sha256: str
    status: str
    attempts: int
    outcome: str | None = None
    reason: str | None = None
    prompt_tokens: int = 0
    completion_tokens: int = 0
    latency: float = 0.0
    cached: bool = False


@dataclass(frozen=True)
class Stats:
    """What /metrics shows of the AI engine."""

    outcomes: dict[str, int]
    prompt_tokens: int
    completion_tokens: int
    latency: float
    calls: int
    queued: int


def _job(row: object) -> Job:
    m = row._mapping  # type: ignore[attr-defined]
    return Job(
        id=m["id"],
        brief_id=m["brief_id"],
        item_id=m["item_id"],
        content_sha256=m["content_sha256"],
        status=m["status"],
        attempts=m["attempts"],
        outcome=m["outcome"],
        reason=m["reason"],
        prompt_tokens=m["prompt_tokens"],
        completion_tokens=m["completion_tokens"],
        latency=m["latency"],
        cached=bool(m["cached"]),
    )


class AIJobs:
    """The AI queue and cache: `store.ai.enqueue(...)`, `claim`, `finish`, `retry`."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def enqueue(
        self,
        brief_id: str,
        source_id: str,
        key: str,
        content_sha256: str,
        now: datetime,
        *,
        again: bool = False,
    ) -> bool:
        """Queue the AI brief of one stored release; False when this version is queued
        already (`again`: a finished job of the same version is queued once more)."""
        items = schema.items
        with self.store.begin() as conn:
            item_id = conn.scalar(
                select(items.c.id).where(items.c.source_id == source_id, items.c.key == key)
            )
            if item_id is None:
                return False
            values = {
                "brief_id": brief_id,
                "item_id": item_id,
                "content_sha256": content_sha256,
                "status": "pending",
                "attempts": 0,
                "created_at": now,
                "prompt_tokens": 0,
                "completion_tokens": 0,
                "latency": 0.0,
                "cached": 0,
            }
            queued = conn.scalar(
                select(ai_jobs.c.id).where(
                    ai_jobs.c.brief_id == brief_id, ai_jobs.c.content_sha256 == content_sha256
                )
            )
            if queued is None:  # (False when a concurrent poll queued it first)
                return insert_ignore(conn, ai_jobs, values, ["brief_id", "content_sha256"])
            if not again:
                return False
            # A remade brief is extractive again: its AI brief is made again (from the cache).
            return bool(
                conn.execute(
                    ai_jobs.update()
                    .where(ai_jobs.c.brief_id == brief_id)
                    .where(ai_jobs.c.content_sha256 == content_sha256, ai_jobs.c.status == "done")
                    .values(status="pending", attempts=0, next_attempt_at=None, done_at=None)
                ).rowcount
            )

    def claim(self, worker: str, now: datetime, *, limit: int, lease: float) -> list[Job]:
        """Take up to `limit` due jobs (new, retry time reached, or a dead worker's)."""
        stale = now - timedelta(seconds=lease)
        c = ai_jobs.c
        ways = (
            and_(c.status == "pending", c.next_attempt_at.is_(None)),
            and_(c.status == "pending", c.next_attempt_at <= now),
            and_(c.status == "claimed", c.claimed_at < stale),
        )
        with self.store.begin() as conn:
            rows = claim(conn, ai_jobs, ways, worker, now, limit)
        return [_job(r) for r in rows]

    def finish(self, job: Job, worker: str, **done: Any) -> bool:
        """Store the brief (when given) and close the job, in one transaction; False when
        the claim was taken over by another worker (then nothing is written). See `close`."""
        return self.finish_many(worker, [(job, done)])[0]

    def finish_many(self, worker: str, jobs: Sequence[tuple[Job, dict[str, Any]]]) -> list[bool]:
        """Close several jobs in ONE transaction (a worker's group commit: on SQLite every
        write transaction waits for the one writer, so fewer of them drain faster)."""
        with self.store.begin() as conn:
            return [self._close(conn, job, worker, **done) for job, done in jobs]

    def _close(
        self,
        conn: Connection,
        job: Job,
        worker: str,
        *,
        outcome: str,
        reason: str | None,
        now: datetime,
        brief: Brief | None = None,
        feeds: Sequence[str] | None = None,
        material: bool = True,
        prompt_tokens: int = 0,
        completion_tokens: int = 0,
        latency: float = 0.0,
        cached: bool = False,
        answer: tuple[str, str, Cached] | None = None,
    ) -> bool:
        """One job closed: `answer` (model, prompt version, answer) is a fresh answer to
        cache, kept even when the claim was lost, since it was paid for."""
        briefs = schema.briefs
        if answer is not None:
            aicache.put(conn, job.content_sha256, *answer, now)
        done = conn.execute(
            ai_jobs.update()
            .where(ai_jobs.c.id == job.id, ai_jobs.c.claimed_by == worker)
            .where(ai_jobs.c.status == "claimed")
            .values(
                status="done",
                outcome=outcome,
                reason=reason,
                done_at=now,
                prompt_tokens=prompt_tokens,
                completion_tokens=completion_tokens,
                latency=latency,
                cached=int(cached),
            )
        ).rowcount
        if not done:
            return False
        if brief is not None:
            story = conn.scalar(select(briefs.c.story).where(briefs.c.id == brief.id))
            self.store.briefs.upsert(
                conn, brief, story=story or brief.id, feeds=feeds, material=material
            )
        return True

    def retry(
        self,
        job: Job,
        worker: str,
        *,
        when: datetime,
        outcome: str,
        reason: str,
        latency: float = 0.0,
        brief: Brief | None = None,
    ) -> bool:
        """Give a claimed job back to the queue, due again at `when`; `brief` (the published
        brief with the reason it is not yet the AI's) is stored in the same transaction."""
        briefs = schema.briefs
        with self.store.begin() as conn:
            moved = conn.execute(
                ai_jobs.update()
                .where(ai_jobs.c.id == job.id, ai_jobs.c.claimed_by == worker)
                .values(
                    status="pending",
                    next_attempt_at=when,
                    outcome=outcome,
                    reason=reason,
                    claimed_at=None,
                    claimed_by=None,
                    latency=ai_jobs.c.latency + latency,
                )
            ).rowcount
            if moved and brief is not None:
                story = conn.scalar(select(briefs.c.story).where(briefs.c.id == brief.id))
                self.store.briefs.upsert(conn, brief, story=story or brief.id, material=False)
            return bool(moved)

    def last(self, brief_id: str) -> Job | None:
        """The newest job of a brief."""
        with self.store.read() as conn:
            row = conn.execute(
                select(ai_jobs).where(ai_jobs.c.brief_id == brief_id).order_by(ai_jobs.c.id.desc())
            ).first()
            return _job(row) if row is not None else None

    def article(self, brief_id: str) -> Article | None:
        """The article a brief was last made from (what its citations are numbered in)."""
        items = schema.items
        with self.store.read() as conn:
            data = conn.scalar(
                select(items.c.article)
                .where(items.c.brief_id == brief_id, items.c.article.is_not(None))
                .order_by(items.c.updated_at.desc())
                .limit(1)
            )
        return article_from_json(loads(data)) if data else None

    def tokens_since(self, when: datetime) -> int:
        """Tokens paid for since `when`: every answer the model gave is in the cache once, so
        answers served from the cache (and jobs run again) are not counted twice."""
        with self.store.read() as conn:
            total = conn.scalar(
                select(func.sum(ai_cache.c.prompt_tokens + ai_cache.c.completion_tokens)).where(
                    ai_cache.c.created_at >= when
                )
            )
            return int(total or 0)

    def stats(self) -> Stats:
        """Outcome counts and sums over every finished job."""
        with self.store.read() as conn:
            counts: dict[str, int] = dict(
                conn.execute(
                    select(ai_jobs.c.outcome, func.count())
                    .where(ai_jobs.c.status == "done")
                    .group_by(ai_jobs.c.outcome)
                ).all()
            )
            tokens = conn.execute(
                select(func.sum(ai_cache.c.prompt_tokens), func.sum(ai_cache.c.completion_tokens))
            ).one()
            calls = conn.execute(
                select(func.sum(ai_jobs.c.latency), func.count()).where(
                    ai_jobs.c.status == "done", ai_jobs.c.cached == 0, ai_jobs.c.latency > 0
                )
            ).one()
            queued = conn.scalar(
                select(func.count()).select_from(ai_jobs).where(ai_jobs.c.status != "done")
            )
        return Stats(
            outcomes={str(k): int(v) for k, v in counts.items()},
            prompt_tokens=int(tokens[0] or 0),
            completion_tokens=int(tokens[1] or 0),
            latency=float(calls[0] or 0.0),
            calls=int(calls[1] or 0),
            queued=int(queued or 0),
        )

    def cached(self, key: str) -> Cached | None:
        """The cached answer under `key` (see `aicache.key`), or None."""
        with self.store.read() as conn:
            return aicache.get(conn, key)

    def cache(
        self, content_sha256: str, model: str, prompt_version: str, answer: Cached, now: datetime
    ) -> None:
        """Keep one model answer (an answer that is not a brief is kept too: asking again
        would give it again, at a cost)."""
        with self.store.begin() as conn:
            aicache.put(conn, content_sha256, model, prompt_version, answer, now)
