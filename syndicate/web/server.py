"""Serving the app with uvicorn: the config and store in, a running HTTP server out.

`server(...)` gives a `uvicorn.Server` to start and stop inside an existing asyncio loop (the
daemon awaits `server.serve()` and sets `server.should_exit`); it leaves signal handling to
whoever owns the loop. `serve(...)` runs one to completion for `syndicate serve`, stopping
gracefully on Ctrl-C or SIGTERM.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import socket
from collections.abc import Callable, Generator
from typing import Any

import uvicorn

from syndicate.config import Config
from syndicate.errors import ConfigError
from syndicate.store import Store
from syndicate.web.app import app

# h11 buffers at most this much of a request head it has not finished parsing; the app's
# guard caps the target and the headers of complete heads (a head read in one go).
MAX_HEAD = 32 * 1024


class Server(uvicorn.Server):
    """A uvicorn server that leaves signals to the loop's owner (the daemon)."""

    @contextlib.contextmanager
    def capture_signals(self) -> Generator[None, None, None]:
        yield

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        # uvicorn calls sys.exit(1) when it cannot bind, which would end the whole daemon;
        # turn that into our error so the caller decides (the CLI exits 2, the daemon logs).
        try:
            await super().startup(sockets)
        except SystemExit:
            where = f"{self.config.host}:{self.config.port}"
            raise ConfigError(f"web: cannot listen on {where} (web.host, web.port)") from None


def _config(
    config: Config, store: Store, host: str | None, port: int | None, transport: Any
) -> uvicorn.Config:
    return uvicorn.Config(
        app(config, store, transport=transport),
        host=config.web.host if host is None else host,
        port=config.web.port if port is None else port,
        # Our own structured logs cover requests that matter; uvicorn's access log is noise.
        access_log=False,
        # Its own lines go through syndicate's log handler (logs.setup), text or JSON.
        log_config=None,
        log_level=logging.getLevelName(logging.WARNING).lower(),
        server_header=False,
        # X-Forwarded-For/-Proto are believed only from `web.trusted_proxies` (addresses or
        # networks; default none): anyone else could name any client address and slip past
        # the per-client subscribe limit.
        proxy_headers=bool(config.web.trusted_proxies),
        forwarded_allow_ips=list(config.web.trusted_proxies) or None,
        # h11, not httptools (which has no header limit), with a cap on a request head;
        # also bound slow clients and idle keep-alives.
        http="h11",
        h11_max_incomplete_event_size=MAX_HEAD,
        timeout_keep_alive=5,
        limit_concurrency=1000,
        lifespan="off",
    )


def server(
    config: Config,
    store: Store,
    *,
    host: str | None = None,
    port: int | None = None,
    transport: Any = None,
) -> Server:
    """A server to run inside an existing loop: `await s.serve()`, stop with `should_exit`."""
    return Server(_config(config, store, host, port, transport))


async def serve(
    config: Config,
    store: Store,
    *,
    host: str | None = None,
    port: int | None = None,
    transport: Any = None,
    ready: Callable[[int], None] | None = None,
) -> None:
    """Serve until SIGINT / SIGTERM, which end it cleanly (exit status 0, not a re-raise).

    `ready` is called with the bound port once the server listens (not before: a taken port
    must not be announced as served).
    """
    running = server(config, store, host=host, port=port, transport=transport)
    loop = asyncio.get_running_loop()
    handled = []
    for sig in (signal.SIGINT, signal.SIGTERM):
        try:
            # A second Ctrl-C forces the exit (uvicorn's own rule in handle_exit).
            loop.add_signal_handler(sig, running.handle_exit, sig, None)
            handled.append(sig)
        except (RuntimeError, ValueError):  # not the main thread: the caller owns signals
            pass

    async def announce() -> None:
        while not running.started and not running.should_exit:
            await asyncio.sleep(0.02)
        if running.started and ready is not None:
            ready(bound_port(running))

    watcher = asyncio.create_task(announce())
    try:
        await running.serve()
    finally:
        watcher.cancel()
        for sig in handled:
            loop.remove_signal_handler(sig)


def bound_port(running: uvicorn.Server) -> int:
    """The TCP port a started server listens on (useful after asking for port 0)."""
    for listener in running.servers:
        for sock in listener.sockets:
            port: int = sock.getsockname()[1]
            return port
    raise RuntimeError("web: the server is not listening yet")
