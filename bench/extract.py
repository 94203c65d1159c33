"""Extraction benchmark: syndicate's own rules over lxml against trafilatura.

Both read the hand-written release pages in tests/data/articles/*/page.html and are scored
against the same hand-written expected.json: how many must-keep strings survive (kept), how
many must-go strings (captions, boilerplate, `###`, stamps, share bars) are gone (dropped),
whether the dateline was cut, and pages per second over repeated runs. trafilatura is not a
dependency; install it somewhere for the comparison, e.g.
`.venv/bin/pip install --target /tmp/trafi trafilatura`, and pass `--trafilatura /tmp/trafi`.
Our rules are the baseline: trafilatura's speed is printed as a ratio to ours.
Usage: .venv/bin/python bench/extract.py [--rounds 20] [--trafilatura DIR]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from syndicate.extract import article

DATA = Path(__file__).resolve().parent.parent / "tests" / "data" / "articles"


def cases() -> list[tuple[str, bytes, dict[str, Any]]]:
    found = []
    for folder in sorted(DATA.iterdir()):
        if (folder / "page.html").exists():
            expected = json.loads((folder / "expected.json").read_text(encoding="utf-8"))
            found.append((folder.name, (folder / "page.html").read_bytes(), expected))
    return found


def ours(page: bytes, url: str) -> str:
    result = article(page, url=url)
    return "\n".join([result.title, result.text])


def loader(where: str | None) -> Callable[[bytes, str], str] | None:
    if where:
        sys.path.append(where)  # after the venv, so the venv's lxml stays the one imported
    try:
        import trafilatura  # type: ignore[import-not-found]
    except ImportError:
        return None

    def run(page: bytes, url: str) -> str:
        text = trafilatura.extract(
            page, url=url, include_tables=True, include_links=False, favor_precision=True
        )
        return str(text or "")

    return run


def score(name: str, extract: Callable[[bytes, str], str], rounds: int) -> float:
    kept = dropped = wanted = unwanted = datelines = 0
    pages = cases()
    for case, page, expected in pages:
        text = extract(page, expected["url"])
        wanted += len(expected["present"])
        unwanted += len(expected["absent"])
        hits = [s for s in expected["present"] if s in text]
        leaks = [s for s in expected["absent"] if s in text]
        kept += len(hits)
        dropped += len(expected["absent"]) - len(leaks)
        body = text.split("\n", 1)[-1]
        if expected["dateline"] is None or not body.lstrip().startswith(expected["dateline"]):
            datelines += 1
        if leaks or len(hits) < len(expected["present"]):
            missing = [s[:40] for s in expected["present"] if s not in text]
            print(f"  {name:12} {case:18} leaked {leaks} missing {missing}")
    start = time.perf_counter()
    for _ in range(rounds):
        for _, page, expected in pages:
            extract(page, expected["url"])
    rate = rounds * len(pages) / (time.perf_counter() - start)
    print(
        f"{name:12} kept {kept}/{wanted}  dropped {dropped}/{unwanted}  "
        f"dateline cut {datelines}/{len(pages)}  {rate:8.1f} pages/s"
    )
    return rate


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--trafilatura", help="a directory holding trafilatura (pip --target)")
    args = parser.parse_args()
    base = score("own rules", ours, args.rounds)
    other = loader(args.trafilatura)
    if other is None:
        print("trafilatura not importable: only the baseline was measured")
        return
    rate = score("trafilatura", other, args.rounds)
    print(f"trafilatura speed / own rules speed: {rate / base:.2f}")


if __name__ == "__main__":
    main()
