"""One line per event, with fixed fields, human-readable on a terminal or JSON.

`event(name, **fields)` is the only call the rest of the code makes. Fields are the fixed
set (source, url, status, duration, counts...) plus anything relevant; values that look like
secrets (keys named *password*, *secret*, *token*) are never written.
"""

from __future__ import annotations

import json
import logging
import sys
from datetime import UTC, datetime
from typing import Any, Literal

LOGGER = logging.getLogger("syndicate")
_SECRET_WORDS = ("password", "secret", "token", "authorization")


class _Formatter(logging.Formatter):
    def __init__(self, kind: Literal["text", "json"]) -> None:
        super().__init__()
        self.kind = kind

    def format(self, record: logging.LogRecord) -> str:
        fields: dict[str, Any] = dict(getattr(record, "fields", {}))
        when = datetime.fromtimestamp(record.created, UTC)
        if self.kind == "json":
            out = {
                "time": when.isoformat(timespec="milliseconds"),
                "level": record.levelname.lower(),
                "event": record.getMessage(),
                **fields,
            }
            return json.dumps(out, default=str, ensure_ascii=False)
        parts = " ".join(f"{k}={_text(v)}" for k, v in fields.items())
        stamp = when.strftime("%Y-%m-%d %H:%M:%S")
        return f"{stamp} {record.levelname.lower():7} {record.getMessage()} {parts}".rstrip()


def _text(value: object) -> str:
    s = str(value)
    return json.dumps(s) if (" " in s or not s) else s


def _clean(fields: dict[str, Any]) -> dict[str, Any]:
    return {
        k: ("[redacted]" if any(w in k.lower() for w in _SECRET_WORDS) else v)
        for k, v in fields.items()
        if v is not None
    }


def setup(kind: Literal["text", "json"] = "text", level: str = "info") -> None:
    """Send syndicate's events to stderr in the chosen format (idempotent)."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(_Formatter(kind))
    LOGGER.handlers[:] = [handler]
    LOGGER.setLevel(level.upper())
    LOGGER.propagate = False


def event(name: str, level: int = logging.INFO, **fields: Any) -> None:
    """Log one event with its fields."""
    LOGGER.log(level, name, extra={"fields": _clean(fields)})


def warning(name: str, **fields: Any) -> None:
    event(name, logging.WARNING, **fields)


def error(name: str, **fields: Any) -> None:
    event(name, logging.ERROR, **fields)
