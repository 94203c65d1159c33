"""Subscribers: addresses, status, cadence, filters and the secret their links are signed with.

Input: addresses as people type them, filters, status changes. Output: `Subscriber` values.
Addresses are validated and normalised here (`normalise`), so every caller (CLI, import,
web form) stores the same spelling and one address is one row. A subscriber's digest cursor
(`last_digest_seq`) starts at the newest brief when they become active, so nobody is mailed
the archive.
"""

from __future__ import annotations

import json
import re
import secrets
from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import Connection, Row, delete, func, insert, select

from syndicate.errors import StoreError, SyndicateError
from syndicate.model import CADENCES, Cadence, Subscriber, SubscriberStatus
from syndicate.store import schema
from syndicate.text import squash

if TYPE_CHECKING:
    from syndicate.store.core import Store

subscribers = schema.subscribers
briefs = schema.briefs

# RFC 5321 section 4.5.3.1.1: a local part is at most 64 octets.
_LOCAL_MAX = 64


class BadAddress(SyndicateError):
    """An email address that cannot be stored; the message says why, in plain words."""


def normalise(email: str) -> str:
    """A valid address in one canonical spelling (lower case, IDNA domain); else BadAddress.

    Syntax is email-validator's (RFC 5322 dot-atoms, RFC 5321 lengths, IDNA 2008 domains,
    special-use names such as `.invalid` refused). Internationalised local parts need
    SMTPUTF8 (RFC 6531) end to end, which the delivery stage does not negotiate, so they
    are refused with that reason instead of failing at the relay later."""
    raw = email.strip()
    shown = raw[:80]
    if not raw:
        raise BadAddress("an email address is needed")
    try:
        found = validate_email(
            raw.removesuffix("."),  # a trailing dot on the domain is the root: harmless
            check_deliverability=False,
            allow_smtputf8=False,
            allow_quoted_local=False,
            allow_domain_literal=False,
        )
    except EmailNotValidError as e:
        raise BadAddress(f"{shown!r} is not an email address: {_sentence(str(e))}") from None
    local, domain = found.local_part, found.ascii_domain
    if len(local) > _LOCAL_MAX:
        raise BadAddress(
            f"{shown!r} is not an email address: the part before the @-sign is longer than "
            f"{_LOCAL_MAX} characters"
        )
    # Local parts are case-sensitive in theory (RFC 5321 section 2.4) and never in practice;
    # folding case is what keeps "Ana@x.gov" and "ana@x.gov" from being two subscribers.
    return f"{local.lower()}@{domain.lower()}"


def _sentence(reason: str) -> str:
    """email-validator's reason as the tail of our sentence: first letter lower-cased."""
    reason = reason.strip()
    return reason[:1].lower() + reason[1:] if reason[1:2].islower() else reason


def clean_name(name: str | None) -> str | None:
    """A display name with no control characters (so no header line breaks), or None."""
    if name is None:
        return None
    cleaned = squash(re.sub(r"[\r\n\t\u0085\u2028\u2029]", " ", name))[:100]
    return cleaned or None


def _cadence(value: str) -> Cadence:
    if value not in CADENCES:
        raise StoreError(f"cadence {value!r} is not one of {', '.join(CADENCES)}")
    return value


def _filters(values: Sequence[str], upper: bool) -> str:
    cleaned = sorted(
        {v.strip().upper() if upper else v.strip().lower() for v in values if v.strip()}
    )
    return json.dumps(cleaned)


def subscriber_from_row(row: Row[Any]) -> Subscriber:
    """A `subscribers` row as a `Subscriber`."""
    return Subscriber(
        id=row.id,
        email=row.email,
        status=row.status,
        cadence=row.cadence,
        secret=row.secret,
        created=row.created_at,
        name=row.name,
        agencies=tuple(json.loads(row.agencies)),
        topics=tuple(json.loads(row.topics)),
        confirmed=row.confirmed_at,
        unsubscribed=row.unsubscribed_at,
        last_digest_at=row.last_digest_at,
    )


def _max_seq(conn: Connection) -> int:
    return int(conn.scalar(select(func.max(briefs.c.seq))) or 0)


class Subscribers:
    """The `subscribers` table."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def get(self, subscriber_id: int) -> Subscriber | None:
        """One subscriber by id."""
        with self.store.read() as conn:
            row = conn.execute(select(subscribers).where(subscribers.c.id == subscriber_id)).first()
        return subscriber_from_row(row) if row is not None else None

    def many(self, ids: Sequence[int]) -> dict[int, Subscriber]:
        """Several subscribers by id, in one query per 500."""
        found: dict[int, Subscriber] = {}
        unique = sorted(set(ids))
        with self.store.read() as conn:
            for i in range(0, len(unique), 500):
                rows = conn.execute(
                    select(subscribers).where(subscribers.c.id.in_(unique[i : i + 500]))
                )
                for row in rows:
                    found[row.id] = subscriber_from_row(row)
        return found

    def by_email(self, email: str) -> Subscriber | None:
        """One subscriber by address (any spelling of it); None when unknown or invalid."""
        try:
            address = normalise(email)
        except BadAddress:
            return None
        with self.store.read() as conn:
            row = conn.execute(select(subscribers).where(subscribers.c.email == address)).first()
        return subscriber_from_row(row) if row is not None else None

    def secret_of(self, subscriber_id: int) -> str | None:
        """The secret a subscriber's links are signed with (for `tokens.verify`)."""
        with self.store.read() as conn:
            value = conn.scalar(
                select(subscribers.c.secret).where(subscribers.c.id == subscriber_id)
            )
        return str(value) if value is not None else None

    def cursor(self, subscriber_id: int) -> int | None:
        """The seq of the newest brief a subscriber's digests have covered."""
        with self.store.read() as conn:
            value = conn.scalar(
                select(subscribers.c.last_digest_seq).where(subscribers.c.id == subscriber_id)
            )
        return int(value) if value is not None else None

    def all(self, *, status: SubscriberStatus | None = None) -> list[Subscriber]:
        """Every subscriber (or those with one status), oldest first."""
        query = select(subscribers).order_by(subscribers.c.id)
        if status is not None:
            query = query.where(subscribers.c.status == status)
        with self.store.read() as conn:
            return [subscriber_from_row(r) for r in conn.execute(query)]

    def active(self, cadence: Cadence | None = None) -> list[tuple[Subscriber, int]]:
        """Active subscribers (of one cadence), each with their digest cursor (a brief seq)."""
        query = select(subscribers).where(subscribers.c.status == "active")
        if cadence is not None:
            query = query.where(subscribers.c.cadence == cadence)
        with self.store.read() as conn:
            rows = conn.execute(query.order_by(subscribers.c.id)).all()
        return [(subscriber_from_row(r), int(r.last_digest_seq)) for r in rows]

    def upsert(
        self,
        email: str,
        cadence: str = "daily",
        agencies: Sequence[str] = (),
        topics: Sequence[str] = (),
        *,
        name: str | None = None,
        confirmed: bool = False,
        now: datetime | None = None,
    ) -> tuple[Subscriber, bool]:
        """Add an address, or update the one already there; (subscriber, created).

        New addresses are `pending` unless `confirmed`. An existing address takes the new
        cadence and filters (and name, when given); `confirmed` makes it active again.
        """
        address = normalise(email)
        when = now or self.store.clock()
        values: dict[str, Any] = {
            "cadence": _cadence(cadence),
            "agencies": _filters(agencies, upper=True),
            "topics": _filters(topics, upper=False),
        }
        if name is not None:
            values["name"] = clean_name(name)
        with self.store.begin() as conn:
            row = conn.execute(select(subscribers).where(subscribers.c.email == address)).first()
            if row is None:
                values |= {
                    "email": address,
                    "status": "active" if confirmed else "pending",
                    "secret": secrets.token_urlsafe(24),
                    "created_at": when,
                    "confirmed_at": when if confirmed else None,
                    "last_digest_seq": _max_seq(conn),
                    "bounces": 0,
                }
                ident = conn.execute(insert(subscribers).values(**values)).inserted_primary_key
                subscriber_id = int(ident[0]) if ident else 0
            else:
                subscriber_id = row.id
                if confirmed and row.status != "active":
                    values |= {
                        "status": "active",
                        "confirmed_at": row.confirmed_at or when,
                        "unsubscribed_at": None,
                        "bounces": 0,
                        "last_digest_seq": _max_seq(conn),
                    }
                conn.execute(
                    subscribers.update().where(subscribers.c.id == subscriber_id).values(**values)
                )
            fresh = conn.execute(select(subscribers).where(subscribers.c.id == subscriber_id)).one()
        return subscriber_from_row(fresh), row is None

    def add(
        self,
        email: str,
        cadence: str = "daily",
        agencies: Sequence[str] = (),
        topics: Sequence[str] = (),
        *,
        name: str | None = None,
        confirmed: bool = False,
        now: datetime | None = None,
    ) -> Subscriber:
        """Add (or update) an address; see `upsert`."""
        return self.upsert(
            email, cadence, agencies, topics, name=name, confirmed=confirmed, now=now
        )[0]

    def _change(self, subscriber_id: int, **values: Any) -> Subscriber:
        with self.store.begin() as conn:
            if "last_digest_seq" in values:
                values["last_digest_seq"] = _max_seq(conn)
            conn.execute(
                subscribers.update().where(subscribers.c.id == subscriber_id).values(**values)
            )
            row = conn.execute(select(subscribers).where(subscribers.c.id == subscriber_id)).first()
        if row is None:
            raise StoreError(f"store: no subscriber {subscriber_id}")
        return subscriber_from_row(row)

    def update(
        self,
        subscriber_id: int,
        cadence: str,
        agencies: Sequence[str] = (),
        topics: Sequence[str] = (),
    ) -> Subscriber:
        """Change a subscriber's cadence and filters."""
        return self._change(
            subscriber_id,
            cadence=_cadence(cadence),
            agencies=_filters(agencies, upper=True),
            topics=_filters(topics, upper=False),
        )

    def resubscribe(
        self,
        subscriber_id: int,
        cadence: str,
        agencies: Sequence[str] = (),
        topics: Sequence[str] = (),
        *,
        now: datetime | None = None,
    ) -> Subscriber:
        """Back to `pending` with new choices (a confirmation is needed again)."""
        return self._change(
            subscriber_id,
            status="pending",
            cadence=_cadence(cadence),
            agencies=_filters(agencies, upper=True),
            topics=_filters(topics, upper=False),
        )

    def confirm(self, subscriber_id: int, *, now: datetime | None = None) -> Subscriber:
        """Activate: mail starts with briefs published from now on."""
        return self._change(
            subscriber_id,
            status="active",
            confirmed_at=now or self.store.clock(),
            unsubscribed_at=None,
            bounces=0,
            last_digest_seq=0,  # replaced by the newest brief's seq in `_change`
        )

    def unsubscribe(self, subscriber_id: int, *, now: datetime | None = None) -> Subscriber:
        """Stop all mail; the row stays so the address is not mailed again by mistake."""
        return self._change(
            subscriber_id, status="unsubscribed", unsubscribed_at=now or self.store.clock()
        )

    def set_status(self, subscriber_id: int, status: SubscriberStatus) -> Subscriber:
        """Set a status directly (e.g. `complained` from a feedback loop report)."""
        return self._change(subscriber_id, status=status)

    def remove(self, email: str) -> bool:
        """Delete an address and its delivery history; False when it was not there."""
        found = self.by_email(email)
        if found is None:
            return False
        with self.store.begin() as conn:
            for table in (schema.sent_briefs, schema.deliveries):
                conn.execute(delete(table).where(table.c.subscriber_id == found.id))
            conn.execute(delete(subscribers).where(subscribers.c.id == found.id))
        return True
