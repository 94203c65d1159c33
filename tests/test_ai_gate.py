"""The gate holds the extractive engine's corpus briefs to the same standard as AI briefs:
every one passes it, and a deliberately corrupted copy of each fails with the check that
names the corruption."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

import corpus_support as corpus
import pytest

from syndicate import brief
from syndicate.brief import ai
from syndicate.brief.extractive import DEFAULT_HEADINGS
from syndicate.model import Article, Brief, Cited, Quote, Section


@pytest.mark.parametrize("form", corpus.FORMS)
@pytest.mark.parametrize("case", corpus.CASES)
def test_every_extractive_corpus_brief_passes_the_gate(case: str, form: corpus.Form) -> None:
    made, page = corpus.make(case, form)
    failed = [v for v in ai.verdicts(made, page) if not v.ok]
    assert failed == []
    assert {v.check for v in ai.verdicts(made, page)} == {
        "title", "quotes", "speakers", "citations", "numbers", "names", "support",
        "attribution", "headings",
    }  # fmt: skip


def _rewrite(b: Brief, text: str, new: str, cites: tuple[int, ...] | None = None) -> Brief:
    """The brief with one narrative sentence changed, its citation following it."""
    cited = tuple(
        Cited(c.part, new, cites if cites is not None else c.sources) if c.text == text else c
        for c in b.provenance.cited
    )
    summary = tuple(new if s == text else s for s in b.summary)
    sections = tuple(
        replace(
            s,
            paragraphs=tuple(new if p == text else p for p in s.paragraphs),
            bullets=tuple(new if p == text else p for p in s.bullets),
        )
        for s in b.sections
    )
    return replace(
        b, summary=summary, sections=sections, provenance=replace(b.provenance, cited=cited)
    )


def _first(b: Brief) -> str:
    return b.summary[0]


def _retyped_quote(b: Brief, page: Article) -> Brief | None:
    if not b.quotes:
        return None
    q = b.quotes[0]
    words = q.text.split()
    at = max(range(len(words)), key=lambda i: len(words[i]))  # its longest word, changed
    words[at] = "remarkably"
    return replace(b, quotes=(replace(q, text=" ".join(words)), *b.quotes[1:]))


def _other_speaker(b: Brief, page: Article) -> Brief | None:
    if not b.quotes or b.quotes[0].speaker is None:
        return None
    q = b.quotes[0]
    return replace(
        b, quotes=(Quote(q.text, "Deputy Press Secretary", q.verb, q.more), *b.quotes[1:])
    )


def _invented_number(b: Brief, page: Article) -> Brief:
    text = _first(b)
    return _rewrite(b, text, text.rstrip(".") + " on 9,731 occasions.")


def _invented_name(b: Brief, page: Article) -> Brief:
    text = _first(b)
    return _rewrite(b, text, text.rstrip(".") + " with Zanzibar officials.")


def _invented_quote(b: Brief, page: Article) -> Brief:
    text = _first(b)
    return _rewrite(b, text, text.rstrip(".") + ', calling it "a triumph of the age."')


def _outside_heading(b: Brief, page: Article) -> Brief:
    own = [i for i, s in enumerate(b.sections) if s.heading not in DEFAULT_HEADINGS]
    if not own:
        return replace(
            b, sections=(Section("Zeppelin Matters", b.sections[0].paragraphs), *b.sections[1:])
        )
    i = own[0]
    s = b.sections[i]
    sections = list(b.sections)
    sections[i] = replace(s, heading=f"{s.heading} Zeppelin")
    return replace(b, sections=tuple(sections))


def _wrong_citation(b: Brief, page: Article) -> Brief:
    """The standfirst's first sentence made to cite the source sentence sharing the fewest
    of its words (counted here, by plain lower-case words)."""
    text = _first(b)
    mine = set(text.lower().split())
    numbered = brief.numbered(page)
    far = min(numbered, key=lambda s: (len(mine & set(s.text.lower().split())), s.n))
    return _rewrite(b, text, text, (far.n,))


def _uncited(b: Brief, page: Article) -> Brief:
    text = _first(b)
    return _rewrite(b, text, text, ())


CORRUPTIONS: dict[str, tuple[Callable[[Brief, Article], Brief | None], set[str]]] = {
    "retyped-quote": (_retyped_quote, {"quotes"}),
    "other-speaker": (_other_speaker, {"speakers"}),
    "invented-number": (_invented_number, {"numbers"}),
    "invented-name": (_invented_name, {"names"}),
    "invented-quote": (_invented_quote, {"quotes"}),
    "outside-heading": (_outside_heading, {"headings"}),
    "wrong-citation": (_wrong_citation, {"support", "numbers", "names"}),
    "uncited": (_uncited, {"citations"}),
}


@pytest.mark.parametrize("corruption", sorted(CORRUPTIONS))
@pytest.mark.parametrize("case", corpus.CASES)
def test_each_corruption_of_a_corpus_brief_is_rejected(case: str, corruption: str) -> None:
    made, page = corpus.make(case, "html")
    corrupt, checks = CORRUPTIONS[corruption]
    bad = corrupt(made, page)
    if bad is None:
        pytest.skip(f"{case}'s brief has no quote (with a speaker) to corrupt")
    failed = ai.failure(bad, page)
    assert failed is not None, f"{corruption} passed the gate"
    assert failed.split(":", 1)[0] in checks, failed
