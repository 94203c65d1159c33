"""`syndicate subscribers add|list|remove|import|export`: the operator's mailing list.

CSV (import and export) has a header row with the columns `email`, `name`, `cadence`,
`agencies`, `topics`, `status`; agencies and topics are separated by spaces. Only `email`
is required. Import reports bad rows by line number and imports the rest; an address that
is already there is updated, never duplicated.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import sys
from collections.abc import Sequence
from datetime import datetime

from rich.console import Console
from rich.table import Table

from syndicate.cli.context import open_store, opened
from syndicate.cli.progress import progress
from syndicate.config import Config
from syndicate.errors import SyndicateError
from syndicate.model import AGENCIES, CADENCES, Subscriber
from syndicate.pipeline import mail
from syndicate.store import Store

COLUMNS = ("email", "name", "cadence", "agencies", "topics", "status")
_LEAVING = ("unsubscribed", "bounced", "complained")


class BadChoice(SyndicateError):
    """An agency, topic or cadence that does not exist."""


def _listed(value: str) -> list[str]:
    """`CBP,ICE` -> ["CBP", "ICE"], for options that take one value per flag."""
    return [v.strip() for v in value.split(",") if v.strip()]


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("subscribers", help="add, list, remove, import and export subscribers")

    def usage(args: argparse.Namespace) -> int:
        p.print_help()
        return 2

    p.set_defaults(func=usage)
    actions = p.add_subparsers(dest="action", metavar="ACTION")

    a = actions.add_parser("add", help="add an address, or update the one already there")
    a.add_argument("email", help="the subscriber's address (checked, then stored in lower case)")
    a.add_argument(
        "--cadence",
        choices=CADENCES,
        default="daily",
        help="one message per brief, or a daily or weekly digest (default: daily)",
    )
    # One value per flag (commas allowed): `nargs="+"` took the address after `--agency CBP`
    # as a second agency.
    a.add_argument(
        "--agency",
        action="extend",
        type=_listed,
        default=[],
        metavar="CODE[,CODE]",
        help=f"only briefs of these agencies (repeatable; {', '.join(AGENCIES)} or one added "
        "in config.toml; default: all agencies)",
    )
    a.add_argument(
        "--topic",
        action="extend",
        type=_listed,
        default=[],
        metavar="TOPIC[,TOPIC]",
        help="only briefs on these topics (repeatable; default: every topic)",
    )
    a.add_argument("--name", help="display name used in the To header (default: none)")
    a.add_argument(
        "--confirmed",
        action="store_true",
        help="active at once; without it the subscriber is pending and is mailed a "
        "confirmation link",
    )
    a.set_defaults(func=add)

    ls = actions.add_parser("list", help="list subscribers")
    ls.add_argument("--json", action="store_true", help="print JSON for scripts instead of a table")
    ls.add_argument(
        "--status",
        choices=("pending", "active", *_LEAVING),
        help="only subscribers with this status (default: all)",
    )
    ls.set_defaults(func=list_)

    rm = actions.add_parser("remove", help="delete an address and its delivery history")
    rm.add_argument("email", help="the address to delete, with its delivery history")
    rm.set_defaults(func=remove)

    im = actions.add_parser("import", help="add or update subscribers from a CSV file")
    im.add_argument("file", help="CSV with a header row (email, name, cadence, agencies, ...)")
    im.add_argument(
        "--confirmed",
        action="store_true",
        help="rows without a status column become active, not pending",
    )
    im.set_defaults(func=import_)

    ex = actions.add_parser("export", help="write every subscriber as CSV to standard output")
    ex.set_defaults(func=export)


def _choices(config: Config, agencies: Sequence[str], topics: Sequence[str]) -> None:
    known_agencies = config.publishers
    for code in agencies:
        if code.upper() not in known_agencies:
            raise BadChoice(f"unknown agency {code!r} ({', '.join(known_agencies)})")
    known = set(config.brief.topics)
    for topic in topics:
        if topic.lower() not in known:
            raise BadChoice(f"unknown topic {topic!r} ({', '.join(sorted(known))})")


def add(args: argparse.Namespace) -> int:
    with opened(args.config) as (config, store):
        _choices(config, args.agency, args.topic)
        known = store.subscribers.by_email(args.email)
        found, created = store.subscribers.upsert(
            args.email,
            args.cadence,
            args.agency,
            args.topic,
            name=args.name,
            confirmed=args.confirmed,
        )
        print(
            f"subscribers: {'added' if created else 'updated'} {found.email} ({found.status}, "
            f"{found.cadence})"
        )
        if found.status != "pending" or (known is not None and known.status == "pending"):
            return 0  # active, or already sent a link: nothing new to confirm
        try:
            mail.send_confirmation(store, config, None, found, now=store.clock())
        except SyndicateError as e:
            print(f"subscribers: the confirmation mail was not sent: {e}", file=sys.stderr)
            return 1
        print(f"subscribers: sent {found.email} a confirmation link (by {config.mail.transport})")
        return 0


def _when(value: datetime | None) -> str:
    return value.strftime("%Y-%m-%d %H:%M") if value else "-"


def _json(s: Subscriber) -> dict[str, object]:
    return {
        "id": s.id,
        "email": s.email,
        "name": s.name,
        "status": s.status,
        "cadence": s.cadence,
        "agencies": list(s.agencies),
        "topics": list(s.topics),
        "created": s.created.isoformat(),
        "confirmed": s.confirmed.isoformat() if s.confirmed else None,
        "unsubscribed": s.unsubscribed.isoformat() if s.unsubscribed else None,
        "last_digest": s.last_digest_at.isoformat() if s.last_digest_at else None,
    }


def list_(args: argparse.Namespace) -> int:
    with opened(args.config) as (_, store):
        found = store.subscribers.all(status=args.status)
    if args.json:
        print(json.dumps([_json(s) for s in found], indent=2))
        return 0
    table = Table(title=f"subscribers ({len(found)})", title_justify="left")
    for col in (
        "email",
        "name",
        "status",
        "cadence",
        "agencies",
        "topics",
        "created",
        "last digest",
    ):
        table.add_column(col)
    for s in found:
        table.add_row(
            s.email,
            s.name or "",
            s.status,
            s.cadence,
            " ".join(s.agencies) or "all",
            " ".join(s.topics) or "all",
            _when(s.created),
            _when(s.last_digest_at),
        )
    Console(file=sys.stdout, width=200).print(table)
    return 0


def remove(args: argparse.Namespace) -> int:
    with opened(args.config) as (_, store):
        gone = store.subscribers.remove(args.email)
    if not gone:
        print(f"subscribers: no subscriber {args.email!r}", file=sys.stderr)
        return 1
    print(f"subscribers: removed {args.email}")
    return 0


def _row(config: Config, store: Store, row: dict[str, str], confirmed: bool) -> bool:
    """Add or update one CSV row; True when it was new."""
    agencies = (row.get("agencies") or "").replace(";", " ").split()
    topics = (row.get("topics") or "").replace(";", " ").split()
    cadence = (row.get("cadence") or "daily").strip().lower()
    status = (row.get("status") or "").strip().lower()
    if cadence not in CADENCES:
        raise BadChoice(f"unknown cadence {cadence!r} ({', '.join(CADENCES)})")
    if status and status not in ("pending", "active", *_LEAVING):
        raise BadChoice(f"unknown status {status!r}")
    _choices(config, agencies, topics)
    email = row.get("email") or ""
    # Someone who unsubscribed, bounced or complained stays that way whatever the file or
    # --confirmed says: only their own confirmation (or `subscribers add`) brings them back.
    known = store.subscribers.by_email(email)
    leaving = known is not None and known.status in _LEAVING
    found, created = store.subscribers.upsert(
        email,
        cadence,
        agencies,
        topics,
        name=(row.get("name") or None),
        confirmed=not leaving and (status == "active" or (confirmed and not status)),
    )
    if status in _LEAVING and found.status != status:
        store.subscribers.set_status(found.id, status)  # type: ignore[arg-type]
    return created


def _csv_error(e: csv.Error) -> str:
    if "unexpected end of data" in str(e):
        return "a quoted field is never closed; the rest of the file was not read"
    return f"malformed CSV ({e})"


def _rows(path: str) -> int | None:
    """About how many data rows a CSV file holds (a quoted field may span lines)."""
    try:
        with open(path, "rb") as f:
            return max(sum(1 for _ in f) - 1, 0)
    except OSError:
        return None  # reported when the import opens it


def import_(args: argparse.Namespace) -> int:
    config, store = open_store(args.config)
    added = updated = bad = 0
    try:
        with (
            open(args.file, newline="", encoding="utf-8-sig") as f,
            progress("importing subscribers", _rows(args.file)) as advance,
        ):
            # strict: a stray or unclosed quote is a bad row, not a field that swallows the
            # rows after it (an unclosed quote used to eat the rest of the file silently).
            reader = csv.DictReader(f, strict=True)
            header = [h.strip().lower() for h in reader.fieldnames or []]
            if "email" not in header:
                print(
                    f"subscribers: {args.file}: line 1: the header needs an 'email' column",
                    file=sys.stderr,
                )
                return 1
            reader.fieldnames = header
            while True:
                line = reader.line_num + 1  # where the next record starts
                try:
                    raw = next(reader)
                except StopIteration:
                    break
                except csv.Error as e:
                    bad += 1
                    print(
                        f"subscribers: {args.file}: line {line}: {_csv_error(e)}", file=sys.stderr
                    )
                    continue
                line = reader.line_num
                advance()
                row = {k: (v or "").strip() for k, v in raw.items() if isinstance(k, str)}
                try:
                    if _row(config, store, row, args.confirmed):
                        added += 1
                    else:
                        updated += 1
                except SyndicateError as e:
                    bad += 1
                    detail = str(e).removeprefix("store: ").removeprefix("subscribers: ")
                    print(f"subscribers: {args.file}: line {line}: {detail}", file=sys.stderr)
    except (OSError, UnicodeDecodeError, csv.Error) as e:
        print(f"subscribers: cannot read {args.file}: {e}", file=sys.stderr)
        return 1
    finally:
        store.close()
    print(f"subscribers: {added} added, {updated} updated, {bad} bad rows")
    return 1 if bad else 0


def export(args: argparse.Namespace) -> int:
    with opened(args.config) as (_, store):
        found = store.subscribers.all()
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    for s in found:
        writer.writerow(
            [s.email, s.name or "", s.cadence, " ".join(s.agencies), " ".join(s.topics), s.status]
        )
    sys.stdout.write(out.getvalue())
    return 0
