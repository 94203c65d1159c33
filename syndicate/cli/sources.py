"""`syndicate sources [--json]`: each source's state; `sources release ID` lifts a hold."""

from __future__ import annotations

import argparse
import json
import sys
from datetime import datetime

from rich.console import Console
from rich.table import Table

from syndicate.cli.context import open_store
from syndicate.errors import ConfigError
from syndicate.store.sources import RELEASED


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("sources", help="show each source's polling state")
    p.add_argument("--json", action="store_true", help="print JSON for scripts instead of a table")
    p.set_defaults(func=run)
    actions = p.add_subparsers(dest="action", metavar="ACTION")
    r = actions.add_parser("release", help="accept the items held for a source and go on")
    r.add_argument("id", help="the source's id in config.toml (as `syndicate sources` lists)")
    r.set_defaults(func=release)


def _when(value: datetime | None) -> str:
    return value.strftime("%Y-%m-%d %H:%M:%S UTC") if value else "-"


def run(args: argparse.Namespace) -> int:
    config, store = open_store(args.config)
    try:
        states = {s.id: s for s in store.sources.all()}
    finally:
        store.close()
    rows: list[dict[str, object]] = []
    for src in config.sources:
        st = states.get(src.id)
        rows.append(
            {
                "id": src.id,
                "agency": src.agency,
                "kind": src.kind,
                "enabled": src.enabled,
                "url": src.url,
                "last_poll": _when(st.last_poll_at) if st else "-",
                "last_success": _when(st.last_success_at) if st else "-",
                "items": st.items if st else 0,
                "failures": st.failures if st else 0,
                "last_error": (st.last_error or st.held_reason or "") if st else "",
                "next_poll": _when(st.next_poll_at) if st and st.next_poll_at else "now",
            }
        )
    if args.json:
        print(json.dumps(rows, indent=2))
        return 0
    table = Table(title="sources", title_justify="left")
    columns = ("last_poll", "last_success", "items", "failures", "last_error", "next_poll")
    for col in ("source", "kind", *(c.replace("_", " ") for c in columns)):
        table.add_column(col)
    for r in rows:
        name = str(r["id"]) + ("" if r["enabled"] else " (disabled)")
        table.add_row(name, str(r["kind"]), *(str(r[c]) for c in columns))
    Console(file=sys.stdout, width=200).print(table)
    return 0


def release(args: argparse.Namespace) -> int:
    config, store = open_store(args.config)
    try:
        known = [s.id for s in config.sources]
        if args.id not in known:
            listed = ", ".join(known) or "none"
            raise ConfigError(f"sources: no source with id {args.id!r} (configured: {listed})")
        state = store.sources.state(args.id)
        if state is not None and state.held_reason == RELEASED:
            print(f"sources: {args.id} is already released; the next poll takes its held items")
            return 0
        if state is None or not state.held:
            # Releasing a source that holds nothing would switch off its flood check for the
            # next poll, unasked; say so instead.
            print(
                f"sources: nothing is held for {args.id}; a hold shows as 'held: ...' in "
                "`syndicate sources`",
                file=sys.stderr,
            )
            return 1
        store.sources.release(args.id)
    finally:
        store.close()
    print(f"sources: {args.id} released; its held items are taken on the next poll")
    return 0
