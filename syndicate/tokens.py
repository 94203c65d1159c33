"""Signed link tokens: subscriber id + purpose in, an unforgeable URL-safe string out.

A token is `<subscriber id>.<mac>`, where the mac is HMAC-SHA256 over the purpose, the id and
the subscriber's own secret, keyed with the service secret. So a token cannot be forged
without the service secret, does not work for another purpose (confirm, unsubscribe,
preferences), and stops working when the subscriber's secret is rotated. Unsubscribe and
preferences tokens do not expire: an unsubscribe link in a year-old message must still work
(RFC 8058 section 3.1 expects a stable one-click URL). Confirmation tokens do: they carry the
day they were issued, `<id>.<day>.<mac>`, and are refused after `CONFIRM_DAYS`, so an old
confirmation mail found later cannot subscribe anyone. The caller gives the time (`now`) of
issuing and of checking; this module never reads the clock.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import secrets
import tempfile
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Literal

Purpose = Literal["confirm", "unsubscribe", "preferences"]
PURPOSES: tuple[Purpose, ...] = ("confirm", "unsubscribe", "preferences")

SECRET_FILE = "secret"
CONFIRM_DAYS = 7  # how long a confirmation link works
_MAC_BYTES = 16  # 128 bits: far beyond guessing, keeps URLs short


def _mac(
    key: bytes, purpose: Purpose, subscriber_id: int, subscriber_secret: str, day: int | None
) -> str:
    message = f"syndicate-link\x00{purpose}\x00{subscriber_id}\x00{subscriber_secret}"
    if day is not None:
        message += f"\x00{day}"
    digest = hmac.new(key, message.encode("utf-8"), hashlib.sha256).digest()[:_MAC_BYTES]
    return base64.urlsafe_b64encode(digest).decode("ascii").rstrip("=")


def make(
    key: bytes,
    purpose: Purpose,
    subscriber_id: int,
    subscriber_secret: str,
    *,
    now: datetime | None = None,
) -> str:
    """A token proving `purpose` for one subscriber (a confirm token is dated `now`)."""
    if purpose not in PURPOSES:
        raise ValueError(f"tokens: unknown purpose {purpose!r}")
    if purpose == "confirm":
        if now is None:
            raise ValueError("tokens: a confirm token needs the time it is issued (now)")
        day = now.astimezone(UTC).date().toordinal()
        mac = _mac(key, purpose, subscriber_id, subscriber_secret, day)
        return f"{subscriber_id}.{day:x}.{mac}"
    return f"{subscriber_id}.{_mac(key, purpose, subscriber_id, subscriber_secret, None)}"


def subscriber_id(token: str) -> int | None:
    """The subscriber id a token claims, NOT verified: use it only to look the secret up."""
    head, dot, _ = token.partition(".")
    if not dot or not head.isascii() or not head.isdigit() or len(head) > 18:
        return None
    return int(head)


def verify(
    key: bytes,
    token: str,
    purpose: Purpose,
    secret_of: Callable[[int], str | None],
    *,
    now: datetime | None = None,
) -> int | None:
    """The subscriber id when `token` is genuine, made for `purpose` and not expired, else None.

    `secret_of` maps a subscriber id to that subscriber's secret (None when unknown), e.g.
    `store.subscribers.secret_of`. A confirm token is checked against `now`, which it needs.
    """
    if purpose not in PURPOSES:
        return None
    ident = subscriber_id(token)
    if ident is None:
        return None
    issued: datetime | None = None
    if purpose == "confirm":
        if now is None:
            raise ValueError("tokens: checking a confirm token needs the time (now)")
        parts = token.split(".")
        if len(parts) != 3 or not parts[1].isascii() or not parts[1].isalnum():
            return None
        try:
            day = int(parts[1], 16)
            issued = datetime.fromordinal(day).replace(tzinfo=UTC)
        except (ValueError, OverflowError):
            return None
        age = now - issued
        if not timedelta(days=-1) <= age <= timedelta(days=CONFIRM_DAYS + 1):
            return None
    secret = secret_of(ident)
    if secret is None:
        return None
    expected = make(key, purpose, ident, secret, now=issued)
    # Constant-time comparison: the mac must not leak byte by byte through timing.
    if not hmac.compare_digest(expected.encode("ascii"), token.encode("utf-8", "replace")):
        return None
    return ident


def load_secret(env_name: str, data_dir: Path) -> bytes:
    """The service secret: from the env var `env_name`, else `<data_dir>/secret` (made once).

    The file appears whole: the secret is written to a private temporary file first and
    hard-linked into place, which fails if another process got there first. So two processes
    starting together agree on one secret, and neither can read the file half-written (a
    reader used to find it empty, take it for a crash's leftover and delete it while the
    other was writing).
    """
    value = os.environ.get(env_name, "") if env_name else ""
    if value:
        return value.encode("utf-8")
    path = data_dir / SECRET_FILE
    found = _read(path)
    if found:
        return found
    data_dir.mkdir(parents=True, exist_ok=True)
    fresh = secrets.token_hex(32).encode("ascii")
    fd, scratch = tempfile.mkstemp(prefix=".secret-", dir=data_dir)  # mode 0600
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(fresh)
            f.flush()
            os.fsync(f.fileno())
        if found is None:
            try:
                os.link(scratch, path)
            except FileExistsError:
                return _read(path) or fresh
        else:
            # An empty file, left by a crash of a version that wrote in place: replace it.
            os.replace(scratch, path)
            return _read(path) or fresh
    finally:
        if os.path.exists(scratch):
            os.unlink(scratch)
    return fresh


def _read(path: Path) -> bytes | None:
    """The file's secret; None if there is no file, b"" if it is empty."""
    try:
        return path.read_bytes().strip()
    except FileNotFoundError:
        return None
