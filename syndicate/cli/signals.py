"""SIGTERM and SIGINT for the one-shot commands (`poll`, `digest`, `publish`), as the daemon
handles them: the first signal stops new work at the next safe point (between sources,
releases, feeds or batches of mail; every store write is one transaction), the work in hand
gets up to GRACE seconds, and the command exits 128 + the signal number (143 for SIGTERM,
130 for Ctrl-C) after saying what was left for the next run. A second signal stops at once.
"""

from __future__ import annotations

import signal
import sys
from collections.abc import Callable
from types import FrameType, TracebackType

GRACE = 20.0  # seconds the work in hand may take after the first signal (the daemon's too)
SIGNALS = (signal.SIGTERM, signal.SIGINT)


class Stop:
    """A context manager that turns the first SIGTERM/SIGINT into a request to stop.

    Call it (`stop()`) to ask whether a signal came; `notify` adds a callback run when it
    does (an asyncio loop's way to wake up). Outside the main thread it does nothing."""

    def __init__(self) -> None:
        self.signal: int | None = None
        self._callbacks: list[Callable[[], object]] = []
        self._previous: dict[int, object] = {}

    def __call__(self) -> bool:
        return self.signal is not None

    def notify(self, callback: Callable[[], object]) -> None:
        self._callbacks.append(callback)

    @property
    def name(self) -> str:
        return signal.Signals(self.signal).name if self.signal is not None else ""

    @property
    def status(self) -> int:
        """The exit status of a stopped command: 128 + the signal number."""
        return 128 + self.signal if self.signal is not None else 0

    def _handle(self, signum: int, frame: FrameType | None) -> None:
        if self.signal is not None:
            raise KeyboardInterrupt  # the second signal: stop now (exit 130)
        self.signal = signum
        print(
            f"{signal.Signals(signum).name}: finishing the work in hand (up to {GRACE:g} s); "
            "send it again to stop at once",
            file=sys.stderr,
        )
        for callback in self._callbacks:
            callback()

    def __enter__(self) -> Stop:
        try:
            for sig in SIGNALS:
                self._previous[sig] = signal.signal(sig, self._handle)
        except ValueError:  # not the main thread (a test calling main()): leave signals be
            self._previous.clear()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, e: BaseException | None, tb: TracebackType | None
    ) -> None:
        for sig, previous in self._previous.items():
            signal.signal(sig, previous)  # type: ignore[arg-type]
        self._previous.clear()
