"""The operator's entry point: `syndicate [--config FILE] COMMAND ...`.

Each command group lives in its own module with a `register(subparsers)` function that adds
its parser and sets `func` to a callable taking the parsed namespace and returning an exit
status. Errors from syndicate's tree are caught here, printed as one line, and turned into an
exit status: 2 for configuration errors, 1 for everything else. No traceback reaches the user.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Sequence

from syndicate import __version__
from syndicate.errors import ConfigError, SyndicateError

# Modules with a register(subparsers) function, each named as its command, in the order
# `--help` lists them. A command's module (and what it imports) is loaded only when that
# command runs, or for the full parser (`--help`, a mistyped command): `syndicate --version`
# loads none, and `syndicate poll` none of what publishing, mail or migrations need.
COMMANDS = (
    "init", "check", "run", "poll", "sources", "inspect", "brief", "briefs", "publish",
    "subscribers", "digest", "serve", "worker", "backup", "demo", "desk",
)  # fmt: skip
# Commands registered by another command's module: `desk` holds `editors` and `review` too.
HELD_BY = {"editors": "desk", "review": "desk"}


def parser(only: Sequence[str] | None = None) -> argparse.ArgumentParser:
    """The full argument parser (also used by the docs test), or one with only the commands
    named in `only` (what `main` builds once it knows the command)."""
    p = argparse.ArgumentParser(
        prog="syndicate",
        description="Faithful briefs of official DHS releases, as feeds and email digests.",
    )
    p.add_argument("--version", action="version", version=f"syndicate {__version__}")
    p.add_argument(
        "--config",
        default=os.environ.get("SYNDICATE_CONFIG", "config.toml"),
        help="the config file (default: $SYNDICATE_CONFIG or ./config.toml)",
    )
    sub = p.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMANDS if only is None else only:
        importlib.import_module(f"syndicate.cli.{name}").register(sub)
    _config_anywhere(p)
    return p


def _config_anywhere(p: argparse.ArgumentParser) -> None:
    """Accept `--config FILE` after the command too (`syndicate check --config x.toml`)."""
    for action in p._actions:
        if isinstance(action, argparse._SubParsersAction):
            for child in action.choices.values():
                child.add_argument(
                    "--config", default=argparse.SUPPRESS, help="the config file (as above)"
                )
                _config_anywhere(child)


# glibc's M_ARENA_MAX, and the arenas a process keeps when the operator has not said.
_M_ARENA_MAX = -8
ARENAS = 2


def cap_malloc_arenas() -> bool:
    """Cap glibc's malloc arenas at ARENAS; whether the cap was set.

    glibc gives each thread that allocates an arena of its own, up to eight per core, and
    memory freed in one is not reused by another: the worker threads a poll hands store and
    parse work to left a first run of 2,000 releases at 289 MiB resident where its heap
    never held more than 164 MB (226 MiB with two arenas). An operator's MALLOC_ARENA_MAX
    wins; other C libraries are left alone.
    """
    if not sys.platform.startswith("linux") or "MALLOC_ARENA_MAX" in os.environ:
        return False
    import ctypes

    try:
        mallopt = ctypes.CDLL(None).mallopt
    except (OSError, AttributeError):
        return False
    return bool(mallopt(_M_ARENA_MAX, ARENAS))


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; returns the process exit status."""
    cap_malloc_arenas()  # before any thread has allocated
    argv = sys.argv[1:] if argv is None else list(argv)
    p = parser(_needed(argv))
    args = p.parse_args(argv)
    if not getattr(args, "func", None):
        p.print_help()
        return 2
    try:
        status: int = args.func(args)
        sys.stdout.flush()  # a closed pipe shows here, inside the try, not at interpreter exit
    except ConfigError as e:
        print(str(e), file=sys.stderr)
        return 2
    except SyndicateError as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # The reader went away (`syndicate sources | head -1`): nothing more to say, and no
        # second traceback when Python flushes stdout at exit (the recipe in the signal docs).
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 1
    return status


def _needed(argv: Sequence[str]) -> list[str] | None:
    """The commands the parser needs for `argv`: the one named, none for `--version` alone,
    else all (`--help`, no command, a mistyped one: the message lists them)."""
    words = iter(argv)
    for word in words:
        if word == "--config":
            next(words, None)
        elif word in ("-h", "--help"):
            return None
        elif word in COMMANDS or word in HELD_BY:
            return [HELD_BY.get(word, word)]
        elif word == "--version":
            return []
        elif not word.startswith("-"):
            return None
    return None
