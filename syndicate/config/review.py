"""The `[review]` table: which briefs wait on the editorial desk, and for how long.

`mode`: "off" (every brief publishes at once, the default), "ai" (briefs of the AI engine,
whose engine name starts "ai/", wait for an editor; extractive ones publish), "all" (every
brief waits). `auto_publish_after`: a duration ("90m", "12h", "2d", or seconds as a number)
after which a brief still waiting is published without an editor; unset means never.
"""

from __future__ import annotations

import re
from typing import Annotated, Literal

from pydantic import BeforeValidator

from syndicate.config.fields import Section

_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
_DURATION = re.compile(r"(\d+(?:\.\d+)?)\s*([smhd])")


def duration(value: object) -> object:
    """Seconds from a number or a string such as "90m", "12h", "1d 6h"."""
    if value is None or (isinstance(value, int | float) and not isinstance(value, bool)):
        if value is not None and value <= 0:
            raise ValueError("a positive duration")
        return value
    if not isinstance(value, str):
        raise ValueError('a duration such as "12h", "90m" or "2d"')
    text = value.strip().lower()
    if not text or _DURATION.sub("", text).strip():
        raise ValueError('a duration such as "12h", "90m" or "2d"')
    seconds = sum(float(n) * _UNITS[u] for n, u in _DURATION.findall(text))
    if seconds <= 0:
        raise ValueError("a positive duration")
    return seconds


class ReviewConfig(Section):
    mode: Literal["off", "ai", "all"] = "off"
    auto_publish_after: Annotated[float | None, BeforeValidator(duration)] = None
