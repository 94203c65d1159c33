"""Mail: store -> digest -> deliver, through the delivery ledger.

`run` does both halves: `plan` makes the digests that are due and records them in the
ledger (one transaction per batch of subscribers, with their cursors), then
`outbox.deliver_due` claims ledger rows, renders each message from the stored brief ids (so
a resent message is the same message, Message-ID included), sends it and records the
outcome. `retry` is the second half alone. `preview` and `send_confirmation` render without
the ledger.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from datetime import datetime
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Literal

from syndicate import deliver, digest, tokens
from syndicate.clock import Clock
from syndicate.config import Config
from syndicate.deliver import Transport
from syndicate.errors import StoreError
from syndicate.model import CADENCES, Brief, Cadence, Message, Subscriber
from syndicate.pipeline.outbox import Renderer, Summary, deliver_due, links
from syndicate.store import Store
from syndicate.store.deliveries import Owing, Planned

__all__ = [
    "Clock",
    "Renderer",
    "Summary",
    "deliver_due",
    "links",
    "owed",
    "plan",
    "preview",
    "retry",
    "run",
    "send_confirmation",
]

SLOT_KEY = "digest_slot:{cadence}"
RECORD_BATCH = 500


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
    stop: Callable[[], bool] | None = None,
) -> Summary:
    """Make the digests that are due and record them in the ledger (unless `dry_run`);
    `stop` is asked before each cadence (a cadence is planned whole or not at all)."""
    summary = summary or Summary()
    letterhead = digest.Letterhead.from_config(config)
    for cadence in cadences:
        if stop is not None and stop():
            break
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


def _transport(config: Config, transport: Transport | None) -> Transport:
    return transport if transport is not None else deliver.transport(config.mail, config.data_dir)


async def _send_all(
    store: Store,
    config: Config,
    transport: Transport | None,
    clock: Clock,
    summary: Summary,
    stop: Callable[[], bool] | None = None,
) -> Summary:
    chosen = _transport(config, transport)
    try:
        return await deliver_due(store, config, chosen, clock=clock, summary=summary, stop=stop)
    finally:
        await chosen.close()  # this loop's connections; the loop ends with this run


def run(
    store: Store,
    config: Config,
    *,
    cadence: str | None = None,
    dry_run: bool = False,
    transport: Transport | None = None,
    clock: Clock | None = None,
    stop: Callable[[], bool] | None = None,
) -> Summary:
    """Make what is due (one cadence or all) and send everything the ledger owes.

    `clock` (default: the store's) decides which digests are due and dates every outcome;
    `stop` (a signal) is asked between cadences and between batches of messages: what is
    planned and not sent stays in the ledger for the next run.
    """
    clock = clock or store.clock
    cadences: tuple[Cadence, ...] = CADENCES
    if cadence is not None:
        if cadence not in CADENCES:
            raise ValueError(f"mail: cadence {cadence!r} is not one of {', '.join(CADENCES)}")
        cadences = tuple(c for c in CADENCES if c == cadence)
    summary = plan(store, config, cadences, now=clock(), dry_run=dry_run, stop=stop)
    if dry_run or (stop is not None and stop()):
        return summary
    return asyncio.run(_send_all(store, config, transport, clock, summary, stop))


def retry(
    store: Store,
    config: Config,
    *,
    transport: Transport | None = None,
    clock: Clock | None = None,
    summary: Summary | None = None,
) -> Summary:
    """Send the ledger rows that are due (retries, and anything a crash left claimed)."""
    clock = clock or store.clock
    return asyncio.run(_send_all(store, config, transport, clock, summary or Summary()))


def run_once(store: Store, config: Config, clock: Clock) -> int:
    """`syndicate worker`'s mail job: send what the ledger owes; how many rows it settled.

    Rows are claimed a batch at a time (`FOR UPDATE SKIP LOCKED` on PostgreSQL), so any
    number of workers, on any machine sharing the store, send each message once. Planning
    digests stays with the daemon that holds the scheduler lock."""
    done = retry(store, config, clock=clock)
    return done.sent + done.retry + done.failed + done.bounced


Format = Literal["html", "text"]


def preview(store: Store, config: Config, email: str, fmt: Format, *, now: datetime) -> str | None:
    """What this subscriber would receive now, as text or HTML (None when nothing is owed)."""
    sub = store.subscribers.by_email(email)
    if sub is None:
        raise StoreError(f"no subscriber {email!r}")
    cursor = store.subscribers.cursor(sub.id)
    if sub.status != "active" or cursor is None:
        raise StoreError(f"{sub.email} is {sub.status}, not active: nothing is sent")
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


def last_sent(store: Store, config: Config, email: str, fmt: Format) -> tuple[datetime, str] | None:
    """The last message this subscriber was sent (when, and its text or HTML), rebuilt from
    the ledger as it was planned; None when nothing was ever sent."""
    sub = store.subscribers.by_email(email)
    if sub is None:
        raise StoreError(f"no subscriber {email!r}")
    rows = [r for r in store.deliveries.for_subscriber(sub.id) if r.status == "sent"]
    if not rows:
        return None
    row = rows[-1]
    return row.sent_at or row.created_at, _part(Renderer(store, config).row(row), fmt)


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
    store: Store,
    config: Config,
    transport: Transport | None,
    subscriber: Subscriber,
    *,
    now: datetime,
) -> str:
    """Render and send the confirmation message, dated and its link issued `now`; the reply."""
    key = tokens.load_secret(config.web.secret_env, config.data_dir)
    token = tokens.make(key, "confirm", subscriber.id, subscriber.secret, now=now)
    url = f"{config.service.base_url.rstrip('/')}/confirm/{token}"
    message = digest.confirmation(subscriber, url, digest.Letterhead.from_config(config), now)

    async def go() -> str:
        chosen = _transport(config, transport)
        try:
            return await chosen.send(message)
        finally:
            await chosen.close()  # only this loop's connections: the loop ends here

    return asyncio.run(go())
