"""A release's title and text in, its topics out, from a configurable taxonomy.

The taxonomy maps a topic to keywords (`[brief.topics]` in config.toml; the defaults are
`config.DEFAULT_TOPICS`). A keyword matches case-insensitively at the start of a word, so
"smuggl" finds "smuggling" and "port" finds "ports" but not "support". A hit in the title
counts three times; a topic needs a score of two, and a brief keeps its four best topics.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping, Sequence
from functools import lru_cache

MAX_TOPICS = 4
_MIN_SCORE = 2
_TITLE_WEIGHT = 3


Index = tuple[re.Pattern[str], dict[str, list[tuple[str, list[str]]]]]


@lru_cache(maxsize=64)
def _index(taxonomy: tuple[tuple[str, tuple[str, ...]], ...]) -> Index:
    """One pattern for every keyword of the taxonomy, and (first letters -> keywords with
    their topics), so a release is read once whatever the taxonomy's size."""
    topics_of: dict[str, list[str]] = {}
    for topic, keywords in taxonomy:
        for k in keywords:
            if k:
                topics_of.setdefault(k.lower(), []).append(topic)
    by_start: dict[str, list[tuple[str, list[str]]]] = {}
    for keyword, topics in topics_of.items():
        by_start.setdefault(keyword[:2], []).append((keyword, topics))
    alternatives = "|".join(re.escape(k) for k in sorted(topics_of, key=len, reverse=True))
    return re.compile(rf"(?<![\w-])(?:{alternatives})"), by_start


def _counts(text: str, index: Index) -> Counter[str]:
    """Hits per topic. Where one keyword starts another ("port", "ports of entry") at the
    same place, each counts, as if each topic's keywords were matched on their own."""
    pattern, by_start = index
    out: Counter[str] = Counter()
    low = text.lower()
    for m in pattern.finditer(low):
        at = m.start()
        for keyword, topics in by_start.get(m.group()[:2], ()):
            if low.startswith(keyword, at):
                out.update(dict.fromkeys(topics, 1))
    return out


def classify(title: str, text: str, taxonomy: Mapping[str, Sequence[str]]) -> tuple[str, ...]:
    """The topics of a release, best first (ties by name), at most MAX_TOPICS."""
    frozen = tuple((topic, tuple(keywords)) for topic, keywords in taxonomy.items())
    if not any(k for _, keywords in frozen for k in keywords):
        return ()
    index = _index(frozen)
    in_title = _counts(title, index)
    in_text = _counts(text, index)
    scored = [
        (-(_TITLE_WEIGHT * in_title[topic] + in_text[topic]), topic)
        for topic, _ in frozen
        if _TITLE_WEIGHT * in_title[topic] + in_text[topic] >= _MIN_SCORE
    ]
    return tuple(topic for _, topic in sorted(scored)[:MAX_TOPICS])
