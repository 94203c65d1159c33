"""The web side: archive pages, feeds with caching headers, subscribing, health and metrics.

In: the config, an open store and (optionally) a mail transport. Out: a Starlette app
(`app`), a uvicorn server to run inside an existing loop (`server`), or `serve` to run one on
its own. This package is the only code that imports starlette and uvicorn.
"""

from __future__ import annotations

from syndicate.web.app import app
from syndicate.web.server import bound_port, serve, server

__all__ = ["app", "bound_port", "serve", "server"]
