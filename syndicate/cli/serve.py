"""`syndicate serve [--host H] [--port P]`: the web side alone, without the scheduler."""

from __future__ import annotations

import argparse
import asyncio

from syndicate import logs, web
from syndicate.cli.context import open_store, port


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "serve", help="serve the web side alone: pages, feeds, subscribing, /healthz, /metrics"
    )
    p.add_argument("--host", help="address to listen on (default: web.host, 127.0.0.1)")
    p.add_argument("--port", type=port, help="TCP port (default: web.port, 8080)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    config, store = open_store(args.config)
    logs.setup(config.log.format, config.log.level)
    host = args.host or config.web.host
    port = config.web.port if args.port is None else args.port

    def ready(bound: int) -> None:
        print(f"serving http://{host}:{bound}/ (Ctrl-C stops)", flush=True)

    try:
        asyncio.run(web.serve(config, store, host=host, port=port, ready=ready))
    finally:
        store.close()
    return 0
