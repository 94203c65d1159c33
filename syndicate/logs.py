"""One line per event, with fixed fields, human-readable on a terminal or JSON.

`event(name, **fields)` is the only call the rest of the code makes. Fields are the fixed
set (source, url, status, duration, counts...) plus anything relevant; values that look like
secrets (keys named *password*, *secret*, *token*) are never written. A dict of counts is
written as `counts.new=0 counts.updated=2` in text and as a JSON object in JSON, and lines
from uvicorn go through the same formatter.
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
        name = record.getMessage()
        if record.name != LOGGER.name:
            # A library's own line (uvicorn's): its logger names the event, its text is a field.
            fields = {"message": name, **fields}
            name = record.name
        if record.exc_info and self.kind == "json":
            fields["exception"] = self.formatException(record.exc_info)
        when = datetime.fromtimestamp(record.created, UTC)
        if self.kind == "json":
            out = {
                "time": when.isoformat(timespec="milliseconds"),
                "level": record.levelname.lower(),
                "event": name,
                **fields,
            }
            return json.dumps(out, default=str, ensure_ascii=False)
        parts = " ".join(f"{k}={_text(v)}" for k, v in _flat(fields))
        stamp = when.strftime("%Y-%m-%d %H:%M:%S")
        line = f"{stamp} {record.levelname.lower():7} {name} {parts}".rstrip()
        if record.exc_info:
            line += " " + _text(self.formatException(record.exc_info))
        return line


def _flat(fields: dict[str, Any], prefix: str = "") -> list[tuple[str, Any]]:
    """Nested counts as `counts.new=0 counts.updated=2`, never a Python repr of a dict."""
    out: list[tuple[str, Any]] = []
    for key, value in fields.items():
        if isinstance(value, dict):
            out += _flat(value, f"{prefix}{key}.")
        else:
            out.append((f"{prefix}{key}", value))
    return out


def _text(value: object) -> str:
    if isinstance(value, (list, tuple, set, frozenset)):
        items = [str(v) for v in value]
        s = ",".join(items) if all(i and "," not in i and " " not in i for i in items) else ""
        return s if s or not items else json.dumps(items, ensure_ascii=False)
    s = str(value)
    return json.dumps(s, ensure_ascii=False) if (not s or any(c in s for c in ' "=\n')) else s


def _clean(fields: dict[str, Any]) -> dict[str, Any]:
    return {
        k: ("[redacted]" if any(w in k.lower() for w in _SECRET_WORDS) else v)
        for k, v in fields.items()
        if v is not None
    }


# Libraries whose own lines go through the same handler, so `[log] format = "json"` holds
# for every line the process writes (uvicorn is told not to configure logging itself).
LIBRARIES = ("uvicorn",)


def setup(kind: Literal["text", "json"] = "text", level: str = "info") -> None:
    """Send syndicate's events, and uvicorn's lines, to stderr in the chosen format
    (idempotent)."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(_Formatter(kind))
    LOGGER.handlers[:] = [handler]
    LOGGER.setLevel(level.upper())
    LOGGER.propagate = False
    for name in LIBRARIES:
        library = logging.getLogger(name)
        library.handlers[:] = [handler]
        library.propagate = False


def event(name: str, level: int = logging.INFO, **fields: Any) -> None:
    """Log one event with its fields."""
    LOGGER.log(level, name, extra={"fields": _clean(fields)})


def warning(name: str, **fields: Any) -> None:
    event(name, logging.WARNING, **fields)


def error(name: str, **fields: Any) -> None:
    event(name, logging.ERROR, **fields)
