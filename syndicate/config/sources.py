"""The `[[sources]]` and `[[agencies]]` tables: what to watch and who publishes it."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, model_validator

from syndicate.config.fields import AgencyCode, Ident, Seconds, Section, Url
from syndicate.model import ArticleRules, ListingRules, Source, SourceKind


class ListingSelectors(Section):
    item: str
    link: str = "a"
    title: str | None = None
    date: str | None = None


class ArticleSelectors(Section):
    body: str | None = None
    title: str | None = None
    date: str | None = None
    drop: list[str] = Field(default_factory=list)


class AgencyConfig(Section):
    code: AgencyCode
    name: str
    site: Url


class SourceConfig(Section):
    id: Ident
    name: str
    agency: str
    kind: SourceKind
    url: Url
    interval: Seconds = 900.0
    enabled: bool = True
    listing: ListingSelectors | None = None
    article: ArticleSelectors | None = None
    full_text: bool = False
    first_poll_items: Annotated[int, Field(ge=1)] = 10
    extra_feeds: list[Url] = Field(default_factory=list)
    disabled_reason: str = ""
    cross_check: Ident | None = None

    @model_validator(mode="after")
    def _listing_for_pages(self) -> SourceConfig:
        if self.kind == "page" and self.listing is None:
            raise ValueError("a `page` source needs a [sources.listing] table with `item`")
        return self

    def source(self) -> Source:
        listing = article = None
        if self.listing:
            listing = ListingRules(
                self.listing.item, self.listing.link, self.listing.title, self.listing.date
            )
        if self.article:
            article = ArticleRules(
                self.article.body, self.article.title, self.article.date, tuple(self.article.drop)
            )
        return Source(
            id=self.id,
            name=self.name,
            agency=self.agency,
            kind=self.kind,
            url=self.url,
            interval=self.interval,
            enabled=self.enabled,
            listing=listing,
            article=article,
            full_text=self.full_text,
            first_poll_items=self.first_poll_items,
            extra_feeds=tuple(self.extra_feeds),
            disabled_reason=self.disabled_reason,
            cross_check=self.cross_check,
        )
