"""The shape the model must answer in: a JSON schema (sent as `response_format` where the
server supports it), and the check of an answer against it (run either way).

    {"standfirst": [{"text": "...", "cites": [1, 4]}, ...],            two sentences
     "sections": [{"heading": "...", "paragraphs": [{"text", "cites"}], "bullets": [...]}],
     "quotes": [{"quote": 2, "speaker": "..."}]}                         by reference

A quote is the number of a source quotation from the prompt, never its words retyped; the
brief shows the source's words. `speaker`, when given, is who the model says spoke (the gate
compares it with the source's). `text`, when a model sends one anyway, is compared too.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from syndicate.errors import BriefError

_CITED: dict[str, Any] = {
    "type": "object",
    "properties": {
        "text": {"type": "string"},
        "cites": {"type": "array", "items": {"type": "integer"}},
    },
    "required": ["text", "cites"],
    "additionalProperties": False,
}
SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "standfirst": {"type": "array", "items": _CITED},
        "sections": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "heading": {"type": "string"},
                    "paragraphs": {"type": "array", "items": _CITED},
                    "bullets": {"type": "array", "items": _CITED},
                },
                "required": ["heading", "paragraphs", "bullets"],
                "additionalProperties": False,
            },
        },
        "quotes": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "quote": {"type": "integer"},
                    "speaker": {"type": ["string", "null"]},
                },
                "required": ["quote", "speaker"],
                "additionalProperties": False,
            },
        },
    },
    "required": ["standfirst", "sections", "quotes"],
    "additionalProperties": False,
}
MAX_ITEMS = 40


@dataclass(frozen=True)
class Line:
    """One sentence the model wrote, with the source sentence numbers it cites."""

    text: str
    cites: tuple[int, ...]


@dataclass(frozen=True)
class Part:
    heading: str
    paragraphs: tuple[Line, ...]
    bullets: tuple[Line, ...]


@dataclass(frozen=True)
class Ref:
    """A quotation by reference: its number in the prompt, and what the model adds to it."""

    quote: int
    speaker: str | None
    speaker_given: bool
    text: str | None


@dataclass(frozen=True)
class Reply:
    """A model's answer, valid against SCHEMA."""

    standfirst: tuple[Line, ...]
    sections: tuple[Part, ...]
    quotes: tuple[Ref, ...]


def _fail(where: str, why: str) -> BriefError:
    return BriefError(f"brief: malformed model reply: {where}: {why}")


def _list(value: object, where: str) -> list[Any]:
    if not isinstance(value, list):
        raise _fail(where, "expected a list")
    if len(value) > MAX_ITEMS:
        raise _fail(where, f"more than {MAX_ITEMS} entries")
    return value


def _text(value: object, where: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise _fail(where, "expected a non-empty string")
    return " ".join(value.split())


def _line(value: object, where: str) -> Line:
    if not isinstance(value, dict):
        raise _fail(where, "expected an object with text and cites")
    cites = _list(value.get("cites"), f"{where}.cites")
    if not all(isinstance(n, int) and not isinstance(n, bool) for n in cites):
        raise _fail(f"{where}.cites", "expected sentence numbers")
    return Line(_text(value.get("text"), f"{where}.text"), tuple(cites))


def _ref(value: object, where: str) -> Ref:
    if not isinstance(value, dict):
        raise _fail(where, "expected an object with quote and speaker")
    number = value.get("quote")
    if not isinstance(number, int) or isinstance(number, bool):
        raise _fail(f"{where}.quote", "expected a quotation number")
    speaker = value.get("speaker")
    if speaker is not None and not isinstance(speaker, str):
        raise _fail(f"{where}.speaker", "expected a string or null")
    text = value.get("text")
    if text is not None and not isinstance(text, str):
        raise _fail(f"{where}.text", "expected a string")
    return Ref(number, speaker or None, "speaker" in value, text)


def read(content: str) -> Reply:
    """The model's message content, parsed and validated; BriefError says what is wrong."""
    text = content.strip()
    if text.startswith("```"):  # some servers fence JSON even when asked not to
        text = text.strip("`").removeprefix("json").strip()
    try:
        data = json.loads(text)
    except ValueError as e:
        raise BriefError(f"brief: malformed model reply: not JSON ({e})") from None
    if not isinstance(data, dict):
        raise _fail("reply", "expected a JSON object")
    stand = _list(data.get("standfirst"), "standfirst")
    if not stand:
        raise _fail("standfirst", "empty")
    sections = []
    for i, s in enumerate(_list(data.get("sections", []), "sections")):
        where = f"sections[{i}]"
        if not isinstance(s, dict):
            raise _fail(where, "expected an object")
        paragraphs = _list(s.get("paragraphs", []), f"{where}.paragraphs")
        bullets = _list(s.get("bullets", []), f"{where}.bullets")
        sections.append(
            Part(
                _text(s.get("heading"), f"{where}.heading"),
                tuple(_line(p, f"{where}.paragraphs[{j}]") for j, p in enumerate(paragraphs)),
                tuple(_line(b, f"{where}.bullets[{j}]") for j, b in enumerate(bullets)),
            )
        )
    quotes = _list(data.get("quotes", []), "quotes")
    return Reply(
        tuple(_line(s, f"standfirst[{i}]") for i, s in enumerate(stand)),
        tuple(sections),
        tuple(_ref(q, f"quotes[{i}]") for i, q in enumerate(quotes)),
    )


def response_format() -> dict[str, Any]:
    """The Chat Completions `response_format` asking for SCHEMA (OpenAI's json_schema type)."""
    return {"type": "json_schema", "json_schema": {"name": "brief", "schema": SCHEMA}}
