"""The `[digests]` and `[mail]` tables: when digests go out and how mail leaves."""

from __future__ import annotations

import os
from datetime import time
from typing import Annotated, Literal

from pydantic import ConfigDict, Field

from syndicate.config.fields import Seconds, Section


class DigestsConfig(Section):
    daily_at: time = time(7, 0)
    weekly_day: Literal[
        "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"
    ] = "monday"
    weekly_at: time = time(7, 0)
    order: Literal["newest", "agency"] = "newest"
    max_briefs: Annotated[int, Field(ge=1, le=500)] = 20
    corrections: bool = True
    subject: str = "DHS Briefs: {count} new release{s}, {date}"
    subject_immediate: str = "{agency}: {title}"


class SmtpConfig(Section):
    host: str = "127.0.0.1"
    port: Annotated[int, Field(ge=1, le=65535)] = 25
    security: Literal["none", "starttls", "tls"] = "none"
    username: str = ""
    password_env: str = ""
    pool_size: Annotated[int, Field(ge=1, le=50)] = 2
    rate: Annotated[float, Field(gt=0)] = 50.0
    timeout: Seconds = 30.0
    ca_file: str = ""

    def password(self) -> str | None:
        return os.environ.get(self.password_env) if self.password_env else None


class DkimConfig(Section):
    key_file: str
    selector: str
    domain: str


class MailConfig(Section):
    sender: str = Field("DHS Briefs <briefs@localhost>", alias="from")
    transport: Literal["maildir", "smtp"] = "maildir"
    maildir: str = "maildir"
    list_id: str = "DHS Briefs <briefs.syndicate.invalid>"
    unsubscribe_mailto: str = ""
    max_attempts: Annotated[int, Field(ge=1, le=100)] = 8
    retry_base: Seconds = 60.0
    bounce_after: Annotated[int, Field(ge=1)] = 3
    claim_lease: Seconds = 600.0
    smtp: SmtpConfig = SmtpConfig()
    dkim: DkimConfig | None = None

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)
