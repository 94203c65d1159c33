"""`syndicate poll [--source ID ...] [--json]`: one poll of every due source, or the named ones.

Exits 0 when the run completed, even if sources failed (their failures are in the summary);
non-zero only for configuration (2) or store (1) errors, and 128 + the signal number after
SIGTERM/SIGINT stopped it (the sources in hand finish first; see `signals`).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING

from syndicate.cli.context import open_store
from syndicate.cli.signals import GRACE, Stop
from syndicate.config import Config
from syndicate.pipeline.followup import steps
from syndicate.pipeline.poll import PollSummary, SourceResult, poll
from syndicate.store import Store

if TYPE_CHECKING:
    from rich.console import Console


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
        help="do not publish feeds or send immediate digests as sources finish",
    )
    p.set_defaults(func=run)


async def _poll(
    config: Config,
    store: Store,
    ids: list[str],
    stop: Stop,
    progress: Callable[[SourceResult], None] | None = None,
    *,
    publish: bool = True,
) -> PollSummary | None:
    """The poll, stopped cleanly by a signal: no new source or release after it, the ones
    in hand for up to GRACE seconds; None when it had to be cut short. With `publish`,
    feeds are published and immediate digests sent as sources finish with new briefs."""
    loop = asyncio.get_running_loop()
    stopping = asyncio.Event()
    stop.notify(lambda: loop.call_soon_threadsafe(stopping.set))
    if stop():
        stopping.set()

    followed = steps(config, store, stop=stop) if publish else []
    polled = poll(
        config, store, source_ids=ids, progress=progress, stopping=stopping, follow=followed
    )
    task = asyncio.ensure_future(polled)
    signalled = asyncio.ensure_future(stopping.wait())
    await asyncio.wait({task, signalled}, return_when=asyncio.FIRST_COMPLETED)
    signalled.cancel()
    if not task.done():
        await asyncio.wait({task}, timeout=GRACE)
        task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        return await task
    return None


def run(args: argparse.Namespace) -> int:
    config, store = open_store(args.config)
    console = None if args.json else _console()
    followups: dict[str, str] = {}
    publish = not args.no_publish
    with Stop() as stop:
        try:
            if console is not None and console.is_terminal:
                with console.status("polling...") as status:

                    def progress(r: SourceResult) -> None:
                        status.update(f"polled {r.source_id}: {r.outcome}")

                    summary = asyncio.run(
                        _poll(config, store, args.source, stop, progress, publish=publish)
                    )
            else:
                summary = asyncio.run(_poll(config, store, args.source, stop, publish=publish))
            if summary is not None:
                followups = summary.followups
        finally:
            store.close()
    if summary is None:
        print(
            f"poll: stopped by {stop.name} after {GRACE:g} s; what was stored is kept and "
            "the next poll takes the rest",
            file=sys.stderr,
        )
        return stop.status
    if args.json:
        print(json.dumps(as_json(summary) | {"followups": followups}, indent=2))
    else:
        print_table(summary)
        for name, value in followups.items():
            print(f"{name}: {value}")
    if stop():
        print(f"poll: stopped by {stop.name}; the next poll takes the rest", file=sys.stderr)
        return stop.status
    return 0


def _console() -> Console:
    """rich, for the progress line and the table (loaded only when shown: `--json` and
    cron runs spare its import)."""
    from rich.console import Console

    return Console(stderr=True)


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
    from rich.console import Console
    from rich.table import Table

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
