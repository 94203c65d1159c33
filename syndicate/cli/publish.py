"""`syndicate publish [--all]`: write the feeds whose briefs changed (or every feed).

SIGTERM/SIGINT stop it between feeds (each file is replaced atomically; the feeds not
reached are published next time) with exit status 128 + the signal number.
"""

from __future__ import annotations

import argparse
import sys

from syndicate.cli.context import opened
from syndicate.cli.progress import progress
from syndicate.cli.signals import Stop
from syndicate.pipeline.feednames import feed_names
from syndicate.pipeline.feeds import publish


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "publish",
        help="write the Atom/RSS/JSON feeds whose briefs changed, then tell the WebSub hub",
    )
    p.add_argument(
        "--all",
        action="store_true",
        help="render every feed and archive again (files whose bytes are unchanged stay)",
    )
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    with opened(args.config) as (config, store), Stop() as stop:
        if args.all:  # every feed and archive: long enough for a bar on a terminal
            with progress("publishing feeds", len(feed_names(config))) as advance:
                summary = publish(store, config, full=True, stop=stop, progress=advance)
        else:
            summary = publish(store, config, stop=stop)
    print(summary.line())
    for name in summary.written:
        print(f"  wrote {config.feeds_dir / name}")
    for line in (*summary.skipped, *summary.failed):
        print(f"  not published: {line}", file=sys.stderr)
    return stop.status if stop() else 0
