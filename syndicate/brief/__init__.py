"""The brief stage: an `Article` (plus its source) in, a faithful `Brief` out.

    make(article, *, id, source, attribution, fetched_at, ...) -> Brief
    render(brief, fmt) -> str            "text" | "markdown" | "html" | "json"
    check(brief, article) -> None        the faithfulness check (BriefError when it fails)
    verdicts(brief, article) -> list     each named check of it, passed or with its reason
    numbered(article) -> tuple           the release's numbered sentences (what briefs cite)
    quotations(article) -> list          its quotations, in order, with speakers and verbs
    content_sha256(article) -> str       what provenance records of the source text
    material_hash(brief) -> str          what a reader sees, for telling a material edit

Pure and deterministic: the same article gives the same brief, byte for byte. Engines are
chosen by name from ENGINES (see `engine.Engine`); `extractive` is the default. The only
third-party import of this package is the sentence splitter, in `sentences`.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from datetime import datetime

from syndicate.brief import layout, links
from syndicate.brief import topics as taxonomy
from syndicate.brief.engine import Draft, Engine
from syndicate.brief.extractive import Extractive
from syndicate.brief.faithful import Verdict, check, source_text, verdicts
from syndicate.brief.quotes import Quotation
from syndicate.brief.render import FORMATS, Format, material_hash, render
from syndicate.brief.source import SourceSentence
from syndicate.brief.source import number as numbered
from syndicate.config import DEFAULT_TOPICS
from syndicate.config.agencies import BUILT_IN
from syndicate.errors import BriefError
from syndicate.model import Agency, Article, Attribution, Brief, Provenance, Source, SourceRef

ENGINES: dict[str, Engine] = {"extractive": Extractive()}

# The full names `Sources:` uses when a source's own name is a newsroom, not an agency.
AGENCY_NAMES: dict[Agency, str] = {code: p.name for code, p in BUILT_IN.items()}


def quotations(article: Article) -> list[Quotation]:
    """The release's quotations in reading order: the quotes a brief may show, by index."""
    return list(layout.quotations(article))


def content_sha256(article: Article) -> str:
    """sha256 (hex) of the source text: title, dateline, every block, link texts."""
    return hashlib.sha256(source_text(article).encode("utf-8")).hexdigest()


def make(
    article: Article,
    *,
    id: str,
    source: Source,
    attribution: Attribution,
    fetched_at: datetime,
    published: datetime | None = None,
    topics: Mapping[str, Sequence[str]] = DEFAULT_TOPICS,
    target_words: int = 350,
    extra_sources: Sequence[SourceRef] = (),
    engine: str = "extractive",
) -> Brief:
    """A faithful brief of one article; raises BriefError when none can be made."""
    chosen = ENGINES.get(engine)
    if chosen is None:
        raise BriefError(f"brief: unknown engine {engine!r}; known: {', '.join(sorted(ENGINES))}")
    draft: Draft = chosen.draft(article, target_words=target_words)
    if not draft.summary and not draft.quotes:
        raise BriefError(f"brief: no text to brief in {article.url}")
    when = published or article.published or fetched_at
    updated = article.modified if article.modified and article.modified > when else when
    name = AGENCY_NAMES.get(source.agency, source.name)
    refs = [SourceRef(name, article.url)]
    refs += [ref for ref in extra_sources if ref not in refs]
    brief = Brief(
        id=id,
        title=draft.title,
        agency=source.agency,
        source_name=source.name,
        url=article.url,
        published=when,
        updated=updated,
        dateline=draft.dateline,
        summary=draft.summary,
        sections=draft.sections,
        quotes=draft.quotes,
        links=links.reading(article, source.agency),
        topics=taxonomy.classify(article.title, article.text, topics),
        sources=tuple(refs),
        attribution=attribution,
        provenance=Provenance(
            fetched_at=fetched_at,
            content_sha256=content_sha256(article),
            engine=f"{chosen.name}/{chosen.version}",
            cited=draft.cited,
        ),
    )
    check(brief, article)
    return brief


__all__ = [
    "AGENCY_NAMES",
    "ENGINES",
    "FORMATS",
    "Draft",
    "Engine",
    "Format",
    "Quotation",
    "SourceSentence",
    "Verdict",
    "check",
    "content_sha256",
    "make",
    "material_hash",
    "numbered",
    "quotations",
    "render",
    "verdicts",
]
