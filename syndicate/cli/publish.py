"""`syndicate publish [--all]`: write the feeds whose briefs changed (or every feed)."""

from __future__ import annotations

import argparse

from syndicate.cli.context import open_store
from syndicate.cli.progress import progress
from syndicate.pipeline.feeds import feed_names, publish


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
    config, store = open_store(args.config)
    try:
        if args.all:  # every feed and archive: long enough for a bar on a terminal
            with progress("publishing feeds", len(feed_names(config))) as advance:
                summary = publish(store, config, full=True, progress=advance)
        else:
            summary = publish(store, config)
    finally:
        store.close()
    print(summary.line())
    for name in summary.written:
        print(f"  wrote {config.feeds_dir / name}")
    return 0
