"""store -> brief HTML -> publish: rewrite the feed documents whose briefs changed.

Input: the store, the config. Output: files under `feeds/` (see README, Feeds) and a
`PublishSummary`. A feed is rebuilt when a brief in it has a `seq` above the feed's
`feed_state.seq`; for each such feed the subscription documents (`.atom`, `.rss`, `.json`)
and only the archive months its changes reach are rendered (by `pipeline.feedrun`, which also
holds the archive layout), and a document whose bytes did not change is not rewritten.

Isolation: a brief that cannot be rendered or serialised is left out of every document with
its reason (kept in the store for `syndicate sources` and /metrics), and a document that
cannot be built or written is reported and the others are still written; such a feed is not
marked published, so the next publish tries it again. Changed feeds are announced to the
WebSub hub, and pings the hub did not take are retried on the next publish.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from syndicate import __version__, logs
from syndicate import publish as stage
from syndicate.brief import render as render_brief
from syndicate.config import Config
from syndicate.errors import PublishError
from syndicate.model import Brief
from syndicate.pipeline.feednames import feed_names
from syndicate.pipeline.feedrun import Render, Run, Stop
from syndicate.store import Store
from syndicate.store.feeds import Key

Ping = Callable[[str, list[str]], bool]


@dataclass(frozen=True)
class PublishSummary:
    """What one publish did."""

    feeds: tuple[str, ...] = ()  # feeds whose documents were rebuilt
    written: tuple[str, ...] = ()  # files replaced, relative to the feeds directory
    unchanged: int = 0  # documents rendered but identical to the file, so left alone
    pinged: tuple[str, ...] = ()  # feed URLs the WebSub hub accepted
    pending: tuple[str, ...] = ()  # feed URLs the hub did not take; retried next publish
    skipped: tuple[str, ...] = ()  # "brief id: why" for briefs left out of every document
    failed: tuple[str, ...] = ()  # "document: why" for documents not written
    stopped: bool = False  # a signal stopped the run between feeds

    def __str__(self) -> str:
        return self.line()

    def line(self) -> str:
        """One line for the operator."""
        text = (
            f"publish: {len(self.feeds)} feeds rebuilt, {len(self.written)} files written, "
            f"{self.unchanged} unchanged"
        )
        if self.pinged:
            text += f", hub told of {len(self.pinged)}"
        if self.pending:
            text += f", {len(self.pending)} pings pending (hub unreachable)"
        if self.skipped:
            text += f", {len(self.skipped)} briefs skipped"
        if self.failed:
            text += f", {len(self.failed)} documents failed"
        if self.stopped:
            text += " (stopped early; the next publish finishes)"
        return text


def brief_html(brief: Brief) -> str:
    """The brief's HTML rendering (the publish stage sanitises it again)."""
    return render_brief(brief, "html")


def _changed(store: Store, names: list[str], top: int) -> dict[str, list[Key] | None]:
    """Feeds with briefs above their published seq, and those briefs' keys (None for a feed
    never published: all of it is new)."""
    states = store.feeds.states()
    out: dict[str, list[Key] | None] = dict.fromkeys(n for n in names if n not in states)
    floor = min((states.get(n, 0) for n in names), default=0)
    changes = store.feeds.changes(floor, top)
    if not changes:
        return out
    seqs = {c.brief_id: c.seq for c in changes}
    for feed, key in store.feeds.memberships(names, seqs):
        if feed in states and seqs[key.brief_id] > states[feed]:
            keys = out.setdefault(feed, [])
            if keys is not None:
                keys.append(key)
    # An edit may take a brief out of a feed (a topic no longer applies), and the store keeps
    # only its new feeds: every published feed is looked at again for it. Edits are rare,
    # and a feed it was never in renders to the same bytes, so nothing is rewritten there.
    for c in changes:
        if c.edits == 0:
            continue
        key = Key(c.published, c.brief_id)
        for feed in names:
            keys = out.get(feed, [])
            if feed in states and c.seq > states[feed] and keys is not None and key not in keys:
                out[feed] = [*keys, key]
    return out


def publish(
    store: Store,
    config: Config,
    *,
    full: bool = False,
    now: datetime | None = None,
    render: Render | None = None,
    ping: Ping | None = None,
    stop: Stop | None = None,
    progress: Callable[[str], None] | None = None,
) -> PublishSummary:
    """Publish what changed since the last publish (everything with `full`); `stop` is
    asked between feeds (a signal: the feeds not reached are published next time);
    `progress` is called with each feed's name once it is written (for a progress display)."""
    now = now or store.clock()
    names = feed_names(config)
    top = store.feeds.top()
    run = Run(
        store=store,
        config=config,
        render=render or brief_html,
        links=stage.Links(config.service.base_url),
        root=config.feeds_dir,
        since=store.feeds.since(now),
    )
    work = dict.fromkeys(names) if full else _changed(store, names, top)
    announce: list[str] = []
    done: list[str] = []
    whole = [feed for feed in names if feed in work and work[feed] is None]
    plans = run.whole(whole, stop) if len(whole) > 1 else {}
    stopped = len(whole) > 1 and not plans
    for feed in names:
        if feed not in work or stopped:
            continue
        if stop is not None and stop():
            stopped = True
            break
        plan = plans.get(feed)
        atom_changed = run.subscription(feed, plan) if plan else run.feed(feed, work[feed])
        if atom_changed:
            announce += [run.links.feed(feed, ext) for ext in ("atom", "rss", "json")]
        if not run.failed_in(feed):
            done.append(feed)
        if progress is not None:
            progress(feed)
    if (work or full) and not stopped:
        try:
            run.directory(names)
        except PublishError as e:
            run.failed["feeds.opml, index.html"] = str(e)
            logs.error("publish.failed", document="index.html", error=str(e))
    if work or full:
        # A feed that failed (or was not reached) keeps its old seq: the next publish retries.
        store.feeds.mark(done if (stopped or run.failed) else names, top, now)
    store.briefs.set_problems(run.skipped, sorted(run.fine))
    pinged, pending = _announce(store, config, announce, now, ping)
    summary = PublishSummary(
        feeds=tuple(n for n in names if n in work),
        written=tuple(run.written),
        unchanged=run.unchanged,
        pinged=tuple(pinged),
        pending=tuple(pending),
        skipped=tuple(f"{k}: {v}" for k, v in sorted(run.skipped.items())),
        failed=tuple(f"{k}: {v}" for k, v in sorted(run.failed.items())),
        stopped=stopped,
    )
    logs.event(
        "publish.done",
        logging.WARNING if summary.failed or summary.skipped else logging.INFO,
        feeds=len(summary.feeds),
        written=len(summary.written),
        unchanged=summary.unchanged,
        pending=len(summary.pending),
        skipped=len(summary.skipped) or None,
        failed=len(summary.failed) or None,
    )
    return summary


def _announce(
    store: Store, config: Config, urls: list[str], now: datetime, ping: Ping | None
) -> tuple[list[str], list[str]]:
    """Tell the hub about changed feeds, with any earlier failures; never raises."""
    hub = config.feeds.hub
    if not hub:
        return [], []
    earlier = store.feeds.pending_pings()
    wanted = sorted(set(earlier) | set(urls))
    if not wanted:
        return [], []
    notify = ping or (lambda h, u: stage.ping(h, u, user_agent=config.user_agent(__version__)))
    if notify(hub, wanted):
        if earlier:
            store.feeds.set_pending_pings([], now)
        return wanted, []
    store.feeds.set_pending_pings(wanted, now)
    return [], wanted
