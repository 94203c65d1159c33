"""`syndicate editors add|list|remove|password`, `syndicate review list|show|approve|reject
ID` and `syndicate desk log [--brief ID]`: the editorial desk for operators at a terminal.

Passwords are asked for with getpass (never echoed, never an argument); `--password-stdin`
reads one line from standard input instead, for scripts.
"""

from __future__ import annotations

import argparse
import getpass
import sys
from datetime import timedelta

from syndicate import brief as briefs_stage
from syndicate.cli.context import opened
from syndicate.errors import StoreError
from syndicate.pipeline import review

MIN_PASSWORD = 10
OPERATOR = "operator"  # the name the log gives decisions made at the terminal


def _password(args: argparse.Namespace) -> str:
    if args.password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = getpass.getpass("password: ")
        if getpass.getpass("again: ") != password:
            raise StoreError("editors: the two passwords differ")
    if len(password) < MIN_PASSWORD:
        raise StoreError(f"editors: a password needs at least {MIN_PASSWORD} characters")
    return password


def _name(value: str) -> str:
    name = value.strip()
    if not name or len(name) > 64 or not name.replace(" ", "").replace("-", "").isalnum():
        raise argparse.ArgumentTypeError("a name of letters, digits, spaces or '-' (<= 64)")
    return name


def editors_add(args: argparse.Namespace) -> int:
    with opened(args.config) as (_, store):
        store.desk.add_editor(args.name, _password(args), now=store.clock())
    print(f"editors: added {args.name}")
    return 0


def editors_list(args: argparse.Namespace) -> int:
    with opened(args.config) as (_, store):
        found = store.desk.editors()
    for e in found:
        print(f"{e.name}\tadded {e.created_at:%Y-%m-%d}\tpassword set {e.password_at:%Y-%m-%d}")
    if not found:
        print("editors: none (add one with `syndicate editors add NAME`)")
    return 0


def editors_remove(args: argparse.Namespace) -> int:
    with opened(args.config) as (_, store):
        gone = store.desk.remove_editor(args.name)
    if not gone:
        raise StoreError(f"editors: no editor {args.name!r}")
    print(f"editors: removed {args.name}; their sessions ended")
    return 0


def editors_password(args: argparse.Namespace) -> int:
    with opened(args.config) as (_, store):
        if not store.desk.set_password(args.name, _password(args), now=store.clock()):
            raise StoreError(f"editors: no editor {args.name!r}")
    print(f"editors: new password for {args.name}; their sessions ended")
    return 0


def review_list(args: argparse.Namespace) -> int:
    with opened(args.config) as (_, store):
        now = store.clock()
        rows = store.desk.queue(published_since=now - timedelta(days=args.days))
    if args.state:
        rows = [r for r in rows if r.state == args.state]
    for r in rows:
        hours = (now - r.since).total_seconds() / 3600
        print(f"{r.id}\t{r.state}\t{r.agency}\t{r.engine}\t{hours:.0f}h\t{r.title}")
    if not rows:
        print("review: nothing on the desk")
    return 0


def review_show(args: argparse.Namespace) -> int:
    with opened(args.config) as (_, store):
        state = store.desk.state(args.id)
        if state is None:
            raise StoreError(f"review: no brief {args.id!r}")
        article = store.desk.article(args.id)
    print(f"state: {state.state}" + (f" ({state.reason})" if state.reason else ""))
    print(f"engine: {state.engine}")
    if article is not None:
        for v in briefs_stage.verdicts(state.brief, article):
            print(f"check {v.check}: {'passed' if v.ok else v.reason}")
    print()
    print(briefs_stage.render(state.brief, "text"), end="")
    return 0


def review_decide(args: argparse.Namespace) -> int:
    with opened(args.config) as (_, store):
        now = store.clock()
        if args.decision == "approve":
            done = review.approve(store, args.id, args.editor, now=now)
        else:
            done = review.reject(store, args.id, args.editor, args.reason, now=now)
    if not done:
        raise StoreError(f"review: {args.id} is not waiting for a decision")
    print(f"review: {args.id} {args.decision}d")
    if args.decision == "approve":
        print("review: it goes out with the next `syndicate publish` and digest")
    return 0


def desk_log(args: argparse.Namespace) -> int:
    with opened(args.config) as (_, store):
        entries = store.desk.log(args.brief)
    for e in entries:
        print(f"{e.at:%Y-%m-%d %H:%M:%S} {e.editor} {e.action} {e.brief_id or '-'}")
        for line in e.detail.splitlines():
            print(f"    {line}")
    if not entries:
        print("desk: the log is empty")
    return 0


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    ed = sub.add_parser("editors", help="the desk's editors: add, list, remove, password")
    eds = ed.add_subparsers(dest="action", metavar="ACTION", required=True)
    for name, func, text in (
        ("add", editors_add, "add an editor (asks for a password)"),
        ("password", editors_password, "set an editor's password (ends their sessions)"),
    ):
        p = eds.add_parser(name, help=text)
        p.add_argument("name", type=_name, metavar="NAME", help="the editor's name")
        p.add_argument(
            "--password-stdin",
            action="store_true",
            help="read the password from stdin (default: ask twice, not echoed)",
        )
        p.set_defaults(func=func)
    eds.add_parser("list", help="list editors").set_defaults(func=editors_list)
    p = eds.add_parser("remove", help="remove an editor (the log keeps their name)")
    p.add_argument("name", type=_name, metavar="NAME", help="the editor's name")
    p.set_defaults(func=editors_remove)

    rv = sub.add_parser("review", help="briefs on the desk: list, show, approve, reject")
    rvs = rv.add_subparsers(dest="action", metavar="ACTION", required=True)
    p = rvs.add_parser("list", help="held, rejected, failed and recent briefs")
    p.add_argument(
        "--state",
        choices=("held", "rejected", "failed", "hidden", "published"),
        help="only briefs in this state (default: all)",
    )
    p.add_argument(
        "--days", type=int, default=2, help="published ones of the last N days (default: 2)"
    )
    p.set_defaults(func=review_list)
    p = rvs.add_parser("show", help="one brief with its state and the gate's verdicts")
    p.add_argument("id", metavar="ID", help="the brief's id, as `review list` shows it")
    p.set_defaults(func=review_show)
    for decision in ("approve", "reject"):
        p = rvs.add_parser(decision, help=f"{decision} a held brief")
        p.add_argument("id", metavar="ID", help="the brief's id, as `review list` shows it")
        p.add_argument(
            "--editor", default=OPERATOR, help=f"the name the log records (default: {OPERATOR})"
        )
        if decision == "reject":
            p.add_argument("--reason", required=True, help="why it stays out")
        p.set_defaults(func=review_decide, decision=decision)

    dk = sub.add_parser("desk", help="the desk's audit log")
    dks = dk.add_subparsers(dest="action", metavar="ACTION", required=True)
    p = dks.add_parser("log", help="every desk action, oldest first")
    p.add_argument("--brief", metavar="ID", help="only this brief's actions (default: all)")
    p.set_defaults(func=desk_log)
