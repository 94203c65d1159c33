"""`syndicate check`: validate the configuration and do nothing else."""

from __future__ import annotations

import argparse

from syndicate import config


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("check", help="validate config.toml and exit (status 2 when invalid)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    cfg = config.load(args.config)
    enabled = sum(1 for s in cfg.sources if s.enabled)
    print(f"config: {args.config} is valid ({len(cfg.sources)} sources, {enabled} enabled)")
    return 0
