"""store -> brief HTML -> publish: rewrite the feed documents whose briefs changed.

Input: the store, the config. Output: files under `feeds/` (see README, Feeds) and a
`PublishSummary`. A feed is rebuilt when a brief in it has a `seq` above the feed's
`feed_state.seq`; for each such feed the subscription documents (`.atom`, `.rss`, `.json`)
and only the archive months its changes reach are rendered, and a document whose bytes did not
change is not rewritten.

Archives (RFC 5005): a feed's newest `entries` briefs are its subscription document; every
older brief is in the monthly archive of its release month, so each brief is in exactly one
document. Only the newest archive month ever gains entries; an archive is closed once a newer
one exists (it then carries its `next-archive` link) and is not written again, unless one of
its own briefs is edited, which rewrites just that month.

Isolation: a brief that cannot be rendered or serialised is left out of every document with
its reason (logged as `publish.skipped`, kept in the store for `syndicate sources` and
/metrics), and a document that cannot be built or written is reported and the others are
still written; such a feed is not marked published, so the next publish tries it again.
Taken-down briefs are tombstones in their feeds' Atom documents (RFC 6721).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from syndicate import __version__, logs
from syndicate import publish as stage
from syndicate.brief import render as render_brief
from syndicate.config import Config
from syndicate.errors import PublishError
from syndicate.model import Brief
from syndicate.pipeline.feednames import bounds, feed_names, month_of, title
from syndicate.store import Store
from syndicate.store.feeds import Key

Render = Callable[[Brief], str]
Ping = Callable[[str, list[str]], bool]
Stop = Callable[[], bool]


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


@dataclass
class _Run:
    store: Store
    config: Config
    render: Render
    links: stage.Links
    root: Path
    since: datetime
    # "id@updated" -> the entry's sanitised HTML and its XML per channel settings
    made: dict[str, tuple[str, dict[Any, bytes]]] = field(default_factory=dict)
    written: list[str] = field(default_factory=list)
    unchanged: int = 0
    skipped: dict[str, str] = field(default_factory=dict)  # brief id -> why
    fine: set[str] = field(default_factory=set)  # brief ids rendered without a problem
    checked: dict[str, str | None] = field(default_factory=dict)  # version -> its problem
    failed: dict[str, str] = field(default_factory=dict)  # document -> why

    def channel(
        self,
        feed: str,
        document: str,
        *,
        month: str | None = None,
        prev_archive: str | None = None,
        next_archive: str | None = None,
        deleted: tuple[stage.Deleted, ...] = (),
    ) -> stage.Channel:
        f = self.config.feeds
        return stage.Channel(
            feed=feed,
            title=title(self.config, feed),
            subtitle=f.subtitle,
            since=self.since,
            stylesheet=stage.stylesheet_href(document),
            labels=tuple(self.config.labels().items()),
            links=self.links,
            authority=f.tag_authority,
            author=f.author,
            rights=f.rights,
            icon=f.icon,
            logo=f.logo,
            hub=f.hub,
            generator="syndicate",
            version=__version__,
            month=month,
            prev_archive=prev_archive,
            next_archive=next_archive,
            deleted=deleted,
        )

    def entries(self, briefs: list[Brief]) -> list[stage.Entry]:
        """The briefs as entries, less those that cannot be rendered (recorded)."""
        out = []
        for b in briefs:
            if b.id in self.skipped:
                continue
            key = f"{b.id}@{b.updated.isoformat()}"
            made = self.made.get(key)
            if made is not None:
                entry = stage.Entry.ready(b, *made)
            else:
                try:  # rendered and sanitised once, for every document it is in
                    entry = stage.Entry(b, self.render(b))
                except Exception as e:  # a template or sanitiser error: this brief only
                    self._skip(b.id, f"publish: cannot render the brief: {type(e).__name__}: {e}")
                    continue
                # Its content and XML, not the brief: a document's briefs are read for it.
                self.made[key] = (entry.content, entry.fragments)
            if key not in self.checked:  # a brief is in several documents: check it once
                self.checked[key] = stage.problem(entry)
            why = self.checked[key]
            if why is not None:
                self._skip(b.id, why)
                continue
            self.fine.add(b.id)
            out.append(entry)
        return out

    def _skip(self, brief_id: str, why: str) -> None:
        self.skipped[brief_id] = why
        self.fine.discard(brief_id)
        logs.warning("publish.skipped", brief=brief_id, reason=why)

    def document(
        self,
        relative: str,
        builder: stage.Builder,
        channel: stage.Channel,
        entries: list[stage.Entry],
    ) -> bool:
        """Build and write one document; False when unchanged or failed (recorded)."""
        try:
            built = stage.build(builder, channel, entries)
            for brief_id, why in built.skipped.items():
                self._skip(brief_id, why)
            return self.write(relative, built.data)
        except PublishError as e:
            self.failed[relative] = str(e)
            logs.error("publish.failed", document=relative, error=str(e))
            return False

    def write(self, relative: str, data: bytes) -> bool:
        if stage.write(self.root / relative, data, durable=self.config.feeds.fsync):
            self.written.append(relative)
            return True
        self.unchanged += 1
        return False

    def feed(self, feed: str, changed: list[Key] | None) -> bool:
        """Rebuild one feed: its subscription documents and the archive months `changed`
        reaches (every month when `changed` is None). True when the Atom document changed."""
        plan = self.plan(feed, changed)
        for month in sorted(plan.months):
            self._archive(feed, month, plan.boundary)
        return self.subscription(feed, plan)

    def plan(self, feed: str, changed: list[Key] | None) -> _Plan:
        """What rebuilding a feed takes: its window, and the archive months to write."""
        limit = self.config.feeds.entries
        feeds = self.store.feeds
        window = feeds.latest(feed, limit)
        tail = feeds.keys(feed, limit - 1, 1 + max(len(changed or ()), 1))
        boundary = tail[0] if len(window) == limit and tail else None
        newest = month_of(tail[1].published) if boundary and len(tail) > 1 else None

        months: set[str] = set()
        if changed is None:
            months = self._all_months(feed, newest) if newest else set()
        else:
            # Entries pushed out of the window, and changed briefs outside it (an edit, a late
            # arrival, or a brief edited out of this feed: its month must drop it).
            months = {month_of(k.published) for k in tail[1:]} if boundary else set()
            months |= {month_of(k.published) for k in changed if boundary is None or k < boundary}
            if months and boundary is not None:
                before = feeds.older(feed, bounds(min(months))[0])
                # It may need its next-archive link now (unless it has it already).
                if before is not None and not self._links_to(feed, month_of(before), min(months)):
                    months.add(month_of(before))
        return _Plan(window, boundary, newest, months)

    def subscription(self, feed: str, plan: _Plan) -> bool:
        """The feed's Atom, RSS and JSON documents; True when the Atom document changed."""
        entries = self.entries(plan.window)
        gone = self.store.takedowns.tombstones(feed, self.config.feeds.entries)
        deleted = tuple(stage.Deleted(t.brief_id, t.hidden_at) for t in gone)
        channel = self.channel(feed, f"{feed}.atom", prev_archive=plan.newest, deleted=deleted)
        changed_atom = self.document(f"{feed}.atom", stage.atom, channel, entries)
        self.document(f"{feed}.rss", stage.rss, channel, entries)
        self.document(f"{feed}.json", stage.json_feed, channel, entries)
        return changed_atom

    def whole(self, feeds: list[str], stop: Stop | None) -> dict[str, _Plan]:
        """The archives of feeds rebuilt whole (a full rebuild, feeds never published),
        written month by month across the feeds: a brief's entry, made once for all its
        feeds, is kept only while its month is written, so a rebuild holds one month of
        entries, not the store. Returns the feeds' plans (empty if `stop` said stop)."""
        plans = {feed: self.plan(feed, None) for feed in feeds}
        for month in sorted(set().union(*(p.months for p in plans.values()))):
            if stop is not None and stop():
                return {}
            for feed, plan in plans.items():
                if month in plan.months:
                    self._archive(feed, month, plan.boundary)
            self.made.clear()
        return plans

    def failed_in(self, feed: str) -> bool:
        """Whether a document of the feed (subscription or archive) failed in this run."""
        own = {f"{feed}.atom", f"{feed}.rss", f"{feed}.json"}
        return any(d in own or d.startswith(f"archive/{feed}/") for d in self.failed)

    def _links_to(self, feed: str, month: str, later: str) -> bool:
        """Whether the archive of `month` on disk links to the archive of `later` (the only
        later month an archive names is its next-archive), so it need not be rebuilt."""
        try:
            data = (self.root / f"archive/{feed}/{month}.atom").read_bytes()
        except OSError:
            return False
        return self.links.archive(feed, later).encode("utf-8") in data

    def _all_months(self, feed: str, newest: str) -> set[str]:
        months = {newest}
        month = newest
        while (before := self.store.feeds.older(feed, bounds(month)[0])) is not None:
            month = month_of(before)
            months.add(month)
        return months

    def _archive(self, feed: str, month: str, boundary: Key | None) -> None:
        feeds = self.store.feeds
        start, end = bounds(month)
        briefs = feeds.between(feed, start, end, boundary) if boundary else []
        relative = f"archive/{feed}/{month}.atom"
        if not briefs:  # its only briefs were edited out of this feed
            if stage.remove(self.root / relative):
                self.written.append(relative)
            return
        before = feeds.older(feed, start)
        after = feeds.newer(feed, end, boundary) if boundary else None
        channel = self.channel(
            feed,
            relative,
            month=month,
            prev_archive=month_of(before) if before else None,
            next_archive=month_of(after) if after else None,
        )
        self.document(relative, stage.atom, channel, self.entries(briefs))

    def directory(self, names: list[str]) -> None:
        listed = [stage.Listed(n, title(self.config, n)) for n in names]
        f = self.config.feeds
        name = title(self.config, "all")
        self.write("feeds.opml", stage.opml(name, self.links, listed))
        self.write("index.html", stage.index_html(name, f.subtitle, self.links, listed))
        self.write(stage.STYLESHEET, stage.stylesheet(self.config.service.name, self.links))


@dataclass(frozen=True)
class _Plan:
    """One feed's rebuild: its subscription window and the archive months to write."""

    window: list[Brief]
    boundary: Key | None  # the newest brief not in the window, when there is one
    newest: str | None  # the newest archive month
    months: set[str]


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
    run = _Run(
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
