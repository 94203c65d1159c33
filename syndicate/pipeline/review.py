"""The review step between the gate and the feeds: which briefs wait for an editor, and
what an editor's decision does.

    policy(config) -> hold?          `[review] mode`: off, ai (engine "ai/..."), all
    install(store, config)           new briefs of this store are held by that policy
    approve / reject                 publish a held brief, or keep it out with a reason
    save(store, id, edit, ...)       an editor's version, through the gate (a correction
                                     when the brief was already published)
    auto_publish_after(store, ...)   publish what has waited longer than configured

Every decision is recorded in the desk's audit log with the editor and the time.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from syndicate.config import Config
from syndicate.config.ai import uses_ai
from syndicate.errors import StoreError
from syndicate.model import Brief, Correction
from syndicate.store import Store

if TYPE_CHECKING:  # the brief stage loads with the first edit, not with every poll
    from syndicate.brief.faithful import Verdict
    from syndicate.pipeline import edits

AUTO = "auto-publish"  # the editor name the log gives automatic approvals


def is_ai(brief: Brief) -> bool:
    """Whether the AI engine wrote this brief (its engine name starts "ai/")."""
    return brief.provenance.engine.startswith("ai/")


def policy(config: Config) -> Callable[[Brief, str], bool]:
    """Whether a new brief (of the source with this id) waits for an editor under `[review]`.

    In mode "ai" a brief waits when the AI engine wrote it, and also when its source uses the
    AI engine: the poll stores the extractive brief first and the AI worker replaces it
    later, so the extractive one waits with it (the replacement stays held, and an editor
    approves whichever version the worker leaves: the AI brief, or the extractive one with
    the reason it fell back)."""
    mode = config.review.mode
    if mode == "all":
        return lambda brief, source_id: True
    if mode == "ai":
        engine, ai = config.brief.engine, config.brief.ai
        return lambda brief, source_id: is_ai(brief) or uses_ai(engine, ai, source_id)
    return lambda brief, source_id: False


def install(store: Store, config: Config) -> None:
    """Hold this store's new briefs as `[review]` says."""
    store.briefs.hold = policy(config)


def approve(store: Store, brief_id: str, editor: str, *, now: datetime) -> bool:
    """Publish a held or rejected brief (feeds, pages, immediate mail, the next digest)."""
    return store.desk.approve(brief_id, editor, now=now)


def reject(store: Store, brief_id: str, editor: str, reason: str, *, now: datetime) -> bool:
    """Keep a held brief out of every feed, page and digest, with a reason."""
    if not reason.strip():
        raise StoreError("review: a rejection needs a reason")
    return store.desk.reject(brief_id, editor, reason.strip(), now=now)


def auto_publish_after(store: Store, config: Config, *, now: datetime) -> list[str]:
    """Approve every brief held longer than `[review] auto_publish_after`; their ids."""
    after = config.review.auto_publish_after
    if after is None:
        return []
    due = store.desk.held_before(now - timedelta(seconds=after))
    return [i for i in due if store.desk.approve(i, AUTO, now=now)]


@dataclass(frozen=True)
class Saved:
    """What became of an edit: stored (`brief`), or refused with the gate's reasons."""

    brief: Brief
    verdicts: tuple[Verdict, ...]
    correction: bool
    stored: bool

    @property
    def refused(self) -> list[str]:
        return [f"{v.check}: {v.reason}" for v in self.verdicts if not v.ok]


def save(
    store: Store, brief_id: str, edit: edits.Edit, editor: str, note: str, *, now: datetime
) -> Saved:
    """Check an editor's version of a brief and store it when the gate passes.

    A brief already published (not held, not rejected) is corrected: `note` (what changed)
    is required, the brief records "Corrected on DATE: note", `updated` moves and the feeds
    republish it as an update under the same id. A refused edit changes nothing and is logged.
    """
    state = store.desk.state(brief_id)
    article = store.desk.article(brief_id)
    if state is None:
        raise StoreError(f"review: no brief {brief_id!r}")
    if article is None:
        raise StoreError(f"review: the release of {brief_id} is not stored; it cannot be checked")
    before = state.brief
    from syndicate.pipeline import edits

    after = edits.apply(before, article, edit, editor, now)
    correction = state.state not in ("held", "rejected")
    if correction and not note.strip():
        raise StoreError("review: a correction needs a note saying what changed")
    verdicts = tuple(edits.verdicts(after, article))
    if any(not v.ok for v in verdicts):
        why = "; ".join(f"{v.check}: {v.reason}" for v in verdicts if not v.ok)
        store.desk.record(editor, "refused", brief_id, why, now=now)
        return Saved(after, verdicts, correction, stored=False)
    if after == before:
        return Saved(after, verdicts, correction, stored=False)
    if correction:
        fix = Correction(now, " ".join(note.split()), editor)
        after = replace(after, corrections=(*before.corrections, fix), updated=now)
    change = edits.diff(before, after)
    action = "correct" if correction else "edit"
    store.desk.save(after, editor, action, change, now=now)
    if after.context != before.context:
        store.desk.record(editor, "context", brief_id, after.context.text if after.context else "",
                          now=now)  # fmt: skip
    return Saved(after, verdicts, correction, stored=True)
