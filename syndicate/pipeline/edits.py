"""An editor's changes to a brief in, the edited `Brief` and the gate's verdicts out.

An `Edit` is what the desk's form (or a script) says the brief should now be: standfirst
lines, sections (a heading and lines; a line "- text" is a bullet), quotations (which of the
brief's quotations, in what order, with what words), and the editor's context. A line "#N"
stands for source sentence N, as the side-by-side view numbers them: that is how an editor
picks other source sentences. Every line outside the context is re-cited to the source
sentence it is (so provenance stays true) and the whole brief goes through the
faithfulness checks; the context is the editor's own, labelled with their name.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, replace
from datetime import datetime

from syndicate import brief as stage
from syndicate.brief.faithful import Verdict, normalise
from syndicate.model import Article, Brief, Cited, EditorContext, Quote, Section

_PICK = re.compile(r"#(\d{1,5})")


@dataclass(frozen=True)
class QuoteEdit:
    index: int  # which of the brief's quotations (0-based)
    speaker: str | None
    pieces: tuple[str, ...]


@dataclass(frozen=True)
class Edit:
    summary: tuple[str, ...]
    sections: tuple[tuple[str, tuple[str, ...]], ...]
    quotes: tuple[QuoteEdit, ...]
    context: str = ""


def of(brief: Brief) -> Edit:
    """The edit that leaves a brief as it is (what the form starts from)."""
    sections = tuple(
        (s.heading, (*s.paragraphs, *(f"- {b}" for b in s.bullets))) for s in brief.sections
    )
    quotes = tuple(QuoteEdit(i, q.speaker, q.pieces) for i, q in enumerate(brief.quotes))
    context = brief.context.text if brief.context else ""
    return Edit(brief.summary, sections, quotes, context)


def lines(text: str) -> tuple[str, ...]:
    """A textarea's lines, blank ones dropped."""
    return tuple(" ".join(line.split()) for line in text.splitlines() if line.strip())


def _picked(line: str, sentences: dict[int, str]) -> str:
    found = _PICK.fullmatch(line.strip())
    if found and int(found.group(1)) in sentences:
        return sentences[int(found.group(1))]
    return line


def _cite(part: str, text: str, by_text: dict[str, int], sentences: dict[int, str]) -> Cited:
    if part == "quote":
        piece = normalise(text)
        hits = tuple(n for n, s in sentences.items() if piece and piece in normalise(s))
        return Cited("quote", text, hits[:1])
    n = by_text.get(normalise(text))
    return Cited(part, text, (n,) if n is not None else ())  # type: ignore[arg-type]


def apply(brief: Brief, article: Article, edit: Edit, editor: str, now: datetime) -> Brief:
    """The brief as the edit makes it (not yet checked: see `verdicts`)."""
    sentences = {s.n: s.text for s in stage.numbered(article)}
    by_text = {normalise(t): n for n, t in sorted(sentences.items(), reverse=True)}
    old_cited: dict[tuple[str, str], Cited] = {(c.part, c.text): c for c in brief.provenance.cited}

    def cite(part: str, text: str) -> Cited:
        # An unchanged line keeps its engine's citations (an AI sentence may cite several).
        return old_cited.get((part, text)) or _cite(part, text, by_text, sentences)

    summary = tuple(_picked(line, sentences) for line in edit.summary if line.strip())
    cited = [cite("standfirst", s) for s in summary]
    sections = []
    for heading, body in edit.sections:
        paragraphs: list[str] = []
        bullets: list[str] = []
        for line in body:
            if line.startswith("- "):
                bullets.append(_picked(line[2:].strip(), sentences))
            elif line.strip():
                paragraphs.append(_picked(line, sentences))
        if not heading.strip() and not paragraphs and not bullets:
            continue  # a section emptied out is dropped
        sections.append(Section(" ".join(heading.split()), tuple(paragraphs), tuple(bullets)))
        cited += [cite("paragraph", p) for p in paragraphs]
        cited += [cite("bullet", b) for b in bullets]
    quotes = []
    for q in edit.quotes:
        if not 0 <= q.index < len(brief.quotes) or not q.pieces:
            continue
        was = brief.quotes[q.index]
        quotes.append(Quote(q.pieces[0], q.speaker or None, was.verb, q.pieces[1:]))
        cited += [cite("quote", p) for p in q.pieces]
    text = "\n\n".join(p.strip() for p in edit.context.replace("\r\n", "\n").split("\n\n"))
    context = brief.context
    if not text.strip():
        context = None
    elif context is None or context.text != text.strip():
        context = EditorContext(editor, text.strip(), now)
    return replace(
        brief,
        summary=summary,
        sections=tuple(sections),
        quotes=tuple(quotes),
        context=context,
        provenance=replace(brief.provenance, cited=tuple(cited)),
    )


def verdicts(brief: Brief, article: Article) -> list[Verdict]:
    """The faithfulness checks on everything but the editor's context."""
    return stage.verdicts(replace(brief, context=None, corrections=()), article)


def diff(before: Brief, after: Brief) -> str:
    """What changed, as a unified diff of the text renderings."""
    old = stage.render(before, "text").splitlines()
    new = stage.render(after, "text").splitlines()
    return "\n".join(difflib.unified_diff(old, new, "before", "after", lineterm="", n=1))
