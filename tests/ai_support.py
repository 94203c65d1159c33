"""A fake OpenAI-compatible Chat Completions server (real HTTP on 127.0.0.1, real JSON) and
the release and answers the AI engine's tests give it.

`FakeModel(server)` answers POST /v1/chat/completions with what the test set last: a
message `content` (a string, or a dict sent as its JSON), or a status with headers, after
an optional delay. Every request body is kept (`requests`). The release is
tests/data/ai/release.txt (written for these tests, in the shape of a CBP seizure release);
FAITHFUL is an answer a careful model would give for it, and CASES are the ways a model
goes wrong, each with the outcome and the reason the worker must record.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from server import Request, Response, Server

from syndicate import brief, extract
from syndicate.model import Article, Attribution, Brief, Item, Source

RELEASE = Path(__file__).parent / "data" / "ai" / "release.txt"
URL = "https://www.cbp.gov/newsroom/local-media-release/calexico-methamphetamine"
SOURCE = Source(id="cbp", name="CBP newsroom", agency="CBP", kind="page", url=URL)
FETCHED = datetime(2026, 11, 18, 20, 0, tzinfo=UTC)
PATH = "/v1/chat/completions"


def article() -> Article:
    return extract.from_text(RELEASE.read_text("utf-8"), URL)


def item() -> Item:
    return Item(source_id="cbp", key=URL, title=article().title, url=URL, published=FETCHED)


def extractive(page: Article | None = None) -> Brief:
    """The release's extractive brief, as a poll stores it."""
    return brief.make(
        page or article(),
        id="calexico-meth",
        source=SOURCE,
        attribution=Attribution("Sources", "Prepared by the tests."),
        fetched_at=FETCHED,
    )


FAITHFUL: dict[str, Any] = {
    "standfirst": [
        {
            "text": "U.S. Customs and Border Protection officers at the Calexico East Port of "
            "Entry seized 42 pounds of methamphetamine, with an estimated street value of "
            "$126,000, on Nov. 18.",
            "cites": [1, 2],
        },
        {
            "text": "The driver was turned over to Homeland Security Investigations, and the "
            "case remains under investigation.",
            "cites": [7, 10],
        },
    ],
    "sections": [
        {
            "heading": "Secondary Inspection of the Pickup",
            "paragraphs": [
                {
                    "text": "Officers referred the 2019 Ford pickup to a secondary inspection "
                    "after a canine team alerted to the vehicle.",
                    "cites": [3],
                },
                {
                    "text": "During the inspection, officers found 38 packages in the truck's "
                    "spare tire and rear bumper.",
                    "cites": [4],
                },
            ],
            "bullets": [],
        },
        {
            "heading": "What's Next",
            "paragraphs": [
                {
                    "text": "CBP seized the vehicle and the narcotics, and the case remains "
                    "under investigation.",
                    "cites": [9, 10],
                }
            ],
            "bullets": [],
        },
    ],
    "quotes": [
        {"quote": 1, "speaker": "Port Director Elena Marquez"},
        {"quote": 2, "speaker": "Field Operations Director Samuel Ortiz"},
    ],
}


def _para(reply: dict[str, Any], section: int, n: int) -> dict[str, Any]:
    found: dict[str, Any] = reply["sections"][section]["paragraphs"][n]
    return found


def _invented_quote(r: dict[str, Any]) -> None:
    _para(r, 0, 1)["text"] = (
        "Officers found 38 packages, which Port Director Elena Marquez called “the largest "
        "load this season.”"
    )
    _para(r, 0, 1)["cites"] = [4, 5]


def _retyped(r: dict[str, Any]) -> None:
    r["quotes"][0]["text"] = (
        "Our officers stopped a dangerous load of drugs from reaching our communities. "
        "Their vigilance keeps the border secure."
    )


def _wrong_speaker(r: dict[str, Any]) -> None:
    r["quotes"][1]["speaker"] = "Port Director Elena Marquez"


def _number(r: dict[str, Any]) -> None:
    r["standfirst"][0]["text"] = r["standfirst"][0]["text"].replace("42 pounds", "48 pounds")


def _name(r: dict[str, Any]) -> None:
    _para(r, 0, 0)["text"] = (
        "Officers referred the 2019 Ford pickup to a secondary inspection after a canine "
        "team from Yuma alerted to the vehicle."
    )


def _heading(r: dict[str, Any]) -> None:
    r["sections"][0]["heading"] = "Secondary Inspection of the Smuggling Pickup"


def _unsupported(r: dict[str, Any]) -> None:
    _para(r, 0, 0)["text"] = (
        "Officers referred the pickup to a secondary inspection after a canine team alerted "
        "to the vehicle."
    )
    _para(r, 0, 0)["cites"] = [11]


def _attribution(r: dict[str, Any]) -> None:
    _para(r, 1, 0)["text"] = (
        "Homeland Security Investigations announced that the driver is a Mexican citizen."
    )
    _para(r, 1, 0)["cites"] = [7]


def answer(change: Callable[[dict[str, Any]], None] | None = None) -> dict[str, Any]:
    """FAITHFUL, or a deep copy of it changed by `change`."""
    reply = copy.deepcopy(FAITHFUL)
    if change is not None:
        change(reply)
    return reply


@dataclass(frozen=True)
class Case:
    """One way the model answers, and what the worker must make of it."""

    name: str
    outcome: str
    reason: str  # a fragment of the recorded reason
    content: dict[str, Any] | str | None = None
    status: int = 200
    headers: tuple[tuple[str, str], ...] = ()
    delay: float = 0.0


CASES = (
    Case(
        "invented-quote",
        "gate",
        "gate: quotes: quoted words not in the source: “the largest",
        answer(_invented_quote),
    ),
    Case(
        "retyped-quote",
        "gate",
        "gate: quotes: quote 1 is not a source quote, verbatim",
        answer(_retyped),
    ),
    Case(
        "wrong-speaker",
        "gate",
        "gate: speakers: quote 2 given to 'Port Director Elena Marquez'; "
        "the source's speaker is 'Field Operations Director Samuel Ortiz'",
        answer(_wrong_speaker),
    ),
    Case(
        "invented-number",
        "gate",
        "gate: numbers: number 48 not in the cited sentences (1, 2)",
        answer(_number),
    ),
    Case(
        "outside-name",
        "gate",
        "gate: names: name 'Yuma' not in the cited sentences (3,)",
        answer(_name),
    ),
    Case(
        "outside-heading-word",
        "gate",
        "gate: headings: heading word 'Smuggling' not in the release",
        answer(_heading),
    ),
    Case("unsupported-citation", "gate", "gate: support: sentence rests on", answer(_unsupported)),
    Case(
        "stranger-attribution",
        "gate",
        "gate: attribution: 'Homeland Security Investigations' announced",
        answer(_attribution),
    ),
    Case(
        "malformed-json",
        "malformed",
        "malformed: brief: malformed model reply: not JSON",
        '{"standfirst": [{"text": "CBP',
    ),
    Case("timeout", "timeout", "timeout: chat: no answer from", answer(), delay=3.0),
    Case(
        "rate-limited",
        "rate_limited",
        "rate_limited: chat: 429 from",
        status=429,
        headers=(("Retry-After", "120"),),
    ),
    Case("server-error", "http", "http: chat: 500 from", status=500),
)


class FakeModel:
    """The fake endpoint on a test's `Server`."""

    def __init__(self, server: Server, path: str = PATH) -> None:
        self.server = server
        self.requests: list[dict[str, Any]] = []
        self.case = Case("faithful", "published", "", answer())
        self.delay = 0.0
        server.handle(path, self._answer)

    @property
    def url(self) -> str:
        return self.server.url("/v1")

    def set(self, case: Case) -> None:
        self.case = case

    def _answer(self, request: Request) -> Response:
        body = json.loads(request.body)
        self.requests.append(body)
        case = self.case
        delay = case.delay or self.delay
        if case.status != 200:
            error = {"error": {"message": f"fake {case.status}", "type": "server_error"}}
            return Response(case.status, case.headers, json.dumps(error), delay=delay)
        content = case.content
        text = content if isinstance(content, str) else json.dumps(content)
        reply = {
            "id": "chatcmpl-fake",
            "object": "chat.completion",
            "model": body.get("model", ""),
            "choices": [
                {
                    "index": 0,
                    "message": {"role": "assistant", "content": text},
                    "finish_reason": "stop",
                }
            ],
            "usage": {"prompt_tokens": 900, "completion_tokens": 250, "total_tokens": 1150},
        }
        headers = (("Content-Type", "application/json"),)
        return Response(200, headers, json.dumps(reply), delay=delay)
