"""Every command and option says what it does and, where it has one, its default (the habit of
datasette's `test_docs.py`, which fails when a CLI option lacks help). It walks the parser, so
commands added later are held to it too."""

from __future__ import annotations

import argparse
from collections.abc import Iterator

import pytest

from syndicate import cli

Found = tuple[str, argparse.ArgumentParser]


def parsers(parser: argparse.ArgumentParser, name: str = "syndicate") -> Iterator[Found]:
    yield name, parser
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for child_name, child in action.choices.items():
                yield from parsers(child, f"{name} {child_name}")


ALL = list(parsers(cli.parser()))
SKIP = (argparse._HelpAction, argparse._VersionAction, argparse._SubParsersAction)


def options() -> Iterator[tuple[str, argparse.Action]]:
    for name, parser in ALL:
        for action in parser._actions:
            if isinstance(action, SKIP):
                continue
            if action.dest == "config" and action.default is argparse.SUPPRESS:
                continue  # `--config` repeated after a command: the top level's help says it
            yield name, action


CASES = [
    pytest.param(action, id=f"{name} {'/'.join(action.option_strings) or action.dest}")
    for name, action in options()
]


def test_the_walk_finds_nested_commands_and_their_options() -> None:
    names = {name for name, _ in ALL}
    assert {"syndicate subscribers add", "syndicate digest preview", "syndicate init"} <= names
    assert len(CASES) > 30


@pytest.mark.parametrize("action", CASES)
def test_every_argument_has_help(action: argparse.Action) -> None:
    assert action.help and action.help is not argparse.SUPPRESS, "no help text"
    assert len(action.help) > 10, f"help too short to explain anything: {action.help!r}"


def _has_default(action: argparse.Action) -> bool:
    default = action.default
    if default in (None, False, argparse.SUPPRESS) or default == [] or default == ():
        return False
    return not isinstance(action, (argparse._StoreTrueAction, argparse._StoreFalseAction))


@pytest.mark.parametrize("action", [c for c in CASES if _has_default(c.values[0])])
def test_every_default_is_shown(action: argparse.Action) -> None:
    assert action.help is not None
    shown = "default" in action.help or "%(default)" in action.help
    assert shown, f"help does not show the default ({action.default!r}): {action.help!r}"


@pytest.mark.parametrize(("name", "parser"), [pytest.param(n, p, id=n) for n, p in ALL])
def test_every_command_has_a_description_line(name: str, parser: argparse.ArgumentParser) -> None:
    text = parser.format_help()
    assert "usage:" in text
    if name != "syndicate":
        parent = name.rsplit(" ", 1)[0]
        helps = {
            a.dest: a.help
            for _, p in ALL
            if _ == parent
            for act in p._actions
            if isinstance(act, argparse._SubParsersAction)
            for a in act._choices_actions
        }
        assert helps.get(name.rsplit(" ", 1)[1]), f"`{name}` has no one-line help"
