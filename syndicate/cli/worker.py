"""`syndicate worker [--once] [--kind KIND]`: drain the work queues in the store.

The poll never waits on slow work: it queues it in the store, and this command (on the
daemon's machine or any other sharing its PostgreSQL) claims and finishes it. Each job kind
is a function `run_once(store, config, clock) -> int` (how many jobs it finished) in KINDS;
the loop runs every kind in turn, sleeps `--idle` seconds when none had work, and stops on
SIGTERM/SIGINT after the round in hand (exit status 128 + the signal number). `--once` runs
one round and exits, for cron.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable

from syndicate.cli.context import opened
from syndicate.cli.signals import Stop
from syndicate.clock import Clock, utc_now
from syndicate.config import Config
from syndicate.pipeline import aiwork, mail
from syndicate.store import Store

JobKind = Callable[[Store, Config, Clock], int]
# Job kinds by name, in the order a round runs them.
KINDS: dict[str, JobKind] = {"ai": aiwork.run_once, "mail": mail.run_once}


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "worker",
        help="claim and finish queued work (AI briefs, mail) until stopped",
        description=(
            "Claim and finish the work polls queue in the store: "
            f"{', '.join(KINDS)}. Several workers may share one PostgreSQL store."
        ),
    )
    p.add_argument("--once", action="store_true", help="run one round and exit")
    p.add_argument(
        "--kind",
        action="append",
        choices=sorted(KINDS),
        help="only this job kind (repeatable; default: every kind)",
    )
    p.add_argument(
        "--idle",
        type=float,
        default=5.0,
        metavar="SECONDS",
        help="how long to sleep when no kind had work (default: 5)",
    )
    p.set_defaults(func=run)


def round_(store: Store, config: Config, clock: Clock, kinds: list[str]) -> dict[str, int]:
    """Run each job kind once; how many jobs each finished."""
    return {name: KINDS[name](store, config, clock) for name in kinds}


def run(args: argparse.Namespace) -> int:
    with opened(args.config) as (config, store), Stop() as stop:
        kinds = args.kind or list(KINDS)
        total = 0
        while not stop():
            done = round_(store, config, utc_now, kinds)
            total += sum(done.values())
            if args.once:
                break
            if not any(done.values()):
                deadline = time.monotonic() + args.idle
                while not stop() and time.monotonic() < deadline:
                    time.sleep(min(0.2, args.idle))
    print(f"worker: {total} jobs finished ({', '.join(kinds)})")
    return stop.status if stop() else 0
