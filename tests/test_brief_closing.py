"""The closing section on what comes next, link pointers, and no sentence shown twice.

Each golden case's `closing` (tests/data/briefs/<case>/expected.json) was written by hand from
the release: the sentences that say what follows, preferring the release's end, under the
release's own closing subheading or "What's Next"; `null` where the release says nothing of
what comes next that the standfirst has not already said.
"""

from __future__ import annotations

import dataclasses
import html
import re

import pytest
from brief_support import CASES, expected, make

from syndicate import brief
from syndicate.brief import Format, closing
from syndicate.brief.faithful import normalise
from syndicate.model import Brief, Section

WITH_CLOSING = [c for c in CASES if expected(c).get("closing")]


def test_golden_cases_say_what_they_expect_of_the_closing() -> None:
    assert {"ecuador-mou", "cisa-advisory", "uscis-feed", "cisa-kev"} <= {
        c for c in CASES if "closing" in expected(c)
    }


@pytest.mark.parametrize("case", [c for c in CASES if "closing" in expected(c)])
def test_closing_section(case: str) -> None:
    want = expected(case)["closing"]
    made, _ = make(case)
    closers = [s.heading for s in made.sections if closing.is_heading(s.heading)]
    if want is None:
        assert closers == []
        return
    last = made.sections[-1]
    assert closers == [want["heading"]], "one closing section, and it is the last"
    assert last.heading == want["heading"]
    assert list(last.paragraphs) == want["paragraphs"]


@pytest.mark.parametrize("case", WITH_CLOSING)
@pytest.mark.parametrize("fmt", ["text", "markdown", "html"])
def test_renderings_follow_the_reference_order(case: str, fmt: Format) -> None:
    """Standfirst, sections, quotes, Additional Reading, closing, Sources, attribution."""
    made, _ = make(case)
    out = brief.render(made, fmt)
    # Read through the format's escaping: the order is what is checked here.
    out = html.unescape(out) if fmt == "html" else out.replace("\\", "")
    ending = made.sections[-1]
    order = [made.summary[0][:30]]
    order += [s.heading for s in made.sections[:-1]]
    order += [q.text[:30] for q in made.quotes]
    order += ["Additional Reading"] if made.links else []
    order += [ending.heading, ending.paragraphs[0][:30]]
    order += [f"{made.attribution.sources_label}: ", made.attribution.prepared_by]
    at = [out.index(mark) for mark in order]
    assert at == sorted(at), [m for m, _ in sorted(zip(order, at, strict=True), key=lambda x: x[1])]


@pytest.mark.parametrize("case", CASES)
def test_no_sentence_twice(case: str) -> None:
    made, _ = make(case)
    shown = [
        normalise(t) for t in (*made.summary, *(t for s in made.sections for t in s.paragraphs))
    ]
    shown += [normalise(b) for s in made.sections for b in s.bullets]
    assert len(shown) == len(set(shown))
    quoted = {normalise(q.text) for q in made.quotes}
    assert not quoted & set(shown)


def test_a_release_that_repeats_its_lead_is_briefed_once() -> None:
    made, page = make("uscis-guidance")
    lead = page.blocks[0].text
    assert page.blocks[1].text.startswith(lead)  # the release says it twice
    text = brief.render(made, "text")
    assert text.count("today updated its Policy Manual") == 1


@pytest.mark.parametrize("case", ["uscis-guidance", "cisa-kev", "lists-links"])
def test_link_pointers_only_in_additional_reading(case: str) -> None:
    made, page = make(case)
    body = [t for s in made.sections for t in (*s.paragraphs, *s.bullets)]
    for block in page.blocks:
        for link in block.links:
            if link.url.startswith("https://www.") and ".gov/" in link.url:
                assert any(x.url == link.url and x.text == link.text for x in made.links)
            assert not any(link.text in t and closing.pointer(t, [link.text]) for t in body), (
                link.text
            )


FORWARD = [
    ("The two governments said they expect the first liaison to begin work later this year.", 2),
    ("Agencies must patch both vulnerabilities by April 29, 2025.", 2),
    ("The Department plans to add 12 new scanners at Georgia ports by the end of 2026.", 2),
    ("The rule takes effect Jan. 20, 2026.", 2),
    ("Applications open on March 3 and close on April 14.", 2),
    # Advice is not what comes next (the issue: What's Next holds only future facts).
    ("CISA strongly urges all organizations to reduce their exposure.", 0),
    ("CBP will add officers at its busiest ports from Dec. 15 through Jan. 5.", 2),
    ("The next step is a public comment period of 60 days.", 2),
    ("He will remain in ICE custody pending his removal.", 1),
    ("CISA and the FBI urge owners and operators to take the following actions:", 0),
    ("Officers seized 236 pounds of methamphetamine on April 3.", 0),
    ("The update explains what evidence applicants should submit.", 0),
    ("The guidance was issued by the agency in 2019.", 0),
    ("The terminal was rebuilt by 2019.", 0),
    ("The scanners are to be in place by the end of 2026.", 2),
]


@pytest.mark.parametrize(("text", "grade"), FORWARD)
def test_forward_grades(text: str, grade: int) -> None:
    assert closing.forward(text) == grade


POINTERS = [
    ("Read more about CBP’s National Targeting Center.", [], True),
    ("For more information, visit www.fema.gov/disaster/4834.", [], True),
    ("More details are in the USCIS Policy Manual.", ["USCIS Policy Manual"], True),
    (
        "Full technical details are available in the joint advisory AA25-336A.",
        ["joint advisory AA25-336A"],
        True,
    ),
    # Names no link: a statement, not a pointer.
    ("More details about the program will follow this spring.", [], False),
    ("Residents can apply at www.DisasterAssistance.gov or call 800-621-3362.", [], False),
    ("Seasonal travelers were reading signs at the checkpoint.", [], False),
]


@pytest.mark.parametrize(("text", "links", "want"), POINTERS)
def test_pointer(text: str, links: list[str], want: bool) -> None:
    assert closing.pointer(text, links) is want


@pytest.mark.parametrize(
    ("heading", "want"),
    [
        ("What's Next", True),
        ("Next Steps", True),
        ("Looking Ahead", True),
        ("How to Apply", True),
        ("Required Action", True),
        ("Moving Forward", True),
        ("Mitigations", False),
        ("Technical Details", False),
        ("A Strategic Partner", False),
        ("Background", False),
    ],
)
def test_closing_headings(heading: str, want: bool) -> None:
    assert closing.is_heading(heading) is want


@pytest.mark.parametrize("case", WITH_CLOSING)
def test_a_short_brief_keeps_the_closing_last(case: str) -> None:
    full, page = make(case)
    for target in (60, 120, 200):
        short, _ = make(case, target_words=target)
        headings = [s.heading for s in short.sections]
        assert headings == [h for h in (s.heading for s in full.sections) if h in headings]
        if full.sections[-1].heading in headings:
            assert headings[-1] == full.sections[-1].heading
        brief.check(short, page)


def _with_sections(made: Brief, *sections: Section) -> Brief:
    return dataclasses.replace(made, sections=sections)


def test_only_a_closing_section_is_rendered_after_the_reading() -> None:
    made, _ = make("ecuador-mou")
    # A stored brief whose last section is background, not what comes next: it stays in the
    # body, before the quotes.
    older = _with_sections(made, *made.sections[:-1], Section("Background", ("Ecuador is.",)))
    text = brief.render(older, "text")
    assert text.index("Background") < text.index("“In the war") < text.index("Additional Reading")
    # A closing with bullets shows them, after the reading, in every format.
    bulleted = _with_sections(
        made, *made.sections[:-1], Section("Next Steps", ("Work starts soon.",), ("Hire.",))
    )
    items: list[tuple[Format, str]] = [
        ("text", "- Hire."),
        ("markdown", "- Hire."),
        ("html", "<li>Hire.</li>"),
    ]
    for fmt, item in items:
        out = brief.render(bulleted, fmt)
        assert out.index("Additional Reading") < out.index("Next Steps") < out.index(item)
        assert out.index(item) < out.index("Sources")


def test_standfirst_sentence_is_not_repeated_as_the_closing() -> None:
    made, _ = make("lists-links")
    assert any(re.search(r"\bexpects\b", s) for s in made.summary)
    assert not any(closing.is_heading(s.heading) for s in made.sections)
