"""Speakers named as the release names them (issue 3): each case is a shape seen in a real
release, with the speaker written by hand from the attribution, never from the engine."""

from __future__ import annotations

from dataclasses import replace

import pytest
from brief_support import ATTRIBUTION, BRIEFS, FETCHED, source

from syndicate import brief, extract
from syndicate.brief import quotes
from syndicate.errors import BriefError
from syndicate.model import Brief, Quote

WAR = "In the war against drugs and crime, information is our strongest weapon"
NTC = (
    "The National Targeting Center works nonstop to catch dangerous individuals, terrorists, "
    "and gang members attempting to travel to the United States"
)


def speakers(*paras: str, context: str = "") -> list[str | None]:
    return [q.speaker for q in quotes.find(list(paras), context)]


def made(agency: str, text: str) -> Brief:
    page = extract.from_text(text, "https://www.dhs.gov/news/x")
    return brief.make(
        page, id="x", source=source(agency), attribution=ATTRIBUTION, fetched_at=FETCHED
    )


def test_full_titled_attribution_is_kept_as_written() -> None:
    # The demo's Ecuador release: the text's first mention is longer than the attribution.
    found = speakers(
        "Secretary of Homeland Security Kristi Noem traveled to Quito this week to meet "
        "Ecuadorian officials.",
        f"“{WAR},” said Secretary Kristi Noem.",
        f"“{NTC},” said Secretary Noem.",
    )
    assert found == ["Secretary Kristi Noem", "Secretary Kristi Noem"]


@pytest.mark.parametrize(
    "later",
    [f"“{NTC},” said Noem.", f"Noem said, “{NTC}.”", f"“{NTC},” Secretary Noem said."],
)
def test_later_surname_takes_the_first_full_attribution(later: str) -> None:
    found = speakers(
        "U.S. Department of Homeland Security Secretary Kristi Noem visited Ecuador.",
        f"“{WAR},” said Secretary Kristi Noem.",
        later,
    )
    assert found == ["Secretary Kristi Noem", "Secretary Kristi Noem"]


def test_later_surname_without_a_full_attribution_takes_the_text_mention() -> None:
    found = speakers(
        "Secretary of Homeland Security Kristi Noem traveled to the Port of Baltimore on Tuesday.",
        f"“{WAR},” said Secretary Noem.",
        f"“{NTC},” Noem added.",
    )
    assert found == ["Secretary of Homeland Security Kristi Noem"] * 2


def test_untitled_full_attribution_takes_the_title_the_release_gives_it() -> None:
    found = speakers(
        "Kristi Noem arrived in Quito on Monday. Later, Secretary Kristi Noem met officials.",
        f"“{WAR},” said Kristi Noem.",
    )
    assert found == ["Secretary Kristi Noem"]


def test_an_affiliation_after_the_name_is_cut_at_the_name() -> None:
    found = speakers(
        "“Our officers’ attention to detail kept a large load of dangerous drugs off our "
        "streets,” said Port Director Carlos Rodriguez of the Hidalgo/Pharr/Anzalduas Port of "
        "Entry."
    )
    assert found == ["Port Director Carlos Rodriguez"]


def test_a_name_with_no_title_keeps_its_whole_affiliation() -> None:
    found = speakers(
        "“Every container is screened before it leaves the terminal,” said Carlos Rodriguez "
        "of the Hidalgo/Pharr/Anzalduas Port of Entry."
    )
    # Never a fragment broken at "/" ("... of the Hidalgo").
    assert found == ["Carlos Rodriguez of the Hidalgo/Pharr/Anzalduas Port of Entry"]


@pytest.mark.parametrize(
    ("attribution", "speaker"),
    [
        (
            "said FEMA Regional Administrator Robert Samaan.",
            "FEMA Regional Administrator Robert Samaan",
        ),
        (
            "said ERO Boston Field Office Director Patricia Hyde.",
            "ERO Boston Field Office Director Patricia Hyde",
        ),
        ("said TSA Administrator Ha Nguyen McNeill.", "TSA Administrator Ha Nguyen McNeill"),
        (
            "said Director of Field Operations Sidney Aki.",
            "Director of Field Operations Sidney Aki",
        ),
        (
            "said CBP El Paso Director of Field Operations Hector A. Mancha.",
            "CBP El Paso Director of Field Operations Hector A. Mancha",
        ),
        (
            "said Special Agent in Charge Jane Lopez of HSI Boston.",
            "Special Agent in Charge Jane Lopez",
        ),
        ("said Secretary Kristi Noem in Quito.", "Secretary Kristi Noem"),
        ("said Secretary Kristi Noem. The visit lasted two days.", "Secretary Kristi Noem"),
    ],
)
def test_the_title_is_kept_as_the_attribution_writes_it(attribution: str, speaker: str) -> None:
    assert speakers(f"“We will stay until the work is done,” {attribution}") == [speaker]


def test_a_name_before_the_quote_loses_the_words_that_open_the_sentence() -> None:
    para = (
        "On Monday FEMA Regional Administrator Robert Samaan said, “We will stay until it is done.”"
    )
    assert speakers(para) == ["FEMA Regional Administrator Robert Samaan"]


def test_an_extremely_long_title_keeps_the_title_nearest_the_name() -> None:
    para = (
        "“We found them,” said U.S. Immigration and Customs Enforcement Enforcement and Removal "
        "Operations Boston Field Office Director Patricia Hyde."
    )
    assert speakers(para) == ["Field Office Director Patricia Hyde"]


def test_organisation_prefix_survives_a_later_surname() -> None:
    found = speakers(
        "“Our officers went out every day last week,” said ERO Boston Field Office Director "
        "Patricia Hyde. “They will keep going.”",
        "“Honoring a detainer is the safest way for everyone involved,” Hyde added.",
    )
    # The first paragraph's two pieces are one quotation; the second paragraph another.
    assert found == ["ERO Boston Field Office Director Patricia Hyde"] * 2


# Whole briefs of the demo's shapes: the rendered attribution line, and the check passing.
DEMO_SHAPES = [
    (
        "DHS",
        "Secretary Noem Travels to Ecuador\n\n"
        "Secretary of Homeland Security Kristi Noem traveled to Quito this week to meet "
        "Ecuadorian officials on regional security.\n\n"
        f"“{WAR},” said Secretary Kristi Noem.\n\n"
        "Under the program, an Ecuadorian liaison officer will be embedded within CBP’s "
        "National Targeting Center.\n\n"
        f"“{NTC},” said Secretary Noem.\n",
        [
            f"“{WAR},” said Secretary Kristi Noem.",
            f"“{NTC},” said Secretary Kristi Noem.",
        ],
    ),
    (
        "CBP",
        "CBP Officers Seize Methamphetamine at Pharr International Bridge\n\n"
        "Officers at the Pharr International Bridge seized 236 pounds of methamphetamine "
        "hidden in a shipment of fresh limes on April 3.\n\n"
        "“Our officers’ attention to detail kept a large load of dangerous drugs off our "
        "streets,” said Port Director Carlos Rodriguez of the Hidalgo/Pharr/Anzalduas Port of "
        "Entry.\n",
        [
            "“Our officers’ attention to detail kept a large load of dangerous drugs off our "
            "streets,” said Port Director Carlos Rodriguez."
        ],
    ),
    (
        "FEMA",
        "President Approves Major Disaster Declaration for Kentucky\n\n"
        "Federal disaster assistance has been made available to Kentucky after severe storms "
        "and flooding in February.\n\n"
        "“We will stay in Kentucky until families have what they need to rebuild,” said FEMA "
        "Regional Administrator Robert Samaan.\n",
        [
            "“We will stay in Kentucky until families have what they need to rebuild,” said "
            "FEMA Regional Administrator Robert Samaan."
        ],
    ),
]


@pytest.mark.parametrize(("agency", "release", "lines"), DEMO_SHAPES)
def test_demo_shapes_render_the_speaker_as_the_source_names_them(
    agency: str, release: str, lines: list[str]
) -> None:
    text = brief.render(made(agency, release), "text")
    for line in lines:
        assert line in text.splitlines()


def test_a_speaker_not_written_in_the_source_is_rejected() -> None:
    page = extract.from_text(
        (BRIEFS / "ecuador-mou" / "release.txt").read_text("utf-8"), "https://www.dhs.gov/n"
    )
    good = brief.make(
        page, id="x", source=source("DHS"), attribution=ATTRIBUTION, fetched_at=FETCHED
    )
    # Every word is the source's, but the source never names her so: a rebuilt name.
    rebuilt = Quote(good.quotes[0].text, "Secretary Noem Kristi")
    with pytest.raises(BriefError, match=r"^brief: unfaithful: speaker not in source"):
        brief.check(replace(good, quotes=(rebuilt,)), page)


def test_the_reference_release_through_extract() -> None:
    """tests/data/articles/dhs-ecuador-mou (the extract engineer's page) -> extract -> brief."""
    from syndicate import extract

    body = (BRIEFS.parent / "articles" / "dhs-ecuador-mou" / "page.html").read_bytes()
    page = extract.article(body, url="https://www.dhs.gov/news/dhs-ecuador-mou")
    result = brief.make(
        page, id="ecuador", source=source("DHS"), attribution=ATTRIBUTION, fetched_at=FETCHED
    )
    by_text = {q.text: q.speaker for q in result.quotes}
    assert by_text[WAR] == "Secretary Kristi Noem"
    assert by_text[NTC] == "Secretary Kristi Noem"
    assert all(q.speaker == "Secretary Kristi Noem" for q in result.quotes)
    lines = brief.render(result, "text").splitlines()
    # Each speaker's quotation once: the attribution, then the quotation's next piece.
    assert any(line.startswith(f"“{WAR},” said Secretary Kristi Noem. “") for line in lines)
    assert any(line.startswith(f"“{NTC},” said Secretary Kristi Noem. “") for line in lines)
    assert "Sources: U.S. Department of Homeland Security." in lines
    assert ATTRIBUTION.prepared_by in lines
    assert ATTRIBUTION.notice in lines


def test_a_role_in_lower_case_is_part_of_the_name() -> None:
    para = "“We will not stop,” said DHS spokesperson Tricia McLaughlin."
    assert speakers(para) == ["DHS spokesperson Tricia McLaughlin"]
    later = "“We mean it,” McLaughlin said."
    assert speakers(para, later) == ["DHS spokesperson Tricia McLaughlin"] * 2
