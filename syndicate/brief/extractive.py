"""The default engine: an `Article` in, a `Draft` made only of the release's own sentences.

Deterministic: no randomness, no model, ties broken by position. Nothing is rewritten: every
standfirst, paragraph and bullet is a sentence (or list item) of the release, verbatim, and
every quotation is shown as the release prints it. The steps:

1. the release's type (`kinds.classify`) chooses the layout;
2. the standfirst: the first whole sentence of the release's own narrative (who did what),
   and the early sentence that best states the outcome;
3. what comes next (`closing.pick`): future facts only, put last;
4. the body (`parts`): the opening shared out among the layout's parts, each subheaded part
   of the release under its own heading, lists as 3-5 bullets, headings for the rest;
5. the quotations, each speaker's quotation once, with the release's verb (at most three);
6. length fitted to `target_words` by dropping whole sentences, bullets, quotations and
   parts, least needed first; a release with less to say gives a shorter brief, never a
   padded one.

Every sentence and quotation piece shown is cited in the draft (`Draft.cited`) by its
number in `source.number(article)`.
"""

from __future__ import annotations

import re

from syndicate.brief import closing, kinds, parts
from syndicate.brief.cues import Cues
from syndicate.brief.engine import Draft
from syndicate.brief.headings import GENERIC
from syndicate.brief.layout import Layout, Sentence, read
from syndicate.brief.parts import Part, usable
from syndicate.model import Article, Cited, Quote, Section

NEXT_MAX, QUOTES_MAX = 2, 3
DEFAULT_HEADINGS = (*GENERIC, closing.NEXT)
# A quotation to show, with the source sentences each of its pieces stands in.
Quoted = tuple[Quote, tuple[tuple[int, ...], ...]]
_OUTCOME = Cues(
    r"\b(?:signed|signs?|announced|seized|arrested|approved|launched|awarded|resulted|"
    r"secured|agreement|charged|sentenced|declared|designated|extended|"
    r"released|issued|added|removed|rescued|hoisted|flown|transferred|"
    r"(?:turned|handed)\s+(?:\S+\s+){0,4}?over|"
    r"confiscated|cited|detained|replaces?|makes|passed|value|worth|record|busiest|"
    r"stable|injured|killed)\b"
)
_BACKGROUND = Cues(
    r"\b(?:since (?:19|20)\d\d|in (?:19|20)\d\d|previously|earlier this year|in recent years|"
    r"last (?:fiscal )?year|"
    r"over the past|historically|was established|was created|first launched|has long)\b"
)
_WORD = re.compile(r"[A-Za-z]+")
_STOP = {
    "the", "and", "for", "with", "from", "that", "this", "into", "more", "than", "after",
    "over", "about", "their", "will", "have", "has", "was", "were", "are", "its",
}  # fmt: skip


class Extractive:
    """The extractive engine (registered as "extractive")."""

    name = "extractive"
    # 2.0: extraction drops page furniture; one quote per speaker's quotation with the
    # release's verb; no rewriting (no acronyms spelled out); layouts per release type.
    version = "2.0"

    def draft(self, article: Article, *, target_words: int) -> Draft:
        """Draft a brief from the article's own sentences."""
        layout = read(article)
        opening = " ".join(s.text for p in layout.segments[0].paragraphs[:2] for s in p)
        kind = kinds.classify(layout.title, opening)
        prose = layout.sentences()
        lead = standfirst(layout, prose)
        used = {s.order for s in lead}
        ends = {
            s.order
            for seg in layout.segments
            if parts.closes(seg)
            for p in seg.paragraphs
            for s in p
        }
        skipped = {
            s.order
            for seg in layout.segments
            if parts.skipped(seg)
            for p in seg.paragraphs
            for s in p
        }
        skipped |= _kept(layout)
        shown = [s for s in prose if usable(s, used) and s.order not in skipped]
        own = [s for s in prose if s.complete and not s.quoted]
        late = own[len(own) * 2 // 3].order if own else None
        upcoming = closing.pick(shown, ends, NEXT_MAX, late=late)
        used |= {s.order for s in upcoming}
        body = parts.opening(layout, kinds.LAYOUTS[kind], used)
        used |= {s.order for p in body for s in p.sentences()}
        body += parts.subheaded(layout, used)
        used |= {s.order for p in body for s in p.sentences()}
        end = parts.closing_part(layout, upcoming, used)
        for part in body:
            parts.instructions(part)
        body = parts.name(_once(lead, body), _people(layout), GENERIC[0], layout.body.lower())
        chosen = _quotations(layout)
        fitted, chosen = _fit(lead, [*body, end], chosen, target_words)
        return _draft(layout, lead, fitted, chosen)


def standfirst(layout: Layout, prose: list[Sentence]) -> list[Sentence]:
    """Two whole sentences: who did what (the first), and the key outcome."""
    own = [s for s in prose if s.complete and not s.quoted]
    if not own:
        return []
    first = own[0]
    title = {w.lower() for w in _WORD.findall(layout.title)} - _STOP
    # The outcome is told in the opening, before the release's first subheading.
    heads = {s.order for p in layout.segments[0].paragraphs for s in p}
    again = " ".join(first.text.split())  # a release that repeats its lead says it once
    fresh = [s for s in own[1:9] if len(s.text.split()) >= 5 and " ".join(s.text.split()) != again]
    opening = [s for s in fresh if s.order in heads] or fresh
    if not opening:
        return [first]
    late = own[len(own) * 2 // 3].order
    said = {w.lower() for w in _WORD.findall(first.text)}

    def score(rank: int, s: Sentence) -> float:
        # Most often in the lead's own paragraph; background and what comes next (a
        # future sentence near the end) belong further down. Title words count only as
        # common nouns (names and places say who, not what happened) the lead has not
        # used already: the second sentence adds to the first.
        common = {w.lower() for w in _WORD.findall(s.text) if w.islower()} - said
        value = 2.5 * _OUTCOME.count(s.text) + 0.5 * bool(re.search(r"\d", s.text))
        value += 0.3 * len(common & title) - 0.2 * rank + 1.2 * (s.para == first.para)
        value -= 3.0 * bool(_BACKGROUND.search(s.text)) + 0.05 * max(0, len(s.text.split()) - 30)
        if s.para != first.para and closing.forward(s.text) and s.order >= late:
            value -= 3.0
        return value

    best = max(enumerate(opening), key=lambda rs: (score(*rs), -rs[0]))[1]
    return [first, best]


def _kept(layout: Layout) -> set[int]:
    """Sentences a subheaded part of the release keeps for itself: its first, or none when
    it has a list (so what comes next may draw on a part's later sentences, never empty
    it)."""
    out: set[int] = set()
    for seg in layout.segments[1:]:
        if parts.closes(seg):
            continue
        own = [s for p in seg.paragraphs for s in p if s.complete and not s.quoted]
        out |= {s.order for s in own[: 0 if seg.lists else 1]}
    return out


def _people(layout: Layout) -> set[str]:
    """Words of the people the release quotes, which never make a heading."""
    out: set[str] = set()
    for q in layout.quotes:
        for word in (q.speaker or "").replace(",", " ").split():
            if word[:1].isupper() and len(word) > 2:
                out.add(word)
    return out


def _once(lead: list[Sentence], body: list[Part]) -> list[Part]:
    """Each sentence shown once: a release that says a thing twice is briefed saying it once."""
    seen = {" ".join(s.text.split()) for s in lead}
    out: list[Part] = []
    for part in body:
        kept: list[list[Sentence]] = []
        for group in (part.paragraphs, part.bullets):
            keep = []
            for s in group:
                key = " ".join(s.text.split())
                if key not in seen:
                    seen.add(key)
                    keep.append(s)
            kept.append(keep)
        part.paragraphs, part.bullets = kept
        if part.bullets or any(not s.text.rstrip().endswith(":") for s in part.paragraphs):
            out.append(part)
    return out


def _quotations(layout: Layout) -> list[Quoted]:
    """The quotations to show, in the release's order: named speakers first to be kept."""
    found = [q for q in layout.quotes if q.pieces]
    named = [q for q in found if q.speaker]
    keep = (named + [q for q in found if not q.speaker])[:QUOTES_MAX]
    out = []
    for q in (q for q in found if q in keep):
        pieces = [p.text for p in q.pieces]
        cites = tuple(layout.cite(p) for p in q.pieces)
        out.append((Quote(pieces[0], q.speaker, q.verb, tuple(pieces[1:])), cites))
    return out


def _fit(
    lead: list[Sentence],
    body: list[Part],
    chosen: list[Quoted],
    target: int,
) -> tuple[list[Part], list[Quoted]]:
    """Drop whole sentences, bullets, quotations and parts until near `target` words.

    Least needed first: background, then the middle parts' later sentences and bullets
    (down to two sentences and four bullets), a third quotation, the middle parts down to
    one sentence and three bullets, then every part so, whole middle parts, a second
    quotation, and parts from the end. The standfirst always stays.
    """
    body = [p for p in body if p.paragraphs or p.bullets]
    chosen = list(chosen)
    size = {s.order: len(s.text.split()) for p in body for s in p.sentences()}
    said = [sum(len(t.split()) for t in q.pieces) for q, _ in chosen]
    total = sum(len(s.text.split()) for s in lead) + sum(size.values()) + sum(said)

    def over() -> bool:
        return total > target

    def trim(keep_paras: int, keep_bullets: int, which: list[Part]) -> None:
        nonlocal total
        for part in reversed(which):
            while over() and len(part.paragraphs) > keep_paras:
                total -= size[part.paragraphs.pop().order]
            while over() and len(part.bullets) > keep_bullets:
                total -= size[part.bullets.pop().order]

    def drop_quote() -> None:
        nonlocal total
        chosen.pop()
        total -= said.pop()

    def drop_part(index: int) -> None:
        nonlocal total
        total -= sum(size[s.order] for s in body.pop(index).sentences())

    background = [p for p in body if p.heading == GENERIC[2] or "background" in p.prefer]
    trim(0, 0, background)
    middle = body[1:-1] if len(body) > 2 else []
    trim(2, 4, middle)
    while over() and len(chosen) > 2:
        drop_quote()
    trim(1, 3, middle)
    trim(1, 3, body)
    while over() and len(body) > 2:
        drop_part(len(body) - 2)  # a middle part; the first part and the closing stay
    while over() and len(chosen) > 1:
        drop_quote()
    while over() and len(body) > 1:
        drop_part(len(body) - 1)
    return [p for p in body if p.paragraphs or p.bullets], chosen


def _draft(
    layout: Layout,
    lead: list[Sentence],
    body: list[Part],
    chosen: list[Quoted],
) -> Draft:
    cited = [Cited("standfirst", s.text, (s.order,)) for s in lead]
    sections: list[Section] = []
    for part in body:
        # The sentence that introduces the list stands right before its bullets.
        intro = [s for s in part.paragraphs if s.text.rstrip().endswith(":")]
        rest = [s for s in part.paragraphs if s not in intro]
        paragraphs = [*rest, *intro[-1:]] if part.bullets else rest
        cited += [Cited("paragraph", s.text, (s.order,)) for s in paragraphs]
        cited += [Cited("bullet", s.text, (s.order,)) for s in part.bullets]
        sections.append(
            Section(
                part.heading or GENERIC[0],
                tuple(s.text for s in paragraphs),
                tuple(s.text for s in part.bullets),
            )
        )
    for quote, cites in chosen:
        cited += [Cited("quote", t, c) for t, c in zip(quote.pieces, cites, strict=True)]
    return Draft(
        title=layout.title,
        dateline=layout.dateline,
        summary=tuple(s.text for s in lead),
        sections=tuple(s for s in sections if s.paragraphs or s.bullets),
        quotes=tuple(q for q, _ in chosen),
        cited=tuple(cited),
    )
