"""Case-insensitive cue patterns, matched on lower-cased text.

The brief stage runs long alternations of cue words ("seiz|found|discover|...") over every
sentence. Compiled with `re.I`, Python's `re` enters each alternative at every word start;
compiled case-sensitively, it passes over at once each alternative whose first letter is
not the text's. So a `Cues` pattern is compiled with its letters lower-cased (escapes such
as `\\S` and `\\B` kept as written) and matched on `text.lower()`: for the release text
briefs are made of, the same matches as `re.compile(pattern, re.I)`, at about 2.5 times
the speed. Positions are in the lower-cased text, which has the original's length unless
it holds one of the few letters whose lower case is two characters (a dotted capital I).
"""

from __future__ import annotations

import re


def _lowered(pattern: str) -> str:
    """The pattern with its letters lower-cased, its escapes untouched."""
    out: list[str] = []
    chars = iter(pattern)
    for c in chars:
        if c == "\\":
            out += [c, next(chars, "")]
        else:
            out.append(c.lower())
    return "".join(out)


class Cues:
    """A pattern matched case-insensitively, as with `re.I`, on lower-cased text."""

    __slots__ = ("compiled", "pattern")

    def __init__(self, pattern: str) -> None:
        self.pattern = pattern  # as written, for `re.compile(pattern, re.I)` to compare
        self.compiled = re.compile(_lowered(pattern))

    def search(self, text: str) -> re.Match[str] | None:
        return self.compiled.search(text.lower())

    def findall(self, text: str) -> list[str]:
        """The matches, in lower case."""
        return self.compiled.findall(text.lower())

    def count(self, text: str) -> int:
        return len(self.compiled.findall(text.lower()))
