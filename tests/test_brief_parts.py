"""The brief stage's parts on their own: the sentence splitter (and why it was chosen),
quotations and their speakers, headings, the topic taxonomy."""

from __future__ import annotations

from collections import Counter

import pytest

from syndicate import config
from syndicate.brief import headings, quotes, sentences, topics

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


def _quotes(paras: list[str]) -> list[tuple[tuple[str, ...], str | None, str | None]]:
    return [(tuple(p.text for p in q.pieces), q.speaker, q.verb) for q in quotes.find(paras)]


def test_quote_split_by_its_attribution_is_one_quote() -> None:
    para = "“This is a good day,” said Secretary Kristi Noem. “We signed it.”"
    assert _quotes([para]) == [
        (("This is a good day", "We signed it."), "Secretary Kristi Noem", "said"),
    ]


def test_the_releases_own_verb_is_kept() -> None:
    para = "“Every load we stop matters,” emphasized Commissioner Rodney Scott."
    assert _quotes([para]) == [
        (("Every load we stop matters",), "Commissioner Rodney Scott", "emphasized")
    ]


def test_attribution_between_two_pieces_joins_them() -> None:
    para = (
        "“Every network we dismantle is one less threat,” Secretary Dana Whitcomb added, "
        "“and one less danger.”"
    )
    assert _quotes([para]) == [
        (("Every network we dismantle is one less threat", "and one less danger."),
         "Secretary Dana Whitcomb", "added"),
    ]  # fmt: skip


def test_straight_quotes_and_speaker_before() -> None:
    para = 'Commissioner Rodney Scott said, "Our officers stopped every one of these loads."'
    assert _quotes([para]) == [
        (("Our officers stopped every one of these loads.",), "Commissioner Rodney Scott", "said")
    ]


def test_bare_surname_resolves_to_first_full_mention() -> None:
    paras = [
        "DHS Secretary Kristi Noem visited the border on Monday with local officials.",
        "“We are securing this border every single day and night,” Noem said.",
        "“It works,” said Secretary Noem.",
    ]
    # No attribution names her in full: the text's first full mention, "DHS" and all.
    assert [q.speaker for q in quotes.find(paras)] == ["DHS Secretary Kristi Noem"] * 2


def test_a_title_before_a_comma_is_the_speakers_title() -> None:
    paras = [
        "The Secretary met Panama’s Minister of Public Security, Rodrigo Almanza, on Monday.",
        "“We share what we know, and both countries are stronger,” said Minister Almanza.",
    ]
    assert [q.speaker for q in quotes.find(paras)] == [
        "Minister of Public Security, Rodrigo Almanza"
    ]


def test_a_title_after_the_name_stays_with_it() -> None:
    para = (
        "“Hiding cash in food containers is not a mistake,” said Francis Okafor, CBP Area "
        "Port Director for New York. “We treat it accordingly.”"
    )
    assert [q.speaker for q in quotes.find([para])] == [
        "Francis Okafor, CBP Area Port Director for New York"
    ]
    who = "“Each new citizen made a promise,” said Deputy Director Angela Brightwater, who led it."
    assert [q.speaker for q in quotes.find([who])] == ["Deputy Director Angela Brightwater"]


def test_quote_across_paragraphs_is_one_quote() -> None:
    paras = [
        "“The first part of what I have to say runs on,” said Administrator David Richardson. "
        "“It continues here without closing",
        "“and ends in this paragraph, as newspapers print it.”",
    ]
    found = quotes.find(paras)
    assert [q.speaker for q in found] == ["Administrator David Richardson"]
    assert found[0].pieces[-1].text == "and ends in this paragraph, as newspapers print it."
    assert found[0].pieces[-1].block == 1


def test_missing_closing_mark_before_said_is_repaired() -> None:
    para = (
        "“Our teams stopped enough fentanyl to poison a city, said Port Director Michael Ruiz. "
        "Every one of these stops keeps poison off our streets.”"
    )
    assert _quotes([para]) == [
        (
            ("Our teams stopped enough fentanyl to poison a city",
             "Every one of these stops keeps poison off our streets."),
            "Port Director Michael Ruiz",
            "said",
        )
    ]  # fmt: skip


INTRODUCED = [
    (
        ["Today, Secretary of Homeland Security Dana Whitcomb issued the following statement:",
         "“The bill gives our officers what they asked for.", "“I urge the House to pass it.”"],
        "Secretary of Homeland Security Dana Whitcomb", "issued the following statement", 2,
    ),
    (
        ["Attributable to Assistant Director Renée Castillo:",
         "“The claims in this report are false. Every detainee receives care.”"],
        "Assistant Director Renée Castillo", None, 1,
    ),
    (
        ["Chief of Communications Anthony Reyes said in a statement:",
         "At no time was anyone at risk. Officers detained the driver.",
         "We are working with our partners to find the motive.",
         "The road was closed for three hours after the crash."],
        "Chief of Communications Anthony Reyes", "said in a statement", 2,
    ),
]  # fmt: skip


@pytest.mark.parametrize(("paras", "speaker", "verb", "pieces"), INTRODUCED)
def test_an_introduction_gives_the_speaker_of_what_follows(
    paras: list[str], speaker: str, verb: str | None, pieces: int
) -> None:
    found = quotes.find(paras)
    assert [(q.speaker, q.verb, len(q.pieces)) for q in found] == [(speaker, verb, pieces)]
    # An unquoted statement runs while it speaks in the first person; the narrative after it
    # is not part of it.
    assert all("road was closed" not in p.text for q in found for p in q.pieces)


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


# Headings: noun phrases of the section's own words, never a piece of a sentence.
HEADING_CASES = [
    # A subject and its verb is a piece of a sentence, not a heading; plain nouns alone
    # ("Officers", "Truck") name nothing.
    (
        ["Officers seized the truck on Monday. Officers seized the cab as well."],
        None,
    ),
    # Half a phrase ("information about") is not one either; "information sharing" is.
    (
        ["The agreement deepens information sharing between the two nations.",
         "Better information sharing helps officers stop dangerous travelers."],
        "Information Sharing",
    ),
    # Past tenses ("found"), infinitives ("to detain"), adjectives left hanging
    # ("Tribal and Local") and articles ("an Emergency") never make a heading.
    (
        ["Agents found seven people.", "Officers were able to detain people at the line."],
        None,
    ),
]  # fmt: skip


@pytest.mark.parametrize(("section", "want"), HEADING_CASES)
def test_heading_reads_as_a_noun_phrase(section: list[str], want: str | None) -> None:
    assert headings.pick(section, Counter(), 1) == want


def test_heading_prefers_the_sections_own_terms() -> None:
    section = ["Officers sent the truck to secondary inspection, where a canine team alerted."]
    other = ["The driver was charged with smuggling and taken into custody."]
    assert headings.pick(section, headings.words(other), 2, prefer=["inspection"]) == (
        "Secondary Inspection"
    )


def test_phrases_break_at_verbs_and_figures() -> None:
    found = {
        " ".join(g)
        for g in headings.phrases("A 45-year-old man was detained in Harris County.", set())
    }
    assert "year-old" not in " ".join(found)
    assert "Harris County" in found
    assert not any("detained" in g for g in found)


def test_reading_an_article_is_memoised_per_object_and_thread_safe() -> None:
    import threading

    from syndicate.brief import source
    from syndicate.model import Article, Block

    calls: list[int] = []
    memo = source.Memo(lambda a: calls.append(1) or len(a.blocks), size=2)
    one = Article("https://x.gov/1", "T", (Block("paragraph", "One sentence here."),))
    same = Article("https://x.gov/1", "T", (Block("paragraph", "One sentence here."),))
    assert memo(one) == 1 and memo(one) == 1 and len(calls) == 1
    assert memo(same) == 1 and len(calls) == 2  # an equal article is another object
    others = [Article(f"https://x.gov/{n}", "T", ()) for n in range(50)]
    threads = [threading.Thread(target=lambda: [memo(a) for a in others]) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(memo.seen) <= 2
