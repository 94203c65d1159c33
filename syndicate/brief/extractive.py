"""The default engine: an `Article` in, a `Draft` built only from the release's sentences.

Deterministic: no randomness, no model, ties broken by position. The standfirst is the
first sentence (dateline removed) and the sentence after it that best states an outcome; a
lead section follows; each subheaded part of the release becomes a section under its own
heading, a list becoming bullets; background sentences get a section of their own; the
sentences that say what comes next (see `closing`) close the brief in a last section;
quotations are kept whole beside the sections. No sentence is shown twice. Length is then
brought near `target_words` by dropping whole sentences and bullets, never by cutting one.
"""

from __future__ import annotations

import re
from collections import Counter
from urllib.parse import urlsplit

from syndicate.brief import acronyms, closing
from syndicate.brief.closing import NEXT
from syndicate.brief.engine import Draft
from syndicate.brief.layout import Layout, Segment, Sentence, read
from syndicate.model import Article, Link, Quote, Section

KEY_POINTS = "Key Points"
BACKGROUND = "Background"
OVERVIEW = "Overview"
DEFAULT_HEADINGS = (KEY_POINTS, BACKGROUND, NEXT, OVERVIEW)

_OUTCOME = re.compile(
    r"\b(?:signed|sign|announced|announce|seized|seize|arrested|approved|established|"
    r"establish|launched|awarded|result|resulted|secured|agreement|million|billion|"
    r"percent|charged|sentenced|declared|designated|extended|released|issued|added|"
    r"will)\b",
    re.I,
)
_BACKGROUND = re.compile(
    r"\b(?:since (?:19|20)\d\d|in (?:19|20)\d\d|previously|earlier this year|"
    r"in recent years|over the past|historically|was established|was created|first launched|"
    r"strategic location|has long)\b",
    re.I,
)
_BACKGROUND_HEADING = re.compile(r"\b(?:background|context|history|about)\b", re.I)
# Parts of a release that are about the document, not the news.
_SKIP_HEADING = re.compile(
    r"\b(?:revision history|contact information|media contacts?|disclaimer|acknowledg\w*|"
    r"references|legal notice)\b",
    re.I,
)
_MINOR = {"a", "an", "the", "and", "or", "of", "to", "in", "for", "on", "at", "by", "with", "as"}
_STOP = _MINOR | {
    "is", "are", "was", "were", "be", "been", "this", "that", "these", "those", "its", "it",
    "their", "our", "we", "from", "will", "has", "have", "had", "not", "but", "also", "who",
    "which", "all", "more", "than", "said", "into", "other", "both", "can", "may", "new",
}  # fmt: skip
# Words a heading neither starts nor ends with ("information about" is half a phrase).
_FUNCTION = {
    "about", "with", "from", "over", "under", "after", "before", "through", "across",
    "against", "within", "without", "between", "among", "around", "during", "including",
    "toward", "towards", "upon", "along", "near", "while", "when", "where", "what", "there",
    "them", "they", "your", "such", "each", "every", "most", "some", "many", "very", "just",
}  # fmt: skip

SALIENT_WORDS = 600
LEAD_MAX, PARAS_MAX, BULLETS_MAX, BACKGROUND_MAX, NEXT_MAX, LINKS_MAX = 4, 3, 8, 3, 2, 8


def title_case(text: str) -> str:
    """Title-Case a heading, keeping acronyms and words already capitalised.

    Section numbers go ("3.1 AFFECTED PRODUCTS") and a heading in capitals is lowered first.
    """
    text = re.sub(r"^\d+(?:\.\d+)*\.?\s+", "", text.strip())
    if text.isupper():
        text = text.lower()
    words = text.split()
    out = []
    for i, w in enumerate(words):
        if w[:1].isupper() or (i and w.lower() in _MINOR):
            out.append(w)
        else:
            out.append(w[:1].upper() + w[1:])
    return " ".join(out).rstrip(":.")


def _heading(text: str | None) -> str | None:
    if not text or len(text.split()) > 8 or text.endswith("?"):
        return None
    return title_case(text)


def _reads_as_heading(gram: tuple[str, ...]) -> bool:
    """A noun phrase ("information sharing", "illegal crossings"), not a clause or adverb.

    "officers seized" and "shares information" are pieces of sentences: a past tense after
    the first word, an adverb anywhere, or an -s word first (a plural subject or a verb; a
    noun modifying another is singular, "threat actors") make a phrase no heading.
    """
    if gram[0] in _FUNCTION or gram[-1] in _FUNCTION:
        return False
    if gram[0].endswith("s") and not gram[0].endswith(("ss", "us", "is")):
        return False
    for i, word in enumerate(gram):
        if word.endswith("ly") and len(word) > 4:
            return False
        if i and word.endswith("ed") and not word.endswith("eed"):
            return False
    return True


def _salient(body: str, shown: str) -> str | None:
    """The commonest two- or three-word phrase written in lower case, as a heading.

    The phrase must also occur in `shown` (the text the heading stands over), so it says
    what that section is about.
    """
    # The opening of a release says what it is about; a long advisory's tail does not.
    words = re.findall(r"[A-Za-z][A-Za-z’'-]*", body)[:SALIENT_WORDS]
    under = " ".join(re.findall(r"[A-Za-z][A-Za-z’'-]*", shown)).lower()
    counts: Counter[tuple[str, ...]] = Counter()
    first: dict[tuple[str, ...], int] = {}
    common: set[tuple[str, ...]] = set()  # written in lower case at least once: not a name
    for n in (3, 2):
        for i in range(len(words) - n + 1):
            gram = tuple(words[i : i + n])
            low = tuple(w.lower() for w in gram)
            if low[0] in _STOP or low[-1] in _STOP or len(low[0]) < 4 or len(low[-1]) < 4:
                continue
            if any(w in _STOP for w in low[1:-1] if w not in _MINOR):
                continue
            counts[low] += 1
            first.setdefault(low, i)
            if gram == low:
                common.add(low)
    ranked = sorted(
        (
            g
            for g, c in counts.items()
            if c >= 2
            and g in common
            and _reads_as_heading(g)
            and f" {' '.join(g)} " in f" {under} "
        ),
        key=lambda g: (-counts[g] * len(g), first[g]),
    )
    return title_case(" ".join(ranked[0])) if ranked else None


def _score(s: Sentence, title_words: set[str]) -> int:
    words = {w.lower() for w in re.findall(r"[A-Za-z]+", s.text)}
    return (
        2 * len(_OUTCOME.findall(s.text))
        + bool(re.search(r"\d", s.text))
        + len(words & title_words)
    )


def _links(article: Article) -> tuple[Link, ...]:
    out: list[Link] = []
    seen = {article.url}
    for link in (*article.links, *(link for b in article.blocks for link in b.links)):
        parts = urlsplit(link.url)
        host = (parts.hostname or "").lower()
        if parts.scheme not in ("http", "https") or not host.endswith((".gov", ".mil")):
            continue
        if link.url in seen:
            continue
        seen.add(link.url)
        out.append(Link(link.text.strip() or link.url, link.url))
    return tuple(out[:LINKS_MAX])


def _words(texts: list[str]) -> int:
    return sum(len(t.split()) for t in texts)


class Extractive:
    """The extractive engine (registered as "extractive")."""

    name = "extractive"
    # 1.1: speakers as the attribution names them; headings read as such.
    # 1.2: a closing section on what comes next, last; link pointers only in the reading list.
    version = "1.2"

    def draft(self, article: Article, *, target_words: int) -> Draft:
        """Draft a brief from the article's own sentences."""
        layout = read(article)
        used: set[int] = set()
        prose = [s for seg in layout.segments for p in seg.paragraphs for s in p if not s.quoted]
        summary = self._standfirst(layout, prose, used)
        sections = _once(summary, self._sections(layout, prose, used))
        sections = _shorten(summary, sections, target_words)
        definitions = acronyms.defined(layout.body)
        texts = [*summary, *(t for s in sections for t in (*s.paragraphs, *s.bullets))]
        expanded = iter(acronyms.expand(texts, definitions))
        summary = [next(expanded) for _ in summary]
        sections = [
            Section(
                s.heading,
                tuple(next(expanded) for _ in s.paragraphs),
                tuple(next(expanded) for _ in s.bullets),
            )
            for s in sections
        ]
        return Draft(
            title=layout.title,
            dateline=layout.dateline,
            summary=tuple(summary),
            sections=tuple(sections),
            quotes=tuple(Quote(q.text, q.speaker) for q in layout.quotes),
            links=_links(article),
        )

    def _standfirst(self, layout: Layout, prose: list[Sentence], used: set[int]) -> list[str]:
        if not prose:
            return []
        lead = prose[0]
        used.add(lead.order)
        title_words = {w.lower() for w in re.findall(r"[A-Za-z]+", layout.title)} - _STOP
        # The outcome is told early: the first three paragraphs before any subheading.
        opening = [s for p in layout.segments[0].paragraphs[:3] for s in p if not s.quoted]
        rest = [
            s
            for s in opening
            if s.text != lead.text and len(s.text.split()) >= 6 and not _BACKGROUND.search(s.text)
        ]
        if not rest:
            return [lead.text]
        best = max(rest, key=lambda s: (_score(s, title_words) - s.order // 3, -s.order))
        used.add(best.order)
        return [lead.text, best.text]

    def _sections(self, layout: Layout, prose: list[Sentence], used: set[int]) -> list[Section]:
        body: list[Section] = []
        background: list[str] = []
        background_heading: str | None = None
        background_bullets: list[str] = []
        has_list = any(seg.lists for seg in layout.segments)
        shown = [s for s in prose if s.order not in used]
        skipped = {
            s.order
            for seg in layout.segments
            if seg.heading and _SKIP_HEADING.search(seg.heading)
            for p in seg.paragraphs
            for s in p
        }
        closers = [seg for seg in layout.segments if _closes(seg)]
        ends = {s.order for seg in closers for p in seg.paragraphs for s in p}
        # What comes next is chosen first, so no other section shows its sentences.
        upcoming = closing.pick([s for s in shown if s.order not in skipped], ends, NEXT_MAX)
        used.update(s.order for s in upcoming)

        def take(seg: Segment, limit: int, *, skip_background: bool) -> list[Sentence]:
            picked: list[Sentence] = []
            pool = [s for p in seg.paragraphs for s in p if not s.quoted and s.order not in used]
            if seg.lists and seg.list_at is not None and seg is not layout.segments[0]:
                # A list's section keeps the sentences that introduce the list.
                pool = [s for s in pool if s.order < seg.list_at]
            # Topic sentences first, then the rest, shown in the release's order.
            for s in sorted(pool, key=lambda s: (not s.first, s.order)):
                if len(picked) >= limit:
                    break
                if skip_background and _BACKGROUND.search(s.text):
                    continue
                picked.append(s)
            used.update(s.order for s in picked)
            return sorted(picked, key=lambda s: s.order)

        for n, seg in enumerate(layout.segments):
            heading = _heading(seg.heading)
            if seg.heading and _SKIP_HEADING.search(seg.heading):
                continue
            if seg in closers:
                # The release's own closing part: its sentences join what comes next.
                room = PARAS_MAX - len(upcoming)
                upcoming += take(seg, min(NEXT_MAX, room), skip_background=False)
                continue
            if heading and _BACKGROUND_HEADING.search(heading):
                background_heading = background_heading or heading
                background += [s.text for s in take(seg, BACKGROUND_MAX, skip_background=False)]
                background_bullets += [i for items in seg.lists for i in items]
                continue
            limit = LEAD_MAX if n == 0 else PARAS_MAX
            paragraphs = [s.text for s in take(seg, limit, skip_background=n == 0)]
            if n == 0 and paragraphs:
                lead_heading = heading or _salient(layout.body, " ".join(paragraphs)) or OVERVIEW
                body.append(Section(lead_heading, tuple(paragraphs)))
                paragraphs = []
            bullets = tuple(item for items in seg.lists for item in items)[:BULLETS_MAX]
            if paragraphs or bullets:
                title = heading or (KEY_POINTS if bullets else OVERVIEW)
                body.append(Section(title, tuple(paragraphs), bullets))
        if not has_list:
            facts = [s for s in prose if s.order not in used and re.search(r"\d", s.text)]
            facts = [s for s in facts if not _BACKGROUND.search(s.text)]
            if len(facts) >= 2:
                used.update(s.order for s in facts[:4])
                body.append(Section(KEY_POINTS, bullets=tuple(s.text for s in facts[:4])))
        rest = [s for s in prose if s.order not in used]
        background += [s.text for s in rest if _BACKGROUND.search(s.text)][
            : max(0, BACKGROUND_MAX - len(background))
        ]
        used.update(s.order for s in rest if s.text in background)
        if background or background_bullets:
            body.append(
                Section(
                    background_heading or BACKGROUND,
                    tuple(background),
                    tuple(background_bullets[:BULLETS_MAX]),
                )
            )
        # The closing comes last, under the release's own heading for that part if it has one.
        end_heading = _heading(closers[0].heading) if closers else None
        end_bullets = [i for seg in closers for items in seg.lists for i in items]
        ending = Section(
            end_heading or NEXT,
            tuple(s.text for s in sorted(upcoming, key=lambda s: s.order)),
            tuple(end_bullets[:BULLETS_MAX]),
        )
        kept = (_without_dangling(s) for s in [*_merge_headings(body), ending])
        return [s for s in kept if s.paragraphs or s.bullets]


def _closes(seg: Segment) -> bool:
    """A part of the release under its own closing subheading ("Next Steps")."""
    heading = _heading(seg.heading)
    return bool(heading and closing.is_heading(heading) and not _SKIP_HEADING.search(heading))


def _once(summary: list[str], sections: list[Section]) -> list[Section]:
    """Each sentence shown once: a release that says a thing twice is briefed saying it once."""
    seen = {" ".join(t.split()) for t in summary}
    out: list[Section] = []
    for s in sections:
        parts: list[tuple[str, ...]] = []
        for texts in (s.paragraphs, s.bullets):
            kept = []
            for t in texts:
                key = " ".join(t.split())
                if key not in seen:
                    seen.add(key)
                    kept.append(t)
            parts.append(tuple(kept))
        if parts[0] or parts[1]:
            out.append(Section(s.heading, parts[0], parts[1]))
    return out


def _without_dangling(section: Section) -> Section:
    """A sentence that introduces a list ("include:") goes when the list is not shown."""
    if section.bullets:
        return section
    kept = tuple(p for p in section.paragraphs if not p.rstrip().endswith(":"))
    return Section(section.heading, kept, section.bullets)


def _merge_headings(sections: list[Section]) -> list[Section]:
    """Two sections under one heading (a default used twice) become one."""
    out: list[Section] = []
    for s in sections:
        twin = next((i for i, o in enumerate(out) if o.heading == s.heading), None)
        if twin is None:
            out.append(s)
        else:
            o = out[twin]
            out[twin] = Section(o.heading, o.paragraphs + s.paragraphs, o.bullets + s.bullets)
    return out


def _total(summary: list[str], sections: list[Section]) -> int:
    return _words(summary) + sum(_words([*s.paragraphs, *s.bullets]) for s in sections)


def _shorten(summary: list[str], sections: list[Section], target: int) -> list[Section]:
    """Drop whole sentences and bullets, least needed first, until near `target` words."""
    out = list(sections)

    def over() -> bool:
        return _total(summary, out) > target

    for paras, bullets in ((3, 6), (2, 4), (1, 3)):
        if not over():
            return out
        out = [Section(s.heading, s.paragraphs[:paras], s.bullets[:bullets]) for s in out]
    # Then whole sections, the middle ones from the end; the lead and the closing last.
    while over() and len(out) > 2:
        out.pop(len(out) - 2)
    while over() and len(out) > 1:
        out.pop()
    if over() and out:
        out.pop()
    return out
