"""Cue patterns matched on lower-cased text find what `re.I` finds (syndicate/brief/cues.py).

Every `Cues` the brief stage holds is run over the corpus's release sentences, and over
mixed-case probes, against the same pattern compiled with `re.I`: the spans must agree.
"""

from __future__ import annotations

import re

import pytest
from corpus_support import CASES, CORPUS

from syndicate.brief import closing, extractive, kinds, sentences
from syndicate.brief.cues import Cues

HELD: dict[str, Cues] = {
    **{f"kinds type {k}": c for k, c in kinds._TYPE_CUES.items()},
    **{
        f"kinds slot {kind}.{slot.name}": slot.cues
        for kind, slots in kinds.LAYOUTS.items()
        for slot in slots
    },
    **{
        f"{module.__name__}.{name}": value
        for module in (closing, extractive)
        for name, value in vars(module).items()
        if isinstance(value, Cues)
    },
}
PROBES = [
    "CBP Officers SEIZED 40 Pounds; the Rule Takes Effect on JAN. 5, 2027.",
    "Visit WWW.CBP.GOV or HTTPS://Example.gov for MORE detailed INFORMATION.",
    "The Agency Expects To Begin Later This Year; applications WILL open in Spring 2027.",
    "Since 2019 the Program, Previously a pilot, was Established nationwide.",
]


def _texts() -> list[str]:
    out = list(PROBES)
    for case in CASES:
        text = (CORPUS / case / "release.txt").read_text("utf-8")
        for paragraph in text.split("\n\n"):
            out += sentences.split(paragraph.strip()) if paragraph.strip() else []
    return out


TEXTS = _texts()


def test_the_brief_stage_holds_cues_of_every_kind() -> None:
    assert len(TEXTS) > 300
    assert {"syndicate.brief.closing._STRONG", "syndicate.brief.extractive._OUTCOME"} <= set(HELD)
    assert any(name.startswith("kinds slot seizure.") for name in HELD)


@pytest.mark.parametrize("name", sorted(HELD))
def test_cues_match_where_the_case_blind_pattern_does(name: str) -> None:
    cues = HELD[name]
    plain = re.compile(cues.pattern, re.I)
    hits = 0
    for text in TEXTS:
        want = [m.span() for m in plain.finditer(text)]
        assert [m.span() for m in cues.compiled.finditer(text.lower())] == want, text
        assert cues.count(text) == len(want)
        assert bool(cues.search(text)) == bool(want)
        hits += len(want)
    assert hits, f"{name} matched nothing: the comparison says nothing of it"


def test_escapes_keep_their_case() -> None:
    # \S (not a space) lower-cased would be \s (a space): the count would change.
    cues = Cues(r"\bTURNED\s+(?:\S+\s+){0,2}?OVER\b")
    assert cues.count("Agents Turned the Vessel Over to the Coast Guard.") == 1
    assert cues.count("turned over") == 1
    assert cues.count("turnedover") == 0
    assert Cues(r"[A-Z]\d").findall("Runway A4 and b7") == ["a4", "b7"]
