"""Briefs per second on releases of about 5 KB, against a lead-3 baseline.

    .venv/bin/python bench/briefs.py [--releases N] [--rounds R] [--kb K] [--splitters]

The releases are the plain-text forms of the corpus under tests/data/corpus/ (agency-shaped,
with their furniture), each grown to about `--kb` kilobytes (default 5) by repeating its
body paragraphs with numbers perturbed, so no two are alike. Each is read by the extract
stage (`extract.from_text`) once, outside the timing; the timing is `brief.make` (engine and
faithfulness check) plus the HTML rendering. The baseline is lead-3: the first three
sentences of the body, with the same sentence splitter - the least any summariser must do.
Both run in this script, on one core, on the same input, timed in CPU seconds of this
process (`time.process_time`), so other work on a shared machine does not count against
either; the figures are per core, and the one to compare across machines is the ratio.
`--splitters` also measures sentencex against nupunkt on hand-marked sentence boundaries
(abbreviations, URLs, quotations) from the fixtures.
"""

from __future__ import annotations

import argparse
import re
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from syndicate import brief, extract  # noqa: E402
from syndicate.brief import faithful, layout, sentences, source  # noqa: E402
from syndicate.model import Article, Attribution, Source  # noqa: E402

FIXTURES = ROOT / "tests" / "data" / "corpus"
SOURCE = Source("dhs", "DHS", "DHS", "page", "https://www.dhs.gov/news")
ATTRIBUTION = Attribution(prepared_by="Prepared by syndicate.")
FETCHED = datetime(2025, 12, 4, tzinfo=UTC)


def _perturb(paragraph: str, shift: int) -> str:
    """The paragraph with every number moved by `shift`, so repeats are different text."""
    return re.sub(r"\d+", lambda m: str(int(m.group()) + shift), paragraph)


def releases(count: int, kb: float = 5.0) -> list[Article]:
    """`count` releases of about `kb` KB from the corpus, each one different."""
    texts = sorted(p.read_text("utf-8") for p in FIXTURES.glob("*/release.txt"))
    out: list[Article] = []
    for n in range(count):
        title, _, body = texts[n % len(texts)].partition("\n")
        paragraphs = [p for p in body.split("\n\n") if p.strip()]
        # Grow the body, before its closing furniture, with perturbed copies of its
        # longest paragraphs (the news, not the labels).
        prose = sorted(paragraphs, key=len, reverse=True)[:4]
        grown = list(paragraphs)
        k = 0
        while sum(len(p.encode("utf-8")) for p in grown) < kb * 1024:
            k += 1
            grown.insert(len(grown) // 2, _perturb(prose[k % len(prose)], k + n))
        text = f"{title} {n}\n" + "\n\n".join(grown) + "\n"
        out.append(extract.from_text(text, f"https://www.dhs.gov/news/bench/{n}"))
    return out


def lead3(article: Article) -> list[str]:
    """The baseline: the first three sentences of the body."""
    out: list[str] = []
    for block in article.blocks:
        if block.kind == "paragraph":
            out += sentences.split(block.text)
            if len(out) >= 3:
                break
    return out[:3]


def timed(fn: object, items: list[Article], rounds: int) -> float:
    best = float("inf")
    for _ in range(rounds):
        # The brief stage reads each article once for the engine and the check (memoised);
        # every round starts cold, so no round is timed on another's work.
        source.number.cache_clear()
        layout.read.cache_clear()
        faithful.clear()
        start = time.process_time()
        for item in items:
            fn(item)  # type: ignore[operator]
        best = min(best, time.process_time() - start)
    return len(items) / best


def make(article: Article) -> str:
    made = brief.make(
        article, id=article.url, source=SOURCE, attribution=ATTRIBUTION, fetched_at=FETCHED
    )
    return brief.render(made, "html")


# Hand-marked boundaries, the cases that decide between splitters for release text.
BOUNDARIES = [
    ["The agreement benefits the U.S. and Ecuador.", "It was signed Tuesday."],
    ["He flew to the U.S.", "The visit lasted two days."],
    ["Executive Order No. 14159 directs the change.", "It took effect Jan. 20."],
    [
        "Rep. Jane Roe (R-Texas) and Gov. Abbott spoke.",
        "Lt. Cmdr. Smith of the Coast Guard also spoke.",
    ],
    [
        "Officers seized 57 lbs. of fentanyl pills on Nov. 14.",
        "The driver, a 29-year-old U.S. citizen, was arrested.",
    ],
    [
        "Read the advisory at https://www.cisa.gov/news-events/cybersecurity-advisories/aa25-336a.",
        "Apply the patches.",
    ],
    ["“We will keep going. Nothing stops us,” said Commissioner Rodney Scott.", "“Not now.”"],
    ['"This is great," said Sen. Lee.', '"Really great."', "He left."],
    ["Apply at www.DisasterAssistance.gov or call 800-621-3362.", "Lines are open every day."],
    [
        "Secretary Noem met officials in Quito on Tuesday, Dec. 3, to discuss priorities.",
        "They agreed.",
    ],
    [
        "The St. Louis office and Mr. J. R. Doe, Ph.D., helped.",
        "It took 3 p.m. to 5 p.m. to finish.",
    ],
]


def splitters() -> None:
    import nupunkt  # measured here only; syndicate itself uses sentencex
    import sentencex

    cands = {
        "sentencex (raw)": lambda t: [s.strip() for s in sentencex.segment("en", t) if s.strip()],
        "sentencex + repair (used)": sentences.split,
        "nupunkt": nupunkt.sent_tokenize,
    }
    text = " ".join(" ".join(case) for case in BOUNDARIES) * 200
    print("splitter                    cases right   sentences/s")
    for name, fn in cands.items():
        right = sum(fn(" ".join(case)) == case for case in BOUNDARIES)
        start = time.perf_counter()
        count = len(fn(text))
        rate = count / (time.perf_counter() - start)
        print(f"{name:<27} {right:>2}/{len(BOUNDARIES):<9} {rate:>12,.0f}")


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--releases", type=int, default=200, help="releases (default: 200)")
    p.add_argument("--rounds", type=int, default=3, help="best of this many (default: 3)")
    p.add_argument("--kb", type=float, default=5.0, help="release size in KB (default: 5)")
    p.add_argument("--splitters", action="store_true", help="also compare sentence splitters")
    args = p.parse_args()
    items = releases(args.releases, args.kb)
    words = sum(len(a.text.split()) for a in items) / len(items)
    size = sum(len(a.text.encode("utf-8")) for a in items) / len(items) / 1024
    engine = timed(make, items, args.rounds)
    baseline = timed(lead3, items, args.rounds)
    print(
        f"{len(items)} releases, {words:,.0f} words ({size:.1f} KB of body text) on average, "
        f"best of {args.rounds} rounds, one core"
    )
    print(f"lead-3 baseline:     {baseline:10,.1f} releases/s")
    print(f"brief (make+render): {engine:10,.1f} briefs/s")
    slower = baseline / engine
    print(f"ratio brief/lead-3:  {engine / baseline:10.4f}  ({slower:,.0f}x the baseline's time)")
    if args.splitters:
        print()
        splitters()


if __name__ == "__main__":
    main()
