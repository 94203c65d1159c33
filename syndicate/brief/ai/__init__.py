"""The AI engine's pure half: a release and a model's answer in, a gated `Brief` out.

    prompt(article, template_text, words) -> Prompt   the messages to send, with the version
    response_format() -> dict                         the JSON schema, for servers that take it
    brief(content, article, base) -> Brief            the answer as a brief (BriefError: malformed)
    verdicts(brief, article) -> list[Verdict]         the gate, check by check
    failure(brief, article) -> str | None             the first failing check, with its reason

No I/O here: the Chat Completions call is `fetch.chat`, the queue and the cache are in the
store, and `pipeline.aiwork` runs them. `base` is the extractive brief of the same release
(what was published at poll time); the AI brief keeps its title, dates, sources, links,
topics and attribution, and replaces the standfirst, sections and quotes. Quotes come by
reference: the brief shows the source quotation's words; a speaker the model names is kept
so the gate can compare it with the source's.
"""

from __future__ import annotations

from dataclasses import replace

from syndicate.brief import layout
from syndicate.brief import quotes as quoting
from syndicate.brief.ai.gate import SUPPORT, failure, verdicts
from syndicate.brief.ai.prompt import Prompt, builtin, template, version
from syndicate.brief.ai.prompt import build as _build
from syndicate.brief.ai.schema import SCHEMA, Reply, read, response_format
from syndicate.model import Article, Brief, Cited, Quote, Section

ENGINE = "ai"


def quotations(article: Article) -> list[quoting.Quotation]:
    """The release's quotations, numbered from 1 in the prompt."""
    return list(layout.quotations(article))


def prompt(article: Article, text: str, words: int = 350) -> Prompt:
    """The Chat Completions messages asking for a brief of `article` (template `text`)."""
    return _build(article, quotations(article), text, words)


def _quotes(reply: Reply, article: Article) -> tuple[list[Quote], list[Cited]]:
    found = quotations(article)
    plan = layout.read(article)
    out: list[Quote] = []
    cited: list[Cited] = []
    for ref in reply.quotes:
        q = found[ref.quote - 1] if 1 <= ref.quote <= len(found) else None
        if q is None:
            out.append(Quote(text=ref.text or f"(quotation {ref.quote})", speaker=ref.speaker))
            continue
        pieces = tuple(p.text for p in q.pieces)
        if ref.text is not None and " ".join(ref.text.split()) != " ".join(
            " ".join(pieces).split()
        ):
            pieces = (ref.text,)  # retyped: kept as sent, so the gate judges what was sent
        speaker = ref.speaker if ref.speaker_given else q.speaker
        out.append(Quote(text=pieces[0], speaker=speaker, verb=q.verb, more=pieces[1:]))
        for piece, text in zip(q.pieces, pieces, strict=False):
            cited.append(Cited("quote", text, plan.cite(piece)))
    return out, cited


def brief(content: str, article: Article, base: Brief, *, model: str, prompt_version: str) -> Brief:
    """The model's answer `content` as a brief of `article` built on `base`; not yet gated."""
    reply = read(content)
    cited = [Cited("standfirst", line.text, line.cites) for line in reply.standfirst]
    sections = []
    for part in reply.sections:
        cited += [Cited("paragraph", line.text, line.cites) for line in part.paragraphs]
        cited += [Cited("bullet", line.text, line.cites) for line in part.bullets]
        sections.append(
            Section(
                part.heading,
                tuple(line.text for line in part.paragraphs),
                tuple(line.text for line in part.bullets),
            )
        )
    quotes, quoted = _quotes(reply, article)
    provenance = replace(
        base.provenance,
        engine=f"{ENGINE}/{model}/{prompt_version}",
        cited=tuple(cited + quoted),
        fallback=None,
    )
    return replace(
        base,
        summary=tuple(line.text for line in reply.standfirst),
        sections=tuple(s for s in sections if s.paragraphs or s.bullets),
        quotes=tuple(quotes),
        provenance=provenance,
    )


__all__ = [
    "ENGINE",
    "SCHEMA",
    "SUPPORT",
    "Prompt",
    "brief",
    "builtin",
    "failure",
    "prompt",
    "quotations",
    "read",
    "response_format",
    "template",
    "verdicts",
    "version",
]
