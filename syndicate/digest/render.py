"""Rendering: a digest, its briefs' bodies and the subscriber's links in; a `Message` out.

Both bodies come from the same context, so the text and HTML parts always hold the same
briefs. The HTML is a table layout (Outlook's Word engine ignores most CSS layout) whose CSS
is inlined with css-inline (Gmail drops `<style>` in some clients); the one media query is
kept in its own `<style>`. Headers follow RFC 5322, RFC 2369 / 2919 (List-*) and RFC 8058
(one-click unsubscribe). Every header value passes `header_text`, so nothing a subscriber or a
source wrote can start a new header line.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from email.utils import format_datetime, make_msgid
from functools import lru_cache
from html import escape
from typing import Any
from urllib.parse import quote

import css_inline

from syndicate import templating
from syndicate.digest import mime
from syndicate.digest.letterhead import Letterhead, Links, header_text
from syndicate.digest.select import Owed
from syndicate.errors import ConfigError
from syndicate.model import Brief, Message, Subscriber

_INLINER = css_inline.CSSInliner(keep_style_tags=False, load_remote_stylesheets=False)


@dataclass(frozen=True)
class Body:
    """One brief rendered by the brief stage, as HTML and as plain text."""

    html: str
    text: str


def _day(when: datetime, letterhead: Letterhead) -> str:
    """`Apr 7, 2025`: with the year, since a digest is read (and kept) long after."""
    local = when.astimezone(letterhead.zone)
    return f"{local:%b} {local.day}, {local.year}"


def subject(owed: Owed, letterhead: Letterhead) -> str:
    """The Subject line from the configured template."""
    digest = owed.digest
    count = len(digest.briefs) + digest.more
    first = digest.briefs[0]
    template = letterhead.subject_immediate if digest.cadence == "immediate" else letterhead.subject
    values = {
        "count": count,
        "s": "" if count == 1 else "s",
        # The subject is read the day it arrives (its Date header has the year): day only.
        "date": _day(digest.made_at or first.published, letterhead).rsplit(",", 1)[0],
        "title": first.title,
        "agency": first.agency,
        "service": letterhead.name,
    }
    try:
        return header_text(template.format(**values), 200)
    except (KeyError, IndexError, ValueError) as e:
        key = "subject_immediate" if digest.cadence == "immediate" else "subject"
        raise ConfigError(
            f"config: digests.{key} = {template!r}: unknown placeholder {e}; "
            "use {count}, {s}, {date}, {title}, {agency}, {name}"
        ) from None


def _page(brief: Brief, letterhead: Letterhead) -> str:
    """The brief's own page on our site (its `Sources:` line links the original release)."""
    return f"{letterhead.base_url}/briefs/{brief.id}"


def _entry(brief: Brief, body: Body, letterhead: Letterhead) -> dict[str, Any]:
    return {
        "title": brief.title,
        "url": _page(brief, letterhead),
        "original": brief.url,
        "agency": brief.agency,
        "source_name": brief.source_name,
        "date": _day(brief.published, letterhead),
        "html": templating.markup(body.html),
        # The brief's text rendering may open with its title; the digest prints its own.
        "text": body.text.strip().removeprefix(brief.title).strip(),
    }


def _why(subscriber: Subscriber, email: str, letterhead: Letterhead) -> str:
    scope = []
    if subscriber.agencies:
        scope.append("agencies " + ", ".join(subscriber.agencies))
    if subscriber.topics:
        scope.append("topics " + ", ".join(subscriber.topics))
    what = " and ".join(scope) if scope else "all releases"
    return (
        f"You receive this because {email} subscribed to {letterhead.name} "
        f"({subscriber.cadence} digest; {what})."
    )


def context(
    owed: Owed, bodies: Mapping[str, Body], links: Links, letterhead: Letterhead
) -> dict[str, Any]:
    """Everything both digest templates show, computed once."""
    digest = owed.digest
    grouped = letterhead.order == "agency" and digest.cadence != "immediate"
    groups: list[dict[str, Any]] = []
    for brief in digest.briefs:
        if not groups or (grouped and groups[-1]["agency"] != brief.agency):
            groups.append({"agency": brief.agency, "label": brief.source_name, "entries": []})
        groups[-1]["entries"].append(_entry(brief, bodies[brief.id], letterhead))
    count = len(digest.briefs) + digest.more
    return {
        "subject": subject(owed, letterhead),
        "service": letterhead.name,
        "base_url": letterhead.base_url,
        "preheader": " · ".join(b.title for b in digest.briefs[:3]),
        "heading": f"{count} new release{'' if count == 1 else 's'}",
        "groups": groups,
        "grouped": grouped,
        "more": digest.more,
        "more_url": letterhead.base_url + "/",
        "corrections": [
            {
                "title": b.title,
                "url": _page(b, letterhead),
                "date": _day(b.updated, letterhead),
                "note": _desk_note(b),
            }
            for b in owed.corrections
        ],
        "why": _why(digest.subscriber, digest.subscriber.email, letterhead),
        "unsubscribe_url": links.unsubscribe,
        "preferences_url": links.preferences,
    }


# Stand-ins for what differs between recipients of the same digest: the templates and
# the CSS inliner run once per distinct digest, and each message only swaps these in.
_EMAIL = "syndicateSLOTemail7f3e"
_UNSUBSCRIBE = "https://syndicateSLOTunsubscribe7f3e.invalid/"
_PREFERENCES = "https://syndicateSLOTpreferences7f3e.invalid/"


@dataclass(frozen=True)
class _Shared:
    subject: str
    text: mime.Template
    html: mime.Template


@lru_cache(maxsize=8)
def _from(sender: str) -> str:
    return mime.named(sender)


def _headers(
    letterhead: Letterhead, subscriber: Subscriber, subject_line: str, when: datetime, mid: str
) -> list[tuple[str, str]]:
    return [
        ("From", _from(letterhead.sender)),
        (
            "To",
            mime.mailbox(header_text(subscriber.name or "", 100), header_text(subscriber.email)),
        ),
        ("Subject", mime.encoded(subject_line)),
        ("Date", format_datetime(when)),
        ("Message-ID", mid),
    ]


class Composer:
    """Renders digests; recipients of the same digest share the template and CSS work."""

    def __init__(self, letterhead: Letterhead) -> None:
        self.letterhead = letterhead
        self._shared: dict[tuple[Any, ...], _Shared] = {}

    def _render_shared(self, owed: Owed, bodies: Mapping[str, Body]) -> _Shared:
        digest = owed.digest
        sub = digest.subscriber
        key = (
            digest.key,
            digest.cadence,
            digest.made_at,
            digest.more,
            sub.cadence,
            sub.agencies,
            sub.topics,
            tuple(b.id for b in digest.briefs),
            tuple(b.id for b in owed.corrections),
        )
        found = self._shared.get(key)
        if found is None:
            stand_in = Links(_UNSUBSCRIBE, _PREFERENCES)
            ctx = context(owed, bodies, stand_in, self.letterhead)
            ctx["why"] = _why(sub, _EMAIL, self.letterhead)
            text = templating.render("email/digest.txt", **ctx)
            html = _INLINER.inline(templating.render("email/digest.html", **ctx))
            slots = (_EMAIL, _UNSUBSCRIBE, _PREFERENCES)
            found = _Shared(ctx["subject"], mime.Template(text, slots), mime.Template(html, slots))
            if len(self._shared) >= 256:
                self._shared.clear()
            self._shared[key] = found
        return found

    def render(self, owed: Owed, bodies: Mapping[str, Body], links: Links) -> Message:
        """The complete digest message for its subscriber (multipart/alternative)."""
        letterhead = self.letterhead
        digest = owed.digest
        sub = digest.subscriber
        shared = self._render_shared(owed, bodies)
        text = shared.text.fill((sub.email, links.unsubscribe, links.preferences))
        html = shared.html.fill(
            (escape(sub.email), escape(links.unsubscribe), escape(links.preferences))
        )
        when = digest.made_at or digest.briefs[0].published
        mid = letterhead.message_id(digest.key, sub.id)
        headers = _headers(letterhead, sub, shared.subject, when, mid)
        headers.append(("List-Id", mime.encoded(letterhead.list_id)))
        targets = [f"<{header_text(links.unsubscribe)}>"]
        if letterhead.unsubscribe_mailto:
            token = quote(header_text(links.unsubscribe_token))
            mailto = header_text(letterhead.unsubscribe_mailto)
            targets.append(f"<mailto:{mailto}?subject=unsubscribe%20{token}>")
        headers.append(("List-Unsubscribe", ", ".join(targets)))
        # RFC 8058 section 3.1: a POST with this body to the HTTPS URI unsubscribes at once.
        headers.append(("List-Unsubscribe-Post", "List-Unsubscribe=One-Click"))
        headers.append(("Auto-Submitted", "auto-generated"))  # RFC 3834: no vacation replies
        # What list managers say of bulk mail (RFC 2076): auto-responders stay quiet, and
        # filters (SpamAssassin's MAILING_LIST_MULTI) recognise a list, not a stranger.
        headers.append(("Precedence", "bulk"))
        data = mime.encoded_parts(headers, text, html, mid)
        if letterhead.signer:
            data = letterhead.signer.sign(data)
        return Message(mid, letterhead.envelope_from, sub.email, data, crlf=True)


def render(owed: Owed, bodies: Mapping[str, Body], links: Links, letterhead: Letterhead) -> Message:
    """The complete digest message for its subscriber (multipart/alternative)."""
    return Composer(letterhead).render(owed, bodies, links)


# What a confirmation says was asked for, by cadence ("immediate digests" was wrong: an
# immediate subscriber gets one message per brief).
WANTED = {
    "immediate": "each new brief, by email, as it is published",
    "daily": "a daily email digest of new briefs",
    "weekly": "a weekly email digest of new briefs",
}


def confirmation(
    subscriber: Subscriber, confirm_url: str, letterhead: Letterhead, now: datetime
) -> Message:
    """The message asking a new subscriber to confirm their address."""
    ctx = {
        "subject": header_text(f"Confirm your subscription to {letterhead.name}"),
        "service": letterhead.name,
        "base_url": letterhead.base_url,
        "preheader": "One click confirms your subscription.",
        "confirm_url": confirm_url,
        "email": subscriber.email,
        "cadence": subscriber.cadence,
        "wanted": WANTED[subscriber.cadence],
    }
    mid = make_msgid("confirm", domain=letterhead.domain)
    headers = _headers(letterhead, subscriber, ctx["subject"], now, mid)
    headers.append(("Auto-Submitted", "auto-generated"))
    text = templating.render("email/confirm.txt", **ctx)
    html = _INLINER.inline(templating.render("email/confirm.html", **ctx))
    data = mime.assemble(headers, text, html, mid)
    if letterhead.signer:
        data = letterhead.signer.sign(data)
    return Message(mid, letterhead.envelope_from, subscriber.email, data, crlf=True)


def _desk_note(brief: Brief) -> str | None:
    """What an editor's correction said, when the latest change was one (not the source's)."""
    last = brief.corrections[-1] if brief.corrections else None
    return last.what if last is not None and last.when == brief.updated else None
