"""The editorial desk's tables: editors, their sessions, the audit log, and review state.

In: editor names and passwords, session tokens, brief ids and the decisions on them. Out:
verified editors, the editor behind a session, the queue of briefs under review, and the
log of who did what. Passwords are kept only as argon2id hashes (argon2-cffi, imported
here and nowhere else); session tokens only as their sha256, so a copy of the store opens
no session.

A held brief (`briefs.review` = 'held') has its feeds in `held_feeds`, so no feed, page
or digest holds it; `approve` moves them to `brief_feeds` and gives the brief a new seq,
which the next publish and digest pick up as a new brief. `reject` keeps it out with a
reason. `save` stores an editor's version of a brief (held: it stays held; published: it is
a correction, a material change the feeds show as an update).
"""

from __future__ import annotations

import functools
import hashlib
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import Connection, delete, func, insert, select, update

from syndicate.codec import article_from_json, brief_from_json, loads
from syndicate.errors import StoreError
from syndicate.model import Article, Brief
from syndicate.store import schema
from syndicate.store.briefs import next_seq

if TYPE_CHECKING:
    from syndicate.store.core import Store

briefs, reviews, held_feeds = schema.briefs, schema.reviews, schema.held_feeds
brief_feeds, editors, sessions, log = (
    schema.brief_feeds, schema.editors, schema.desk_sessions, schema.desk_log,
)  # fmt: skip

_HASHER = PasswordHasher()  # argon2id with the library's maintained defaults


@functools.cache
def _dummy() -> str:
    """A hash verified against when a name is unknown, so a wrong name costs as long as a
    wrong password. Made on first use: one argon2id hash takes 64 MiB and a third of a
    CPU second, which no command but a desk login should pay at import."""
    return _HASHER.hash(secrets.token_urlsafe(16))


@dataclass(frozen=True)
class Editor:
    name: str
    created_at: datetime
    password_at: datetime


@dataclass(frozen=True)
class Entry:
    """One line of the audit log."""

    id: int
    at: datetime
    editor: str
    action: str
    brief_id: str | None
    detail: str


@dataclass(frozen=True)
class Queued:
    """One brief as the desk's queue shows it."""

    id: str
    title: str
    agency: str
    sources: tuple[str, ...]
    engine: str
    state: str  # held, rejected, failed, hidden, published
    since: datetime  # held at, else published at
    reason: str | None
    brief: Brief


def _sha(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _state(review: str | None, hidden: datetime | None, problem: str | None) -> str:
    if hidden is not None:  # a takedown outranks the desk: a hidden brief is not waiting
        return "hidden"
    if review is not None:
        return review
    return "failed" if problem else "published"


class Desk:
    """Editors, sessions, the audit log and the review state of briefs."""

    def __init__(self, store: Store) -> None:
        self.store = store

    # Editors

    def add_editor(self, name: str, password: str, *, now: datetime) -> None:
        """A new editor; StoreError when the name is taken."""
        digest = _HASHER.hash(password)
        with self.store.begin() as conn:
            if conn.scalar(select(editors.c.name).where(editors.c.name == name)) is not None:
                raise StoreError(f"store: editor {name!r} already exists")
            conn.execute(
                insert(editors).values(
                    name=name, password_hash=digest, created_at=now, password_at=now
                )
            )

    def editors(self) -> list[Editor]:
        with self.store.read() as conn:
            rows = conn.execute(select(editors).order_by(editors.c.name)).all()
        return [Editor(r.name, r.created_at, r.password_at) for r in rows]

    def remove_editor(self, name: str) -> bool:
        """Remove an editor and end their sessions (the log keeps their name)."""
        with self.store.begin() as conn:
            conn.execute(delete(sessions).where(sessions.c.editor == name))
            return conn.execute(delete(editors).where(editors.c.name == name)).rowcount > 0

    def set_password(self, name: str, password: str, *, now: datetime) -> bool:
        """A new password; every session of the editor ends. False for an unknown name."""
        digest = _HASHER.hash(password)
        with self.store.begin() as conn:
            changed = conn.execute(
                update(editors)
                .where(editors.c.name == name)
                .values(password_hash=digest, password_at=now)
            ).rowcount
            conn.execute(delete(sessions).where(sessions.c.editor == name))
        return changed > 0

    def verify(self, name: str, password: str) -> bool:
        """Whether the password is this editor's (unknown names take as long to refuse)."""
        with self.store.read() as conn:
            digest = conn.scalar(select(editors.c.password_hash).where(editors.c.name == name))
        try:
            return _HASHER.verify(digest or _dummy(), password) and digest is not None
        except (VerificationError, InvalidHashError):
            return False

    # Sessions

    def open_session(self, editor: str, *, now: datetime, ttl: timedelta) -> str:
        """A new session for a verified editor; the token is the cookie's value."""
        token = secrets.token_urlsafe(32)
        with self.store.begin() as conn:
            conn.execute(delete(sessions).where(sessions.c.expires_at <= now))
            conn.execute(
                insert(sessions).values(
                    token_sha256=_sha(token), editor=editor, created_at=now, expires_at=now + ttl
                )
            )
        return token

    def session(self, token: str, *, now: datetime) -> str | None:
        """The editor whose live session this token is, else None."""
        if not token or len(token) > 128:
            return None
        with self.store.read() as conn:
            row = conn.execute(
                select(sessions.c.editor, sessions.c.expires_at).where(
                    sessions.c.token_sha256 == _sha(token)
                )
            ).first()
        if row is None or row.expires_at <= now:
            return None
        return str(row.editor)

    def close_session(self, token: str) -> None:
        with self.store.begin() as conn:
            conn.execute(delete(sessions).where(sessions.c.token_sha256 == _sha(token)))

    # The audit log

    def record(
        self, editor: str, action: str, brief_id: str | None, detail: str = "", *, now: datetime
    ) -> None:
        with self.store.begin() as conn:
            _record(conn, editor, action, brief_id, detail, now)

    def log(self, brief_id: str | None = None, limit: int = 500) -> list[Entry]:
        """The audit log, oldest first (one brief's, if asked)."""
        query = select(log)
        if brief_id is not None:
            query = query.where(log.c.brief_id == brief_id)
        query = query.order_by(log.c.id.desc()).limit(limit)
        with self.store.read() as conn:
            rows = conn.execute(query).all()
        return [Entry(r.id, r.at, r.editor, r.action, r.brief_id, r.detail) for r in rows[::-1]]

    # Review state

    def queue(
        self, *, published_since: datetime, limit: int = 200, only: str | None = None
    ) -> list[Queued]:
        """Held, rejected, failed and hidden briefs, and those published since a time (or
        the one brief `only`, whatever its state)."""
        b, r = briefs, reviews
        wanted = (
            b.c.id == only
            if only is not None
            else b.c.review.is_not(None)
            | b.c.problem.is_not(None)
            | b.c.hidden_at.is_not(None)
            | (b.c.published_at >= published_since)
        )
        query = (
            select(
                b.c.id, b.c.title, b.c.agency, b.c.data, b.c.review, b.c.hidden_at, b.c.problem,
                b.c.published_at, b.c.hidden_reason, r.c.held_at, r.c.reason,
            )
            .outerjoin(r, r.c.brief_id == b.c.id)
            .where(wanted)
            .order_by(func.coalesce(r.c.held_at, b.c.published_at).desc(), b.c.id)
            .limit(limit)
        )  # fmt: skip
        with self.store.read() as conn:
            rows = conn.execute(query).all()
            found = self._sources(conn, [row.id for row in rows])
        out = []
        for row in rows:
            brief = brief_from_json(loads(row.data))
            state = _state(row.review, row.hidden_at, row.problem)
            since = row.held_at if row.review is not None and row.held_at else row.published_at
            reason = row.reason if row.review else row.hidden_reason or row.problem
            out.append(
                Queued(
                    row.id, row.title, row.agency, found.get(row.id, ()),
                    brief.provenance.engine, state, since, reason, brief,
                )
            )  # fmt: skip
        return out

    def _sources(self, conn: Connection, ids: Sequence[str]) -> dict[str, tuple[str, ...]]:
        items = schema.items
        out: dict[str, list[str]] = {}
        for i in range(0, len(ids), 500):
            query = (
                select(items.c.brief_id, items.c.source_id)
                .where(items.c.brief_id.in_(list(ids[i : i + 500])))
                .distinct()
                .order_by(items.c.brief_id, items.c.source_id)
            )
            for row in conn.execute(query):
                out.setdefault(row.brief_id, []).append(row.source_id)
        return {k: tuple(v) for k, v in out.items()}

    def state(self, brief_id: str) -> Queued | None:
        """One brief's place on the desk, whatever its state."""
        found = self.queue(published_since=self.store.clock(), only=brief_id)
        return found[0] if found else None

    def article(self, brief_id: str) -> Article | None:
        """The extracted release a brief was made from (the newest, for a merged story)."""
        items = schema.items
        with self.store.read() as conn:
            data = conn.scalar(
                select(items.c.article)
                .where(items.c.brief_id == brief_id, items.c.article.is_not(None))
                .order_by(items.c.updated_at.desc(), items.c.id.desc())
                .limit(1)
            )
        return article_from_json(loads(data)) if data else None

    def approve(self, brief_id: str, editor: str, *, now: datetime) -> bool:
        """Publish a held (or rejected) brief; False when it is not waiting (a hidden brief
        is not: it goes back on the desk only when restored)."""
        with self.store.begin() as conn:
            row = conn.execute(
                select(briefs.c.review, briefs.c.hidden_at).where(briefs.c.id == brief_id)
            ).first()
            if row is None or row.review is None or row.hidden_at is not None:
                return False
            rows = conn.execute(select(held_feeds).where(held_feeds.c.brief_id == brief_id)).all()
            conn.execute(delete(held_feeds).where(held_feeds.c.brief_id == brief_id))
            if rows:
                conn.execute(
                    insert(brief_feeds),
                    [{"feed": r.feed, "brief_id": r.brief_id, "published_at": r.published_at}
                     for r in rows],
                )  # fmt: skip
            # A brief first published now is new to feeds and digests, not an edit.
            conn.execute(
                update(briefs)
                .where(briefs.c.id == brief_id)
                .values(review=None, seq=next_seq(conn, now), edits=0)
            )
            self._decide(conn, brief_id, editor, None, now)
            _record(conn, editor, "approve", brief_id, "", now)
        return True

    def reject(self, brief_id: str, editor: str, reason: str, *, now: datetime) -> bool:
        """Keep a held brief out, with a reason; False when it is not held (or is hidden)."""
        with self.store.begin() as conn:
            row = conn.execute(
                select(briefs.c.review, briefs.c.hidden_at).where(briefs.c.id == brief_id)
            ).first()
            if row is None or row.review != "held" or row.hidden_at is not None:
                return False
            conn.execute(update(briefs).where(briefs.c.id == brief_id).values(review="rejected"))
            self._decide(conn, brief_id, editor, reason, now)
            _record(conn, editor, "reject", brief_id, reason, now)
        return True

    def _decide(
        self, conn: Connection, brief_id: str, editor: str, reason: str | None, now: datetime
    ) -> None:
        conn.execute(
            update(reviews)
            .where(reviews.c.brief_id == brief_id)
            .values(decided_at=now, decided_by=editor, reason=reason)
        )

    def held_before(self, when: datetime) -> list[str]:
        """Briefs held (not rejected) since before `when`, oldest first."""
        with self.store.read() as conn:
            return list(
                conn.scalars(
                    select(briefs.c.id)
                    .join(reviews, reviews.c.brief_id == briefs.c.id)
                    .where(
                        briefs.c.review == "held",
                        briefs.c.hidden_at.is_(None),
                        reviews.c.held_at <= when,
                    )
                    .order_by(reviews.c.held_at, briefs.c.id)
                )
            )

    def save(self, brief: Brief, editor: str, action: str, detail: str, *, now: datetime) -> str:
        """Store an editor's version of a brief (same id, same feeds) and log it; the
        outcome as `Briefs.upsert` gives it."""
        with self.store.begin() as conn:
            row = conn.execute(
                select(briefs.c.story, briefs.c.hidden_at, briefs.c.review).where(
                    briefs.c.id == brief.id
                )
            ).first()
            if row is None:
                raise StoreError(f"store: no brief {brief.id!r}")
            table = schema.tombstones if row.hidden_at is not None else brief_feeds
            table = held_feeds if row.review is not None and row.hidden_at is None else table
            feeds = list(conn.scalars(select(table.c.feed).where(table.c.brief_id == brief.id)))
            outcome = self.store.briefs.upsert(conn, brief, story=row.story, feeds=feeds or None)
            _record(conn, editor, action, brief.id, detail, now)
        return outcome


def _record(
    conn: Connection, editor: str, action: str, brief_id: str | None, detail: str, now: datetime
) -> None:
    conn.execute(
        insert(log).values(at=now, editor=editor, action=action, brief_id=brief_id, detail=detail)
    )
