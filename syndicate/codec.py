"""Model values <-> JSON-able dicts, for the store, the JSON rendering and the web side.

The Brief's JSON shape is a public contract (issue 3): other parts and users rely on it, so
it is spelled out here field by field rather than derived from the dataclass.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from syndicate.model import (
    Article,
    Attribution,
    Block,
    Brief,
    Cited,
    Correction,
    EditorContext,
    Link,
    Provenance,
    Quote,
    Section,
    SourceRef,
)

JSON = dict[str, Any]


def _time(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _parse_time(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def _required_time(value: str) -> datetime:
    return datetime.fromisoformat(value)


def brief_to_json(brief: Brief) -> JSON:
    """The stable JSON shape of a brief (`context` and `corrections` only when there are)."""
    data = _brief_json(brief)
    if brief.context is not None:
        c = brief.context
        data["context"] = {"author": c.author, "text": c.text, "added": _time(c.added)}
    if brief.corrections:
        data["corrections"] = [
            {"when": _time(c.when), "what": c.what, "by": c.by} for c in brief.corrections
        ]
    return data


def _brief_json(brief: Brief) -> JSON:
    return {
        "id": brief.id,
        "title": brief.title,
        "agency": brief.agency,
        "source_name": brief.source_name,
        "url": brief.url,
        "published": _time(brief.published),
        "updated": _time(brief.updated),
        "dateline": brief.dateline,
        "summary": list(brief.summary),
        "sections": [
            {"heading": s.heading, "paragraphs": list(s.paragraphs), "bullets": list(s.bullets)}
            for s in brief.sections
        ],
        "quotes": [
            {"text": q.text, "speaker": q.speaker, "verb": q.verb, "more": list(q.more)}
            for q in brief.quotes
        ],
        "links": [{"title": link.text, "url": link.url} for link in brief.links],
        "topics": list(brief.topics),
        "sources": [{"name": s.name, "url": s.url} for s in brief.sources],
        "attribution": {
            "sources_label": brief.attribution.sources_label,
            "prepared_by": brief.attribution.prepared_by,
            "notice": brief.attribution.notice,
        },
        "provenance": {
            "fetched_at": _time(brief.provenance.fetched_at),
            "content_sha256": brief.provenance.content_sha256,
            "engine": brief.provenance.engine,
            "cited": [
                {"part": c.part, "text": c.text, "sources": list(c.sources)}
                for c in brief.provenance.cited
            ],
            # Only an AI-engine release that fell back says why (the JSON stays as it was).
            **({"fallback": brief.provenance.fallback} if brief.provenance.fallback else {}),
        },
    }


def brief_from_json(data: JSON) -> Brief:
    """Rebuild a Brief from its JSON shape."""
    attribution = data.get("attribution") or {}
    provenance = data["provenance"]
    context = data.get("context")
    return Brief(
        context=EditorContext(context["author"], context["text"], _required_time(context["added"]))
        if context
        else None,
        corrections=tuple(
            Correction(_required_time(c["when"]), c["what"], c.get("by", ""))
            for c in data.get("corrections", ())
        ),
        id=data["id"],
        title=data["title"],
        agency=data["agency"],
        source_name=data["source_name"],
        url=data["url"],
        published=_required_time(data["published"]),
        updated=_required_time(data["updated"]),
        dateline=data.get("dateline"),
        summary=tuple(data["summary"]),
        sections=tuple(
            Section(s["heading"], tuple(s.get("paragraphs", ())), tuple(s.get("bullets", ())))
            for s in data["sections"]
        ),
        quotes=tuple(
            Quote(q["text"], q.get("speaker"), q.get("verb"), tuple(q.get("more", ())))
            for q in data["quotes"]
        ),
        links=tuple(Link(link["title"], link["url"]) for link in data["links"]),
        topics=tuple(data["topics"]),
        sources=tuple(SourceRef(s["name"], s["url"]) for s in data["sources"]),
        attribution=Attribution(
            attribution.get("sources_label", "Sources"),
            attribution.get("prepared_by", ""),
            attribution.get("notice"),
        ),
        provenance=Provenance(
            _required_time(provenance["fetched_at"]),
            provenance["content_sha256"],
            provenance["engine"],
            tuple(
                Cited(c["part"], c["text"], tuple(c["sources"]))
                for c in provenance.get("cited", ())
            ),
            provenance.get("fallback"),
        ),
    )


def article_to_json(article: Article) -> JSON:
    """An Article as a JSON-able dict (stored beside its item)."""
    return {
        "url": article.url,
        "title": article.title,
        "dateline": article.dateline,
        "published": _time(article.published),
        "modified": _time(article.modified),
        "origin": article.origin,
        "blocks": [
            {
                "kind": b.kind,
                "text": b.text,
                "items": list(b.items),
                "links": [{"text": link.text, "url": link.url} for link in b.links],
            }
            for b in article.blocks
        ],
        "links": [{"text": link.text, "url": link.url} for link in article.links],
    }


def article_from_json(data: JSON) -> Article:
    """Rebuild an Article from `article_to_json`'s shape."""
    return Article(
        url=data["url"],
        title=data["title"],
        dateline=data.get("dateline"),
        published=_parse_time(data.get("published")),
        modified=_parse_time(data.get("modified")),
        origin=data.get("origin", "page"),
        blocks=tuple(
            Block(
                b["kind"],
                b["text"],
                tuple(b.get("items", ())),
                tuple(Link(link["text"], link["url"]) for link in b.get("links", ())),
            )
            for b in data["blocks"]
        ),
        links=tuple(Link(link["text"], link["url"]) for link in data.get("links", ())),
    )


def dumps(data: JSON) -> str:
    """Deterministic JSON text: sorted keys off (the shape's order is meaningful), UTF-8."""
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))


def loads(text: str) -> JSON:
    value = json.loads(text)
    if not isinstance(value, dict):
        raise ValueError("expected a JSON object")
    return value
