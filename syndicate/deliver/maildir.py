"""The embedded default transport: each message becomes one file in a Maildir.

Input: a `Message`. Output: the file in `<maildir>/new/`. The stdlib `mailbox` writes into
`tmp/` and renames into `new/`, so a reader never sees half a message; we fsync the file
before reporting success, so "accepted" means on disk.
"""

from __future__ import annotations

import mailbox
import os
from pathlib import Path

from syndicate.errors import TemporaryFailure
from syndicate.model import Message


class Maildir:
    """A Maildir folder (created on first use) that accepts every message."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._box: mailbox.Maildir | None = None

    def _open(self) -> mailbox.Maildir:
        if self._box is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._box = mailbox.Maildir(self.path, create=True)
        return self._box

    async def send(self, message: Message) -> str:
        """Write the message into `new/`; the reply names the file."""
        try:
            box = self._open()
            key = box.add(message.data)
            with open(self.path / "new" / key, "rb") as f:
                os.fsync(f.fileno())
        except OSError as e:
            raise TemporaryFailure(f"deliver: maildir {self.path}: {e.strerror or e}") from e
        return f"maildir: new/{key}"

    async def close(self) -> None:
        """Nothing to release: every message is written whole."""
        self._box = None
