"""`syndicate demo [--data DIR] [--release] [--serve] [--port N]`: the pipeline, offline."""

from __future__ import annotations

import argparse
import asyncio
import socket
import sys
from pathlib import Path

from syndicate import demo
from syndicate.cli.context import port


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("demo", help="run the whole pipeline offline on bundled sample sources")
    p.add_argument("--data", type=Path, help="data directory to use (default: a new temp dir)")
    p.add_argument(
        "--release",
        action="store_true",
        help="publish one more sample release, to show an update flowing through",
    )
    p.add_argument(
        "--serve",
        action="store_true",
        help="keep the web side up afterwards to browse briefs, feeds and mail",
    )
    p.add_argument("--port", type=port, default=8080, help="web port for --serve (default 8080)")
    p.set_defaults(func=run)


def _port_free(number: int) -> bool:
    with socket.socket() as probe:
        # As uvicorn binds: a port left in TIME_WAIT is free, one with a listener is not.
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(("127.0.0.1", number))
        except OSError:
            return False
    return True


def run(args: argparse.Namespace) -> int:
    # Say so before the demo's work, not after it, when the port for --serve is taken.
    if args.serve and args.port and not _port_free(args.port):
        print(f"demo: port {args.port} is taken; choose another with --port", file=sys.stderr)
        return 2
    try:
        out = demo.run(args.data, release=args.release, port=args.port, keep_site=args.serve)
    except OSError as e:
        where = f" {e.filename}" if e.filename else ""
        hint = " (--data names a directory to create or reuse)" if args.data else ""
        print(f"demo: cannot use{where}: {e.strerror or e}{hint}", file=sys.stderr)
        return 1
    print("syndicate demo")
    for line in out.lines:
        print(f"  {line}")
    print(f"data directory:  {out.data}")
    print(f"config:          {out.config_path}")
    print(f"briefs stored:   {out.briefs}")
    print(f"feeds ({len(out.feeds)} Atom files, with .rss and .json beside them):")
    for path in out.feeds[:4]:
        print(f"  {path}")
    if len(out.feeds) > 4:
        print(f"  ... and {len(out.feeds) - 4} more under {out.feeds[0].parent.parent}")
    print(f"messages in the Maildir ({len(out.messages)}):")
    for path in out.messages[:5]:
        print(f"  {path}")
    if len(out.messages) > 5:
        print(f"  ... and {len(out.messages) - 5} more in {out.messages[0].parent}")
    print("next:")
    print(f"  syndicate demo --data {out.data} --serve     # browse it, sample sites up too")
    print(f"  syndicate --config {out.config_path} digest preview {demo.DEMO_SUBSCRIBER}")
    print(f"  syndicate demo --data {out.data} --release   # one more release flows through")
    if args.serve:
        from syndicate import config as config_module
        from syndicate import store as store_module
        from syndicate import web

        cfg = config_module.load(out.config_path)
        st = store_module.open(cfg.database_url)
        print(f"serving {cfg.service.base_url}/ (Ctrl-C stops)")
        if out.site is not None:
            print(f"sample sources (the original releases) at {out.site.base}/")
        try:
            asyncio.run(web.serve(cfg, st))
        finally:
            st.close()
            if out.site is not None:
                out.site.stop()
    return 0
