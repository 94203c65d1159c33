"""A pydantic ValidationError -> one plain line per problem, naming the key and the value.

`sources[2].url` becomes `sources[2] (id 'cbp').url`, so the operator finds the entry; a
rule about a whole table names the table without dumping it.
"""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError


def _where(loc: tuple[int | str, ...], data: dict[str, Any]) -> str:
    """`sources[2].url` → `sources[2] (id 'cbp').url`, so the operator finds the entry."""
    out = ""
    node: Any = data
    for part in loc:
        if isinstance(part, int):
            label = f"[{part}]"
            if isinstance(node, list) and part < len(node) and isinstance(node[part], dict):
                ident = node[part].get("id")
                if ident:
                    label = f"[{part}] (id {ident!r})"
            out += label
        else:
            out += ("." if out else "") + part
        node = node[part] if _has(node, part) else None
    return out


def _has(node: Any, part: int | str) -> bool:
    if isinstance(node, dict):
        return part in node
    return isinstance(node, list) and isinstance(part, int) and part < len(node)


def explain(err: ValidationError, data: dict[str, Any]) -> str:
    lines = []
    for e in err.errors():
        loc = tuple(p for p in e["loc"] if not (isinstance(p, str) and p.startswith("function-")))
        key = _where(loc, data) or "(top level)"
        kind = e["type"]
        if kind == "extra_forbidden":
            lines.append(f"config: unknown key {key!r}")
            continue
        if kind == "missing":
            lines.append(f"config: {key}: missing; it is required")
            continue
        value = e.get("input")
        msg = e["msg"].removeprefix("Value error, ")
        if isinstance(value, (dict, list)):
            # A rule about a whole table (a duplicate id, a page source without selectors):
            # the table itself is not worth printing; a rule about the whole file names its
            # own keys.
            lines.append(f"config: {msg}" if not loc else f"config: {key}: {msg}")
            continue
        if msg.startswith("Input should be "):
            msg = msg.removeprefix("Input should be ")
            msg = ("one of " + msg) if msg.startswith("'") else msg
        lines.append(f"config: {key} = {value!r}: expected {msg}")
    return "\n".join(lines)
