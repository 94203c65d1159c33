"""The daemon behind `syndicate run`: APScheduler 3.x drives what the one-shot commands do.

Jobs: a poll tick (each source polled when due: interval, backoff, Retry-After, `<ttl>`),
publishing after new or updated briefs (and a periodic catch-up), digests at their cadences
in the configured time zone, delivery retries, daily housekeeping, and a heartbeat the web
side's /healthz reads. Jobs never overlap themselves, missed runs coalesce, and a job that
raises is logged while the scheduler goes on.

One active daemon per store: SQLite refuses a second one; on PostgreSQL a second one waits as
a standby on an advisory lock and takes over when the first stops or dies. A damaged store
(SQLite's quick_check, or tables and columns that differ from the migrations) is never
written to: the daemon checks at start and in the nightly housekeeping, and stops with
what to do. SIGTERM/SIGINT
stop new work, let the job in hand finish for a bounded time (every write is one transaction
and the delivery ledger is crash-safe, so abandoning after that is safe) and exit 0.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
import socket
import time
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from typing import Any

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from syndicate import logs
from syndicate.clock import utc_now
from syndicate.config import Config
from syndicate.errors import ConfigError, LockedError, StoreError
from syndicate.fetch import Fetcher
from syndicate.pipeline import aiwork, feeds, mail
from syndicate.pipeline.followup import follow_up, steps
from syndicate.pipeline.memo import Memo
from syndicate.pipeline.poll import make_fetcher, poll
from syndicate.store import Store, integrity

LOCK = "daemon"
POLL_TICK = 2.0  # seconds between checks for due sources (one cheap query)
HEARTBEAT = 5.0
RETRY_TICK = 30.0
REVIEW_TICK = 60.0  # seconds between looks for held briefs due to publish on their own
AI_TICK = 20.0  # seconds between drains of the AI queue (when the AI engine is on)
PUBLISH_CATCHUP = 600.0
STANDBY_WAIT = 2.0
STOP_GRACE = 20.0  # seconds the job in hand may take to finish after SIGTERM


# Jobs that log their own outcome line (`publish.done` comes from the publish pipeline);
# the job wrapper adds none, so each event is one line.
_OWN_LOG = frozenset({"heartbeat", "publish"})


def _level(name: str, result: object) -> int:
    """Debug for a retry run that did nothing (one every 30 s would fill the log), else info."""
    counts = getattr(result, "counts", None)
    if name == "deliver.retry" and callable(counts) and not any(counts().values()):
        return logging.DEBUG
    return logging.INFO


class Daemon:
    """One scheduler process over one store."""

    def __init__(self, config: Config, store: Store, *, web: bool | None = None) -> None:
        self.config = config
        self.store = store
        self.web = config.web.enabled if web is None else web
        self.owner = f"{socket.gethostname()}:{os.getpid()}"
        self.stopping = asyncio.Event()
        self.running: set[asyncio.Task[Any]] = set()
        self.threads = ThreadPoolExecutor(max_workers=2, thread_name_prefix="syndicate-job")
        self.fetcher: Fetcher | None = None
        self.bodies = Memo()  # feed bodies not parsed again while unchanged (`memo`)
        self.status = 0  # the exit status: 1 once the store was found damaged
        self.loop: asyncio.AbstractEventLoop | None = None  # set by run()

    async def run(self) -> int:
        """Run until SIGTERM/SIGINT; returns the exit status."""
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, self.stop)
        self.loop = loop
        problems = await asyncio.to_thread(self._integrity)
        if problems:
            self.threads.shutdown(wait=False)
            raise StoreError(
                f"run: the store is damaged, so the daemon will not write to it: "
                f"{'; '.join(problems[:3])}. To fix it: {integrity.advice(self.store)}"
            )
        if not await self._lock():
            return 0  # asked to stop while waiting as a standby
        logs.event("daemon.start", owner=self.owner, store=self.store.dialect, web=self.web)
        server_task = await self._start_web() if self.web else None
        scheduler = self._scheduler()
        scheduler.start()
        await self.stopping.wait()
        logs.event("daemon.stopping", running=len(self.running))
        # Pause, not shut down, while the job in hand finishes: APScheduler's asyncio
        # executor cancels running jobs on shutdown, which cut every poll short at once.
        scheduler.pause()
        if self.running:
            _, pending = await asyncio.wait(set(self.running), timeout=STOP_GRACE)
            for task in pending:
                task.cancel()
            if pending:
                await asyncio.wait(pending, timeout=5)
        scheduler.shutdown(wait=False)
        if server_task:
            self._server_exit()
            await asyncio.wait({server_task}, timeout=10)
        self.threads.shutdown(wait=True, cancel_futures=True)
        if self.fetcher is not None:
            await self.fetcher.aclose()
        self.store.meta.release_lock(LOCK)
        logs.event("daemon.stop", owner=self.owner)
        return self.status

    def _integrity(self) -> list[str]:
        """Check the store, record the verdict for /readyz (best effort), log a damage."""
        problems = integrity.check(self.store)
        integrity.record(self.store, problems, self.store.clock())
        if problems:
            logs.error("store.damaged", problems=problems, advice=integrity.advice(self.store))
        return problems

    def stop(self) -> None:
        """Stop taking new work; the job in hand finishes (SIGTERM/SIGINT)."""
        self.stopping.set()

    async def _lock(self) -> bool:
        if self.store.meta.acquire_lock(LOCK, self.owner):
            return True
        if self.store.dialect == "sqlite":
            raise LockedError(
                "run: another syndicate daemon is running on this store "
                f"({self.config.database_url}); stop it first"
            )
        logs.event("daemon.standby", owner=self.owner, reason="another daemon holds the lock")
        while not self.stopping.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.stopping.wait(), STANDBY_WAIT)
            if self.store.meta.acquire_lock(LOCK, self.owner):
                logs.event("daemon.takeover", owner=self.owner)
                return True
        return False

    def _scheduler(self) -> AsyncIOScheduler:
        zone = self.config.zone
        d = self.config.digests
        # A tick skipped while the last poll still runs is the design ("jobs never overlap"),
        # not a warning; our job wrapper logs what jobs do, in our format.
        logging.getLogger("apscheduler").setLevel(logging.ERROR)
        s = AsyncIOScheduler(
            timezone=zone,
            job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": 3600},
        )
        now = utc_now()  # APScheduler runs on the machine's clock, so its first runs do too
        s.add_job(
            self._job("poll", self._poll),
            IntervalTrigger(seconds=POLL_TICK),
            id="poll",
            next_run_time=now,
        )
        s.add_job(
            self._job("heartbeat", self._heartbeat),
            IntervalTrigger(seconds=HEARTBEAT),
            id="heartbeat",
            next_run_time=now,
        )
        s.add_job(
            self._job("publish", self._thread(lambda: feeds.publish(self.store, self.config))),
            IntervalTrigger(seconds=PUBLISH_CATCHUP),
            id="publish",
            next_run_time=now,
        )
        s.add_job(
            self._job("digest.daily", self._thread(lambda: self._digest("daily"))),
            CronTrigger(hour=d.daily_at.hour, minute=d.daily_at.minute, timezone=zone),
            id="digest-daily",
        )
        s.add_job(
            self._job("digest.weekly", self._thread(lambda: self._digest("weekly"))),
            CronTrigger(
                day_of_week=d.weekly_day[:3],  # APScheduler's mon..sun
                hour=d.weekly_at.hour,
                minute=d.weekly_at.minute,
                timezone=zone,
            ),
            id="digest-weekly",
        )
        s.add_job(
            self._job("deliver.retry", self._thread(lambda: mail.retry(self.store, self.config))),
            IntervalTrigger(seconds=RETRY_TICK),
            id="retry",
        )
        if self.config.brief.engine == "ai" or self.config.brief.ai.sources:
            # The AI engine's queue, drained beside the polls (never inside one); any number
            # of `syndicate worker` processes may drain it too.
            s.add_job(
                self._job(
                    "ai",
                    self._thread(
                        lambda: aiwork.run_once(self.store, self.config, self.store.clock)
                    ),
                ),
                IntervalTrigger(seconds=AI_TICK),
                id="ai",
                next_run_time=now,
            )
        after = self.config.review.auto_publish_after
        if after is not None:
            s.add_job(
                self._job("review.auto", self._thread(self._auto_publish)),
                # Looked for at least twice within the wait, so none waits much longer.
                IntervalTrigger(seconds=min(REVIEW_TICK, max(1.0, after / 2))),
                id="review-auto",
                next_run_time=now,
            )
        s.add_job(
            self._job("housekeeping", self._thread(self._housekeeping)),
            CronTrigger(hour=3, minute=17, timezone=zone),
            id="housekeeping",
        )
        return s

    def _job(self, name: str, fn: Callable[[], Awaitable[object]]) -> Callable[[], Any]:
        async def job() -> None:
            if self.stopping.is_set():
                return
            task = asyncio.current_task()
            assert task is not None
            self.running.add(task)
            t0 = time.monotonic()
            try:
                result = await fn()
                if result is not None and name != "poll":  # poll records its own
                    # /metrics shows how long each job last took.
                    self.store.meta.set(f"duration:{name}", f"{time.monotonic() - t0:.3f}")
                if name not in _OWN_LOG and not (name == "poll" and result is None):
                    logs.event(
                        f"{name}.done",
                        _level(name, result),
                        duration=round(time.monotonic() - t0, 3),
                        counts=result if result not in (None, {}) else None,
                    )
            except asyncio.CancelledError:
                # Only the shutdown cancels a job, after STOP_GRACE; the line says so, and
                # not raising keeps APScheduler from logging a traceback for it.
                logs.warning(f"{name}.abandoned", reason="shutdown")
            except Exception as e:  # a job that raises is logged; the scheduler goes on
                logs.error(f"{name}.failed", error=f"{type(e).__name__}: {e}")
            finally:
                self.running.discard(task)

        return job

    def _thread(self, fn: Callable[[], object]) -> Callable[[], Awaitable[object]]:
        async def run() -> object:
            return await asyncio.get_running_loop().run_in_executor(self.threads, fn)

        return run

    async def _poll(self) -> object:
        # One fetcher for the daemon's life: connections, robots.txt rules and per-host
        # spacing carry over from one tick to the next.
        if self.fetcher is None:
            self.fetcher = make_fetcher(self.config)
        # Feeds are published and immediate mail sent as each source finishes (freshness).
        summary = await poll(
            self.config, self.store, fetcher=self.fetcher,
            follow=steps(self.config, self.store), bodies=self.bodies,
        )  # fmt: skip
        if not summary.results:
            return None
        for r in summary.results:
            logs.event(
                "poll.source",
                logging.WARNING if r.outcome == "failed" else logging.INFO,
                source=r.source_id,
                url=r.url,
                status=r.status,
                outcome=r.outcome,
                new=r.new,
                updated=r.updated,
                failed=r.failed,
                rejected=r.rejected,
                error=r.error,
                duration=round(r.duration, 3),
            )
        if summary.changed:
            return summary.followups
        return summary.totals()

    async def _heartbeat(self) -> None:
        self.store.meta.set("scheduler_heartbeat", self.store.clock().isoformat())
        self.store.meta.heartbeat(LOCK, self.owner)

    def _auto_publish(self) -> object:
        """`[review] auto_publish_after`: approve what has waited that long, then publish it
        and send its immediate mail as an approval from the desk would."""
        from syndicate.pipeline import review

        approved = review.auto_publish_after(self.store, self.config, now=self.store.clock())
        if not approved:
            return None
        return {"approved": str(len(approved))} | follow_up(self.config, self.store)

    def _digest(self, cadence: str) -> object:
        return mail.run(self.store, self.config, cadence=cadence)

    def _housekeeping(self) -> object:
        if self._integrity():
            # Damage found while running: stop writing (the job in hand finishes), exit 1.
            self.status = 1
            if self.loop is not None:
                self.loop.call_soon_threadsafe(self.stop)
            return {"store": "damaged"}
        keep = self.config.housekeeping.keep_raw_days
        pruned = self.store.prune_raw(self.store.clock() - timedelta(days=keep))
        self.store.optimize()
        return {"raw_pruned": pruned}

    async def _start_web(self) -> asyncio.Task[None]:
        """Serve the web side; raise its error when it cannot listen (a taken port).

        The scheduler starts only after this, so an operator never gets a daemon that runs
        without the /healthz and pages they configured: `syndicate run` exits 2 instead.
        """
        from syndicate import web

        self._server = web.server(self.config, self.store)
        self._web_error: Exception | None = None
        task = asyncio.create_task(self._serve())
        while not (self._server.started or task.done() or self.stopping.is_set()):
            await asyncio.sleep(0.02)
        if task.done() and not self._server.started:
            self.threads.shutdown(wait=False)
            self.store.meta.release_lock(LOCK)
            logs.event("daemon.stop", owner=self.owner, reason="the web side cannot start")
            raise self._web_error or ConfigError("web: the server stopped before listening")
        if self._server.started:
            host, port = self.config.web.host, web.bound_port(self._server)
            shown = f"[{host}]" if ":" in host else host
            logs.event("web.listening", url=f"http://{shown}:{port}/")
        return task

    async def _serve(self) -> None:
        try:
            await self._server.serve()
        except Exception as e:
            self._web_error = e
            if self._server.started:  # a failure to start is raised by _start_web instead
                logs.error("web.failed", error=str(e))

    def _server_exit(self) -> None:
        server = getattr(self, "_server", None)
        if server is not None:
            server.should_exit = True


def run(config: Config, store: Store, *, web: bool | None = None) -> int:
    """Run the daemon in this process until it is told to stop."""
    return asyncio.run(Daemon(config, store, web=web).run())
