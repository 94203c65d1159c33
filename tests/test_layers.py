"""The house rules of DESIGN.md, checked: imports point down, stages do not import each
other, and each third-party library is imported by one module (or one stage package)."""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "syndicate"

# Higher number = higher layer. A module may import only from lower layers (or its own unit).
LAYERS = {
    "model": 0,
    "errors": 0,
    "text": 0,
    "dates": 0,
    "clock": 0,
    "titles": 0,
    "selectors": 0,
    "config": 1,
    "templating": 1,
    "codec": 1,
    "tokens": 1,
    "fetch": 2,
    "parse": 2,
    "extract": 2,
    "brief": 2,
    "store": 2,
    "publish": 2,
    "digest": 2,
    "deliver": 2,
    "pipeline": 3,
    "cli": 4,
    "web": 4,
    "schedule": 4,
    "demo": 4,
    "logs": 1,
    "__main__": 5,
    "__init__": 0,
}
# Stages that may share a library because they are one concept split in two.
SHARED_OK = {"jinja2", "markupsafe", "sqlalchemy", "alembic", "pydantic"}


def _unit(path: Path) -> str:
    rel = path.relative_to(PACKAGE)
    return rel.parts[0].removesuffix(".py")


def _imports(path: Path) -> list[tuple[str, int]]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: list[tuple[str, int]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(a.name, node.lineno) for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append((node.module, node.lineno))
    return found


def _modules() -> list[Path]:
    return sorted(p for p in PACKAGE.rglob("*.py") if "migrations" not in p.parts)


def test_every_unit_has_a_layer() -> None:
    units = {_unit(p) for p in _modules()}
    assert units - set(LAYERS) == set(), "add new modules to LAYERS in this test"


@pytest.mark.parametrize("path", _modules(), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_imports_point_down(path: Path) -> None:
    unit = _unit(path)
    for name, line in _imports(path):
        if not name.startswith("syndicate."):
            continue
        target = name.split(".")[1]
        if target == unit:
            continue
        assert LAYERS[target] < LAYERS[unit], (
            f"{path.relative_to(PACKAGE)}:{line} imports {name}: "
            f"{unit} (layer {LAYERS[unit]}) may not import {target} (layer {LAYERS[target]})"
        )


def test_each_library_has_one_home() -> None:
    stdlib = __import__("sys").stdlib_module_names
    homes: dict[str, set[str]] = defaultdict(set)
    for path in _modules():
        unit = _unit(path)
        for name, _ in _imports(path):
            top = name.split(".")[0]
            if top in stdlib or top in ("syndicate", "__future__"):
                continue
            homes[top].add(unit)
    spread = {lib: units for lib, units in homes.items() if len(units) > 1 and lib not in SHARED_OK}
    assert spread == {}, f"libraries imported by more than one unit: {spread}"
