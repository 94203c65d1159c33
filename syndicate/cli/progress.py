"""Progress for long commands: a bar on a terminal, nothing in a pipe or a log file.

`with progress("importing rows", total) as advance: ... advance()` (one call per unit of work,
whatever it is passed) draws on standard error
only when it is a terminal (rich decides, as it does for colour), so `syndicate publish --all
| tee log` and cron jobs get the same output as before, and a person at a terminal sees the
work move.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

Advance = Callable[..., None]


def _quiet(*_: object, **__: object) -> None:
    return None


@contextmanager
def progress(label: str, total: int | None) -> Iterator[Advance]:
    """A function to call once per unit of work done."""
    console = Console(file=sys.stderr)
    if not console.is_terminal:
        yield _quiet
        return
    bar = Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=True,  # the summary line that follows is what stays on screen
    )
    with bar:
        task = bar.add_task(label, total=total)

        def advance(*_: object) -> None:
            bar.advance(task, 1)

        yield advance
