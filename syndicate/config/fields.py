"""The shared pieces of every config section: the base model and the value checks.

Each check raises `ValueError` with what was expected; `explain` turns pydantic's report of
it into a message that names the key and the bad value.
"""

from __future__ import annotations

import ipaddress
import re
from typing import Annotated
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from syndicate.config import agencies as publishers


def _url(value: str) -> str:
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValueError("an absolute http(s) URL")
    return value


def _zone(value: str) -> str:
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError("an IANA time zone such as America/New_York") from None
    return value


def _network(value: str) -> str:
    try:
        ipaddress.ip_network(value, strict=False)
    except ValueError:
        raise ValueError("an IP address or network such as 10.0.0.0/8 or ::1") from None
    return value


def _ident(value: str) -> str:
    if not re.fullmatch(r"[a-z0-9][a-z0-9_-]*", value):
        raise ValueError("lower-case letters, digits, '-' or '_'")
    return value


Url = Annotated[str, AfterValidator(_url)]
AgencyCode = Annotated[str, AfterValidator(publishers.code)]
Zone = Annotated[str, AfterValidator(_zone)]
Ident = Annotated[str, AfterValidator(_ident)]
Network = Annotated[str, AfterValidator(_network)]
Seconds = Annotated[float, Field(gt=0)]


class Section(BaseModel):
    """A table of config.toml: unknown keys are errors, values never change after load."""

    model_config = ConfigDict(extra="forbid", frozen=True)
