"""`syndicate run [--no-web]`: the daemon (scheduler, and the web side unless disabled)."""

from __future__ import annotations

import argparse

from syndicate import logs, schedule
from syndicate.cli.context import open_store


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("run", help="run the daemon: polls, publishes, digests, web side")
    p.add_argument("--no-web", action="store_true", help="do not serve the web side")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    config, store = open_store(args.config)
    logs.setup(config.log.format, config.log.level)
    try:
        return schedule.run(config, store, web=False if args.no_web else None)
    finally:
        store.close()
