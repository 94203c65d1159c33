"""Bytes -> a file replaced atomically, or left alone when its bytes are already there.

A reader polling while we write must never see a partial or empty document: the new bytes go
to a temporary file in the same directory (same file system, so the rename is atomic), are
fsynced, and `os.replace` swaps them in; the directory is fsynced so the rename survives a
crash. An unchanged document is not touched, so its mtime (and any ETag made from it) stays.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

from syndicate.errors import PublishError


def _same(path: Path, data: bytes) -> bool:
    try:
        if path.stat().st_size != len(data):
            return False
        return path.read_bytes() == data
    except OSError:  # missing or unreadable: write it (and report a real problem there)
        return False


def write(path: Path, data: bytes, *, durable: bool = True) -> bool:
    """Replace `path` with `data` atomically; False (and no write) when already identical.

    `durable` fsyncs the data and the directory, so the new file survives a crash; without
    it the replacement is still atomic for readers."""
    if _same(path, data):
        return False
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(data)
                f.flush()
                if durable:
                    os.fsync(f.fileno())
            os.chmod(tmp, 0o644)  # mkstemp makes 0600; a web server must read the feed
            os.replace(tmp, path)
        except BaseException:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(tmp)
            raise
        if durable:
            _sync_dir(path.parent)
    except OSError as e:
        raise PublishError(f"publish: cannot write {path}: {e.strerror or e}") from e
    return True


def remove(path: Path) -> bool:
    """Delete a document that no longer has entries (an emptied archive month)."""
    try:
        path.unlink()
    except FileNotFoundError:
        return False
    except OSError as e:
        raise PublishError(f"publish: cannot remove {path}: {e.strerror or e}") from e
    return True


def _sync_dir(directory: Path) -> None:
    # The rename is durable only once the directory entry is on disk (POSIX).
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
