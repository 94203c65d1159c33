"""`syndicate briefs remake [--since DATE] [--dry-run] [--no-publish] [--json]`.

Re-makes stored briefs with today's extraction and brief engine (see `pipeline.remake`): a
brief whose reader-visible content changes goes out as an update (same id, `updated`
moves, digests carry it as a correction); the others only take the new engine's
provenance. Then, unless `--no-publish`, the changed feeds are published and immediate
digests sent, as after a poll. Exit status 0 when the run completed, even when some briefs
could not be re-made (they keep their stored version and are listed); 1 on a store error.

`add(actions)` adds the subcommand to the `briefs` command group (`cli.briefs`).
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import datetime, time

from syndicate.cli.context import opened
from syndicate.pipeline.followup import after_poll
from syndicate.pipeline.remake import Remade, RemakeSummary, remake


def add(actions: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add `remake` to a `briefs` command group."""
    p = actions.add_parser(
        "remake",
        help="re-make stored briefs with today's extraction and engine (default: every brief)",
        description=(
            "Re-make stored briefs with today's extraction and brief engine. A brief whose "
            "content changes is stored as an update (same id, new 'updated' time) and goes "
            "out as one; the rest keep their content and take the new engine's provenance."
        ),
    )
    p.add_argument(
        "--since",
        metavar="DATE",
        type=_date,
        help="only briefs published on or after DATE, YYYY-MM-DD in the service time zone "
        "(default: every brief)",
    )
    p.add_argument(
        "--dry-run",
        action="store_true",
        help="say what would change and write nothing (default: write)",
    )
    p.add_argument(
        "--no-publish",
        action="store_true",
        help="do not publish feeds or send immediate digests afterwards (default: publish)",
    )
    p.add_argument("--json", action="store_true", help="print the summary as JSON (default: text)")
    p.set_defaults(func=run)


def _date(value: str) -> datetime:
    try:
        return datetime.combine(datetime.strptime(value, "%Y-%m-%d").date(), time())
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a date (YYYY-MM-DD)") from None


def run(args: argparse.Namespace) -> int:
    with opened(args.config) as (config, store):
        since = args.since.replace(tzinfo=config.zone) if args.since else None
        summary = remake(config, store, since=since, dry_run=args.dry_run)
        followups = {} if args.no_publish else after_poll(config, store, summary)
    if args.json:
        print(json.dumps(_json(summary) | {"followups": followups}, indent=2))
    else:
        _print(summary, followups)
    return 0


def _json(summary: RemakeSummary) -> dict[str, object]:
    return {
        "dry_run": summary.dry_run,
        "totals": summary.totals(),
        "briefs": [
            {"id": r.brief_id, "title": r.title, "outcome": r.outcome, "reason": r.reason}
            for r in summary.results
        ],
    }


def _print(summary: RemakeSummary, followups: dict[str, str]) -> None:
    shown: list[Remade] = [r for r in summary.results if r.outcome != "unchanged"]
    for r in shown:
        line = f"{r.outcome:<9} {r.brief_id}  {r.title}"
        print(line + (f"\n          {r.reason}" if r.reason else ""))
    totals = summary.totals()
    verb = "would be " if summary.dry_run else ""
    print(
        f"briefs remake: {len(summary.results)} briefs; {totals['updated']} {verb}updated, "
        f"{totals['unchanged']} unchanged, {totals['failed']} could not be re-made (kept as "
        "they were)",
        file=sys.stdout,
    )
    for name, result in followups.items():
        print(f"{name}: {result}")
