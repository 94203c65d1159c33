"""config.toml → frozen, typed settings, validated once at start.

Every problem is reported as a `ConfigError` that names the key, the bad value and what was
expected; nothing here prints a traceback. Secrets are never in the file: the file names the
environment variables that hold them.
"""

from __future__ import annotations

import os
import tomllib
from pathlib import Path
from typing import Annotated, Literal
from zoneinfo import ZoneInfo

from pydantic import Field, ValidationError, model_validator

from syndicate.config import agencies as publishers
from syndicate.config.ai import AIConfig
from syndicate.config.explain import explain
from syndicate.config.fields import Network, Seconds, Url, Zone
from syndicate.config.fields import Section as _Section
from syndicate.config.mail import DigestsConfig, DkimConfig, MailConfig, SmtpConfig
from syndicate.config.review import ReviewConfig
from syndicate.config.sources import (
    AgencyConfig,
    ArticleSelectors,
    ListingSelectors,
    SourceConfig,
)
from syndicate.config.topics import DEFAULT_TOPICS, topic_label
from syndicate.errors import ConfigError
from syndicate.model import AGENCIES, Attribution, Source


class ServiceConfig(_Section):
    name: str = "DHS Briefs"
    base_url: Url = "http://127.0.0.1:8080"
    contact_url: Url = "https://github.com/syndicate-briefs/syndicate"
    data_dir: str = "data"
    timezone: Zone = "America/New_York"


class DatabaseConfig(_Section):
    url: str = ""


class FetchConfig(_Section):
    connect_timeout: Seconds = 10.0
    read_timeout: Seconds = 20.0
    deadline: Seconds = 30.0
    max_bytes: Annotated[int, Field(gt=0)] = 10_000_000
    host_spacing: Annotated[float, Field(ge=0)] = 1.0
    max_backoff: Seconds = 6 * 3600.0
    concurrency: Annotated[int, Field(ge=1, le=500)] = 20
    max_redirects: Annotated[int, Field(ge=0, le=30)] = 10
    respect_robots: bool = True
    flood_ratio: Annotated[float, Field(gt=0, le=1)] = 0.5
    allow_private: bool = False
    allow_networks: list[Network] = Field(default_factory=list)
    page_budget: Seconds = 120.0


class BriefConfig(_Section):
    engine: Literal["extractive", "ai"] = "extractive"
    ai: AIConfig = AIConfig()
    target_words: Annotated[int, Field(ge=60, le=2000)] = 350
    topics: dict[str, list[str]] = Field(
        default_factory=lambda: {k: list(v) for k, v in DEFAULT_TOPICS.items()}
    )


class AttributionConfig(_Section):
    sources_label: str = "Sources"
    prepared_by: str = ""
    notice: str = ""

    def attribution(self) -> Attribution:
        return Attribution(self.sources_label, self.prepared_by, self.notice or None)


class FeedsConfig(_Section):
    dir: str = "feeds"
    entries: Annotated[int, Field(ge=1, le=1000)] = 50
    title: str = ""
    subtitle: str = "Faithful briefs of official U.S. Department of Homeland Security releases"
    author: str = "syndicate"
    rights: str = ""
    icon: Url | None = None
    logo: Url | None = None
    hub: Url | None = None
    tag_authority: str = "syndicate.invalid,2026"
    fsync: bool = True


class WebConfig(_Section):
    enabled: bool = True
    host: str = "127.0.0.1"
    port: Annotated[int, Field(ge=0, le=65535)] = 8080
    secret_env: str = "SYNDICATE_SECRET"
    page_size: Annotated[int, Field(ge=1, le=200)] = 20
    subscribe_per_hour: Annotated[int, Field(ge=1)] = 10
    trusted_proxies: list[Network] = Field(default_factory=list)


class LogConfig(_Section):
    format: Literal["text", "json"] = "text"
    level: Literal["debug", "info", "warning", "error"] = "info"


class HousekeepingConfig(_Section):
    keep_raw_days: Annotated[int, Field(ge=0)] = 30


class HealthConfig(_Section):
    """When a source counts as broken, blocked or stalled (README "Source health")."""

    broken_after: Annotated[int, Field(ge=1)] = 3
    body_ratio: Annotated[float, Field(gt=0, le=1)] = 0.5
    stall_factor: Annotated[float, Field(ge=1)] = 5.0
    stall_floor: Seconds = 3 * 86400.0
    missed_after: Annotated[float, Field(ge=0)] = 6 * 3600.0


class Config(_Section):
    service: ServiceConfig = ServiceConfig()
    database: DatabaseConfig = DatabaseConfig()
    fetch: FetchConfig = FetchConfig()
    brief: BriefConfig = BriefConfig()
    attribution: AttributionConfig = AttributionConfig()
    feeds: FeedsConfig = FeedsConfig()
    digests: DigestsConfig = DigestsConfig()
    mail: MailConfig = Field(default_factory=lambda: MailConfig.model_validate({}))
    web: WebConfig = WebConfig()
    log: LogConfig = LogConfig()
    housekeeping: HousekeepingConfig = HousekeepingConfig()
    health: HealthConfig = HealthConfig()
    review: ReviewConfig = ReviewConfig()
    agencies: list[AgencyConfig] = Field(default_factory=list)
    sources: list[SourceConfig] = Field(default_factory=list)

    # Where the file lives; relative paths in it are relative to this folder.
    root: str = Field(".", exclude=True)

    @model_validator(mode="after")
    def _unique_sources(self) -> Config:
        seen: set[str] = set()
        for s in self.sources:
            if s.id in seen:
                raise ValueError(f"source id {s.id!r} is used twice")
            seen.add(s.id)
        added = [a.code for a in self.agencies]
        if len(set(added)) != len(added):
            raise ValueError("an [[agencies]] code is used twice")
        known = self.publishers
        for i, s in enumerate(self.sources):
            if s.agency not in known:
                raise ValueError(
                    f"sources[{i}] (id {s.id!r}).agency = {s.agency!r}: expected one of "
                    f"{', '.join(known)}, or a code added with [[agencies]]"
                )
        by_id = {s.id: s for s in self.sources}
        for s in self.sources:
            other = by_id.get(s.cross_check or "")
            if s.cross_check and (other is None or other is s or other.agency != s.agency):
                raise ValueError(
                    f"source {s.id!r}: cross_check = {s.cross_check!r} must name another "
                    f"configured source of agency {s.agency}"
                )
        return self

    @property
    def publishers(self) -> dict[str, publishers.Publisher]:
        """Every agency by code: the nine built in, then those `[[agencies]]` adds."""
        extra = {a.code: publishers.Publisher(a.code, a.name, a.site) for a in self.agencies}
        return publishers.BUILT_IN | extra

    @property
    def agency_names(self) -> dict[str, str]:
        """Agency code -> full name, built-in ones first."""
        return {c: p.name for c, p in self.publishers.items()}

    def labels(self) -> dict[str, str]:
        """What people read for a category: agency codes and topics to names and titles."""
        topics = {t: topic_label(t) for t in self.brief.topics}
        return self.agency_names | topics

    def path(self, value: str) -> Path:
        """A path from the config: absolute as written, else under `data_dir`.

        Only `service.data_dir` itself is relative to the config file's folder; everything
        the service writes or reads beside its data (feeds, Maildir, keys) lives under it, so
        one writable directory (systemd's StateDirectory, a container's volume) holds it all
        even when the config file sits in a read-only /etc."""
        p = Path(os.path.expanduser(value))
        return p if p.is_absolute() else self.data_dir / p

    @property
    def data_dir(self) -> Path:
        p = Path(os.path.expanduser(self.service.data_dir))
        return p if p.is_absolute() else Path(self.root) / p

    @property
    def feeds_dir(self) -> Path:
        return self.path(self.feeds.dir)

    @property
    def database_url(self) -> str:
        if self.database.url:
            return self.database.url
        return f"sqlite:///{self.data_dir / 'syndicate.db'}"

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.service.timezone)

    def source_list(self) -> list[Source]:
        return [s.source() for s in self.sources]

    def user_agent(self, version: str) -> str:
        return f"syndicate/{version} (+{self.service.contact_url})"


def parse(text: str, root: str | Path = ".") -> Config:
    """Validate config.toml's text; relative paths resolve against `root`."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        raise ConfigError(f"config: not valid TOML: {e}") from None
    try:
        config = Config.model_validate(data)
    except ValidationError as e:
        raise ConfigError(explain(e, data)) from None
    return config.model_copy(update={"root": str(root)})


def load(path: str | Path) -> Config:
    """Read and validate a config file."""
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except FileNotFoundError:
        init = "syndicate init" if str(p.parent) == "." else f"syndicate init {p.parent}"
        raise ConfigError(
            f"config: {p} not found; `{init}` writes a commented one to edit "
            "(or name another file with --config or $SYNDICATE_CONFIG)"
        ) from None
    except OSError as e:
        raise ConfigError(f"config: cannot read {p}: {e.strerror}") from None
    except UnicodeDecodeError:
        raise ConfigError(f"config: {p} is not UTF-8 text") from None
    return parse(text, p.resolve().parent)


__all__ = [
    "AGENCIES",
    "DEFAULT_TOPICS",
    "AgencyConfig",
    "ArticleSelectors",
    "Config",
    "DigestsConfig",
    "DkimConfig",
    "ListingSelectors",
    "MailConfig",
    "SmtpConfig",
    "SourceConfig",
    "load",
    "parse",
]
