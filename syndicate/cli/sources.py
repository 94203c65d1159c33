"""`syndicate sources [--json]`: each source's state and health; `sources release ID` lifts a
hold; `sources test ID` (in `cli/probe.py`) tries a source's selectors once.

The table shows, per configured source: its state (ok, broken, stalled, blocked; `disabled`
with the reason the config gives; `new` before its first poll), since when, what its last
poll yielded, its items, failures, next poll and the reason or error. `--json` gives the same
as data: ISO 8601 times, `null` for "never" or "at the next chance", `held` apart from errors.
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import datetime
from typing import Any

from rich.console import Console
from rich.table import Table

from syndicate.cli import probe
from syndicate.cli.context import opened
from syndicate.config import Config
from syndicate.errors import ConfigError
from syndicate.store import Store
from syndicate.store.sources import RELEASED


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "sources",
        help="show each source's state (ok, broken, stalled, blocked), last yield and schedule",
        description="Show each configured source's health, what its last poll yielded, its "
        "schedule and its last error or hold.",
    )
    p.add_argument(
        "--json",
        action="store_true",
        help="print JSON: ISO 8601 times, null for none (default: a table)",
    )
    p.set_defaults(func=run)
    actions = p.add_subparsers(dest="action", metavar="ACTION")
    r = actions.add_parser("release", help="accept the items held for a source and go on")
    r.add_argument("id", metavar="ID", help="the source whose held items the next poll takes")
    r.set_defaults(func=release)
    probe.register(actions)


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def _when(value: str | None) -> str:
    return value.replace("T", " ")[:16] + " UTC" if value else "-"


def rows(config: Config, store: Store) -> list[dict[str, Any]]:
    """One dict per configured source: its config, stored state and last poll's yield."""
    states = {s.id: s for s in store.sources.all()}
    unpublished = store.briefs.problems_by_source()
    out: list[dict[str, Any]] = []
    for src in config.source_list():
        st = states.get(src.id)
        last = store.polls.recent(src.id, 1)
        state = st.health if st and st.health else "new"
        reason = st.health_reason if st else None
        if not src.enabled:
            state, reason = "disabled", src.disabled_reason or "enabled = false in the config"
        out.append(
            {
                "id": src.id,
                "agency": src.agency,
                "kind": src.kind,
                "enabled": src.enabled,
                "url": src.url,
                "extra_feeds": list(src.extra_feeds),
                "state": state,
                "state_reason": reason,
                "state_since": _iso(st.health_since) if st and src.enabled else None,
                "last_poll": _iso(st.last_poll_at) if st else None,
                "last_success": _iso(st.last_success_at) if st else None,
                "next_poll": _iso(st.next_poll_at) if st else None,
                "items": st.items if st else 0,
                "failures": st.failures if st else 0,
                "last_error": st.last_error if st else None,
                "held": bool(st and st.held),
                "held_reason": st.held_reason if st and st.held else None,
                "released": bool(st and st.held_reason == RELEASED),
                "last_yield": None
                if not last
                else {
                    "found": last[0].found,
                    "releases": last[0].pages,
                    "bodies": last[0].bodies,
                    "refused": last[0].refused,
                },
                "documents": [
                    {
                        "url": d.url,
                        "status": d.last_status,
                        "items": d.last_items,
                        "failures": d.failures,
                        "error": d.last_error,
                        "read_at": _iso(d.fetched_at),
                    }
                    for d in store.polls.documents(src.id)
                ],
                "cross_check": src.cross_check,
                "cross_report": st.cross_report if st else None,
                # Briefs the last publish left out of every feed, and why.
                "unpublished": [
                    {"brief": b, "reason": why} for b, why in unpublished.get(src.id, [])
                ],
            }
        )
    return out


def _yield(row: dict[str, Any]) -> str:
    y = row["last_yield"]
    if not y:
        return "-"
    found = "-" if y["found"] is None else str(y["found"])
    return f"{found} items, {y['bodies']}/{y['releases']} bodies"


def _why(row: dict[str, Any]) -> str:
    parts = [row["state_reason"]] if row["state_reason"] and row["state"] != "ok" else []
    if row["held"]:
        parts.append(str(row["held_reason"]))
    if row["last_error"] and row["last_error"] not in parts:
        parts.append(row["last_error"])
    report = row["cross_report"]
    if report and report.get("error"):
        parts.append(f"cross-check failed: {report['error']}")
    elif report and report.get("missed_here_count"):
        # Only what this source missed; `--json` has the reverse too (`missed_there`).
        parts.append(
            f"cross-check with {report['other']}: {report['missed_here_count']} shown there "
            f"and never here"
        )
    if row["unpublished"]:
        first = row["unpublished"][0]
        parts.append(
            f"{len(row['unpublished'])} briefs not published ({first['brief']}: {first['reason']})"
        )
    return "; ".join(parts)


def run(args: argparse.Namespace) -> int:
    with opened(args.config) as (config, store):
        found = rows(config, store)
    if args.json:
        print(json.dumps(found, indent=2, ensure_ascii=False))
        return 0
    table = Table(title="sources", title_justify="left")
    for col in ("source", "kind", "state", "since", "last yield", "last success", "items",
                "failures", "next poll", "reason"):  # fmt: skip
        table.add_column(col)
    for r in found:
        table.add_row(
            r["id"], r["kind"], r["state"], _when(r["state_since"]), _yield(r),
            _when(r["last_success"]), str(r["items"]), str(r["failures"]),
            "-" if not r["enabled"] else _when(r["next_poll"]) if r["next_poll"] else "now",
            _why(r),
        )  # fmt: skip
    Console(file=sys.stdout, width=220).print(table)
    if any(r["unpublished"] for r in found):
        print("see `syndicate briefs list --problems` for every brief left out of the feeds")
    return 0


def release(args: argparse.Namespace) -> int:
    with opened(args.config) as (config, store):
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
    print(f"sources: {args.id} released; its held items are taken on the next poll")
    return 0
