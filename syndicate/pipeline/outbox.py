"""The send half of mail: ledger rows in, messages sent and outcomes recorded.

`deliver_due` claims due rows in batches, renders each from the brief ids stored in the row
(through `Renderer`, which reads what a batch needs in one go and reuses rendering work
across recipients), sends them through the transport concurrently and records each outcome
through `Ledger`. `syndicate.pipeline.mail` decides what is owed; this module only sends.
"""

from __future__ import annotations

import asyncio
import os
import secrets
import socket
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import suppress
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import partial
from typing import Any, TypeVar

from syndicate import brief as briefs_stage
from syndicate import digest, tokens
from syndicate.clock import Clock
from syndicate.config import Config
from syndicate.deliver import Transport
from syndicate.errors import DeliveryError, PermanentFailure, StoreError, SyndicateError
from syndicate.model import Brief, Digest, Message, Subscriber
from syndicate.store import Store
from syndicate.store.deliveries import Delivery

T = TypeVar("T")


@dataclass
class Summary:
    """What one run did, by outcome."""

    made: int = 0
    sent: int = 0
    retry: int = 0
    failed: int = 0
    bounced: int = 0
    planned: list[tuple[str, str, int]] = field(default_factory=list)  # (key, email, briefs)

    def counts(self) -> dict[str, int]:
        return {
            "made": self.made,
            "sent": self.sent,
            "retry": self.retry,
            "failed": self.failed,
            "bounced": self.bounced,
        }

    def __str__(self) -> str:
        return ", ".join(f"{k} {v}" for k, v in self.counts().items())


def links(config: Config, key: bytes, subscriber: Subscriber) -> digest.Links:
    """A subscriber's signed unsubscribe and preferences links."""
    base = config.service.base_url.rstrip("/")
    unsub = tokens.make(key, "unsubscribe", subscriber.id, subscriber.secret)
    prefs = tokens.make(key, "preferences", subscriber.id, subscriber.secret)
    return digest.Links(f"{base}/unsubscribe/{unsub}", f"{base}/preferences/{prefs}", unsub)


class Renderer:
    """Renders ledger rows and digests, caching each brief's bodies for the run."""

    def __init__(self, store: Store, config: Config) -> None:
        self.store = store
        self.config = config
        self.letterhead = digest.Letterhead.from_config(config)
        self.composer = digest.Composer(self.letterhead)
        self.key = tokens.load_secret(config.web.secret_env, config.data_dir)
        self._briefs: dict[str, Brief] = {}
        self._bodies: dict[str, digest.Body] = {}
        self._subscribers: dict[int, Subscriber] = {}
        self._hidden: set[str] = set()  # taken down since their rows were planned

    def remember(self, found: Sequence[Brief]) -> None:
        """Seed the brief cache with briefs already read."""
        for b in found:
            self._briefs[b.id] = b

    def brief(self, brief_id: str) -> Brief:
        if brief_id not in self._briefs:
            found = self.store.briefs.get(brief_id)
            if found is None:
                raise StoreError(f"store: brief {brief_id} is gone")
            self._briefs[brief_id] = found
        return self._briefs[brief_id]

    def body(self, b: Brief) -> digest.Body:
        if b.id not in self._bodies:
            html, text = briefs_stage.render(b, "html"), briefs_stage.render(b, "text")
            self._bodies[b.id] = digest.Body(html, text)
        return self._bodies[b.id]

    def subscriber(self, subscriber_id: int) -> Subscriber:
        if subscriber_id not in self._subscribers:
            found = self.store.subscribers.get(subscriber_id)
            if found is None:
                raise StoreError(f"store: subscriber {subscriber_id} is gone")
            self._subscribers[subscriber_id] = found
        return self._subscribers[subscriber_id]

    def prefetch(self, rows: Sequence[Delivery]) -> None:
        """Read what a batch of ledger rows needs (subscribers, briefs) before rendering."""
        wanted = [r.subscriber_id for r in rows if r.subscriber_id not in self._subscribers]
        if wanted:
            self._subscribers.update(self.store.subscribers.many(wanted))
        ids = [i for r in rows for i in (*r.brief_ids, *r.corrections)]
        self._hidden |= self.store.briefs.hidden_ids(ids)
        for brief_id in ids:
            with suppress(StoreError):  # a missing brief is reported when rendering
                self.brief(brief_id)

    def owed(self, owed: digest.Owed) -> Message:
        """Render one digest."""
        shown = owed.digest.briefs
        bodies = {b.id: self.body(b) for b in shown}
        return self.composer.render(
            owed, bodies, links(self.config, self.key, owed.digest.subscriber)
        )

    def row(self, row: Delivery) -> Message:
        """Rebuild a ledger row's message as it was planned, less briefs taken down since."""
        sub = self.subscriber(row.subscriber_id)
        hidden = self._hidden
        shown = tuple(self.brief(i) for i in row.brief_ids if i not in hidden)
        if not shown:
            raise StoreError(f"store: every brief of {row.digest_key} was taken down")
        owed = digest.Owed(
            Digest(row.digest_key, sub, row.cadence, shown, row.more, row.created_at),
            tuple(self.brief(i) for i in row.corrections if i not in hidden),
        )
        return self.owed(owed)


def _worker() -> str:
    return f"{socket.gethostname()[:40]}:{os.getpid()}:{secrets.token_hex(3)}"


class Ledger:
    """The send loop's way to the store: one worker thread, so database calls neither
    block the event loop nor run two at once, and accepted messages are marked sent
    together when their batch is done (one statement; marking each as it was accepted cost
    a transaction a message). A crash before the mark resends the batch in hand once.
    """

    def __init__(self, store: Store, worker: str, clock: Clock) -> None:
        self.store = store
        self.worker = worker
        self.clock = clock
        self._thread = ThreadPoolExecutor(1, thread_name_prefix="ledger")
        self._accepted: list[tuple[int, str, datetime]] = []
        self._lock = asyncio.Lock()

    async def call(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """Run one store call on the ledger thread."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._thread, partial(fn, *args, **kwargs))

    def accepted(self, delivery_id: int, reply: str) -> None:
        """Note that the server accepted a message (marked at the next `flush`)."""
        self._accepted.append((delivery_id, reply, self.clock()))

    async def flush(self) -> int:
        """Mark every accepted message not marked yet."""
        async with self._lock:
            batch, self._accepted = self._accepted, []
            if not batch:
                return 0
            return await self.call(self.store.deliveries.sent_many, self.worker, batch)

    def close(self) -> None:
        self._thread.shutdown(wait=True)


async def _one(
    ledger: Ledger,
    config: Config,
    renderer: Renderer,
    transport: Transport,
    row: Delivery,
    summary: Summary,
) -> bool:
    """Send one claimed row and record the outcome; False on a transient failure."""
    mail = config.mail
    deliveries = ledger.store.deliveries
    try:
        message = renderer.row(row)
        reply = await transport.send(message)
    except PermanentFailure as e:
        summary.failed += 1
        bounced = await ledger.call(
            deliveries.fail, row.id, ledger.worker, str(e), bounce_after=mail.bounce_after
        )
        summary.bounced += int(bounced)
        return True
    except DeliveryError as e:  # TemporaryFailure, or a transport error of unknown kind
        delay = mail.retry_base * 2 ** max(row.attempts - 1, 0)
        at = ledger.clock() + timedelta(seconds=delay)
        status = await ledger.call(
            deliveries.retry, row.id, ledger.worker, str(e), at, max_attempts=mail.max_attempts
        )
        if status == "failed":
            summary.failed += 1
        else:
            summary.retry += 1
        return False
    except SyndicateError as e:  # a brief or subscriber vanished: this row cannot be built
        summary.failed += 1
        await ledger.call(deliveries.fail, row.id, ledger.worker, str(e), bounce_after=1 << 30)
        return True
    ledger.accepted(row.id, reply)
    return True


async def deliver_due(
    store: Store,
    config: Config,
    transport: Transport,
    *,
    clock: Clock | None = None,
    summary: Summary | None = None,
    stop: Callable[[], bool] | None = None,
) -> Summary:
    """Claim, render, send and mark every ledger row that is due now (`stop`: asked before
    each batch is claimed; the rows not claimed wait for the next run)."""
    summary = summary or Summary()
    clock = clock or store.clock
    renderer = Renderer(store, config)
    batch_size = max(8, config.mail.smtp.pool_size * 8)
    ledger = Ledger(store, _worker(), clock)
    try:
        await ledger.call(store.deliveries.cancel_inactive, clock())
        while not (stop is not None and stop()):
            rows = await ledger.call(
                store.deliveries.claim,
                ledger.worker,
                clock(),
                limit=batch_size,
                lease=config.mail.claim_lease,
            )
            if not rows:
                break
            await ledger.call(renderer.prefetch, rows)
            results = await asyncio.gather(
                *(_one(ledger, config, renderer, transport, r, summary) for r in rows)
            )
            summary.sent += await ledger.flush()
            if not any(results):
                break  # every message failed transiently: the relay is down; keep the rest
    finally:
        try:  # a batch cut short by an error: mark what the relay took before it
            summary.sent += await ledger.flush()
        finally:
            ledger.close()
    return summary
