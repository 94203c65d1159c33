"""The Starlette application: config, store and mail transport in, an ASGI app out.

Routes are listed here, handlers live in `pages`, `subscribe` and `health`. Every error the
app answers is one of our plain pages: unknown paths 404, bad forms 400, and anything
unexpected a 500 whose details go to the log, never to the client.
"""

from __future__ import annotations

from typing import Any

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from syndicate import logs, tokens
from syndicate.clock import Clock
from syndicate.config import Config
from syndicate.store import Store
from syndicate.web import desk, guard, health, pages, ready, subscribe
from syndicate.web.site import Refusal, Site

READ = ["GET", "HEAD"]


def _http_error(request: Request, exc: Exception) -> Response:
    site: Site = request.app.state.site
    status = exc.status_code if isinstance(exc, HTTPException) else 500
    # Only our own refusals carry words for people; Starlette's details are generic.
    detail = exc.detail if isinstance(exc, Refusal) else None
    response = site.error_page(status, detail)
    if status == 405 and isinstance(exc, HTTPException) and exc.headers:
        response.headers.update(exc.headers)
    return response


def _crash(request: Request, exc: Exception) -> Response:
    # The details go to the operator's log only; the client sees a plain page.
    logs.error("web.error", method=request.method, path=request.url.path, error=repr(exc))
    site: Site = request.app.state.site
    return site.error_page(500)


def routes() -> list[Route]:
    """Every path the app answers; anything else is a 404."""
    return [
        Route("/", pages.home, methods=READ),
        Route("/briefs/{id}", pages.brief, methods=READ),
        Route("/agency/{code}", pages.agency, methods=READ),
        Route("/topic/{topic}", pages.topic, methods=READ),
        Route("/feeds/{path:path}", pages.feed_file, methods=READ),
        Route("/static/{path:path}", pages.static, methods=READ),
        Route("/subscribe", subscribe.subscribe, methods=["POST"]),
        Route("/confirm/{token}", subscribe.confirm, methods=[*READ, "POST"]),
        Route("/preferences/{token}", subscribe.preferences, methods=[*READ, "POST"]),
        Route("/unsubscribe/{token}", subscribe.unsubscribe, methods=[*READ, "POST"]),
        Route("/healthz", health.healthz, methods=READ),
        Route("/readyz", ready.readyz, methods=READ),
        Route("/metrics", health.metrics, methods=READ),
        *desk.routes(),
    ]


def app(
    config: Config,
    store: Store,
    *,
    transport: Any = None,
    clock: Clock | None = None,
) -> Starlette:
    """The web side as an ASGI app over one store; `transport` sends confirmation mail.

    `clock` (default: the store's) dates and checks confirmation links, throttles and health.
    Links are signed with the secret `tokens.load_secret` finds (web.secret_env, else a file
    in the data directory), the same one the mail pipeline signs with.
    """
    secret = tokens.load_secret(config.web.secret_env, config.data_dir)
    site = Site(config, store, secret, transport, clock=clock or store.clock)
    web = Starlette(
        routes=routes(),
        middleware=[Middleware(guard.Guard, refuse=site.error_page, observe=site.timings.observe)],
        exception_handlers={HTTPException: _http_error, Exception: _crash},
    )
    web.state.site = site
    return web
