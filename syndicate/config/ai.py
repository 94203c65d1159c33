"""`[brief.ai]` → the AI engine's settings: where the model is, how hard to use it.

The key is never in the file: `api_key_env` names the environment variable that holds it.
The engine is chosen by `[brief] engine = "ai"` (every source) or listed per source in
`sources`; otherwise the extractive engine makes every brief and nothing here is used.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

# How an AI brief takes the place of the extractive brief published at poll time:
# "update": as an edit (its `updated` moves, feeds show it as updated);
# "replace": in place, keeping the extractive brief's `updated` (no edit is announced).
Mode = Literal["update", "replace"]


class AIConfig(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    url: str = "http://127.0.0.1:8000/v1"
    model: str = "local-model"
    api_key_env: str = ""
    timeout: Annotated[float, Field(gt=0)] = 60.0
    max_tokens: Annotated[int, Field(ge=64, le=32_000)] = 1500
    temperature: Annotated[float, Field(ge=0, le=2)] = 0.0
    concurrency: Annotated[int, Field(ge=1, le=64)] = 2
    requests_per_minute: Annotated[int, Field(ge=0)] = 0  # 0: no limit
    daily_tokens: Annotated[int, Field(ge=0)] = 0  # 0: no budget
    json_schema: bool = True
    mode: Mode = "update"
    prompt: str = ""  # a template file replacing the built-in prompt
    attempts: Annotated[int, Field(ge=1, le=20)] = 3
    sources: list[str] = []

    def api_key(self) -> str | None:
        """The key from the environment, or None (local servers need none)."""
        return os.environ.get(self.api_key_env) or None if self.api_key_env else None

    def endpoint(self) -> str:
        """The Chat Completions URL: `url` when it ends so, else `url` + /chat/completions."""
        base = self.url.rstrip("/")
        return base if base.endswith("/chat/completions") else base + "/chat/completions"

    def prompt_path(self, root: Path) -> Path | None:
        """The operator's template, relative to the config file's folder; None: built in."""
        if not self.prompt:
            return None
        p = Path(os.path.expanduser(self.prompt))
        return p if p.is_absolute() else root / p


def uses_ai(engine: str, ai: AIConfig, source_id: str) -> bool:
    """Whether a source's briefs go to the AI engine."""
    return engine == "ai" or source_id in ai.sources


__all__ = ["AIConfig", "Mode", "uses_ai"]
