"""The brief stage's parts on their own: the sentence splitter (and why it was chosen),
quotations and their speakers, acronyms, the topic taxonomy."""

from __future__ import annotations

import pytest

from syndicate import config
from syndicate.brief import acronyms, extractive, quotes, sentences, topics

# Hand-written boundaries: the cases the splitter was chosen on (see brief/sentences.py).
SPLITS = [
    (
        "The agreement benefits the U.S. and Ecuador. It was signed Tuesday.",
        ["The agreement benefits the U.S. and Ecuador.", "It was signed Tuesday."],
    ),
    (
        "Executive Order No. 14159 took effect Jan. 20. Sen. Lee and Rep. Roe spoke on Dec. 3.",
        [
            "Executive Order No. 14159 took effect Jan. 20.",
            "Sen. Lee and Rep. Roe spoke on Dec. 3.",
        ],
    ),
    (
        "Read it at https://www.cisa.gov/news-events/aa25-071a. Apply the patches.",
        ["Read it at https://www.cisa.gov/news-events/aa25-071a.", "Apply the patches."],
    ),
    (
        "Officers seized 57 lbs. of fentanyl on Nov. 2. The driver was arrested.",
        ["Officers seized 57 lbs. of fentanyl on Nov. 2.", "The driver was arrested."],
    ),
    (
        "“We will keep going. Nothing stops us,” said Commissioner Rodney Scott. “Not now.”",
        ["“We will keep going. Nothing stops us,” said Commissioner Rodney Scott.", "“Not now.”"],
    ),
    (
        "Apply at www.DisasterAssistance.gov or call 800-621-3362. Lines are open daily.",
        ["Apply at www.DisasterAssistance.gov or call 800-621-3362.", "Lines are open daily."],
    ),
    ("", []),
]


@pytest.mark.parametrize(("text", "want"), SPLITS)
def test_sentences(text: str, want: list[str]) -> None:
    assert sentences.split(text) == want


def test_quote_split_by_its_attribution() -> None:
    para = "“This is a good day,” said Secretary Kristi Noem. “We signed it.”"
    found = quotes.find([para])
    assert [(q.text, q.speaker) for q in found] == [
        ("This is a good day", "Secretary Kristi Noem"),
        ("We signed it.", "Secretary Kristi Noem"),
    ]


def test_straight_quotes_and_speaker_before() -> None:
    para = 'Commissioner Rodney Scott said, "Our officers stopped every one of these loads."'
    assert [(q.text, q.speaker) for q in quotes.find([para])] == [
        ("Our officers stopped every one of these loads.", "Commissioner Rodney Scott")
    ]


def test_bare_surname_resolves_to_first_full_mention() -> None:
    paras = [
        "DHS Secretary Kristi Noem visited the border on Monday with local officials.",
        "“We are securing this border every single day and night,” Noem said.",
        "“It works,” said Secretary Noem.",
    ]
    # No attribution names her in full: the text's first full mention, "DHS" and all.
    assert [q.speaker for q in quotes.find(paras)] == ["DHS Secretary Kristi Noem"] * 2


def test_quote_across_paragraphs_keeps_its_speaker() -> None:
    paras = [
        "“The first part of what I have to say runs on,” said Administrator David Richardson. "
        "“It continues here without closing",
        "“and ends in this paragraph, as newspapers print it.”",
    ]
    found = quotes.find(paras)
    assert [q.speaker for q in found] == ["Administrator David Richardson"] * 3
    assert found[-1].text == "and ends in this paragraph, as newspapers print it."
    assert found[-1].block == 1


def test_unclear_speaker_is_none_not_a_guess() -> None:
    paras = [
        "Secretary Kristi Noem toured the facility on Monday.",
        "Officials reviewed the plans.",
        "“These measures will be in place before the holiday travel season begins.”",
    ]
    assert [(q.speaker) for q in quotes.find(paras)] == [None]


def test_scare_quotes_are_not_quotations() -> None:
    para = "The so-called “Remain in Mexico” policy was restored under the “MPP” name."
    assert quotes.find([para]) == []


def test_acronyms_defined_by_the_release() -> None:
    text = (
        "U.S. Customs and Border Protection (CBP) and the Transportation Security Administration "
        "(TSA) signed a memorandum of understanding (MOU). U.S. Citizenship and Immigration "
        "Services (USCIS) agreed. The office (XYZ) is not a definition."
    )
    assert acronyms.defined(text) == {
        "CBP": "U.S. Customs and Border Protection",
        "TSA": "Transportation Security Administration",
        "MOU": "memorandum of understanding",
        "USCIS": "U.S. Citizenship and Immigration Services",
    }
    defs = acronyms.defined(text)
    out = acronyms.expand(["CBP officers worked with TSA.", "CBP did more."], defs)
    assert out == [
        "U.S. Customs and Border Protection (CBP) officers worked with "
        "Transportation Security Administration (TSA).",
        "CBP did more.",
    ]
    assert acronyms.collapse(out[0], defs) == "CBP officers worked with TSA."


def test_default_taxonomy_and_word_start_matching() -> None:
    found = topics.classify(
        "Coast Guard Offloads Cocaine",
        "The cutter offloaded cocaine seized at sea. We support the report.",
        config.DEFAULT_TOPICS,
    )
    assert set(found[:2]) == {"maritime", "drugs-and-trafficking"}
    # "port" must not match inside "support" or "report".
    assert topics.classify("x", "We support the report", {"ports": ["port"]}) == ()


def test_taxonomy_from_config() -> None:
    cfg = config.parse('[brief.topics]\nweather = ["storm", "snow"]\n')
    assert cfg.brief.topics == {"weather": ["storm", "snow"]}
    assert topics.classify("Snow Storm Warning", "", cfg.brief.topics) == ("weather",)


# Lead headings: a phrase the release repeats in lower case, which must read as a heading.
HEADING_CASES = [
    # A subject and its verb is a piece of a sentence, not a heading.
    (
        "Officers seized 40 pounds of cocaine at the bridge on Monday. Officers seized the "
        "truck as well. The officers seized cash from the driver's cab.",
        None,
    ),
    # Half a phrase ("information about") is not one either.
    (
        "The program shares information about travelers. It shares information about cargo. "
        "Both sides said so.",
        None,
    ),
    (
        "The agreement deepens information sharing between the two nations. Better "
        "information sharing helps officers stop dangerous travelers.",
        "Information Sharing",
    ),
]


@pytest.mark.parametrize(("body", "want"), HEADING_CASES)
def test_lead_heading_reads_as_a_heading(body: str, want: str | None) -> None:
    assert extractive._salient(body, body) == want


def test_lead_heading_is_about_its_own_section() -> None:
    body = "Officials discussed illegal migration and illegal migration routes at length."
    assert extractive._salient(body, body) == "Illegal Migration"
    assert extractive._salient(body, "The two governments signed an agreement.") is None


def test_lead_section_falls_back_to_overview() -> None:
    from brief_support import ATTRIBUTION, FETCHED, source

    from syndicate import brief
    from syndicate.brief import plaintext

    page = plaintext.article(
        "CBP Officers Seize Cocaine at Bridge\n\n"
        "Officers seized 40 pounds of cocaine at the Pharr bridge on Monday. Officers seized "
        "the truck too.\n\n"
        "The driver was arrested. Officers seized his phone. Agents opened an investigation.\n",
        "https://www.cbp.gov/newsroom/x",
    )
    made = brief.make(
        page, id="x", source=source("CBP"), attribution=ATTRIBUTION, fetched_at=FETCHED
    )
    assert [s.heading for s in made.sections] == ["Overview"]
