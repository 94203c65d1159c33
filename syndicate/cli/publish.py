"""`syndicate publish [--all]`: write the feeds whose briefs changed (or every feed)."""

from __future__ import annotations

import argparse

from syndicate.cli.context import open_store
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
    config, store = open_store(args.config)
    try:
        summary = publish(store, config, full=args.all)
    finally:
        store.close()
    print(summary.line())
    for name in summary.written:
        print(f"  wrote {config.feeds_dir / name}")
    return 0
