"""Page furniture, datelines, standard paragraphs and captions, on pages and plain text alike.

Every line below was written for these tests in the shape of what agency releases carry;
each is either furniture (it must go) or news that looks like it (it must stay).
"""

from __future__ import annotations

import pytest

from syndicate.errors import ExtractError
from syndicate.extract import article, dateline, from_text, furniture, standard
from syndicate.extract.boilerplate import tidy
from syndicate.model import Block

DATELINES = [
    ("MIAMI—U.S. Customs and Border Protection officers seized", "MIAMI", "U.S. Customs"),
    ("NOGALES, Ariz.—U.S. Customs officers seized", "NOGALES, Ariz.", "U.S. Customs"),
    ("NEW YORK, N.Y. — Officers at JFK seized", "NEW YORK, N.Y.", "Officers"),
    ("WASHINGTON -- FEMA announced", "WASHINGTON", "FEMA"),
    ("WASHINGTON–Today the Department", "WASHINGTON", "Today"),
    ("EL PASO, Texas - Officers found", "EL PASO, Texas", "Officers"),
    ("WASHINGTON, Dec. 1, 2025 – The Secretary", "WASHINGTON, Dec. 1, 2025", "The"),
    ("HOUSTON (Dec. 1, 2025) — ICE arrested", "HOUSTON (Dec. 1, 2025)", "ICE"),
    ("SAN JUAN, Puerto Rico — The Coast Guard", "SAN JUAN, Puerto Rico", "The"),
    ("**BOSTON —**", "BOSTON", ""),
]


@pytest.mark.parametrize(("text", "place", "rest"), DATELINES)
def test_datelines_in_every_dash_and_spacing(text: str, place: str, rest: str) -> None:
    found = dateline.split(text.replace("**", ""))
    assert found is not None
    assert found[0] == place and found[1].startswith(rest)


NOT_DATELINES = [
    "CBP – the agency said – seized the truck.",
    "WINSTON-SALEM officials met on Monday.",
    "The WASHINGTON – office opened.",
    "U.S. Customs and Border Protection (CBP) – the agency – acted.",
]


@pytest.mark.parametrize("text", NOT_DATELINES)
def test_sentences_that_are_not_datelines(text: str) -> None:
    assert dateline.split(text) is None


def test_a_dateline_after_a_subtitle_and_a_label() -> None:
    blocks = [
        Block("paragraph", "Release Date: November 5, 2025"),
        Block("paragraph", "Agreement will help both countries identify criminals"),
        Block("paragraph", "PANAMA CITY, PANAMA—This week the Secretary traveled to Panama."),
    ]

    kept, place = tidy(blocks)
    assert place == "PANAMA CITY, PANAMA"
    assert [(b.kind, b.text) for b in kept] == [
        ("heading", "Agreement will help both countries identify criminals"),
        ("paragraph", "This week the Secretary traveled to Panama."),
    ]


FURNITURE = [
    ("Contact: CBP Public Affairs Office: (617) 555-0100", "contact"),
    ("Media Contact: Jane Roe, jane.roe@hq.dhs.gov", "contact"),
    ("Public Affairs Office USCIS Office of Public Affairs, (202) 555-0110", "contact"),
    ("After Hours: 617-555-0191", "contact"),
    ("For further information, please contact the Press Office at (202) 555-0160.", "contact"),
    ("Body", "label"),
    ("Release Date: November 5, 2025", "label"),
    ("PRESS RELEASE | 2025-10-16", "label"),
    ("FOR IMMEDIATE RELEASE", "label"),
    ("Editor’s Note: Video of the hoist is available on DVIDS.", "note"),
    ("Note to editors: Experts are available for interviews on Tuesday.", "note"),
    ("Media interested in attending should RSVP to the press office by Dec. 16.", "note"),
    ("Credentialed media should arrive by 10:45 a.m.", "note"),
    ("B-roll of the offload is available for download.", "note"),
    ("WHO: CBP Director of Field Operations", "advisory"),
    ("WHEN: Thursday, Dec. 18, 2025, 10 a.m.", "advisory"),
    ("Officers inspect a truck at the Mariposa crossing. (CBP photo by Jane Roe)", "caption"),
    ("New citizens take the oath in Los Angeles. (USCIS photo)", "caption"),
    ("(Photo: A new citizen holds a flag. USCIS/Joan Pike)", "caption"),
    ("Photo: The cutter returns to port.", "caption"),
    ("[Image: Officers at the checkpoint]", "caption"),
    ("U.S. Coast Guard photo by Petty Officer 3rd Class Ryan Schultz", "caption"),
    ("Crews offload bales at the pier. Photo: DHS/Samuel Price", "caption"),
    ("You are subscribed to updates from CBP. Manage Subscriptions | Unsubscribe All", "mailing"),
]


@pytest.mark.parametrize(("text", "kind"), FURNITURE)
def test_furniture_by_shape(text: str, kind: str) -> None:
    assert furniture.kind(text) == kind


NEWS = [
    "Officers seized 92 pounds of fentanyl from a pickup truck on Monday.",
    "Travelers with questions can reach the AskTSA team on X from 8 a.m. to 6 p.m.",
    "By calling 1-800-621-3362 from 7 a.m. to 11 p.m. Eastern Time, seven days a week.",
    "The Coast Guard is the lead federal agency for search and rescue on the Great Lakes.",
    "Officials said photos of the damage helped speed the declaration.",
    "The team will return to the site in the spring to review the work of the crews and "
    "report on what the media and residents told them, with the help of the state and its "
    "partners, who are funding the effort together.",
]


@pytest.mark.parametrize("text", NEWS)
def test_news_that_looks_like_furniture_stays(text: str) -> None:
    assert furniture.kind(text) is None


STANDARD = [
    "U.S. Customs and Border Protection is the unified border agency within the Department.",
    "CBP is America’s frontline border security agency, securing the nation’s borders.",
    "ICE’s mission is to protect America through criminal investigations and enforcing laws.",
    "The charges are merely allegations, and the defendants are presumed innocent.",
    "Members of the public can report crimes and suspicious activity by calling 866-347-2423.",
    "The Secret Service has a dual mission of protection and investigation.",
    "FEMA’s mission is helping people before, during, and after disasters.",
]


@pytest.mark.parametrize("text", STANDARD)
def test_standard_paragraphs_by_shape_and_list(text: str) -> None:
    assert standard.closing(text)


def test_a_standard_phrase_inside_a_quotation_is_news() -> None:
    quoted = "“FEMA’s mission is helping people before, during, and after disasters,” she said."
    assert not standard.sure(quoted)


PAGE = """<html><head><title>Deputy Secretary Tours Port</title></head><body><main>
<article><div class="field--name-body">
<div class="field__label">Body</div>
<p><strong>BALTIMORE, Md. –</strong> The Deputy Secretary visited the port on Wednesday to see
how officers screen containers.</p>
<p><img src="/a.jpg" alt="x"></p>
<p><em>The Deputy Secretary watches an officer at a radiation portal monitor.</em></p>
<p>Officers examined more than 41,000 containers last year.</p>
<p><img src="/b.jpg" alt="y"><br><em>The Deputy Secretary meets port leaders.</em></p>
<p><em>Italic words with no picture near them are the release's own emphasis.</em></p>
<p>Follow DHS on X and learn more about <a href="/port-security">port security</a>.</p>
</div></article></main></body></html>"""


def test_italic_captions_beside_images_and_field_labels_go() -> None:
    page = article(PAGE.encode(), url="https://www.dhs.gov/news/x")
    texts = [b.text for b in page.blocks]
    assert page.dateline == "BALTIMORE, Md."
    assert texts == [
        "The Deputy Secretary visited the port on Wednesday to see how officers screen containers.",
        "Officers examined more than 41,000 containers last year.",
        "Italic words with no picture near them are the release's own emphasis.",
    ]
    # The "Follow DHS" line went, its official link did not.
    assert [link.url for link in page.links] == ["https://www.dhs.gov/port-security"]


def test_a_saved_page_keeps_site_paths_for_the_brief_to_resolve() -> None:
    page = article(PAGE.encode(), url="file:///tmp/page.html")
    assert [link.url for link in page.links] == ["/port-security"]


TEXT = """Coast Guard Rescues Four Fishermen
Contact: Coast Guard First District Public Affairs
Office: 617-555-0190
After Hours: 617-555-0191
First District online newsroom

BOSTON — The Coast Guard rescued four fishermen Friday east of Cape Ann.

How the Rescue Unfolded

A helicopter crew from Air Station Cape Cod hoisted them from a life raft.

• Four fishermen were hoisted.
• The vessel sank.
• No one was injured.

Read the [Coast Guard boating safety page](https://www.uscg.mil/boating) or the safety
checklist <https://www.uscg.mil/checklist> before going out.

U.S. Coast Guard photo by Petty Officer 3rd Class Ryan Schultz
"""


def test_plain_text_release() -> None:
    page = from_text(TEXT, "https://news.uscg.mil/x")
    assert page.title == "Coast Guard Rescues Four Fishermen"
    assert page.dateline == "BOSTON"
    assert [(b.kind, b.text.split()[0]) for b in page.blocks] == [
        ("paragraph", "The"),
        ("heading", "How"),
        ("paragraph", "A"),
        ("list", "Four"),
        ("paragraph", "Read"),
    ]
    assert page.blocks[3].items == (
        "Four fishermen were hoisted.",
        "The vessel sank.",
        "No one was injured.",
    )
    assert [(k.text, k.url) for k in page.links] == [
        ("Coast Guard boating safety page", "https://www.uscg.mil/boating"),
        ("safety checklist", "https://www.uscg.mil/checklist"),
    ]


def test_plain_text_without_a_body_and_without_a_title() -> None:
    assert from_text("A Title Only\n", "https://x.gov/a").blocks == ()
    with pytest.raises(ExtractError, match="extract: no title line"):
        from_text("\n\n", "https://x.gov/a")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Inset: the harbor at dawn", "caption"),
        ("Inſet: the harbor at dawn", "caption"),  # long s: re.I takes it for s
        ("PHOTO BY PETTY OFFICER JANE DOE", "caption"),
        ("Credentialed medİa should arrive by 9 a.m.", "note"),  # dotted capital I
        ("MANAGE SUBSCRIPTIONS", "mailing"),
        ("Officers inspected the top deck of the vessel and left at noon.", None),
    ],
)
def test_the_word_prefilter_keeps_the_patterns_case_rules(text: str, expected: str | None) -> None:
    """The cheap word test before each pattern folds case as re.I does (issue 16)."""
    assert furniture.kind(text) == expected
