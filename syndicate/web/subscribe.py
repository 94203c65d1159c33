"""Subscribing by email: a form or a signed link in, a subscriber changed in the store out.

`POST /subscribe` creates (or refreshes) a pending subscriber and mails a confirmation link
(double opt-in); its answer is the same whether the address was known or not. The signed
links then act for that subscriber only: `/confirm/<token>` activates, `/preferences/<token>`
changes cadence and filters, `/unsubscribe/<token>` stops mail, including the RFC 8058
one-click POST a mail client sends without cookies or a form (the token authenticates it).
GET (and HEAD) on a link never changes anything: mail security scanners and link-preview
bots fetch every link in a message, so confirming and unsubscribing take a POST from the
page's button. A bad token of any kind gets a plain 404 and changes nothing; a genuine link of
someone who unsubscribed says so and offers the form to subscribe again (which mails a new
confirmation link). A bad address gives the form back as it was sent, with the reason.
"""

from __future__ import annotations

import math
from datetime import timedelta

from starlette.background import BackgroundTask
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from syndicate import logs, tokens
from syndicate.errors import SyndicateError
from syndicate.model import CADENCES, Cadence, Subscriber
from syndicate.pipeline import mail
from syndicate.store.subscribers import normalise
from syndicate.web import guard
from syndicate.web.pages import home_page
from syndicate.web.site import CADENCE_LABELS, PRIVATE, Refusal, Site

HOUR = timedelta(hours=1)
DAY = timedelta(days=1)
# Confirmation mails to one address per day, whoever asks: the form must not be a way to
# flood someone's inbox (each attempt is also counted per client and per address).
CONFIRMATIONS_PER_DAY = 3
# Only these subscribers may be (re)sent a confirmation by the public form.
RECONFIRMABLE = ("pending", "unsubscribed")


def _site(request: Request) -> Site:
    site: Site = request.app.state.site
    return site


def _choices(site: Site, form: FormData) -> tuple[Cadence, tuple[str, ...], tuple[str, ...]]:
    """Cadence, agencies and topics from a form; 400 on anything the form did not offer."""
    cadence = form.get("cadence", "daily")
    agencies = tuple(str(a) for a in form.getlist("agencies"))
    topics = tuple(str(t) for t in form.getlist("topics"))
    if cadence not in CADENCES:
        raise Refusal(400, "Choose how often to receive mail.")
    if not set(agencies) <= set(site.agencies) or not set(topics) <= set(site.config.brief.topics):
        raise Refusal(400, "Choose agencies and topics from the lists offered.")
    return cadence, tuple(sorted(set(agencies))), tuple(sorted(set(topics)))


def address(raw: str) -> str | None:
    """The address in the store's one spelling, or None when it is not an address."""
    try:
        return normalise(raw)
    except SyndicateError:
        return None


def _why_not(raw: str) -> str:
    """What is wrong with an address, in email-validator's words, for the form."""
    if not raw.strip():
        return "Enter your email address."
    try:
        normalise(raw)
    except SyndicateError as e:
        reason = str(e).split(": ", 1)[-1]
        return f"That does not look like an email address: {reason}"
    return "That does not look like an email address."


async def _form(request: Request, site: Site, *, csrf: bool) -> FormData:
    form = await request.form(max_files=0, max_fields=64)
    submitted = form.get("csrf", "")
    if csrf and not guard.csrf_ok(request, site.secret, str(submitted)):
        raise HTTPException(403)
    return form


def _throttled(site: Site, wait: float) -> Response:
    """429 saying when to try again, in words and in Retry-After (RFC 9110 section 10.2.3)."""
    seconds = int(wait) + 1
    when = site.clock() + timedelta(seconds=seconds)
    if seconds < 90:
        delay = f"{seconds} seconds"
    else:
        minutes = math.ceil(seconds / 60)
        delay = f"{minutes} minutes" if minutes < 120 else f"{math.ceil(minutes / 60)} hours"
    response = site.error_page(
        429,
        f"Too many subscription requests came from here. Please try again in about {delay} "
        f"(after {when:%H:%M} UTC).",
    )
    response.headers["Retry-After"] = str(seconds)
    return response


async def subscribe(request: Request) -> Response:
    """The subscribe form's POST: same answer for known and unknown addresses."""
    site = _site(request)
    form = await _form(request, site, csrf=True)
    now = site.clock()
    limit = site.config.web.subscribe_per_hour
    client = request.client.host if request.client else "unknown"
    take = site.store.throttle.take
    wait = await run_in_threadpool(take, f"subscribe-ip:{client}", limit, HOUR, now=now)
    if wait:
        return _throttled(site, wait)
    typed = str(form.get("address", ""))
    cadence, agencies, topics = _choices(site, form)
    email = address(typed)
    if email is None:
        # The form comes back as it was sent, with the reason beside the address.
        chosen = {"cadence": cadence, "agencies": agencies, "topics": topics}
        return await run_in_threadpool(
            home_page,
            site,
            request,
            chosen=chosen,
            address=typed[:254],
            error=_why_not(typed),
            status=400,
        )
    key = f"subscribe-email:{email}"
    wait = await run_in_threadpool(take, key, limit, HOUR, now=now)
    if wait:
        return _throttled(site, wait)
    # The store work and the mail happen after the answer is sent, so neither the answer
    # nor its timing tells whether the address was already known.
    task = BackgroundTask(_confirm_later, site, email, cadence, agencies, topics)
    response = site.message(
        "Check your inbox",
        f"If {email} can be subscribed, a message with a confirmation link is on its way. "
        "Nothing is sent until you follow that link.",
    )
    response.background = task
    return response


def _pending(
    site: Site, email: str, cadence: Cadence, agencies: tuple[str, ...], topics: tuple[str, ...]
) -> Subscriber | None:
    """Create or refresh a pending subscriber; the one to mail, or None (nothing to send)."""
    now = site.clock()
    subs = site.store.subscribers
    known = subs.by_email(email)
    if known is None:
        subscriber = subs.add(email, cadence, agencies, topics, now=now)
    elif known.status in RECONFIRMABLE:
        subscriber = subs.resubscribe(known.id, cadence, agencies, topics, now=now)
    else:
        # Active, bounced or complained: the public form changes nothing for them.
        return None
    if site.store.throttle.take(f"confirm:{email}", CONFIRMATIONS_PER_DAY, DAY, now=now):
        logs.event("web.confirmation_held", subscriber=subscriber.id)
        return None
    return subscriber


async def _confirm_later(
    site: Site, email: str, cadence: Cadence, agencies: tuple[str, ...], topics: tuple[str, ...]
) -> None:
    """After the answer is sent: record the pending subscriber and mail the link."""
    try:
        subscriber = await run_in_threadpool(_pending, site, email, cadence, agencies, topics)
        if subscriber is not None:
            # send_confirmation runs its own event loop, so it gets a thread of its own. The
            # link is dated by the site's clock, the same one `confirm` checks it against.
            await run_in_threadpool(
                mail.send_confirmation,
                site.store,
                site.config,
                site.transport,
                subscriber,
                now=site.clock(),
            )
    except SyndicateError as e:
        logs.error("web.subscribe_failed", error=str(e))


def _subscriber(site: Site, token: str, purpose: tokens.Purpose) -> Subscriber:
    """The subscriber a genuine token names; 404 for anything else."""
    ident = tokens.verify(
        site.secret, token, purpose, site.store.subscribers.secret_of, now=site.clock()
    )
    found = site.store.subscribers.get(ident) if ident is not None else None
    if found is None:
        raise HTTPException(404)
    return found


def _unsubscribed(site: Site, request: Request, subscriber: Subscriber) -> Response:
    """What a genuine link of someone who left shows: that they are unsubscribed, and the
    form to subscribe again (double opt-in again: it mails a new confirmation link)."""
    csrf = guard.csrf_token(request, site.secret)
    response = site.page(
        "unsubscribed",
        cache=PRIVATE,
        title="You are unsubscribed",
        subscriber=subscriber,
        choices=site.choices(),
        chosen={
            "cadence": subscriber.cadence,
            "agencies": subscriber.agencies,
            "topics": subscriber.topics,
        },
        csrf=csrf,
    )
    guard.set_csrf_cookie(response, request, csrf)
    return response


def _subscribed(site: Site, subscriber: Subscriber) -> Response:
    return site.message(
        "You are subscribed",
        f"Mail for {subscriber.email} is on. You can change what you receive at any time.",
        links=[
            {"href": site.link("preferences", subscriber), "text": "Change preferences"},
            {"href": site.link("unsubscribe", subscriber), "text": "Unsubscribe"},
        ],
    )


async def confirm(request: Request) -> Response:
    """GET: a one-button page. POST (that button, with its form token): activate."""
    site = _site(request)
    token = request.path_params["token"]
    # The token is checked before anything else, so a bad one is a 404 for GET and POST alike.
    found = await run_in_threadpool(_subscriber, site, token, "confirm")
    if found.status == "unsubscribed":
        # An old confirmation link must not undo an unsubscribe; it says so instead.
        return _unsubscribed(site, request, found)
    if found.status not in ("pending", "active"):
        raise HTTPException(404)  # bounced or complained: nothing to offer
    if request.method != "POST":
        # GET and HEAD only show the button: mail scanners and link previews fetch every link
        # in a message, and a confirmation a machine can complete is no double opt-in.
        if found.status == "active":
            return _subscribed(site, found)
        csrf = guard.csrf_token(request, site.secret)
        response = site.page(
            "confirm",
            cache=PRIVATE,
            title="Confirm your subscription",
            subscriber=found,
            cadence=CADENCE_LABELS[found.cadence],
            csrf=csrf,
            action=f"/confirm/{token}",
        )
        guard.set_csrf_cookie(response, request, csrf)
        return response
    # The signed token says whose subscription this is; the form token says a person pressed
    # the button on our page (a cross-site form or a bare POST cannot carry a matching pair).
    await _form(request, site, csrf=True)
    if found.status == "pending":
        # Only a pending subscriber: confirming again would reset an active one's digest cursor.
        found = await run_in_threadpool(site.store.subscribers.confirm, found.id, now=site.clock())
    return _subscribed(site, found)


async def preferences(request: Request) -> Response:
    """Show (GET) or change (POST) a subscriber's cadence and filters."""
    site = _site(request)
    token = request.path_params["token"]
    found = await run_in_threadpool(_subscriber, site, token, "preferences")
    if found.status == "unsubscribed":
        return _unsubscribed(site, request, found)
    if found.status not in ("pending", "active"):
        raise HTTPException(404)
    saved = False
    if request.method == "POST":
        form = await _form(request, site, csrf=True)
        cadence, agencies, topics = _choices(site, form)
        found = await run_in_threadpool(
            site.store.subscribers.update, found.id, cadence, agencies, topics
        )
        saved = True
    csrf = guard.csrf_token(request, site.secret)
    response = site.page(
        "preferences",
        cache=PRIVATE,
        title="Your preferences",
        subscriber=found,
        saved=saved,
        choices=site.choices(),
        chosen={"cadence": found.cadence, "agencies": found.agencies, "topics": found.topics},
        csrf=csrf,
        action=f"/preferences/{token}",
        unsubscribe=site.link("unsubscribe", found),
    )
    guard.set_csrf_cookie(response, request, csrf)
    return response


async def unsubscribe(request: Request) -> Response:
    """GET: a one-button page. POST: unsubscribe (the page's button, or RFC 8058 one-click)."""
    site = _site(request)
    token = request.path_params["token"]
    found = await run_in_threadpool(_subscriber, site, token, "unsubscribe")
    if request.method != "POST":
        # GET and HEAD only show the button: link scanners in mail systems fetch links.
        if found.status == "unsubscribed":
            return _unsubscribed(site, request, found)
        return site.page(
            "unsubscribe",
            cache=PRIVATE,
            title="Unsubscribe",
            subscriber=found,
            action=f"/unsubscribe/{token}",
        )
    # RFC 8058 section 3.2: the POST body is "List-Unsubscribe=One-Click"; no cookie or CSRF
    # token comes with it, and none is needed: the signed token is the authentication.
    await _form(request, site, csrf=False)
    if found.status != "unsubscribed":
        found = await run_in_threadpool(
            site.store.subscribers.unsubscribe, found.id, now=site.clock()
        )
    return _unsubscribed(site, request, found)
