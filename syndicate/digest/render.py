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
from email.headerregistry import Address
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime, make_msgid
from typing import Any
from urllib.parse import quote

import css_inline

from syndicate import templating
from syndicate.digest.letterhead import Letterhead, Links, header_text
from syndicate.digest.select import Owed
from syndicate.errors import ConfigError
from syndicate.model import Brief, Message, Subscriber

# RFC 5322 section 2.1.1 allows 998 octets a line. Folding at 78 would turn the long
# `<mailto:...>` of List-Unsubscribe into RFC 2047 encoded words, which no client reads.
_POLICY = SMTP.clone(max_line_length=998)
_INLINER = css_inline.CSSInliner(keep_style_tags=False, load_remote_stylesheets=False)


@dataclass(frozen=True)
class Body:
    """One brief rendered by the brief stage, as HTML and as plain text."""

    html: str
    text: str


def _day(when: datetime, letterhead: Letterhead) -> str:
    local = when.astimezone(letterhead.zone)
    return f"{local:%b} {local.day}"


def subject(owed: Owed, letterhead: Letterhead) -> str:
    """The Subject line from the configured template."""
    digest = owed.digest
    count = len(digest.briefs) + digest.more
    first = digest.briefs[0]
    template = letterhead.subject_immediate if digest.cadence == "immediate" else letterhead.subject
    values = {
        "count": count,
        "s": "" if count == 1 else "s",
        "date": _day(digest.made_at or first.published, letterhead),
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


def _entry(brief: Brief, body: Body, letterhead: Letterhead) -> dict[str, Any]:
    return {
        "title": brief.title,
        "url": brief.url,
        "agency": brief.agency,
        "source_name": brief.source_name,
        "date": _day(brief.published, letterhead),
        "html": templating.markup(body.html),
        # The brief's text rendering may open with its title; the digest prints its own.
        "text": body.text.strip().removeprefix(brief.title).strip(),
    }


def _why(subscriber: Subscriber, letterhead: Letterhead) -> str:
    scope = []
    if subscriber.agencies:
        scope.append("agencies " + ", ".join(subscriber.agencies))
    if subscriber.topics:
        scope.append("topics " + ", ".join(subscriber.topics))
    what = " and ".join(scope) if scope else "all releases"
    return (
        f"You receive this because {subscriber.email} subscribed to {letterhead.name} "
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
    title = subject(owed, letterhead)
    return {
        "subject": title,
        "service": letterhead.name,
        "base_url": letterhead.base_url,
        "preheader": " · ".join(b.title for b in digest.briefs[:3]),
        "heading": f"{count} new release{'' if count == 1 else 's'}",
        "groups": groups,
        "grouped": grouped,
        "more": digest.more,
        "more_url": letterhead.base_url + "/",
        "corrections": [
            {"title": b.title, "url": b.url, "date": _day(b.updated, letterhead)}
            for b in owed.corrections
        ],
        "why": _why(digest.subscriber, letterhead),
        "unsubscribe_url": links.unsubscribe,
        "preferences_url": links.preferences,
    }


def _envelope(
    letterhead: Letterhead, subscriber: Subscriber, subject_line: str, when: datetime
) -> EmailMessage:
    msg = EmailMessage(policy=_POLICY)
    msg["From"] = letterhead.sender
    local, _, domain = subscriber.email.rpartition("@")
    name = header_text(subscriber.name or "", 100)
    msg["To"] = Address(display_name=name, username=header_text(local), domain=header_text(domain))
    msg["Subject"] = subject_line
    msg["Date"] = format_datetime(when)
    return msg


def _finish(msg: EmailMessage, text: str, html: str, letterhead: Letterhead) -> bytes:
    msg.set_content(text, subtype="plain", charset="utf-8", cte="quoted-printable")
    msg.add_alternative(
        _INLINER.inline(html), subtype="html", charset="utf-8", cte="quoted-printable"
    )
    data = msg.as_bytes(policy=_POLICY)
    return letterhead.signer.sign(data) if letterhead.signer else data


def render(owed: Owed, bodies: Mapping[str, Body], links: Links, letterhead: Letterhead) -> Message:
    """The complete digest message for its subscriber (multipart/alternative)."""
    digest = owed.digest
    subscriber = digest.subscriber
    ctx = context(owed, bodies, links, letterhead)
    when = digest.made_at or digest.briefs[0].published
    msg = _envelope(letterhead, subscriber, ctx["subject"], when)
    message_id = letterhead.message_id(digest.key, subscriber.id)
    msg["Message-ID"] = message_id
    msg["List-Id"] = letterhead.list_id
    targets = [f"<{header_text(links.unsubscribe)}>"]
    if letterhead.unsubscribe_mailto:
        token = quote(header_text(links.unsubscribe_token))
        targets.append(
            f"<mailto:{header_text(letterhead.unsubscribe_mailto)}?subject=unsubscribe%20{token}>"
        )
    msg["List-Unsubscribe"] = ", ".join(targets)
    # RFC 8058 section 3.1: a POST with this body to the HTTPS URI unsubscribes at once.
    msg["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    msg["Auto-Submitted"] = "auto-generated"  # RFC 3834: no vacation replies to a digest
    text = templating.render("email/digest.txt", **ctx)
    html = templating.render("email/digest.html", **ctx)
    data = _finish(msg, text, html, letterhead)
    return Message(message_id, letterhead.envelope_from, subscriber.email, data)


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
    }
    msg = _envelope(letterhead, subscriber, ctx["subject"], now)
    message_id = make_msgid("confirm", domain=letterhead.domain)
    msg["Message-ID"] = message_id
    msg["Auto-Submitted"] = "auto-generated"
    text = templating.render("email/confirm.txt", **ctx)
    html = templating.render("email/confirm.html", **ctx)
    data = _finish(msg, text, html, letterhead)
    return Message(message_id, letterhead.envelope_from, subscriber.email, data)
