"""The documentation keeps up with the code (datasette's habit).

- Every key of the config model (`syndicate.config.Config`, walked recursively: sections,
  `[[sources]]`, `[sources.listing]`, `[sources.article]`, `[mail.smtp]`, `[mail.dkim]`)
  has a row in README's configuration reference with its default, and appears in the
  shipped `config.toml` as a key or a commented-out key.
- Every command registered in `syndicate.cli.parser()`, nested ones included
  (`sources release`, `subscribers add`, `digest preview`), has a one-line help, is named in
  README's "## Commands" section, and `syndicate <command> --help` exits 0.
- The shipped `config.toml` passes `syndicate check`.
- README's two commands exist, and `.ci/run` runs the second.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
from dataclasses import dataclass
from datetime import time
from pathlib import Path
from types import NoneType, UnionType
from typing import Any, Union, get_args, get_origin

import pytest
from pydantic import BaseModel
from pydantic.fields import FieldInfo

from syndicate import cli
from syndicate.config import Config

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")
CONFIG_TOML = (ROOT / "config.toml").read_text(encoding="utf-8")

# --- the config model --------------------------------------------------------------------


@dataclass(frozen=True)
class Key:
    """One key of config.toml: its table (`mail.smtp`, `sources.listing`) and name."""

    table: str
    name: str
    field: FieldInfo

    def __str__(self) -> str:
        return f"[{self.table}] {self.name}"


def _model_of(annotation: Any) -> tuple[type[BaseModel], bool] | None:
    """The section model a field holds, and whether it is an array of tables."""
    origin = get_origin(annotation)
    if origin in (Union, UnionType):
        models = [m for a in get_args(annotation) if a is not NoneType if (m := _model_of(a))]
        return models[0] if models else None
    if origin is list:
        inner = _model_of(get_args(annotation)[0])
        return (inner[0], True) if inner else None
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation, False
    return None


def _walk(model: type[BaseModel], table: str) -> list[Key]:
    keys: list[Key] = []
    for name, info in model.model_fields.items():
        if info.exclude:
            continue  # not read from the file (Config.root)
        key = info.alias or name
        held = _model_of(info.annotation)
        if held is None:
            keys.append(Key(table, key, info))
        else:
            keys += _walk(held[0], f"{table}.{key}" if table else key)
    return keys


KEYS = _walk(Config, "")
TABLES = sorted({k.table for k in KEYS})


def test_the_walk_finds_every_section() -> None:
    # Guards the walk itself: a model change that hid a section from it would pass silently.
    for table in ("service", "fetch", "sources", "sources.listing", "sources.article"):
        assert table in TABLES
    for table in ("mail", "mail.smtp", "mail.dkim", "web", "log", "housekeeping"):
        assert table in TABLES
    assert ("mail", "from") in {(k.table, k.name) for k in KEYS}
    assert ("sources.listing", "item") in {(k.table, k.name) for k in KEYS}


# --- README's configuration reference -----------------------------------------------------


def section(heading: str) -> str:
    """README's text under `## heading`, up to the next `## ` heading."""
    match = re.search(rf"^## {re.escape(heading)}\n(.*?)(?=^## |\Z)", README, re.M | re.S)
    assert match, f"README has no '## {heading}' section"
    return match.group(1)


def reference() -> dict[str, dict[str, str]]:
    """README's configuration tables: {table: {key: default cell}}.

    A `###` heading naming a table in backticks (`` `[fetch]` ``, `` `[[sources]]` ``) starts
    one; rows are `| `key` | default | meaning |`.
    """
    tables: dict[str, dict[str, str]] = {}
    current: str | None = None
    for line in section("Configuration").splitlines():
        head = re.match(r"^###+ .*?`\[\[?([a-z_.]+)\]\]?`", line)
        if head:
            current = head.group(1)
            tables.setdefault(current, {})
            continue
        row = re.match(r"^\|\s*`([a-z_]+)`\s*\|([^|]*)\|", line)
        if row and current is not None:
            tables[current][row.group(1)] = row.group(2).strip()
    return tables


def expected_default(info: FieldInfo) -> str | None:
    """How the reference writes a field's default, or None when the row's wording is free."""
    if info.is_required():
        return "required"
    if info.default_factory is not None:
        return None  # built at run time (brief.topics, the mail section)
    value = info.default
    if value is None:
        return "unset"
    if isinstance(value, bool):
        return f"`{str(value).lower()}`"
    if isinstance(value, str):
        return f"`{json.dumps(value)}`"
    if isinstance(value, int | float):
        return f"`{value!r}`"
    if isinstance(value, time):
        return f"`{value.isoformat()}`"
    if isinstance(value, list) and not value:
        return "`[]`"
    return None


@pytest.mark.parametrize("key", KEYS, ids=str)
def test_key_is_in_readme_reference(key: Key) -> None:
    tables = reference()
    assert key.table in tables, f"README's configuration reference has no `[{key.table}]` table"
    rows = tables[key.table]
    assert key.name in rows, f"README's `[{key.table}]` table has no row for `{key.name}`"
    want = expected_default(key.field)
    if want is not None:
        assert rows[key.name] == want, (
            f"README gives `{key}` the default {rows[key.name]!r}; config.py says {want}"
        )


def test_readme_reference_has_no_stale_keys() -> None:
    known = {(k.table, k.name) for k in KEYS}
    stale = [f"[{t}] {k}" for t, rows in reference().items() for k in rows if (t, k) not in known]
    assert not stale, f"README documents keys config.py no longer has: {stale}"


# --- the shipped config.toml ---------------------------------------------------------------


def shipped_keys() -> set[tuple[str, str]]:
    """(table, key) for every key in config.toml, written or commented out.

    A table header (also commented out, as `# [mail.dkim]`) opens a table; a header for a
    subtable (`# [brief.topics] ...`) also counts as its key in the parent table.
    """
    found: set[tuple[str, str]] = set()
    table = ""
    for raw in CONFIG_TOML.splitlines():
        line = raw.lstrip("#").strip()
        head = re.match(r"^\[\[?([a-z_.]+)\]\]?", line)
        if head:
            table = head.group(1)
            parent, _, leaf = table.rpartition(".")
            if parent:
                found.add((parent, leaf))
            continue
        key = re.match(r"^([a-z_]+)\s*=", line)
        if key:
            found.add((table, key.group(1)))
    return found


@pytest.mark.parametrize("key", KEYS, ids=str)
def test_key_is_in_shipped_config(key: Key) -> None:
    assert (key.table, key.name) in shipped_keys(), (
        f"config.toml does not show `{key.name}` under [{key.table}] (as a key or a comment)"
    )


def test_shipped_config_passes_check(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # A copy, so the relative data and feeds directories land under tmp_path.
    shutil.copyfile(ROOT / "config.toml", tmp_path / "config.toml")
    status = cli.main(["--config", str(tmp_path / "config.toml"), "check"])
    out = capsys.readouterr()
    assert status == 0, out.out + out.err
    assert "FAIL" not in out.out


# --- commands ------------------------------------------------------------------------------


def commands(
    parser: argparse.ArgumentParser, prefix: tuple[str, ...] = ()
) -> list[tuple[tuple[str, ...], str | None]]:
    """Every subcommand under `parser`, nested ones too, with its one-line help."""
    out: list[tuple[tuple[str, ...], str | None]] = []
    for action in parser._actions:
        if not isinstance(action, argparse._SubParsersAction):
            continue
        helps = {a.dest: a.help for a in action._choices_actions}
        for name, sub in action.choices.items():
            out.append(((*prefix, name), helps.get(name)))
            out += commands(sub, (*prefix, name))
    return out


COMMANDS = commands(cli.parser())
CASES = [pytest.param(c, h, id=" ".join(c)) for c, h in COMMANDS]


def test_the_walk_finds_nested_commands() -> None:
    names = {" ".join(c) for c, _ in COMMANDS}
    assert {"run", "check", "sources release", "subscribers add", "digest preview"} <= names


def mentioned(command: tuple[str, ...], text: str) -> bool:
    """`syndicate sources release` in the text, or, for a nested command, a line naming
    its parent (`syndicate subscribers list ...`) that also shows it (`/ `remove EMAIL``)."""
    if re.search(rf"syndicate {re.escape(' '.join(command))}(?![a-z-])", text):
        return True
    parent, leaf = " ".join(command[:-1]), command[-1]
    return bool(parent) and any(
        re.search(rf"syndicate {re.escape(parent)}\b", line)
        and re.search(rf"`{re.escape(leaf)}[ `]", line)
        for line in text.splitlines()
    )


@pytest.mark.parametrize(("command", "help_line"), CASES)
def test_command_is_documented(command: tuple[str, ...], help_line: str | None) -> None:
    name = " ".join(command)
    assert help_line, f"`syndicate {name}` has no help line (add_parser(..., help=...))"
    assert mentioned(command, section("Commands")), (
        f"README's Commands section does not mention `syndicate {name}`"
    )


def test_mentioned_reads_nested_rows() -> None:
    row = "| `syndicate subscribers list [--json]` / `remove EMAIL` | list; delete one |"
    assert mentioned(("subscribers", "remove"), row)
    assert mentioned(("subscribers", "list"), row)
    assert not mentioned(("subscribers", "export"), row)
    assert not mentioned(("sources", "remove"), row)
    assert not mentioned(("run",), "`syndicate running` is not a command")


@pytest.mark.parametrize(("command", "help_line"), CASES)
def test_command_help_exits_0(
    command: tuple[str, ...], help_line: str | None, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exited:
        cli.main([*command, "--help"])
    assert exited.value.code == 0
    out = capsys.readouterr().out
    assert out.startswith(f"usage: syndicate {' '.join(command)}"), out[:200]


# --- the two commands ----------------------------------------------------------------------


def test_readme_two_commands() -> None:
    blocks = re.findall(r"^```sh\n(.*?)^```", section("The two commands"), re.M | re.S)
    assert len(blocks) >= 2, "README's 'The two commands' needs two fenced sh blocks"
    first, second = blocks[0], blocks[1]
    assert "pip install" in first and "-e ." in first, first
    assert re.search(r"syndicate run\s*$", first.strip()), first
    assert second.strip() == "./scripts/test", second
    script = ROOT / "scripts" / "test"
    assert script.is_file() and script.stat().st_mode & 0o111, "scripts/test is not executable"


def test_ci_runs_the_test_script() -> None:
    lines = (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()
    calls = [ln for ln in lines if not ln.lstrip().startswith("#") and "scripts/test" in ln]
    assert calls, ".ci/run does not call scripts/test"
