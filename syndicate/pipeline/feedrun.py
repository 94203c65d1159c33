"""One publish run over the feeds: a feed's documents from its briefs in the store.

Input: the store, the config, a brief renderer, the feeds directory. Output: the feed's
subscription documents (`.atom`, `.rss`, `.json`) and RFC 5005 monthly archives written under
`feeds/` (a document whose bytes did not change is not rewritten), and the run's record: files
written, documents unchanged, briefs skipped and documents failed, with their reasons.

Archives (RFC 5005): a feed's newest `entries` briefs are its subscription document; every
older brief is in the monthly archive of its release month, so each brief is in exactly one
document. Only the newest archive month ever gains entries; an archive is closed once a newer
one exists (it then carries its `next-archive` link) and is not written again, unless one of
its own briefs is edited, which rewrites just that month.

Isolation: a brief that cannot be rendered or serialised is left out of every document with
its reason (logged as `publish.skipped`), and a document that cannot be built or written is
recorded (logged as `publish.failed`) while the others are still written. Taken-down briefs
are tombstones in their feeds' Atom documents (RFC 6721).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from syndicate import __version__, logs
from syndicate import publish as stage
from syndicate.config import Config
from syndicate.errors import PublishError
from syndicate.model import Brief
from syndicate.pipeline.feednames import bounds, month_of, title
from syndicate.store import Store
from syndicate.store.feeds import Key

Render = Callable[[Brief], str]
Stop = Callable[[], bool]


@dataclass
class Run:
    """One publish run: what it has made, written and recorded so far."""

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

    def plan(self, feed: str, changed: list[Key] | None) -> Plan:
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
        return Plan(window, boundary, newest, months)

    def subscription(self, feed: str, plan: Plan) -> bool:
        """The feed's Atom, RSS and JSON documents; True when the Atom document changed."""
        entries = self.entries(plan.window)
        gone = self.store.takedowns.tombstones(feed, self.config.feeds.entries)
        deleted = tuple(stage.Deleted(t.brief_id, t.hidden_at) for t in gone)
        channel = self.channel(feed, f"{feed}.atom", prev_archive=plan.newest, deleted=deleted)
        changed_atom = self.document(f"{feed}.atom", stage.atom, channel, entries)
        self.document(f"{feed}.rss", stage.rss, channel, entries)
        self.document(f"{feed}.json", stage.json_feed, channel, entries)
        return changed_atom

    def whole(self, feeds: list[str], stop: Stop | None) -> dict[str, Plan]:
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
class Plan:
    """One feed's rebuild: its subscription window and the archive months to write."""

    window: list[Brief]
    boundary: Key | None  # the newest brief not in the window, when there is one
    newest: str | None  # the newest archive month
    months: set[str]
