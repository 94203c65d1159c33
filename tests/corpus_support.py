"""The brief corpus (tests/data/corpus/<case>/): loading a release in either form, making
its brief, and scoring the brief against the case's hand-written expectations.

Shared by `tests/test_corpus.py` (which asserts the expectations) and `bench/score.py`
(which prints the scores). The scoring rules here are the reader's, written from the
issue and the reference brief, not from the engine: what counts as a generic heading, a
heading cut from a sentence, or a complete sentence is decided below without asking the
engine's own modules.
"""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

from syndicate import brief, extract
from syndicate.model import AGENCIES, Agency, Article, ArticleRules, Attribution, Brief, Source

CORPUS = Path(__file__).parent / "data" / "corpus"
CASES = sorted(p.name for p in CORPUS.iterdir() if (p / "expected.json").is_file())
FORMS: tuple[Form, ...] = ("html", "text")
FETCHED = datetime(2025, 12, 4, 15, 30, tzinfo=UTC)
ATTRIBUTION = Attribution("Sources", "Prepared by syndicate, from official releases.")

Form = Literal["html", "text"]

# Headings that name no subject: the reader learns nothing from them. "What's Next" is the
# closing's fixed heading (the reference's "Moving Forward"), so it is not counted here.
GENERIC = {
    "overview", "key points", "background", "details", "summary", "more information",
    "additional information", "key facts", "highlights", "information", "update",
    "in brief", "key details", "what happened", "context", "other details", "facts",
}  # fmt: skip
# A heading cut out of a sentence starts or ends with one of these, or holds a verb.
_FUNCTION = {
    "a", "an", "the", "and", "or", "but", "of", "to", "in", "on", "at", "by", "for", "with",
    "from", "into", "as", "that", "which", "who", "this", "these", "its", "their", "his",
    "her", "our", "is", "are", "was", "were", "be", "been", "has", "have", "had", "will",
    "would", "can", "could", "may", "should", "must", "not", "than", "about", "after",
    "before", "during", "while", "when", "where", "also", "such", "other", "more", "most",
}  # fmt: skip
_LOOSE_END = _FUNCTION | {
    # adjectives that leave the noun behind ("Tribal and Local")
    "local", "federal", "national", "tribal", "regional", "international", "additional",
    "critical", "illegal", "annual", "public", "private", "new", "several", "many",
    "significant", "available", "eligible", "possible", "important", "recent", "current",
    "former", "final", "major", "large", "small", "high", "low", "early", "late", "same",
    "own", "various", "certain", "affected", "severe", "serious", "dangerous",
}  # fmt: skip
_VERBS = {
    "is", "are", "was", "were", "has", "have", "had", "will", "would", "said", "says",
    "seized", "arrested", "received", "announced", "signed", "found", "took", "made",
    "became", "began", "told", "asked", "urged", "warned", "issued", "released",
}  # fmt: skip
_MARKS = str.maketrans({"“": '"', "”": '"', "‘": "'", "’": "'"})


def norm(text: str) -> str:
    """Text as compared here: NFC, straight quote marks, single spaces."""
    return " ".join(unicodedata.normalize("NFC", text).translate(_MARKS).split())


def expected(case: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((CORPUS / case / "expected.json").read_text("utf-8"))
    return data


def meta(case: str) -> dict[str, str]:
    data: dict[str, str] = json.loads((CORPUS / case / "meta.json").read_text("utf-8"))
    return data


def article(case: str, form: Form) -> Article:
    """The release as the pipeline would read it: the page through extract, or the text."""
    info = meta(case)
    if form == "html":
        rules = ArticleRules(body=info["body"]) if "body" in info else None
        page = (CORPUS / case / "page.html").read_bytes()
        return extract.article(page, url=info["url"], rules=rules, content_type="text/html")
    text = (CORPUS / case / "release.txt").read_text("utf-8")
    return extract.from_text(text, info["url"])


def source(case: str) -> Source:
    code: Agency = next(a for a in AGENCIES if a == meta(case)["agency"])
    return Source(id=code.lower(), name=f"{code} newsroom", agency=code, kind="page", url="")


def make(case: str, form: Form) -> tuple[Brief, Article]:
    page = article(case, form)
    made = brief.make(
        page,
        id=f"tag:test,2025:{case}",
        source=source(case),
        attribution=ATTRIBUTION,
        fetched_at=FETCHED,
    )
    return made, page


def complete(sentence: str) -> bool:
    """A whole sentence: a capital (or figure or quote mark) first, an end mark last."""
    s = norm(sentence)
    words = s.split()
    if len(words) < 5 or s.endswith((":", ",", ";")):
        return False
    if not re.match(r'^["(\'$]?[A-Z0-9]', s):
        return False
    if not re.search(r'[.!?]["\')]?$', s):
        return False
    return s.count('"') % 2 == 0


def fragment(heading: str) -> bool:
    """A heading cut from a sentence ("Seeking to File", "Received an Emergency")."""
    words = [w.lower().strip(",.:;") for w in heading.split()]
    if not words or len(words) > 8 or heading.rstrip().endswith((".", ",", ";")):
        return True
    if words[0] in _FUNCTION or words[-1] in _LOOSE_END:
        return True
    if any(w in ("a", "an", "to") for w in words[1:-1]):
        return True
    if words[0].endswith("ed") and len(words) > 1 and words[1] in _LOOSE_END:
        return True  # "Received an Emergency"; "Suspected Smuggling Vessels" is a noun phrase
    return any(w in _VERBS for w in words)


def generic(heading: str, own: set[str]) -> bool:
    """A heading that names no subject, unless the release itself uses it."""
    return heading.lower() in GENERIC and heading.lower() not in own


@dataclass
class Score:
    """One brief measured against its case's expectations."""

    case: str
    form: Form
    leaks: list[str] = field(default_factory=list)
    quotes_right: int = 0
    quotes_expected: int = 0
    verbs_right: int = 0
    quotes_extra: int = 0
    generic: list[str] = field(default_factory=list)
    fragments: list[str] = field(default_factory=list)
    standfirst_complete: bool = False
    standfirst_expected: bool = False
    sections_present: int = 0
    sections_expected: int = 0
    words: int = 0
    headings: list[str] = field(default_factory=list)
    misses: list[str] = field(default_factory=list)


def narrative(made: Brief) -> list[str]:
    """The brief's own sentences: standfirst, paragraphs and bullets (not quotes)."""
    return [*made.summary, *(t for s in made.sections for t in (*s.paragraphs, *s.bullets))]


def words(made: Brief) -> int:
    """What a reader reads: standfirst, sections and quotes."""
    quotes = [t for q in made.quotes for t in quote_pieces(q)]
    return sum(len(t.split()) for t in (*narrative(made), *quotes))


def quote_pieces(q: Any) -> list[str]:
    return [q.text, *getattr(q, "more", ())]


def own_headings(page: Article) -> set[str]:
    return {b.text.lower().rstrip(":") for b in page.blocks if b.kind == "heading"}


def score(case: str, form: Form, made: Brief, page: Article) -> Score:
    want = expected(case)
    out = Score(case, form)
    text = brief.render(made, "text")
    story = "\n".join(narrative(made))
    out.leaks = [s for s in want["must_not_appear"] if s in text]
    out.leaks += [f"narrative: {s}" for s in want["not_narrative"] if norm(s) in norm(story)]
    for q in want["quotes"]:
        hit = next((b for b in made.quotes if norm(b.text).startswith(norm(q["starts"]))), None)
        if hit is None and q.get("optional"):
            continue  # a quotation a long brief may leave out for length
        out.quotes_expected += 1
        if hit is None:
            out.misses.append(f"quote missing: {q['starts']}")
        elif hit.speaker != q["speaker"]:
            out.misses.append(f"speaker {hit.speaker!r}, expected {q['speaker']!r}")
        else:
            out.quotes_right += 1
            if getattr(hit, "verb", None) == q["verb"] and len(quote_pieces(hit)) == q["pieces"]:
                out.verbs_right += 1
            else:
                out.misses.append(f"verb/pieces of {q['starts'][:30]!r}")
    starts = [norm(q["starts"]) for q in want["quotes"]]
    out.quotes_extra = sum(
        1 for b in made.quotes if not any(norm(b.text).startswith(s) for s in starts)
    )
    own = own_headings(page)
    out.headings = [s.heading for s in made.sections]
    out.generic = [h for h in out.headings if generic(h, own)]
    out.fragments = [h for h in out.headings if h.lower() not in own and fragment(h)]
    summary = list(made.summary)
    out.standfirst_complete = len(summary) == 2 and all(complete(s) for s in summary)
    first, seconds = want["standfirst"]
    out.standfirst_expected = (
        len(summary) == 2
        and norm(summary[0]) == norm(first)
        and norm(summary[1]) in {norm(s) for s in seconds}
    )
    if not out.standfirst_expected:
        out.misses.append(f"standfirst: {summary}")
    present = set(out.headings)
    for heading in want["headings"]:
        out.sections_expected += 1
        if heading in present:
            out.sections_present += 1
        else:
            out.misses.append(f"heading missing: {heading}")
    bullets = [s.bullets for s in made.sections if s.bullets]
    for n, group in enumerate(want["bullets"]):
        out.sections_expected += 1
        got = bullets[n] if n < len(bullets) else ()
        if len(got) == group["count"] and norm(got[0]).startswith(norm(group["first"])):
            out.sections_present += 1
        else:
            out.misses.append(f"bullets {n}: {len(got)} ({got[:1]})")
    nxt = want["whats_next"]
    if nxt is not None:
        out.sections_expected += 1
        closing = _closing(made)
        if (not nxt and closing is None) or (
            nxt and closing and all(any(norm(p).startswith(norm(s)) for p in closing) for s in nxt)
        ):
            out.sections_present += 1
        else:
            out.misses.append(f"what's next: {closing}")
    links = [link.url for link in made.links]
    for url in want["links"]:
        out.sections_expected += 1
        if url in links:
            out.sections_present += 1
        else:
            out.misses.append(f"link missing: {url}")
    out.leaks += [f"link: {u}" for u in links if any(bad in u for bad in want["links_absent"])]
    out.words = words(made)
    return out


_CLOSING = re.compile(r"\b(?:next|ahead|forward|how to|deadlines?|apply|comment)\b", re.I)


def _closing(made: Brief) -> list[str] | None:
    """The closing section's sentences: the last section, under a what-comes-next heading."""
    if not made.sections or not _CLOSING.search(made.sections[-1].heading):
        return None
    return [*made.sections[-1].paragraphs, *made.sections[-1].bullets]
