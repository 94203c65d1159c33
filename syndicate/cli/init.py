"""`syndicate init [DIR] [--data-dir PATH] [--force]`: write a commented config.toml to start from.

The file is the shipped `config.toml` (every key with its default and a comment, the nine
agencies' sources), packaged as `syndicate/config/shipped.toml`, with `service.data_dir` set
when `--data-dir` is given. It never overwrites a config without `--force`, and ends by
saying which keys to edit before pointing readers at the service.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from importlib import resources
from pathlib import Path

from syndicate import config as config_module
from syndicate.errors import ConfigError

# What an operator must change before the service faces readers, and why.
TO_EDIT = (
    ("service.name", "the name shown in feeds, pages and mail"),
    ("service.base_url", "the address people reach the web side at; every link is built on it"),
    ("service.contact_url", "a page about your service, sent in the User-Agent"),
    ("attribution.prepared_by", "the attribution line under every brief"),
    ("mail.from", "the sender of digests and confirmations"),
    ("feeds.tag_authority", "a domain and year you own, set once: it is in every entry id"),
)


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "init",
        help="write a commented config.toml to start from, and say what to edit",
        description=(
            "Write DIR/config.toml: every setting with its default and a comment, and the "
            "sources of the nine DHS agencies. An existing file is left alone unless --force."
        ),
    )
    p.add_argument(
        "directory",
        nargs="?",
        default=".",
        metavar="DIR",
        help="the folder to write config.toml into, created when missing (default: .)",
    )
    p.add_argument(
        "--data-dir",
        metavar="PATH",
        help=(
            "set service.data_dir, where the store, feeds and Maildir live "
            "(default: data, beside the config file)"
        ),
    )
    p.add_argument(
        "--force", action="store_true", help="overwrite an existing config.toml (default: never)"
    )
    p.set_defaults(func=run)


def shipped() -> str:
    """The shipped config.toml's text."""
    return resources.files("syndicate.config").joinpath("shipped.toml").read_text("utf-8")


def text(data_dir: str | None) -> str:
    """The config to write: the shipped one, with `service.data_dir` set when asked."""
    out = shipped()
    if data_dir is not None:
        out, found = re.subn(
            r'^data_dir = "[^"]*"', f"data_dir = {json.dumps(data_dir)}", out, count=1, flags=re.M
        )
        if not found:  # the shipped file always has the key; say so if it ever does not
            raise ConfigError("init: the shipped config has no service.data_dir line")
    return out


def run(args: argparse.Namespace) -> int:
    folder = Path(args.directory)
    target = folder / "config.toml"
    if target.exists() and not args.force:
        print(f"init: {target} exists; left as it is (--force replaces it)", file=sys.stderr)
        return 1
    body = text(args.data_dir)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        target.write_text(body, encoding="utf-8")
    except OSError as e:
        print(f"init: cannot write {target}: {e.strerror or e}", file=sys.stderr)
        return 1
    cfg = config_module.load(target)  # the file written must load; a ConfigError exits 2
    print(f"wrote {target} ({len(cfg.sources)} sources; data in {cfg.data_dir})")
    print("edit these before pointing readers at it:")
    width = max(len(key) for key, _ in TO_EDIT)
    for key, why in TO_EDIT:
        print(f"  {key:<{width}}  {why}")
    flag = "" if target == Path("config.toml") else f" --config {target}"
    print(f"then: syndicate{flag} check   # and syndicate{flag} run")
    return 0
