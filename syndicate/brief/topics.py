"""A release's title and text in, its topics out, from a configurable taxonomy.

The taxonomy maps a topic to keywords (`[brief.topics]` in config.toml; the defaults are
`config.DEFAULT_TOPICS`). A keyword matches case-insensitively at the start of a word, so
"smuggl" finds "smuggling" and "port" finds "ports" but not "support". A hit in the title
counts three times; a topic needs a score of two, and a brief keeps its four best topics.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

MAX_TOPICS = 4
_MIN_SCORE = 2
_TITLE_WEIGHT = 3


def _hits(keyword: str, text: str) -> int:
    return len(re.findall(rf"(?<![\w-]){re.escape(keyword)}", text, re.I))


def classify(title: str, text: str, taxonomy: Mapping[str, Sequence[str]]) -> tuple[str, ...]:
    """The topics of a release, best first (ties by name), at most MAX_TOPICS."""
    scored: list[tuple[int, str]] = []
    for topic, keywords in taxonomy.items():
        score = sum(_TITLE_WEIGHT * _hits(k, title) + _hits(k, text) for k in keywords if k)
        if score >= _MIN_SCORE:
            scored.append((-score, topic))
    return tuple(topic for _, topic in sorted(scored)[:MAX_TOPICS])
