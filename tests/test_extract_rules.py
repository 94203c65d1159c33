"""The extract stage's cleaning rules one at a time, and hostile pages.

Datelines in their many dashes, captions, boilerplate and stamps by pattern, the date forms
agencies write, and pages built to hurt: scripts, event handlers, script links, deep nesting,
huge bodies, wrong charsets, pages with no text.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from syndicate import dates
from syndicate.errors import ExtractError
from syndicate.extract import article
from syndicate.extract.blocks import Walker
from syndicate.extract.boilerplate import is_boilerplate, tidy
from syndicate.model import Block

URL = "https://www.dhs.gov/news/2025/12/01/example-release"
BODY = "Officers at the port inspected 214 containers during the three-day surge operation."


def _page(body: str, title: str = "Release Title") -> bytes:
    return (
        f"<!DOCTYPE html><html><head><title>{title} | Homeland Security</title></head><body>"
        f"<main><h1>{title}</h1><div class='field--name-body'>{body}</div></main></body></html>"
    ).encode()


@pytest.mark.parametrize(
    ("first", "dateline", "rest"),
    [
        ("WASHINGTON – Today the Department", "WASHINGTON", "Today the Department"),
        ("QUITO, ECUADOR – Secretary Noem", "QUITO, ECUADOR", "Secretary Noem"),
        ("WASHINGTON, D.C. — The Secretary", "WASHINGTON, D.C.", "The Secretary"),
        ("EL PASO, Texas - Officers seized", "EL PASO, Texas", "Officers seized"),
        ("WASHINGTON, Dec. 1, 2025 – FEMA said", "WASHINGTON, Dec. 1, 2025", "FEMA said"),
        ("SAN JUAN, Puerto Rico—Agents found", "SAN JUAN, Puerto Rico", "Agents found"),
        ("ST. LOUIS -- The office", "ST. LOUIS", "The office"),
        ("NEW YORK, N.Y. – CBP officers", "NEW YORK, N.Y.", "CBP officers"),
    ],
)
def test_dateline_is_cut_and_kept(first: str, dateline: str, rest: str) -> None:
    blocks, found = tidy([Block("paragraph", first + " acted on Monday.")])
    assert found == dateline
    assert blocks[0].text == rest + " acted on Monday."


@pytest.mark.parametrize(
    "first",
    [
        "U.S. Customs and Border Protection – the agency at the border – seized drugs.",
        "FEMA-funded projects were approved in 12 states.",
        "CBP officers seized 40 pounds of fentanyl - worth $600,000 - on Friday.",
        "“We will not stop,” said Secretary Noem – and the crowd cheered.",
    ],
)
def test_sentences_that_only_look_like_datelines_are_left_alone(first: str) -> None:
    blocks, found = tidy([Block("paragraph", first)])
    assert found is None
    assert blocks[0].text == first


@pytest.mark.parametrize(
    "line",
    [
        "(Photo: DHS)",
        "Photo by Jane Roe/CBP",
        "DHS photo by Tia Dufour",
        "U.S. Coast Guard video by Petty Officer 2nd Class Jane Roe",
        "Secretary Noem speaks with agents in Yuma. (U.S. Coast Guard photo by Jane Roe)",
        "Image credit: FEMA",
        "Photo credit: U.S. Customs and Border Protection",
        "Last Modified: 11/19/2025",
        "Page Last Reviewed: November 20, 2025",
        "Last Reviewed/Updated: 12/02/2025",
        "Share this page",
        "Share: Facebook | X | LinkedIn | Email",
        "Return to top",
        "Back to Top",
        "Media contact: CBP Office of Public Affairs",
        "Media Inquiries: DHSPress@hq.dhs.gov",
        "For more information, contact the FEMA News Desk at 202-646-3272.",
        "For media inquiries, please contact ICE Public Affairs.",
        "Topics: Border Security, Immigration",
        "Keywords: Ecuador",
        "FEMA-News-Desk@fema.dhs.gov",
        "(202) 555-0100",
        "Follow FEMA online at fema.gov/blog and on X at @FEMA.",
        "Learn more about CBP at www.CBP.gov.",
        "For more information about USCIS and its programs, please visit uscis.gov.",
        "Disaster assistance is available without regard to race, color, religion or sex.",
    ],
)
def test_boilerplate_lines(line: str) -> None:
    assert is_boilerplate(line)


@pytest.mark.parametrize(
    "line",
    [
        BODY,
        "Agents reviewed video by the border wall before making the arrest.",
        "The photos taken by the drone showed 11 people crossing the river.",
        "For more information on the program, visit https://www.cbp.gov/travel/trusted-traveler.",
        "The Coast Guard is the lead federal agency for maritime search and rescue.",
        "“FEMA’s mission is helping people before, during, and after disasters,” she said.",
        "Share prices of the contractor were not affected.",
    ],
)
def test_content_is_not_boilerplate(line: str) -> None:
    assert not is_boilerplate(line)
    blocks, _ = tidy([Block("paragraph", line), Block("paragraph", BODY)])
    assert blocks[0].text == line


@pytest.mark.parametrize(
    "mission",
    [
        "U.S. Customs and Border Protection is the unified border agency within DHS charged "
        "with securing the nation’s borders.",
        "FEMA’s mission is helping people before, during, and after disasters.",
        "CISA works with partners to defend against today’s threats.",
        "U.S. Immigration and Customs Enforcement's mission is to protect America.",
        "U.S. Citizenship and Immigration Services is the federal agency that oversees lawful "
        "immigration to the United States.",
    ],
)
def test_mission_lines_are_dropped_from_the_end_only(mission: str) -> None:
    at_end, _ = tidy([Block("paragraph", BODY), Block("paragraph", mission)])
    assert [b.text for b in at_end] == [BODY]
    in_middle, _ = tidy([Block("paragraph", mission), Block("paragraph", BODY)])
    assert [b.text for b in in_middle] == [mission, BODY]


def test_end_marker_ends_the_release_even_inside_a_paragraph() -> None:
    blocks, _ = tidy(
        [
            Block("paragraph", BODY + " ###"),
            Block("paragraph", "Officers also seized a second load."),
        ]
    )
    assert [b.text for b in blocks] == [BODY]


def test_tag_heading_takes_its_list_with_it() -> None:
    blocks, _ = tidy(
        [
            Block("paragraph", BODY),
            Block("heading", "Topics"),
            Block("list", "Border Security\nTrade", ("Border Security", "Trade")),
        ]
    )
    assert [b.text for b in blocks] == [BODY]


@pytest.mark.parametrize(
    ("title", "clean"),
    [
        ("PHOTO RELEASE: Secretary Noem Tours Border", "Secretary Noem Tours Border"),
        ("VIDEO RELEASE: Secretary Noem Tours Border", "Secretary Noem Tours Border"),
        ("Photo Release – Secretary Noem Tours Border", "Secretary Noem Tours Border"),
        (
            "MEDIA ADVISORY: Secretary Noem to Visit Texas",
            "MEDIA ADVISORY: Secretary Noem to Visit Texas",
        ),
    ],
)
def test_photo_release_prefix_leaves_the_title(title: str, clean: str) -> None:
    result = article(_page(f"<p>{BODY}</p>", title=title), url=URL)
    assert result.title == clean


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2025-11-19T17:30:00Z", datetime(2025, 11, 19, 17, 30, tzinfo=UTC)),
        ("2025-03-28T08:00:00-04:00", datetime(2025, 3, 28, 12, 0, tzinfo=UTC)),
        ("Tue, 18 Nov 2025 14:05:00 -0500", datetime(2025, 11, 18, 19, 5, tzinfo=UTC)),
        ("November 18, 2025", datetime(2025, 11, 18, 5, 0, tzinfo=UTC)),
        ("Dec. 1, 2025", datetime(2025, 12, 1, 5, 0, tzinfo=UTC)),
        ("Sept. 30, 2025", datetime(2025, 9, 30, 4, 0, tzinfo=UTC)),
        ("Last Modified: 04/15/2025", datetime(2025, 4, 15, 4, 0, tzinfo=UTC)),
        ("Mon, 08/18/2025 - 13:44", datetime(2025, 8, 18, 17, 44, tzinfo=UTC)),
        ("July 4, 2025 at 2:30 p.m.", datetime(2025, 7, 4, 18, 30, tzinfo=UTC)),
        ("no date here", None),
        ("February 30, 2025", None),
        ("", None),
    ],
)
def test_dates_as_agencies_write_them(text: str, expected: datetime | None) -> None:
    assert dates.find(text) == expected


def test_inline_markup_is_flattened_and_entities_decoded() -> None:
    body = (
        "<p>&ldquo;We&#8217;re ready,&rdquo; said <a href='/person/kristi-noem'>Secretary "
        "<b>Kristi</b> Noem</a>&nbsp;on&#160;Monday.\u0007 Agents   waited.</p>"
    )
    result = article(_page(body), url=URL)
    assert result.text == "“We’re ready,” said Secretary Kristi Noem on Monday. Agents waited."
    assert [(k.text, k.url) for k in result.links] == [
        ("Secretary Kristi Noem", "https://www.dhs.gov/person/kristi-noem")
    ]


def test_relative_links_follow_base_href() -> None:
    page = _page(f"<p>{BODY} See <a href='fact-sheet'>the fact sheet</a>.</p>").replace(
        b"<head>", b"<head><base href='https://www.dhs.gov/publications/'>"
    )
    assert article(page, url=URL).links[0].url == "https://www.dhs.gov/publications/fact-sheet"


def test_double_br_splits_paragraphs() -> None:
    result = article(_page(f"<p>{BODY}<br><br>Officers also seized a second load.</p>"), url=URL)
    assert [b.text for b in result.blocks] == [BODY, "Officers also seized a second load."]


def test_hostile_markup_never_reaches_the_article() -> None:
    body = (
        f"<p onclick='steal()'>{BODY}<img src=x onerror='alert(1)'></p>"
        "<script>alert(2)</script><style>p{x:expression(alert(3))}</style>"
        "<p>Read <a href='javascript:alert(4)'>this</a>, <a href=' JaVaScRiPt:alert(5)'>that</a>, "
        "<a href='data:text/html;base64,PHNjcmlwdD4='>data</a> and "
        "<a href='vbscript:msgbox(6)'>vb</a> and <a href='/real'>the real one</a>.</p>"
        "<iframe src='https://evil.example/'>frame text</iframe>"
    )
    result = article(_page(body), url=URL)
    everything = repr(result)
    for bad in ("alert", "steal", "javascript", "data:", "vbscript", "expression", "frame text"):
        assert bad not in everything.lower(), bad
    assert [k.url for k in result.links] == ["https://www.dhs.gov/real"]


def test_deeply_nested_page_does_not_crash() -> None:
    nested = "<div>" * 50_000 + "deep text" + "</div>" * 50_000
    result = article(_page(f"<p>{BODY}</p>{nested}"), url=URL)
    assert result.blocks[0].text == BODY


def test_huge_page_is_read() -> None:
    many = "".join(f"<p>Paragraph {n}: {BODY}</p>" for n in range(3_000))
    long_one = "<p>" + "fentanyl " * 300_000 + "</p>"  # one 2.7 MB text node
    result = article(_page(many + long_one), url=URL)
    assert len(result.blocks) == 3_001
    assert result.blocks[2_999].text == f"Paragraph 2999: {BODY}"
    assert len(result.blocks[-1].text) == len("fentanyl " * 300_000) - 1


def test_wrong_charset_label_is_survived() -> None:
    page = _page("<p>\u201cReady,\u201d said the agent. " + BODY + "</p>").decode()
    cp1252 = page.encode("cp1252")
    result = article(cp1252, url=URL, content_type="text/html; charset=utf-8")
    assert result.text.startswith("“Ready,” said the agent.")


@pytest.mark.parametrize(
    ("page", "message"),
    [
        (b"", "extract: empty page"),
        (b"   \n ", "extract: empty page"),
        (
            b"<html><body><nav><a href='/'>Home</a></nav><script>x()</script></body></html>",
            "extract: no usable body",
        ),
        (
            b"<html><body><div class='field--name-body'><p>###</p><p>Body after marker.</p>"
            b"</div></body></html>",
            "extract: no usable body",
        ),
        (b"\x00\x01\x02\x03" * 64, "extract: "),
    ],
)
def test_no_usable_body_is_an_extract_error(page: bytes, message: str) -> None:
    with pytest.raises(ExtractError, match=f"^{message}"):
        article(page, url=URL)


def test_walker_handles_wrappers_lists_and_quotes() -> None:
    import lxml.html

    root = lxml.html.fromstring(
        "<div><section><span>Loose text in a wrapper.</span></section>"
        "<ul><li>One</li><li>Two<ul><li>Two-a</li></ul></li></ul>"
        "<blockquote><p>First line.</p><p>Second line.</p></blockquote></div>"
    )
    blocks = Walker(URL).walk(root)
    assert [(b.kind, b.text) for b in blocks] == [
        ("paragraph", "Loose text in a wrapper."),
        ("list", "One\nTwo\nTwo-a"),
        ("quote", "First line.\nSecond line."),
    ]
    assert blocks[1].items == ("One", "Two", "Two-a")
