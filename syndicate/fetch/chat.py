"""A prompt in, the model's answer out: one OpenAI-compatible Chat Completions call.

Works with llama.cpp's server, Ollama, vLLM and hosted OpenAI-compatible APIs: POST
`{url}/chat/completions` with `model`, `messages`, `temperature`, `max_tokens` and, where
the server supports it, `response_format` of type `json_schema` (the answer is validated
either way, by `brief.ai`). The key, when there is one, goes in `Authorization: Bearer`.

Every failure is a `ChatError` whose `outcome` names it: `timeout` (the whole call took
longer than `timeout`), `rate_limited` (429; `retry_at` from its Retry-After, RFC 9110
section 10.2.3), `http` (any other 4xx/5xx), `unreachable` (no connection), `malformed`
(the body is not a Chat Completions answer). The answer's size is capped.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from types import TracebackType
from typing import Any

import httpx

from syndicate.clock import Clock, utc_now
from syndicate.errors import ChatError
from syndicate.fetch.timing import retry_at

MAX_BYTES = 4_000_000
Transport = httpx.AsyncBaseTransport  # what tests may put in place of the network
# A 429 without Retry-After still waits this long before the next call.
DEFAULT_RETRY = 30.0


@dataclass(frozen=True)
class Answer:
    """The model's message content, with what it cost."""

    content: str
    prompt_tokens: int
    completion_tokens: int
    latency: float  # seconds from request to the whole answer

    @property
    def tokens(self) -> int:
        return self.prompt_tokens + self.completion_tokens


class Chat:
    """A Chat Completions client for one endpoint and model (an async context manager)."""

    def __init__(
        self,
        endpoint: str,
        model: str,
        *,
        api_key: str | None = None,
        timeout: float = 60.0,
        max_tokens: int = 1500,
        temperature: float = 0.0,
        user_agent: str = "syndicate",
        clock: Clock = utc_now,
        transport: Transport | None = None,
    ) -> None:
        self.endpoint = endpoint
        self.model = model
        self.timeout = timeout
        self.max_tokens = max_tokens
        self.temperature = temperature
        self.clock = clock
        headers = {"User-Agent": user_agent, "Accept": "application/json"}
        if api_key:
            headers["Authorization"] = f"Bearer {api_key}"
        self.client = httpx.AsyncClient(
            headers=headers,
            timeout=httpx.Timeout(timeout),
            transport=transport,
            follow_redirects=False,
            trust_env=False,
        )

    async def __aenter__(self) -> Chat:
        return self

    async def __aexit__(
        self, kind: type[BaseException] | None, e: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.client.aclose()

    async def complete(
        self, messages: Sequence[dict[str, str]], response_format: dict[str, Any] | None = None
    ) -> Answer:
        """One completion; ChatError when it cannot be had."""
        body: dict[str, Any] = {
            "model": self.model,
            "messages": list(messages),
            "temperature": self.temperature,
            "max_tokens": self.max_tokens,
            "stream": False,
        }
        if response_format is not None:
            body["response_format"] = response_format
        started = time.monotonic()
        try:
            async with asyncio.timeout(self.timeout):
                data = await self._post(body)
        except TimeoutError:
            raise ChatError(
                f"chat: no answer from {self.endpoint} within {self.timeout:g} s", "timeout"
            ) from None
        return _answer(data, self.endpoint, time.monotonic() - started)

    async def _post(self, body: dict[str, Any]) -> Any:
        try:
            async with self.client.stream("POST", self.endpoint, json=body) as response:
                chunks: list[bytes] = []
                size = 0
                async for chunk in response.aiter_bytes():
                    size += len(chunk)
                    if size > MAX_BYTES:
                        raise ChatError(
                            f"chat: answer from {self.endpoint} is over {MAX_BYTES} bytes",
                            "malformed",
                            response.status_code,
                        )
                    chunks.append(chunk)
                raw = b"".join(chunks)
                status = response.status_code
                after = response.headers.get("retry-after")
        except httpx.TimeoutException:
            raise ChatError(
                f"chat: no answer from {self.endpoint} within {self.timeout:g} s", "timeout"
            ) from None
        except httpx.HTTPError as e:
            raise ChatError(f"chat: cannot reach {self.endpoint}: {e}", "unreachable") from None
        if status == 429:
            now = self.clock()
            when = retry_at(after, now) or now + timedelta(seconds=DEFAULT_RETRY)
            wait = max((when - now).total_seconds(), 0.0)
            raise ChatError(
                f"chat: 429 from {self.endpoint}; retry after {wait:g} s", "rate_limited", 429, when
            )
        if status >= 400:
            raise ChatError(f"chat: {status} from {self.endpoint}: {_said(raw)}", "http", status)
        try:
            return json.loads(raw)
        except ValueError:
            raise ChatError(
                f"chat: the answer from {self.endpoint} is not JSON", "malformed", status
            ) from None

    async def probe(self) -> str:
        """Ask for a one-word completion; what the endpoint said, or ChatError."""
        messages = [{"role": "user", "content": "Answer with the one word: ok"}]
        saved = self.max_tokens
        self.max_tokens = 8
        try:
            answer = await self.complete(messages)
        finally:
            self.max_tokens = saved
        return (
            f"{self.endpoint} answers as {self.model!r} in {answer.latency * 1000:.0f} ms "
            f"({answer.tokens} tokens)"
        )


def _said(raw: bytes) -> str:
    """A short form of an error body: its `error.message` when it has one."""
    try:
        data = json.loads(raw)
        message = data["error"]["message"] if isinstance(data.get("error"), dict) else data["error"]
        text = str(message)
    except (ValueError, KeyError, TypeError, AttributeError):
        text = raw.decode("utf-8", "replace")
    text = " ".join(text.split())
    return text[:200] or "(no body)"


def _answer(data: Any, endpoint: str, latency: float) -> Answer:
    try:
        content = data["choices"][0]["message"]["content"]
        if not isinstance(content, str):
            raise TypeError(content)
    except (KeyError, IndexError, TypeError):
        raise ChatError(
            f"chat: the answer from {endpoint} has no choices[0].message.content", "malformed"
        ) from None
    usage = data.get("usage") if isinstance(data, dict) else None
    usage = usage if isinstance(usage, dict) else {}
    return Answer(
        content=content,
        prompt_tokens=int(usage.get("prompt_tokens") or 0),
        completion_tokens=int(usage.get("completion_tokens") or 0),
        latency=latency,
    )


__all__ = ["Answer", "Chat", "Transport"]
