"""`syndicate backup PATH [--force]`: a consistent copy of the live SQLite store.

The copy is made with SQLite's online backup API while the daemon keeps running, checked
(`quick_check`) and renamed into place, so PATH is either the old file or a whole, sound
copy. PATH may be a folder: the copy is then `syndicate-<UTC time>.db` inside it. For
PostgreSQL the command says to use `pg_dump` (README, "Backups and restore").
"""

from __future__ import annotations

import argparse
from pathlib import Path

from syndicate.cli.context import opened
from syndicate.store import integrity


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "backup", help="copy the live SQLite store consistently to PATH (a file or a folder)"
    )
    p.add_argument("path", metavar="PATH", help="the copy, or a folder to put it in")
    p.add_argument(
        "--force", action="store_true", help="replace PATH if it exists (default: refuse)"
    )
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    with opened(args.config) as (_, store):
        target = Path(args.path)
        if target.is_dir():
            stamp = store.clock().strftime("%Y%m%dT%H%M%SZ")
            target = target / f"syndicate-{stamp}.db"
        size = integrity.backup(store, target, overwrite=args.force)
    print(f"backup: {target} ({size:,} bytes, quick_check ok)")
    return 0
