"""The AI engine end to end against a fake OpenAI-compatible server on 127.0.0.1: each way
a model answers (tests/ai_support.py) ends published with its citations, or falls back to
the extractive brief with the right reason recorded on the brief and on the job."""

from __future__ import annotations

import asyncio
import json
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest
from ai_support import CASES, FETCHED, SOURCE, Case, FakeModel, answer, article, extractive, item
from server import Server

from syndicate import brief
from syndicate import config as config_module
from syndicate.brief import ai
from syndicate.clock import fixed
from syndicate.config import Config
from syndicate.model import Brief
from syndicate.pipeline import aiwork
from syndicate.pipeline.keys import feed_names
from syndicate.store import Store

NOW = FETCHED + timedelta(minutes=5)


def _config(tmp: Path, model: FakeModel, extra: str = "", attempts: int = 1) -> Config:
    text = f"""
[service]
data_dir = "{tmp}"
[brief]
engine = "ai"
[brief.ai]
url = "{model.url}"
model = "fake-7b"
timeout = 1.0
attempts = {attempts}
concurrency = 2
{extra}
"""
    return config_module.parse(text, tmp)


def _published(store: Store, config: Config) -> Brief:
    """The release as a poll leaves it: extractive brief stored, AI job queued."""
    page = article()
    made = extractive(page)
    store.items.save(
        item(), now=FETCHED, article=page, brief=made, fetched_at=FETCHED,
        content_sha256=brief.content_sha256(page), feeds=feed_names(made),
    )  # fmt: skip
    assert aiwork.enqueue(store, config, made, SOURCE.id, item().key)
    return made


def _drain(store: Store, config: Config) -> aiwork.Result:
    return asyncio.run(aiwork.Drain(store, config, fixed(NOW)).run())


def test_a_faithful_answer_is_published_with_its_citations(
    store: Store, http_server: Server, tmp_path: Path
) -> None:
    model = FakeModel(http_server)
    config = _config(tmp_path, model)
    before = _published(store, config)
    assert _drain(store, config).outcomes == {"published": 1}
    after = store.briefs.get(before.id)
    assert after is not None
    assert after.provenance.engine.startswith("ai/fake-7b/")
    assert after.provenance.fallback is None
    assert after.summary[0].endswith("with an estimated street value of $126,000, on Nov. 18.")
    cites = {c.text: c.sources for c in after.provenance.cited if c.part != "quote"}
    assert cites[after.summary[1]] == (7, 10)
    # Quotes by reference: the release's own words and speakers, never the model's typing.
    assert after.quotes[0].text == (
        "Our officers stopped a dangerous load of narcotics from reaching our communities"
    )
    assert after.quotes[1].speaker == "Field Operations Director Samuel Ortiz"
    assert after.updated == NOW and after.published == before.published  # mode = update
    job = store.ai.last(before.id)
    assert job is not None and job.outcome == "published"
    assert (job.prompt_tokens, job.completion_tokens) == (900, 250)
    sent = model.requests[0]
    assert sent["model"] == "fake-7b" and sent["temperature"] == 0.0
    assert sent["response_format"]["type"] == "json_schema"
    assert "[7] The driver, a Mexican citizen" in sent["messages"][-1]["content"]


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_every_bad_answer_falls_back_with_its_reason(
    case: Case, store: Store, http_server: Server, tmp_path: Path
) -> None:
    model = FakeModel(http_server)
    model.set(case)
    config = _config(tmp_path, model)
    before = _published(store, config)
    assert _drain(store, config).outcomes == {case.outcome: 1}
    after = store.briefs.get(before.id)
    assert after is not None
    assert after.provenance.engine == before.provenance.engine  # still the extractive brief
    assert (after.summary, after.sections, after.quotes) == (
        before.summary, before.sections, before.quotes,
    )  # fmt: skip
    assert after.provenance.fallback is not None
    assert case.reason in after.provenance.fallback
    job = store.ai.last(before.id)
    assert job is not None and job.outcome == case.outcome and job.status == "done"
    assert job.reason == after.provenance.fallback
    assert store.ai.stats().outcomes == {case.outcome: 1}


def test_a_429_waits_for_its_retry_after_before_trying_again(
    store: Store, http_server: Server, tmp_path: Path
) -> None:
    model = FakeModel(http_server)
    model.set(next(c for c in CASES if c.name == "rate-limited"))
    config = _config(tmp_path, model, attempts=3)
    before = _published(store, config)
    assert _drain(store, config).outcomes == {"retry:rate_limited": 1}
    assert len(model.requests) == 1
    job = store.ai.last(before.id)
    assert job is not None and job.status == "pending"
    # Not due before the Retry-After has passed: a drain then calls nobody.
    assert store.ai.claim("w", NOW + timedelta(seconds=119), limit=5, lease=60) == []
    shown = store.briefs.get(before.id)
    assert shown is not None and "retrying" in (shown.provenance.fallback or "")
    model.set(Case("faithful", "published", "", answer()))
    later = aiwork.Drain(store, config, fixed(NOW + timedelta(seconds=121)))
    assert asyncio.run(later.run()).outcomes == {"published": 1}


def test_the_same_cached_answer_gives_the_same_brief_without_a_call(
    store: Store, http_server: Server, tmp_path: Path
) -> None:
    model = FakeModel(http_server)
    config = _config(tmp_path, model, 'mode = "replace"')
    before = _published(store, config)
    _drain(store, config)
    first = store.briefs.get(before.id)
    assert first is not None and first.updated == before.updated  # mode = replace
    # The release is remade extractively and queued again: the cache answers it.
    with store.begin() as conn:
        store.briefs.upsert(conn, before, story=before.id, feeds=feed_names(before))
    assert store.ai.enqueue(
        before.id, SOURCE.id, item().key, before.provenance.content_sha256, NOW, again=True
    )
    assert _drain(store, config).outcomes == {"published": 1}
    assert len(model.requests) == 1
    second = store.briefs.get(before.id)
    assert second == first
    job = store.ai.last(before.id)
    assert job is not None and job.cached
    assert store.ai.tokens_since(FETCHED) == 1150  # the cached answer cost nothing


def test_a_spent_daily_budget_stops_calls_and_says_so(
    store: Store, http_server: Server, tmp_path: Path
) -> None:
    model = FakeModel(http_server)
    config = _config(tmp_path, model, "daily_tokens = 1000")
    first = _published(store, config)
    _drain(store, config)  # 1,150 tokens: over the budget from now on
    # The release is edited: the poll stores its new extractive brief and queues it.
    edited = replace(first, provenance=replace(first.provenance, content_sha256="0" * 64))
    with store.begin() as conn:
        store.briefs.upsert(conn, edited, story=first.id)
    assert store.ai.enqueue(first.id, SOURCE.id, item().key, "0" * 64, NOW)
    assert _drain(store, config).outcomes == {"retry:budget": 1}
    assert len(model.requests) == 1
    shown = store.briefs.get(first.id)
    assert shown is not None
    assert "budget: daily token budget of 1000 reached (1150 spent)" in (
        shown.provenance.fallback or ""
    )


def test_the_prompt_numbers_sentences_and_lists_quotes_by_number(tmp_path: Path) -> None:
    page = article()
    made = ai.prompt(page, ai.builtin())
    text = made.text
    assert "[1] U.S. Customs and Border Protection officers" in text
    assert "[11] Weather at the port" in text
    assert "Q2 [Field Operations Director Samuel Ortiz]:" in text
    own = tmp_path / "prompt.txt"
    own.write_text("Brief $title in $words words.\n$sentences\n$quotes\n$schema\n", "utf-8")
    mine = ai.prompt(page, own.read_text("utf-8"))
    assert mine.version != made.version
    assert mine.text.startswith("Brief CBP Officers Seize 42 Pounds")
    json.loads(mine.text.rsplit("\n", 2)[-2])  # the schema, as JSON


def test_a_poll_queues_ai_work_and_never_calls_the_model(
    store: Store, http_server: Server, tmp_path: Path
) -> None:
    from test_poll import _config as poll_config
    from test_poll import _poll, _serve

    model = FakeModel(http_server)
    _serve(http_server, range(1, 4))
    plain = poll_config(tmp_path, http_server, {"cbp": "/feed.xml"})
    text = (
        (tmp_path / "config.toml")
        .read_text("utf-8")
        .replace("[fetch]", f'[brief]\nengine = "ai"\n[brief.ai]\nurl = "{model.url}"\n[fetch]')
    )
    config = config_module.parse(text, tmp_path)
    assert config.brief.engine == "ai" and plain.brief.engine == "extractive"
    summary = _poll(config, store)
    assert summary.results[0].new == 3
    assert model.requests == []  # the poll only queued
    assert store.ai.stats().queued == 3
    stored = store.briefs.latest(10)
    assert {b.provenance.engine.split("/")[0] for b in stored} == {"extractive"}
    assert asyncio.run(aiwork.Drain(store, config, fixed(NOW)).run()).finished == 3
    assert len(model.requests) == 3


def test_review_mode_ai_holds_the_release_until_an_editor_approves_the_ai_brief(
    store: Store, http_server: Server, tmp_path: Path
) -> None:
    from syndicate.pipeline import review

    model = FakeModel(http_server)
    config = _config(tmp_path, model, extra='[review]\nmode = "ai"\n')
    review.install(store, config)
    before = _published(store, config)
    # The poll's extractive stand-in waits: its source uses the AI engine.
    assert store.briefs.visible(before.id) is None
    assert store.desk.state(before.id).state == "held"  # type: ignore[union-attr]
    assert _drain(store, config).outcomes == {"published": 1}
    # The worker's AI brief replaced it and still waits for an editor.
    assert store.briefs.visible(before.id) is None
    held = store.briefs.get(before.id)
    assert held is not None and held.provenance.engine.startswith("ai/fake-7b/")
    assert review.approve(store, before.id, "Dana Reyes", now=NOW)
    shown = store.briefs.visible(before.id)
    assert shown is not None and shown.provenance.engine.startswith("ai/fake-7b/")
    assert before.id in [c.brief.id for c in store.briefs.changes(0)]
