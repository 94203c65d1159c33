"""The AI engine's operator side against the fake model on 127.0.0.1: `syndicate worker`,
`syndicate brief --engine ai` / `--explain`, `syndicate check`, the brief page's citations
and /metrics."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from ai_support import CASES, RELEASE, FakeModel, article, extractive, item
from browser_support import running
from server import Server

from syndicate import brief, web
from syndicate import config as config_module
from syndicate import store as stores
from syndicate.cli import main
from syndicate.pipeline import aiwork
from syndicate.pipeline.keys import feed_names
from syndicate.store import Store


def _write(tmp: Path, model: FakeModel) -> Path:
    path = tmp / "config.toml"
    path.write_text(
        f'[service]\ndata_dir = "data"\n[brief]\nengine = "ai"\n'
        f'[brief.ai]\nurl = "{model.url}"\nmodel = "fake-7b"\ntimeout = 2.0\nattempts = 1\n',
        "utf-8",
    )
    return path


def _queued(path: Path) -> tuple[Store, str]:
    config = config_module.load(path)
    config.data_dir.mkdir(parents=True, exist_ok=True)
    db = stores.open(config.database_url)
    page = article()
    made = extractive(page)
    db.items.save(
        item(), now=made.published, article=page, brief=made, fetched_at=made.published,
        content_sha256=brief.content_sha256(page), feeds=feed_names(made),
    )  # fmt: skip
    assert aiwork.enqueue(db, config, made, "cbp", item().key)
    return db, made.id


def test_worker_once_publishes_and_the_page_and_metrics_show_it(
    http_server: Server, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    model = FakeModel(http_server)
    path = _write(tmp_path, model)
    db, ident = _queued(path)
    assert main(["--config", str(path), "worker", "--once"]) == 0
    assert "worker: 1 jobs finished (ai, mail)" in capsys.readouterr().out
    shown = db.briefs.get(ident)
    assert shown is not None and shown.provenance.engine.startswith("ai/")
    app = web.app(config_module.load(path), db)
    try:
        with running(app) as url, httpx.Client(base_url=url) as client:
            page = client.get(f"/briefs/{ident}").text
            metrics = client.get("/metrics").text
    finally:
        db.close()
    # The standfirst's second sentence, and under it the two release sentences it cites.
    assert "<summary>Each sentence of this brief, and the release sentences it rests on" in page
    assert '<span class="n">[7]</span> The driver, a Mexican citizen, was turned over' in page
    assert '<span class="n">[10]</span> The case remains under investigation.' in page
    assert 'syndicate_ai_briefs_total{outcome="published"} 1.0' in metrics
    assert 'syndicate_ai_briefs_total{outcome="gate"} 0.0' in metrics
    assert 'syndicate_ai_tokens_total{kind="prompt"} 900.0' in metrics
    assert "syndicate_ai_request_seconds_count 1.0" in metrics


def test_brief_engine_ai_shows_the_verdicts_and_citations(
    http_server: Server, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    model = FakeModel(http_server)
    path = _write(tmp_path, model)
    assert main(["--config", str(path), "brief", str(RELEASE), "--engine", "ai"]) == 0
    out = capsys.readouterr().out
    assert "with an estimated street value of $126,000, on Nov. 18." in out
    assert "  support      pass" in out
    assert "[7, 10] standfirst: The driver was turned over" in out
    assert "cost: 900 + 250 tokens" in out
    model.set(next(c for c in CASES if c.name == "invented-number"))
    assert main(["--config", str(path), "brief", str(RELEASE), "--engine", "ai"]) == 0
    out = capsys.readouterr().out
    assert "  numbers      FAIL: number 48 not in the cited sentences (1, 2)" in out
    assert "fell back to the extractive brief: gate: numbers:" in out
    assert "48 pounds" not in out.split("gate:")[0]  # the brief shown is the extractive one


def test_explain_prints_the_prompt_and_calls_nothing(
    http_server: Server, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    model = FakeModel(http_server)
    path = _write(tmp_path, model)
    assert main(["--config", str(path), "brief", str(RELEASE), "--engine", "ai", "--explain"]) == 0
    out = capsys.readouterr().out
    assert "[4] During the inspection, officers found 38 packages" in out
    assert "Q1 [Port Director Elena Marquez]:" in out
    assert model.requests == []


def test_check_probes_the_endpoint(
    http_server: Server, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    model = FakeModel(http_server)
    path = _write(tmp_path, model)
    assert main(["--config", str(path), "check"]) == 0
    assert "ok    ai: " in capsys.readouterr().out
    assert model.requests[0]["max_tokens"] == 8
    model.set(next(c for c in CASES if c.name == "server-error"))
    assert main(["--config", str(path), "check"]) == 1
    assert "FAIL  ai: chat: 500 from" in capsys.readouterr().out
