"""`syndicate digest [--cadence C] [--dry-run]` and `syndicate digest preview EMAIL`.

The first makes the digests that are due, records them in the delivery ledger and sends
everything the ledger owes (including retries and messages a crash left unconfirmed);
`--dry-run` prints who would get what and changes nothing. `preview` prints what one
subscriber would receive now. SIGTERM/SIGINT stop it between batches of messages (the
messages in hand are sent and recorded; the rest stay in the ledger), exit 128 + signal.
"""

from __future__ import annotations

import argparse
import sys

from syndicate.cli.context import opened
from syndicate.cli.signals import Stop
from syndicate.model import CADENCES
from syndicate.pipeline import mail


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("digest", help="make the digests that are due and send them")
    p.add_argument("--cadence", choices=CADENCES, help="only this cadence (default: all)")
    p.add_argument(
        "--dry-run", action="store_true", help="say what would go to whom; send and record nothing"
    )
    p.set_defaults(func=run)
    actions = p.add_subparsers(dest="action", metavar="ACTION")
    pv = actions.add_parser("preview", help="print what one subscriber would receive now")
    pv.add_argument("email", help="the subscriber's address")
    pv.add_argument(
        "--format",
        choices=("text", "html"),
        default="text",
        help="which part of the message to print (default: text)",
    )
    pv.set_defaults(func=preview)


def run(args: argparse.Namespace) -> int:
    with opened(args.config) as (config, store), Stop() as stop:
        summary = mail.run(store, config, cadence=args.cadence, dry_run=args.dry_run, stop=stop)
    if args.dry_run:
        for key, email, count in summary.planned:
            print(f"would send {key} to {email} ({count} brief{'' if count == 1 else 's'})")
        print(f"digest: {len(summary.planned)} message(s) would be sent (dry run)")
        return 0
    print(f"digest: {summary}")
    if stop():
        print(f"digest: stopped by {stop.name}; the ledger keeps the rest", file=sys.stderr)
        return stop.status
    return 0


def preview(args: argparse.Namespace) -> int:
    with opened(args.config) as (config, store):
        shown = mail.preview(store, config, args.email, args.format, now=store.clock())
        last = mail.last_sent(store, config, args.email, args.format) if shown is None else None
    if shown is None and last is None:
        print(f"digest: nothing new for {args.email}; no message would be sent", file=sys.stderr)
        return 0
    if shown is None and last is not None:
        # Nothing is owed now: show what they last received, so the preview is never blank.
        when, shown = last
        print(
            f"digest: nothing new for {args.email} since the message sent "
            f"{when:%Y-%m-%d %H:%M} UTC; that message follows",
            file=sys.stderr,
        )
    assert shown is not None
    sys.stdout.write(shown if shown.endswith("\n") else shown + "\n")
    return 0
