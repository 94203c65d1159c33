"""Hostile input for the brief stage: the faithfulness check rejects what the source does
not say, and releases with nothing to brief give a clear BriefError or a sound brief."""

from __future__ import annotations

from dataclasses import replace

import pytest
from brief_support import ATTRIBUTION, FETCHED, make, source

from syndicate import brief, extract
from syndicate.brief import ENGINES, Draft
from syndicate.errors import BriefError
from syndicate.model import Article, Block, Brief, Quote, Section


def test_a_quote_altered_by_one_word_is_rejected() -> None:
    made, page = make("ecuador-mou")
    quote = made.quotes[0]
    altered = Quote(quote.text.replace("strongest", "greatest"), quote.speaker)
    with pytest.raises(BriefError, match=r"^brief: unfaithful: quote not in source"):
        brief.check(replace(made, quotes=(altered, *made.quotes[1:])), page)


def test_quote_marks_and_white_space_do_not_matter() -> None:
    made, page = make("ecuador-mou")
    quote = made.quotes[1]
    respaced = Quote(quote.text.replace(" ", "  \n", 3).replace("’", "'"), quote.speaker)
    brief.check(replace(made, quotes=(respaced,)), page)


def test_a_number_not_in_the_source_is_rejected() -> None:
    made, page = make("cbp-seizure")
    changed = made.summary[0].replace("57 lbs.", "75 lbs.")
    assert changed != made.summary[0]
    with pytest.raises(BriefError, match=r"^brief: unfaithful: number 75 not in source"):
        brief.check(replace(made, summary=(changed, *made.summary[1:])), page)


def test_a_date_not_in_the_source_is_rejected() -> None:
    made, page = make("cbp-seizure")
    changed = made.summary[0].replace("Nov. 14", "Dec. 14")
    with pytest.raises(BriefError, match=r"^brief: unfaithful: date 'Dec. 14' not in source"):
        brief.check(replace(made, summary=(changed, *made.summary[1:])), page)


def test_an_invented_speaker_is_rejected() -> None:
    made, page = make("ecuador-mou")
    wrong = Quote(made.quotes[0].text, "Secretary John Smith")
    with pytest.raises(BriefError, match=r"^brief: unfaithful: name 'John' not in source"):
        brief.check(replace(made, quotes=(wrong,)), page)


def test_an_invented_sentence_or_heading_is_rejected() -> None:
    made, page = make("fema-disaster")
    extra = Section("Outlook", ("Recovery is expected to be complete by spring.",))
    with pytest.raises(BriefError, match=r"^brief: unfaithful: sentence not in source"):
        brief.check(replace(made, sections=(*made.sections, extra)), page)
    invented = Section("Sweeping Reforms", made.sections[0].paragraphs)
    with pytest.raises(BriefError, match=r"heading word 'Sweeping' not in source"):
        brief.check(replace(made, sections=(invented,)), page)


def test_an_unfaithful_engine_never_gets_a_brief_out(monkeypatch: pytest.MonkeyPatch) -> None:
    class Inventive:
        name = "inventive"
        version = "0"

        def draft(self, article: Article, *, target_words: int) -> Draft:
            return Draft(article.title, None, ("Officials seized 900 tons of cargo.",), (), (), ())

    monkeypatch.setitem(ENGINES, "inventive", Inventive())
    page = extract.from_text(
        "Title Here\n\nOfficers seized 12 pounds of cargo.\n", "https://x.gov/a"
    )
    with pytest.raises(BriefError, match=r"^brief: unfaithful: number 900 not in source"):
        brief.make(
            page,
            id="x",
            source=source("DHS"),
            attribution=ATTRIBUTION,
            fetched_at=FETCHED,
            engine="inventive",
        )


def test_an_unknown_engine_is_named() -> None:
    page = extract.from_text("Title\n\nText here.\n", "https://x.gov/a")
    with pytest.raises(BriefError, match="unknown engine 'neural'; known: extractive"):
        brief.make(
            page, id="x", source=source("DHS"), attribution=ATTRIBUTION, fetched_at=FETCHED,
            engine="neural",
        )  # fmt: skip


def _make(page: Article) -> Brief:
    return brief.make(
        page, id="x", source=source("DHS"), attribution=ATTRIBUTION, fetched_at=FETCHED
    )


def test_only_a_title_is_a_clear_error() -> None:
    page = Article(url="https://www.dhs.gov/news/x", title="Statement on Recent Events", blocks=())
    with pytest.raises(BriefError, match=r"^brief: no text to brief in https://www.dhs.gov/news/x"):
        _make(page)


def test_only_a_list_is_a_clear_error() -> None:
    items = ("Alpha county", "Beta county")
    page = Article(
        url="https://www.fema.gov/x",
        title="Counties Added",
        blocks=(Block("list", "\n".join(items), items=items),),
    )
    with pytest.raises(BriefError, match=r"^brief: no text to brief"):
        _make(page)


def test_no_quotes_and_one_paragraph_is_a_sound_brief() -> None:
    page = extract.from_text(
        "CISA Adds One Known Exploited Vulnerability to Catalog\n\n"
        "CISA has added one new vulnerability to its Known Exploited Vulnerabilities Catalog, "
        "based on evidence of active exploitation.\n",
        "https://www.cisa.gov/news-events/alerts/2025/12/01/x",
    )
    made = _make(page)
    assert made.quotes == () and made.sections == ()
    assert made.summary == (page.blocks[0].text,)
    assert "cybersecurity" in made.topics
    text = brief.render(made, "text")
    assert "Sources: U.S. Department of Homeland Security." in text


def test_a_speakerless_quote_keeps_speaker_none() -> None:
    page = extract.from_text(
        "Agency Statement on Port Closure\n\n"
        "The port closed for three days after the storm damaged two cranes and a pier.\n\n"
        "“We expect the port to reopen once inspections of every crane are complete.”\n",
        "https://www.dhs.gov/news/x",
    )
    made = _make(page)
    assert made.quotes == (
        Quote("We expect the port to reopen once inspections of every crane are complete.", None),
    )
    assert "said" not in brief.render(made, "text").split("“We expect")[1].split("\n")[0]


def test_hostile_text_is_handled_without_runaway_matching() -> None:
    # A page of capitalised words around quote marks once took seconds per quotation
    # (the speaker patterns backtracked over the whole paragraph); windows bound them now.
    caps = " ".join(["Alpha Of The Beta"] * 2000)
    page = extract.from_text(
        f"Title Of Release\n\nOfficers seized 12 pounds of cocaine on Monday.\n\n"
        f"{caps} “{caps} said the thing that was said here today.” {caps} “open\n",
        "https://www.dhs.gov/news/x",
    )
    made = _make(page)
    assert made.summary[0] == "Officers seized 12 pounds of cocaine on Monday."
    assert all(q.speaker is None for q in made.quotes)


# --- the named checks (what an AI engine's gate reuses) -------------------------------------


def _corpus(case: str) -> tuple[Brief, Article]:
    from corpus_support import make as corpus_make

    return corpus_make(case, "text")


def test_every_check_is_named_and_passes_on_the_engines_briefs() -> None:
    made, page = _corpus("cisa-agreement-ohio")
    verdicts = brief.verdicts(made, page)
    assert [v.check for v in verdicts] == [
        "title", "quotes", "numbers", "dates", "names", "speakers", "sentences", "headings",
        "links", "citations",
    ]  # fmt: skip
    assert all(v.ok for v in verdicts)


def test_a_quote_given_to_another_speaker_of_the_release_is_rejected() -> None:
    made, page = _corpus("cisa-agreement-ohio")
    first, second = made.quotes
    swapped = replace(first, speaker=second.speaker)
    with pytest.raises(BriefError, match=r"quote given to 'Ohio Lt. Governor Paul Freeman-Cole'"):
        brief.check(replace(made, quotes=(swapped, second)), page)


def test_a_speaker_where_the_source_names_none_is_rejected() -> None:
    made, page = make("split-quote")
    unnamed = next(q for q in made.quotes if q.speaker is None)
    named = replace(unnamed, speaker="ICE Houston Field Office Director Bret Bradford")
    quotes = tuple(named if q is unnamed else q for q in made.quotes)
    with pytest.raises(BriefError, match=r"the source names no speaker"):
        brief.check(replace(made, quotes=quotes), page)


def test_a_one_word_change_in_a_later_piece_is_rejected() -> None:
    made, page = make("ecuador-mou")
    quote = made.quotes[1]
    changed = replace(quote, more=(quote.more[0].replace("safer", "stronger"),))
    with pytest.raises(BriefError, match=r"^brief: unfaithful: quote not in source"):
        brief.check(replace(made, quotes=(made.quotes[0], changed)), page)


def test_part_of_a_sentence_or_a_spelled_out_acronym_is_rewriting() -> None:
    made, page = _corpus("cbp-fentanyl-nogales")
    whole = made.summary[0]
    cut = whole.split(" on Monday")[0] + "."
    canine = (
        "A CBP canine team alerted to the vehicle, and an X-ray scan revealed anomalies in the "
        "truck’s rear doors and bed liner."
    )
    assert canine in {s.text for s in brief.numbered(page)}
    spelled = canine.replace("A CBP", "A U.S. Customs and Border Protection (CBP)")
    for text in (cut, spelled):
        assert text != whole
        with pytest.raises(BriefError, match=r"^brief: unfaithful: sentence not in source"):
            brief.check(replace(made, summary=(text, made.summary[1])), page)


def test_citations_must_name_the_sentence_they_cite() -> None:
    made, page = _corpus("cbp-fentanyl-nogales")
    cited = made.provenance.cited
    wrong = replace(cited[0], sources=(cited[1].sources[0],))
    with pytest.raises(BriefError, match=r"sentence \d+ is not"):
        brief.check(
            replace(made, provenance=replace(made.provenance, cited=(wrong, *cited[1:]))), page
        )
    beyond = replace(cited[0], sources=(10_000,))
    with pytest.raises(BriefError, match=r"citation of a sentence the source does not have"):
        brief.check(replace(made, provenance=replace(made.provenance, cited=(beyond,))), page)
