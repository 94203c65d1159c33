"""The AI engine's response cache: model answers by (content hash, model, prompt version).

Input: a connection inside the caller's transaction, an answer to keep or a key to look up.
Output: `Cached` answers. The same release asked of the same model with the same prompt is
answered from here at no token cost; every answer paid for is here once, so the daily token
budget is summed from this table.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Column, Connection, Integer, String, Table, Text, select

from syndicate.store import schema
from syndicate.store.dialects import upsert
from syndicate.store.schema import UtcDateTime

# Model answers by (content hash, model, prompt version), hashed into `key`.
ai_cache = Table(
    "ai_cache",
    schema.metadata,
    Column("key", String(64), primary_key=True),
    Column("content_sha256", String(64), nullable=False),
    Column("model", Text, nullable=False),
    Column("prompt_version", String(32), nullable=False),
    Column("content", Text, nullable=False),
    Column("prompt_tokens", Integer, nullable=False, default=0),
    Column("completion_tokens", Integer, nullable=False, default=0),
    Column("created_at", UtcDateTime(), nullable=False),
)


@dataclass(frozen=True)
class Cached:
    content: str
    prompt_tokens: int
    completion_tokens: int


def cache_key(content_sha256: str, model: str, prompt_version: str) -> str:
    return hashlib.sha256(f"{content_sha256}\n{model}\n{prompt_version}".encode()).hexdigest()


def get(conn: Connection, key: str) -> Cached | None:
    """The answer cached under `key`, or None."""
    row = conn.execute(select(ai_cache).where(ai_cache.c.key == key)).first()
    if row is None:
        return None
    return Cached(row.content, row.prompt_tokens, row.completion_tokens)


def put(
    conn: Connection,
    content_sha256: str,
    model: str,
    prompt_version: str,
    answer: Cached,
    now: datetime,
) -> None:
    """Keep one answer (replacing one cached under the same key)."""
    values = {
        "key": cache_key(content_sha256, model, prompt_version),
        "content_sha256": content_sha256,
        "model": model,
        "prompt_version": prompt_version,
        "content": answer.content,
        "prompt_tokens": answer.prompt_tokens,
        "completion_tokens": answer.completion_tokens,
        "created_at": now,
    }
    upsert(conn, ai_cache, values, ["key"])
