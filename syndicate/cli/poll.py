"""`syndicate poll [--source ID ...] [--json]`: one poll of every due source, or the named ones.

Exits 0 when the run completed, even if sources failed (their failures are in the summary);
non-zero only for configuration (2) or store (1) errors.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys

from rich.console import Console
from rich.table import Table

from syndicate.cli.context import open_store
from syndicate.pipeline.followup import after_poll
from syndicate.pipeline.poll import PollSummary, SourceResult, poll


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("poll", help="poll due sources (or the named ones) once")
    p.add_argument(
        "--source",
        action="append",
        default=[],
        metavar="ID",
        help="poll this source whether due or not (repeatable)",
    )
    p.add_argument("--json", action="store_true", help="print the summary as JSON")
    p.add_argument(
        "--no-publish",
        action="store_true",
        help="do not publish feeds or send immediate digests afterwards",
    )
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    config, store = open_store(args.config)
    console = Console(stderr=True)
    try:
        if console.is_terminal and not args.json:
            with console.status("polling...") as status:

                def progress(r: SourceResult) -> None:
                    status.update(f"polled {r.source_id}: {r.outcome}")

                summary = asyncio.run(
                    poll(config, store, source_ids=args.source, progress=progress)
                )
        else:
            summary = asyncio.run(poll(config, store, source_ids=args.source))
        followups = {} if args.no_publish else after_poll(config, store, summary)
    finally:
        store.close()
    if args.json:
        print(json.dumps(as_json(summary) | {"followups": followups}, indent=2))
    else:
        print_table(summary)
        for name, value in followups.items():
            print(f"{name}: {value}")
    return 0


def as_json(summary: PollSummary) -> dict[str, object]:
    return {
        "started": summary.started.isoformat(),
        "finished": summary.finished.isoformat(),
        "totals": summary.totals(),
        "sources": [
            {
                "id": r.source_id,
                "url": r.url,
                "status": r.status,
                "outcome": r.outcome,
                "new": r.new,
                "updated": r.updated,
                "unchanged": r.unchanged,
                "rejected": r.rejected,
                "failed": r.failed,
                "error": r.error,
                "notes": r.notes,
                "duration": round(r.duration, 3),
                "next_poll_at": r.next_poll_at.isoformat() if r.next_poll_at else None,
            }
            for r in summary.results
        ],
    }


def print_table(summary: PollSummary) -> None:
    if not summary.results:
        print("poll: no source is due")
        return
    table = Table(title="poll", title_justify="left")
    for col in ("source", "result", "new", "updated", "unchanged", "rejected", "failed", "reason"):
        table.add_column(col)
    for r in summary.results:
        reason = r.error or "; ".join(r.notes[:2])
        table.add_row(
            r.source_id,
            r.outcome,
            str(r.new),
            str(r.updated),
            str(r.unchanged),
            str(r.rejected),
            str(r.failed),
            reason,
        )
    Console(file=sys.stdout, width=160).print(table)
