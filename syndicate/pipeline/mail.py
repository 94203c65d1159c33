"""Mail: store -> digest -> deliver, through the delivery ledger.

`run` does both halves: `plan` makes the digests that are due and records them in the
ledger (one transaction per batch of subscribers, with their cursors), then `deliver`
claims ledger rows, renders each message from the stored brief ids (so a resent message is
the same message, Message-ID included), sends it and records the outcome. `retry` is the
second half alone. `preview` and `send_confirmation` render without the ledger.
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
from datetime import UTC, datetime, timedelta
from email import message_from_bytes, policy
from email.message import EmailMessage
from functools import partial
from typing import Any, Literal, TypeVar

from syndicate import brief as briefs_stage
from syndicate import deliver, digest, tokens
from syndicate.config import Config
from syndicate.deliver import Transport
from syndicate.errors import DeliveryError, PermanentFailure, StoreError, SyndicateError
from syndicate.model import CADENCES, Brief, Cadence, Digest, Message, Subscriber
from syndicate.store import Store
from syndicate.store.deliveries import Delivery, Owing, Planned

Clock = Callable[[], datetime]
T = TypeVar("T")
SLOT_KEY = "digest_slot:{cadence}"
RECORD_BATCH = 500


def _now() -> datetime:
    return datetime.now(UTC)


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
        for r in rows:
            for brief_id in (*r.brief_ids, *r.corrections):
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
        """Rebuild a ledger row's message exactly as it was planned."""
        sub = self.subscriber(row.subscriber_id)
        owed = digest.Owed(
            Digest(
                row.digest_key,
                sub,
                row.cadence,
                tuple(self.brief(i) for i in row.brief_ids),
                row.more,
                row.created_at,
            ),
            tuple(self.brief(i) for i in row.corrections),
        )
        return self.owed(owed)


def _due(store: Store, config: Config, cadence: Cadence, now: datetime) -> str | None:
    """The slot key due for a cadence ("" for immediate), or None when it was done."""
    when = digest.slot(cadence, now, config.digests, config.zone)
    if when is None:
        return ""
    key = digest.key(cadence, when, config.zone)
    return None if store.meta.get(SLOT_KEY.format(cadence=cadence)) == key else key


def owed(
    store: Store, config: Config, cadence: Cadence, key: str, now: datetime
) -> tuple[list[tuple[Subscriber, int, list[digest.Owed]]], list[Brief]]:
    """What each active subscriber of a cadence is owed for slot `key`, and the briefs read."""
    subs = store.subscribers.active(cadence)
    if key:
        done = store.deliveries.keyed(key)
        subs = [(s, c) for s, c in subs if s.id not in done]
    if not subs:
        return [], []
    changes = store.briefs.changes(min(c for _, c in subs))
    if not changes:
        return [], []
    top = changes[-1].seq
    sent = store.deliveries.sent_brief_ids([s.id for s, _ in subs])
    result = []
    for sub, cursor in subs:
        candidates = [c.brief for c in changes if c.seq > cursor]
        found = digest.make(
            sub,
            candidates,
            sent[sub.id],
            key=key,
            cadence=cadence,
            settings=config.digests,
            now=now,
        )
        if found:
            result.append((sub, top, found))
    return result, [c.brief for c in changes]


def plan(
    store: Store,
    config: Config,
    cadences: Sequence[Cadence] = CADENCES,
    *,
    now: datetime,
    dry_run: bool = False,
    summary: Summary | None = None,
) -> Summary:
    """Make the digests that are due and record them in the ledger (unless `dry_run`)."""
    summary = summary or Summary()
    letterhead = digest.Letterhead.from_config(config)
    for cadence in cadences:
        key = _due(store, config, cadence, now)
        if key is None:
            continue
        due, _ = owed(store, config, cadence, key, now)
        owings = []
        for sub, cursor, found in due:
            planned = tuple(
                Planned(
                    o.digest.key,
                    letterhead.message_id(o.digest.key, sub.id),
                    cadence,
                    tuple(b.id for b in o.digest.briefs),
                    tuple(b.id for b in o.corrections),
                    o.digest.more,
                )
                for o in found
            )
            owings.append(Owing(sub.id, cursor, planned))
            summary.planned += [(p.digest_key, sub.email, len(p.brief_ids)) for p in planned]
        if dry_run:
            continue
        for i in range(0, len(owings), RECORD_BATCH):
            summary.made += store.deliveries.record(owings[i : i + RECORD_BATCH], now)
        if key:
            store.meta.set(SLOT_KEY.format(cadence=cadence), key, now=now)
    return summary


def _worker() -> str:
    return f"{socket.gethostname()[:40]}:{os.getpid()}:{secrets.token_hex(3)}"


class Ledger:
    """The send loop's way to the store: one worker thread, so database calls neither
    block the event loop nor run two at once, and accepted messages are marked sent in
    small batches (those accepted while the previous batch was being written)."""

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

    async def accepted(self, delivery_id: int, reply: str) -> int:
        """Record that the server accepted a message; how many rows this call marked."""
        self._accepted.append((delivery_id, reply, self.clock()))
        return await self.flush()

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
    marked = await ledger.accepted(row.id, reply)  # awaited first: `+=` must not span it
    summary.sent += marked
    return True


async def deliver_due(
    store: Store,
    config: Config,
    transport: Transport,
    *,
    clock: Clock = _now,
    summary: Summary | None = None,
) -> Summary:
    """Claim, render, send and mark every ledger row that is due now."""
    summary = summary or Summary()
    renderer = Renderer(store, config)
    ledger = Ledger(store, _worker(), clock)
    batch_size = max(8, config.mail.smtp.pool_size * 8)
    try:
        await ledger.call(store.deliveries.cancel_inactive, clock())
        while True:
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
            marked = await ledger.flush()
            summary.sent += marked
            if not any(results):
                break  # every message failed transiently: the relay is down; keep the rest
    finally:
        ledger.close()
    return summary


def _transport(config: Config, transport: Transport | None) -> Transport:
    return transport if transport is not None else deliver.transport(config.mail, config.data_dir)


async def _send_all(
    store: Store, config: Config, transport: Transport | None, clock: Clock, summary: Summary
) -> Summary:
    chosen = _transport(config, transport)
    try:
        return await deliver_due(store, config, chosen, clock=clock, summary=summary)
    finally:
        if transport is None:
            await chosen.close()


def run(
    store: Store,
    config: Config,
    *,
    cadence: str | None = None,
    dry_run: bool = False,
    transport: Transport | None = None,
    clock: Clock = _now,
) -> Summary:
    """Make what is due (one cadence or all) and send everything the ledger owes."""
    cadences: tuple[Cadence, ...] = CADENCES
    if cadence is not None:
        if cadence not in CADENCES:
            raise ValueError(f"mail: cadence {cadence!r} is not one of {', '.join(CADENCES)}")
        cadences = tuple(c for c in CADENCES if c == cadence)
    summary = plan(store, config, cadences, now=clock(), dry_run=dry_run)
    if dry_run:
        return summary
    return asyncio.run(_send_all(store, config, transport, clock, summary))


def retry(
    store: Store,
    config: Config,
    *,
    transport: Transport | None = None,
    clock: Clock = _now,
    summary: Summary | None = None,
) -> Summary:
    """Send the ledger rows that are due (retries, and anything a crash left claimed)."""
    return asyncio.run(_send_all(store, config, transport, clock, summary or Summary()))


Format = Literal["html", "text"]


def preview(store: Store, config: Config, email: str, fmt: Format, *, now: datetime) -> str | None:
    """What this subscriber would receive now, as text or HTML (None when nothing is owed)."""
    sub = store.subscribers.by_email(email)
    if sub is None:
        raise StoreError(f"store: no subscriber {email!r}")
    cursor = store.subscribers.cursor(sub.id)
    if sub.status != "active" or cursor is None:
        raise StoreError(f"store: {sub.email} is {sub.status}, not active: nothing is sent")
    changes = store.briefs.changes(cursor)
    sent = store.deliveries.sent_brief_ids([sub.id])[sub.id]
    when = digest.slot(sub.cadence, now, config.digests, config.zone) or now
    found = digest.make(
        sub,
        [c.brief for c in changes],
        sent,
        key=digest.key(sub.cadence, when, config.zone),
        cadence=sub.cadence,
        settings=config.digests,
        now=now,
    )
    if not found:
        return None
    renderer = Renderer(store, config)
    parts = [_part(renderer.owed(o), fmt) for o in found]
    return "\n\n".join(parts)


def _part(message: Message, fmt: Format) -> str:
    parsed = message_from_bytes(message.data, policy=policy.default)
    assert isinstance(parsed, EmailMessage)
    body = parsed.get_body(("html",) if fmt == "html" else ("plain",))
    content = body.get_content() if body is not None else ""
    if fmt == "html":
        return str(content)
    headers = "".join(f"{k}: {parsed[k]}\n" for k in ("From", "To", "Subject"))
    return headers + "\n" + str(content)


def send_confirmation(
    store: Store, config: Config, transport: Transport | None, subscriber: Subscriber
) -> str:
    """Render and send the confirmation message now; the server's reply."""
    key = tokens.load_secret(config.web.secret_env, config.data_dir)
    token = tokens.make(key, "confirm", subscriber.id, subscriber.secret)
    url = f"{config.service.base_url.rstrip('/')}/confirm/{token}"
    message = digest.confirmation(subscriber, url, digest.Letterhead.from_config(config), _now())

    async def go() -> str:
        chosen = _transport(config, transport)
        try:
            return await chosen.send(message)
        finally:
            if transport is None:
                await chosen.close()

    return asyncio.run(go())
