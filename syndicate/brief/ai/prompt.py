"""An `Article` and a prompt template in, the Chat Completions messages out.

The template (the built-in `prompt.txt`, or the operator's file named by `[brief.ai]
prompt`) is a `string.Template` with `$title`, `$sentences` (the release as numbered
sentences, `source.number`'s numbering), `$quotes` (its quotations by number, with
speakers), `$schema` (the answer's JSON schema) and `$words` (the target length). Its
version (a hash of the template text and the schema) is part of the cache key, so editing
the prompt never serves an answer written for another prompt.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from string import Template

from syndicate.brief import quotes as quoting
from syndicate.brief import source
from syndicate.brief.ai.schema import SCHEMA
from syndicate.errors import BriefError
from syndicate.model import Article

SYSTEM = "You answer with one JSON object and nothing else."


@dataclass(frozen=True)
class Prompt:
    """The messages for one release, and the version of the template that made them."""

    messages: tuple[dict[str, str], ...]
    version: str

    @property
    def text(self) -> str:
        """The user message, as an operator reads it (`syndicate brief --explain`)."""
        return self.messages[-1]["content"]


def builtin() -> str:
    """The built-in template's text."""
    return resources.files("syndicate.brief.ai").joinpath("prompt.txt").read_text("utf-8")


def template(path: Path | None) -> str:
    """The operator's template when a path is given, else the built-in one."""
    if path is None:
        return builtin()
    try:
        return path.read_text("utf-8")
    except OSError as e:
        raise BriefError(f"brief: cannot read the prompt template {path}: {e.strerror}") from None


def version(text: str) -> str:
    """A short fingerprint of a template (with the schema it promises)."""
    digest = hashlib.sha256(text.encode("utf-8"))
    digest.update(json.dumps(SCHEMA, sort_keys=True).encode("utf-8"))
    return digest.hexdigest()[:12]


def _quotes(quotations: list[quoting.Quotation]) -> str:
    lines = []
    for i, q in enumerate(quotations, 1):
        words = " ".join(p.text for p in q.pieces)
        lines.append(f"Q{i} [{q.speaker or 'null'}]: “{words}”")
    return "\n".join(lines) or "(none)"


def build(
    article: Article, quotations: list[quoting.Quotation], text: str, words: int = 350
) -> Prompt:
    """The messages asking for a brief of `article`, from template `text`."""
    numbered = "\n".join(f"[{s.n}] {s.text}" for s in source.number(article))
    try:
        body = Template(text).substitute(
            title=article.title,
            sentences=numbered,
            quotes=_quotes(quotations),
            schema=json.dumps(SCHEMA, separators=(",", ":")),
            words=words,
        )
    except (KeyError, ValueError) as e:
        raise BriefError(
            f"brief: the prompt template has an unknown or bad placeholder: {e}"
        ) from None
    return Prompt(
        ({"role": "system", "content": SYSTEM}, {"role": "user", "content": body}), version(text)
    )
