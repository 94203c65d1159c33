"""`syndicate briefs list|show|hide|restore`: the operator's view of the stored briefs.

`hide ID` takes a brief down: it leaves every page, feed and future digest at once, and the
Atom feeds it was in announce the removal with an RFC 6721 tombstone (RSS and JSON Feed
simply drop it); `restore ID` puts it back. Both publish the feeds afterwards unless
`--no-publish`. Each subcommand is one function adding its parser to the group, listed in
SUBCOMMANDS, so another module's subcommand (`briefs remake`) is one more entry there.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from datetime import datetime
from typing import TypeAlias

from rich.console import Console
from rich.table import Table

from syndicate import brief as briefs_stage
from syndicate.cli import remake
from syndicate.cli.context import opened
from syndicate.errors import StoreError
from syndicate.pipeline.feeds import publish
from syndicate.store.briefs import Listed

Actions: TypeAlias = "argparse._SubParsersAction[argparse.ArgumentParser]"


def _when(value: datetime | None) -> str:
    return value.strftime("%Y-%m-%d %H:%M UTC") if value else "-"


def _status(row: Listed) -> str:
    if row.hidden_at is not None:
        return "hidden"
    return "not published" if row.problem else "shown"


def _as_json(row: Listed) -> dict[str, object]:
    return {
        "id": row.id,
        "title": row.title,
        "agency": row.agency,
        "published": row.published.isoformat(),
        "updated": row.updated.isoformat(),
        "status": _status(row),
        "hidden_at": row.hidden_at.isoformat() if row.hidden_at else None,
        "hidden_reason": row.hidden_reason,
        "problem": row.problem,
    }


def list_(args: argparse.Namespace) -> int:
    with opened(args.config) as (_, store):
        rows = store.briefs.listed(args.limit, hidden=True if args.hidden else None)
    if args.problems:
        rows = [r for r in rows if r.problem]
    if args.json:
        print(json.dumps([_as_json(r) for r in rows], indent=2))
        return 0
    if not rows:
        print("briefs: none")
        return 0
    table = Table(title="briefs", title_justify="left")
    for col in ("id", "published", "agency", "status", "title"):
        table.add_column(col)
    for r in rows:
        status = _status(r) + (f": {r.hidden_reason}" if r.hidden_reason else "")
        table.add_row(r.id, _when(r.published), r.agency, status, r.title)
    Console(file=sys.stdout, width=200).print(table)
    return 0


def _list(actions: Actions) -> None:
    p = actions.add_parser("list", help="list stored briefs, newest first (shown and hidden)")
    p.add_argument("--hidden", action="store_true", help="only hidden briefs (default: all)")
    p.add_argument(
        "--problems",
        action="store_true",
        help="only briefs the last publish could not put in a feed (default: all)",
    )
    p.add_argument("--limit", type=int, default=50, metavar="N", help="at most N (default: 50)")
    p.add_argument("--json", action="store_true", help="print JSON (default: a table)")
    p.set_defaults(func=list_)


def show(args: argparse.Namespace) -> int:
    with opened(args.config) as (_, store):
        row = store.briefs.listed_one(args.id)
        found = store.briefs.get(args.id)
    if row is None or found is None:
        raise StoreError(f"store: no brief {args.id!r} (see `syndicate briefs list`)")
    if args.format == "json":
        data = json.loads(briefs_stage.render(found, "json"))
        print(json.dumps({"brief": data, "status": _as_json(row)}, indent=2))
        return 0
    print(f"status: {_status(row)}")
    if row.hidden_at is not None:
        why = f" ({row.hidden_reason})" if row.hidden_reason else ""
        print(f"hidden: {_when(row.hidden_at)}{why}")
    if row.problem:
        print(f"problem: {row.problem}")
    print()
    print(briefs_stage.render(found, args.format), end="")
    return 0


def _show(actions: Actions) -> None:
    p = actions.add_parser("show", help="print one brief with its status (hidden, problems)")
    p.add_argument("id", metavar="ID", help="the brief's id, as `syndicate briefs list` shows it")
    p.add_argument("--format", choices=briefs_stage.FORMATS, default="text", help="default: text")
    p.set_defaults(func=show)


def _change(args: argparse.Namespace, hide: bool) -> int:
    with opened(args.config) as (config, store):
        if hide:
            changed = store.takedowns.hide(args.id, reason=args.reason)
            done = "hidden: it is gone from pages and future digests"
            already = "is already hidden"
        else:
            changed = store.takedowns.restore(args.id)
            done = "restored: it is back in its pages, feeds and digests"
            already = "is not hidden"
        if not changed:
            print(f"briefs: {args.id} {already}; nothing changed")
            return 0
        print(f"briefs: {args.id} {done}")
        if args.no_publish:
            print("briefs: feeds change with the next `syndicate publish`")
            return 0
        print(publish(store, config).line())
    return 0


def hide(args: argparse.Namespace) -> int:
    return _change(args, hide=True)


def restore(args: argparse.Namespace) -> int:
    return _change(args, hide=False)


def _publish_option(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--no-publish",
        action="store_true",
        help="do not publish the feeds afterwards (default: publish at once)",
    )


def _hide(actions: Actions) -> None:
    p = actions.add_parser(
        "hide", help="take a brief down from pages, feeds (Atom tombstone) and digests"
    )
    p.add_argument("id", metavar="ID", help="the brief to take down (its id from `briefs list`)")
    p.add_argument("--reason", default="", help="why, for the operator's records (default: none)")
    _publish_option(p)
    p.set_defaults(func=hide)


def _restore(actions: Actions) -> None:
    p = actions.add_parser("restore", help="put a hidden brief back")
    p.add_argument("id", metavar="ID", help="the hidden brief to put back (`briefs list --hidden`)")
    _publish_option(p)
    p.set_defaults(func=restore)


# The group's subcommands, in the order `syndicate briefs --help` lists them.
SUBCOMMANDS: list[Callable[[Actions], None]] = [_list, _show, _hide, _restore, remake.add]


def register(sub: Actions) -> None:
    p = sub.add_parser("briefs", help="list, show, hide, restore and remake stored briefs")

    def usage(args: argparse.Namespace) -> int:
        p.print_help()
        return 2

    p.set_defaults(func=usage)
    actions = p.add_subparsers(dest="action", metavar="ACTION")
    for add in SUBCOMMANDS:
        add(actions)
