"""A `Brief` in, one rendering out: HTML fragment, plain text, Markdown or JSON.

All four come from the same Brief; HTML, text and Markdown through the templates
`brief.html`, `brief.txt` and `brief.md` (autoescape on for HTML), JSON through the stable
shape in `codec.brief_to_json`. The order is the reference brief's: standfirst, sections,
quotes, Additional Reading, the closing section (what comes next), the editor's context
("Context added by NAME", when there is one), corrections, Sources, attribution.
`material_hash` fingerprints what a reader sees.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import datetime
from typing import Literal
from urllib.parse import quote, urlsplit

from syndicate import codec, templating
from syndicate.brief import closing
from syndicate.model import Brief, Quote, Section

Format = Literal["text", "markdown", "html", "json"]
_ENDS = (".", "!", "?", "…", "—", "-")
FORMATS: tuple[Format, ...] = ("text", "markdown", "html", "json")
_TEMPLATES = {"text": "brief.txt", "markdown": "brief.md", "html": "brief.html"}
_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>{}|#])")


@dataclass(frozen=True)
class QuoteParagraph:
    """One quotation as a paragraph: its quoted pieces and the attribution between them.

    `parts` are (quoted, text) pairs. A quotation whose first piece was followed by its
    attribution reads `“A,” said X. “B.”` (the release's verb, the speaker named once);
    one that ends its sentences reads `X said in a statement: “A.” “B.”`; one without a
    speaker is its pieces alone.
    """

    parts: tuple[tuple[bool, str], ...]
    speaker: str | None


def _spaced(pieces: tuple[str, ...]) -> list[tuple[bool, str]]:
    out: list[tuple[bool, str]] = []
    for piece in pieces:
        out += [(False, " "), (True, piece)] if out else [(True, piece)]
    return out


def _paragraph(q: Quote) -> QuoteParagraph:
    pieces = q.pieces
    if q.speaker is None:
        return QuoteParagraph(tuple(_spaced(pieces)), None)
    if not pieces[0].endswith(_ENDS):
        said: list[tuple[bool, str]] = [(True, f"{pieces[0]},")]
        # `“A,” X added, “and B.”`: a piece going on in lower case continues the sentence.
        stop = "," if len(pieces) > 1 and pieces[1][:1].islower() else "."
        said.append((False, f" {q.verb or 'said'} {q.speaker}{stop}"))
        for piece in pieces[1:]:
            said += [(False, " "), (True, piece)]
        return QuoteParagraph(tuple(said), q.speaker)
    lead = f"{q.speaker} {q.verb}: " if q.verb else f"{q.speaker}: "
    return QuoteParagraph(((False, lead), *_spaced(pieces)), q.speaker)


def _closing(sections: tuple[Section, ...]) -> Section | None:
    """The section on what comes next, which the engine puts last; shown after the reading."""
    if sections and closing.is_heading(sections[-1].heading):
        return sections[-1]
    return None


def _safe_url(url: str) -> str | None:
    return url if urlsplit(url).scheme in ("http", "https") else None


def md(text: str) -> str:
    """Escape text for Markdown so it stays text (no links, emphasis or raw HTML)."""
    return _MD_SPECIAL.sub(r"\\\1", text)


def md_url(url: str) -> str:
    """A URL safe inside Markdown's `(...)`."""
    return quote(url, safe=":/?#@!$&'*+,;=%~-._")


def render(brief: Brief, fmt: Format) -> str:
    """One rendering of a brief."""
    if fmt == "json":
        return codec.dumps(codec.brief_to_json(brief)) + "\n"
    if fmt not in _TEMPLATES:
        raise ValueError(f"unknown format {fmt!r}; expected one of {', '.join(FORMATS)}")
    closing = _closing(brief.sections)
    body = brief.sections[:-1] if closing else brief.sections
    return templating.render(
        _TEMPLATES[fmt],
        brief=brief,
        body=body,
        closing=closing,
        quotes=[_paragraph(q) for q in brief.quotes],
        links=[(link.text, _safe_url(link.url)) for link in brief.links],
        sources=[(s.name, _safe_url(s.url)) for s in brief.sources],
        md=md,
        md_url=md_url,
        corrections=[(_day(c.when), c.what) for c in brief.corrections],
    )


def _day(when: datetime) -> str:
    return f"{when:%B} {when.day}, {when.year}"


def material_hash(brief: Brief) -> str:
    """sha256 of what a reader sees: the JSON shape without `updated` and provenance."""
    data = codec.brief_to_json(brief)
    data.pop("updated")
    data.pop("provenance")
    return hashlib.sha256(codec.dumps(data).encode("utf-8")).hexdigest()
