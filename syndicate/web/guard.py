"""The web side's defences: security headers, request size caps, and CSRF tokens.

In: every request and response passing through the app. Out: responses carrying a strict
Content-Security-Policy (no inline script or style, nothing third-party), bodies over the cap
refused with 413, a request target over MAX_TARGET with 414 and headers over MAX_HEADERS
(or more than MAX_HEADER_COUNT of them) with 431 (RFC 9110 section 15.5.15, RFC 6585
section 5), and form tokens (signed double-submit cookies) issued and checked. uvicorn's h11
parser also refuses a request head larger than `server.MAX_HEAD` before the app sees it.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from collections.abc import Callable

from starlette.datastructures import MutableHeaders
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

# Everything we serve is our own: no inline script or style, no third-party origin, no frames.
CSP = (
    "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; "
    "base-uri 'none'; frame-ancestors 'none'"
)
HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    # Token links (/confirm/..., /unsubscribe/...) must not leak to other sites via Referer.
    "Referrer-Policy": "no-referrer",
    "Cross-Origin-Opener-Policy": "same-origin",
}
# A subscribe or preferences form is well under 4 KiB; 16 KiB leaves room and stops floods.
MAX_BODY = 16 * 1024
# Our longest URL is a token link (~120 bytes); browsers' headers are a few KiB.
MAX_TARGET = 4 * 1024
MAX_HEADERS = 16 * 1024
MAX_HEADER_COUNT = 100

CSRF_COOKIE = "syndicate_csrf"
CSRF_FIELD = "csrf"


class Guard:
    """ASGI middleware: security headers on every response, the body cap, request timings."""

    def __init__(
        self,
        app: ASGIApp,
        refuse: Callable[[int], Response],
        observe: Callable[[str, float], None],
        max_body: int = MAX_BODY,
    ) -> None:
        self.app = app
        self.refuse = refuse  # status -> our error page
        self.observe = observe  # (path, seconds) -> None, for /metrics
        self.max_body = max_body

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        seen = 0

        async def limited() -> Message:
            nonlocal seen
            # A chunked body has no length up front: count it as the endpoint reads it. The
            # exception is raised inside the endpoint, so the app's handler renders the page.
            message = await receive()
            seen += len(message.get("body", b""))
            if seen > self.max_body:
                raise HTTPException(413)
            return message

        started = time.perf_counter()

        async def secured(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in HEADERS.items():
                    headers.setdefault(name, value)
            await send(message)
            if message["type"] == "http.response.body" and not message.get("more_body"):
                self.observe(scope["path"], time.perf_counter() - started)

        too_big = _oversized(scope)
        if too_big:
            await self.refuse(too_big)(scope, receive, secured)
            return
        declared = _content_length(scope)
        if declared is not None and declared > self.max_body:
            # Refused before the app runs, whether or not the endpoint would read the body.
            await self.refuse(413)(scope, receive, secured)
            return
        await self.app(scope, limited, secured)


def _oversized(scope: Scope) -> int | None:
    """414 for a request target over the cap, 431 for headers over theirs, else None."""
    target = len(scope.get("raw_path") or scope["path"].encode()) + len(scope["query_string"])
    if target > MAX_TARGET:
        return 414
    headers = scope["headers"]
    size = sum(len(name) + len(value) + 4 for name, value in headers)  # ": " and CRLF
    if len(headers) > MAX_HEADER_COUNT or size > MAX_HEADERS:
        return 431
    return None


def _content_length(scope: Scope) -> int | None:
    for name, value in scope["headers"]:
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None


def _mac(secret: bytes, nonce: str) -> str:
    # Domain-separated from the subscriber tokens that share the secret.
    return hmac.new(secret, b"csrf|" + nonce.encode(), hashlib.sha256).hexdigest()[:32]


def _valid(secret: bytes, token: str) -> bool:
    nonce, _, mac = token.partition(".")
    return bool(nonce) and hmac.compare_digest(_mac(secret, nonce), mac)


def csrf_token(request: Request, secret: bytes) -> str:
    """The form token for this browser: its cookie's, when that is genuine, else a new one."""
    current = request.cookies.get(CSRF_COOKIE, "")
    if current and _valid(secret, current):
        return current
    nonce = secrets.token_urlsafe(18)
    return f"{nonce}.{_mac(secret, nonce)}"


def set_csrf_cookie(response: Response, request: Request, token: str) -> None:
    """Give the browser the cookie half of the double submit."""
    response.set_cookie(
        CSRF_COOKIE,
        token,
        httponly=True,
        samesite="lax",
        secure=request.url.scheme == "https",
        path="/",
    )


def csrf_ok(request: Request, secret: bytes, submitted: str) -> bool:
    """A signed double submit: the form field equals the cookie, and we signed it."""
    cookie = request.cookies.get(CSRF_COOKIE, "")
    return (
        bool(cookie)
        and hmac.compare_digest(cookie.encode(), submitted.encode())
        and _valid(secret, cookie)
    )
