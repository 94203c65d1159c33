"""The wall clock is read in one place (`syndicate/clock.py`); everything else is given it.

A module that reads the time itself would make the suite pass or fail by the date it runs
on, which is how confirmation links once broke a month after their tests were written.
"""

from __future__ import annotations

import ast
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from syndicate import clock

PACKAGE = Path(__file__).resolve().parent.parent / "syndicate"
HOME = PACKAGE / "clock.py"

# (object, attribute) pairs whose call reads the machine's wall clock.
READS = {
    ("datetime", "now"),
    ("datetime", "utcnow"),
    ("datetime", "today"),
    ("date", "today"),
    ("time", "time"),
    ("time", "time_ns"),
    ("time", "localtime"),
    ("time", "gmtime"),
    ("utils", "formatdate"),
}


def wall_clock_reads(source: str) -> list[tuple[int, str]]:
    """Calls in `source` that read the wall clock: (line, what)."""
    found: list[tuple[int, str]] = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name | ast.Attribute):
            owner = func.value.id if isinstance(func.value, ast.Name) else func.value.attr
            if (owner, func.attr) in READS:
                found.append((node.lineno, f"{owner}.{func.attr}"))
        elif isinstance(func, ast.Name) and func.id == "formatdate" and not node.args:
            found.append((node.lineno, "formatdate"))
    return found


def test_the_scanner_finds_what_it_looks_for() -> None:
    sample = (
        "import time\nfrom datetime import UTC, date, datetime\n"
        "a = datetime.now(UTC)\nb = date.today()\nc = time.time()\n"
        "d = datetime.fromisoformat('2026-01-01')\n"
    )
    assert [what for _, what in wall_clock_reads(sample)] == [
        "datetime.now",
        "date.today",
        "time.time",
    ]


@pytest.mark.parametrize(
    "path",
    sorted(p for p in PACKAGE.rglob("*.py") if p != HOME),
    ids=lambda p: str(p.relative_to(PACKAGE)),
)
def test_no_module_but_clock_reads_the_wall_clock(path: Path) -> None:
    reads = wall_clock_reads(path.read_text(encoding="utf-8"))
    where = [f"{path.relative_to(PACKAGE)}:{line} {what}" for line, what in reads]
    assert where == [], "take a Clock (syndicate.clock) or a `now` from the caller instead"


def test_the_one_reader_is_aware_utc_and_current() -> None:
    before = datetime.now(UTC)
    now = clock.utc_now()
    assert now.tzinfo is UTC
    assert before <= now <= datetime.now(UTC) + timedelta(seconds=1)


def test_a_fixed_clock_keeps_its_time_and_needs_a_zone() -> None:
    when = datetime(2030, 2, 28, 23, 59, tzinfo=UTC)
    pinned = clock.fixed(when)
    assert pinned() == when and pinned() == when
    with pytest.raises(ValueError, match="timezone"):
        clock.fixed(datetime(2030, 2, 28))
