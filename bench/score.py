"""Score the brief engine on the release corpus (tests/data/corpus/), per release and in total.

    .venv/bin/python bench/score.py [--case NAME ...] [--form html|text] [--misses]

Each of the corpus's releases is briefed twice, from its agency-shaped page (through the
extract stage) and from its plain-text form, and each brief is measured against the case's
hand-written expectations (`expected.json`; the rules are in `tests/corpus_support.py`):

  leaks      furniture that reached the brief (contact lines, notes to editors, captions,
             boilerplate, datelines, a statement printed as narrative, a social link)
  speakers   quotations found with the right speaker / quotations expected
  verbs      of those, shown once with the release's own verb and all their pieces
  generic    headings that name no subject ("Overview", "Key Points", "Background")
  fragments  headings cut from a sentence ("Seeking to File")
  standfirst two complete sentences / the two a reader would pick
  sections   expected headings, bullet lists, closing and links present / expected
  words      standfirst, sections and quotes

`--misses` prints what each brief missed. The totals line is what the issue asks to
compare before and after a change to the engine.
"""

from __future__ import annotations

import argparse
import statistics
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from corpus_support import CASES, FORMS, Score, make, score  # noqa: E402

from syndicate.errors import SyndicateError  # noqa: E402


def _yes(flag: bool) -> str:
    return "yes" if flag else "no"


def _row(s: Score) -> str:
    return (
        f"{s.case[:28]:<28} {s.form:<4} {len(s.leaks):>5} "
        f"{s.quotes_right:>3}/{s.quotes_expected:<3} {s.verbs_right:>3}/{s.quotes_expected:<3} "
        f"{len(s.generic):>7} {len(s.fragments):>9} "
        f"{_yes(s.standfirst_complete):>6}/{_yes(s.standfirst_expected):<3} "
        f"{s.sections_present:>3}/{s.sections_expected:<3} {s.words:>5}"
    )


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--case", action="append", help="only these cases (default: all)")
    p.add_argument("--form", choices=FORMS, help="only this form (default: both)")
    p.add_argument("--misses", action="store_true", help="print what each brief missed")
    args = p.parse_args()
    cases = args.case or CASES
    forms = [args.form] if args.form else list(FORMS)
    header = (
        f"{'release':<28} {'form':<4} {'leaks':>5} {'speakers':>7} {'verbs':>7} "
        f"{'generic':>7} {'fragments':>9} {'standfirst':>10} {'sections':>7} {'words':>5}"
    )
    print(header)
    print("-" * len(header))
    scores: list[Score] = []
    failed = 0
    for case in cases:
        for form in forms:
            try:
                made, page = make(case, form)
            except SyndicateError as e:
                failed += 1
                print(f"{case[:28]:<28} {form:<4} no brief: {e}")
                continue
            s = score(case, form, made, page)
            scores.append(s)
            print(_row(s))
            if args.misses:
                for line in [*s.leaks, *s.misses, *(f"generic: {h}" for h in s.generic)]:
                    print(f"    {line}")
                for h in s.fragments:
                    print(f"    fragment: {h}")
    if not scores:
        return 1
    n = len(scores)
    expected_q = sum(s.quotes_expected for s in scores)
    print("-" * len(header))
    print(
        f"total: {n} briefs ({failed} failed), "
        f"leaks {sum(len(s.leaks) for s in scores)}, "
        f"speakers {sum(s.quotes_right for s in scores)}/{expected_q}, "
        f"verbs {sum(s.verbs_right for s in scores)}/{expected_q}, "
        f"extra quotes {sum(s.quotes_extra for s in scores)}, "
        f"generic headings {sum(len(s.generic) for s in scores)}, "
        f"fragment headings {sum(len(s.fragments) for s in scores)} "
        f"of {sum(len(s.headings) for s in scores)}, "
        f"standfirst complete {sum(s.standfirst_complete for s in scores)}/{n} "
        f"(as expected {sum(s.standfirst_expected for s in scores)}/{n}), "
        f"sections {sum(s.sections_present for s in scores)}/"
        f"{sum(s.sections_expected for s in scores)}, "
        f"words median {statistics.median(s.words for s in scores):.0f} "
        f"(min {min(s.words for s in scores)}, max {max(s.words for s in scores)})"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
