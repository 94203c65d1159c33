"""One release asked of the AI engine, and the extractive brief that stands in for a
refused one.

Input: the config, an article and its extractive brief (and, for tests, an HTTP transport).
Output: `Tried`, the brief to show with the gate's verdicts, the prompt and the cost. Nothing
is stored: this is `syndicate brief FILE --engine ai`; the queue's worker (`aiwork`) shares
`fallback` with it so both record a refusal the same way.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

from syndicate import __version__, fetch
from syndicate.brief import ai
from syndicate.brief.faithful import Verdict
from syndicate.config import Config
from syndicate.errors import BriefError, ChatError
from syndicate.model import Article, Brief


def fallback(base: Brief, reason: str) -> Brief:
    """The published (extractive) brief, saying why it is not the AI's."""
    return replace(base, provenance=replace(base.provenance, fallback=reason))


@dataclass(frozen=True)
class Tried:
    """One release asked of the model directly (`syndicate brief --engine ai`): the brief
    to show (AI or, with `reason`, extractive), the gate's verdicts, the prompt and cost."""

    brief: Brief
    reason: str | None
    verdicts: tuple[Verdict, ...]
    prompt: ai.Prompt
    answer: fetch.Answer | None


async def attempt(
    config: Config, article: Article, base: Brief, *, transport: fetch.Transport | None = None
) -> Tried:
    """Ask the model for `article`'s brief once, nothing stored; falls back like the worker."""
    settings = config.brief.ai
    text = ai.template(settings.prompt_path(Path(config.root)))
    prompt = ai.prompt(article, text, config.brief.target_words)
    version = ai.version(text)
    async with fetch.Chat(
        settings.endpoint(), settings.model, api_key=settings.api_key(),
        timeout=settings.timeout, max_tokens=settings.max_tokens,
        temperature=settings.temperature, user_agent=config.user_agent(__version__) + " ai",
        transport=transport,
    ) as chat:  # fmt: skip
        try:
            form = ai.response_format() if settings.json_schema else None
            answer = await chat.complete(prompt.messages, form)
        except ChatError as e:
            reason = f"{e.outcome}: {e}"
            return Tried(fallback(base, reason), reason, (), prompt, None)
    try:
        made = ai.brief(answer.content, article, base, model=settings.model, prompt_version=version)
    except BriefError as e:
        reason = f"malformed: {e}"
        return Tried(fallback(base, reason), reason, (), prompt, answer)
    verdicts = tuple(ai.verdicts(made, article))
    failed = next((v for v in verdicts if not v.ok), None)
    if failed is not None:
        reason = f"gate: {failed.check}: {failed.reason}"
        return Tried(fallback(base, reason), reason, verdicts, prompt, answer)
    return Tried(made, None, verdicts, prompt, answer)
