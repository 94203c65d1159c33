"""Small key/value facts, and the daemon lock that keeps one scheduler per store.

Input: keys and values; lock names and owners. Output: values; whether a lock was taken.

The lock is one the operating system or the database frees when its holder dies, so a
crashed daemon never needs an operator to clear it:
- PostgreSQL: a session-level advisory lock (`pg_try_advisory_lock`) held by a dedicated
  connection; a standby retrying `acquire_lock` takes over as soon as that connection goes.
- SQLite: an exclusive `flock` on `<database>.<name>.lock` beside the database file (its
  resolved path, so symlinks lead to one lock), freed by the kernel when the process exits.
  An in-memory database locks within the process.
The holder's name and heartbeat are also written to `meta` (`lock:<name>`) for status pages.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
from contextlib import suppress
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Connection, select, text
from sqlalchemy.exc import SQLAlchemyError

from syndicate.errors import StoreError
from syndicate.store import schema
from syndicate.store.dialects import upsert
from syndicate.store.engine import wrapped

if TYPE_CHECKING:
    from syndicate.store.core import Store

meta = schema.meta
_MEMORY_LOCKS: set[tuple[int, str]] = set()  # (id of the store, name) for in-memory SQLite


@dataclass(frozen=True)
class Holder:
    """Who last said they hold a lock, and when."""

    owner: str
    heartbeat_at: datetime


def lock_key(name: str) -> int:
    """A stable signed 64-bit advisory lock key for a lock name."""
    digest = hashlib.sha256(f"syndicate:{name}".encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


class Meta:
    """The `meta` table and the daemon lock."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self._held: dict[str, Connection | int | None] = {}

    def get(self, key: str) -> str | None:
        """A stored value, or None."""
        with self.store.read() as conn:
            return conn.scalar(select(meta.c.value).where(meta.c.key == key))

    def set(self, key: str, value: str, *, now: datetime | None = None) -> None:
        """Store a value under a key, replacing any."""
        with self.store.begin() as conn:
            upsert(
                conn,
                meta,
                {"key": key, "value": value, "updated_at": now or self.store.clock()},
                ["key"],
            )

    def acquire_lock(self, name: str, owner: str) -> bool:
        """Take the named lock without waiting; False when someone else holds it."""
        if name in self._held:
            return True
        if self.store.dialect == "postgresql":
            taken = self._acquire_advisory(name)
        elif self.store.path is None:
            taken = (id(self.store), name) not in _MEMORY_LOCKS
            if taken:
                _MEMORY_LOCKS.add((id(self.store), name))
                self._held[name] = None
        else:
            taken = self._acquire_file(name)
        if taken:
            self.heartbeat(name, owner)
        return taken

    def heartbeat(self, name: str, owner: str, *, now: datetime | None = None) -> bool:
        """Record that `owner` still holds the lock; False when it has been lost."""
        if name not in self._held:
            return False
        held = self._held[name]
        if isinstance(held, Connection):
            try:
                with wrapped("lock check failed"):
                    held.execute(text("SELECT 1")).all()
                    held.commit()
            except StoreError:
                # The lock's connection is gone, and with it the lock (a standby may hold it).
                self._held.pop(name, None)
                return False
        self.set(f"lock:{name}", owner, now=now)
        return True

    def holder(self, name: str) -> Holder | None:
        """Who last claimed a lock, from `meta` (informational: the lock itself decides)."""
        with self.store.read() as conn:
            row = conn.execute(
                select(meta.c.value, meta.c.updated_at).where(meta.c.key == f"lock:{name}")
            ).first()
        return Holder(row.value, row.updated_at) if row is not None else None

    def release_lock(self, name: str) -> None:
        """Give the lock up (a no-op when not held)."""
        if name not in self._held:
            return
        held = self._held.pop(name)
        if isinstance(held, Connection):
            # A dead connection has released the lock already.
            with suppress(SQLAlchemyError):
                held.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": lock_key(name)})
                held.commit()
            held.close()
        elif isinstance(held, int):
            os.close(held)  # closing the descriptor drops the flock
        else:
            _MEMORY_LOCKS.discard((id(self.store), name))
        with self.store.begin() as conn:
            conn.execute(meta.delete().where(meta.c.key == f"lock:{name}"))

    def release_all(self) -> None:
        """Give up every lock this store holds (on close)."""
        for name in list(self._held):
            self.release_lock(name)

    def _acquire_advisory(self, name: str) -> bool:
        with wrapped("cannot take the lock"):
            conn = self.store.engine.connect()
            try:
                taken = bool(
                    conn.scalar(text("SELECT pg_try_advisory_lock(:key)"), {"key": lock_key(name)})
                )
                conn.commit()  # the lock is session-level: it outlives this transaction
            except BaseException:
                conn.close()
                raise
        if not taken:
            conn.close()
            return False
        self._held[name] = conn
        return True

    def _acquire_file(self, name: str) -> bool:
        assert self.store.path is not None
        # The resolved path: two daemons reaching one database through a symlink (of the
        # file or of a folder) must meet at one lock file.
        path = Path(f"{self.store.path.resolve()}.{name}.lock")
        try:
            fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as exc:
            raise StoreError(f"store: cannot open lock file {path}: {exc.strerror}") from exc
        try:
            # flock locks belong to the open file description, so a second open of the same
            # file conflicts even within one process.
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            return False
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode())
        self._held[name] = fd
        return True
