"""A release's title and text in, its topics out, from a configurable taxonomy.

The taxonomy maps a topic to keywords (`[brief.topics]` in config.toml; the defaults are
`config.DEFAULT_TOPICS`). A keyword matches case-insensitively at the start of a word, so
"smuggl" finds "smuggling" and "port" finds "ports" but not "support". A hit in the title
counts three times; a topic needs a score of two, and a brief keeps its four best topics.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from functools import lru_cache

MAX_TOPICS = 4
_MIN_SCORE = 2
_TITLE_WEIGHT = 3


@lru_cache(maxsize=256)
def _pattern(keywords: tuple[str, ...]) -> re.Pattern[str]:
    alternatives = "|".join(re.escape(k) for k in sorted(keywords, key=len, reverse=True) if k)
    return re.compile(rf"(?<![\w-])(?:{alternatives})", re.I)


def classify(title: str, text: str, taxonomy: Mapping[str, Sequence[str]]) -> tuple[str, ...]:
    """The topics of a release, best first (ties by name), at most MAX_TOPICS."""
    scored: list[tuple[int, str]] = []
    for topic, keywords in taxonomy.items():
        if not any(keywords):
            continue
        pattern = _pattern(tuple(keywords))
        score = _TITLE_WEIGHT * len(pattern.findall(title)) + len(pattern.findall(text))
        if score >= _MIN_SCORE:
            scored.append((-score, topic))
    return tuple(topic for _, topic in sorted(scored)[:MAX_TOPICS])
