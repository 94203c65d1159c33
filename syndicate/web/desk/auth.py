"""The desk's door: sessions, form tokens, login with throttling, logout.

A session is a random token in a cookie (`Secure`, `HttpOnly`, `SameSite=Strict`, path
/desk/, expiring with the session); the store keeps only its sha256 and its expiry. Every
form of a signed-in editor carries a token derived from the session (HMAC with the site's
secret), checked on every POST; the login form uses the site's signed double-submit token.
Login attempts are counted per name and per client address (`store.throttle`).
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Awaitable, Callable
from datetime import timedelta

from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from syndicate import templating
from syndicate.web import guard
from syndicate.web.site import PRIVATE, Refusal, Site

COOKIE = "syndicate_desk"
TTL = timedelta(hours=12)
LOGIN_LIMIT = 5  # attempts per name, and (x4) per address, in each window
LOGIN_WINDOW = timedelta(minutes=15)

Handler = Callable[[Request, str], Awaitable[Response]]


def site_of(request: Request) -> Site:
    found: Site = request.app.state.site
    return found


def form_token(site: Site, session: str) -> str:
    return hmac.new(site.secret, b"desk|" + session.encode(), hashlib.sha256).hexdigest()


def editor_of(request: Request) -> tuple[str, str] | None:
    """(editor, session token) of a live session, else None."""
    token = request.cookies.get(COOKIE, "")
    site = site_of(request)
    editor = site.store.desk.session(token, now=site.clock()) if token else None
    return (editor, token) if editor else None


def signed_in(handler: Handler) -> Callable[[Request], Awaitable[Response]]:
    """Only for a live session; a POST also needs the session's form token."""

    async def run(request: Request) -> Response:
        found = editor_of(request)
        if found is None:
            if request.method == "POST":
                raise Refusal(403, "Sign in to the desk first.")
            return RedirectResponse("/desk/login", 303, headers={"Cache-Control": PRIVATE})
        editor, token = found
        request.state.csrf = form_token(site_of(request), token)
        if request.method == "POST":
            form = await request.form()
            sent = str(form.get("csrf", ""))
            if not hmac.compare_digest(sent.encode(), request.state.csrf.encode()):
                raise Refusal(403, "The form expired. Reload the page and try again.")
        response = await handler(request, editor)
        response.headers["Cache-Control"] = PRIVATE
        return response

    return run


def page(request: Request, name: str, status: int = 200, **context: object) -> Response:
    """Render `desk/<name>.html`; never cached (it carries the session's form token)."""
    site = site_of(request)
    context.setdefault("csrf", getattr(request.state, "csrf", ""))
    html = templating.render(f"desk/{name}.html", site={"name": site.name}, **context)
    return HTMLResponse(html, status_code=status, headers={"Cache-Control": PRIVATE})


async def login(request: Request) -> Response:
    site = site_of(request)
    csrf = guard.csrf_token(request, site.secret)
    error = None
    status = 200
    if request.method == "POST":
        form = await request.form()
        name = str(form.get("name", "")).strip()[:64]
        password = str(form.get("password", ""))[:1024]
        if not guard.csrf_ok(request, site.secret, str(form.get("csrf", ""))):
            raise Refusal(403, "The form expired. Reload the page and try again.")
        now = site.clock()
        client = request.client.host if request.client else "-"
        throttle = site.store.throttle
        wait = throttle.take(f"desk-login:{name.lower()}", LOGIN_LIMIT, LOGIN_WINDOW, now=now)
        wait = wait or throttle.take(
            f"desk-login-ip:{client}", LOGIN_LIMIT * 4, LOGIN_WINDOW, now=now
        )
        if wait:
            raise Refusal(429, "Too many sign-in attempts. Wait a while and try again.")
        if name and site.store.desk.verify(name, password):
            token = site.store.desk.open_session(name, now=now, ttl=TTL)
            site.store.desk.record(name, "login", None, f"from {client}", now=now)
            home = RedirectResponse("/desk/", 303, headers={"Cache-Control": PRIVATE})
            home.set_cookie(
                COOKIE, token, max_age=int(TTL.total_seconds()), path="/desk/",
                secure=True, httponly=True, samesite="strict",
            )  # fmt: skip
            return home
        error, status = "That name and password do not match an editor.", 401
    response = page(request, "login", status, csrf=csrf, error=error, editor=None, title="Sign in")
    guard.set_csrf_cookie(response, request, csrf)
    return response


async def logout(request: Request, editor: str) -> Response:
    site = site_of(request)
    site.store.desk.close_session(request.cookies.get(COOKIE, ""))
    site.store.desk.record(editor, "logout", None, now=site.clock())
    response = RedirectResponse("/desk/login", 303)
    response.delete_cookie(COOKIE, path="/desk/", secure=True, httponly=True, samesite="strict")
    return response
