"""A CSS selector group -> its alternatives, in the order written. Shared by parse (listing
rules, over selectolax) and extract (article rules, over lxml), which both try a group's
alternatives one by one and keep the first that matches: the order a rule lists them in is
its order of preference, which a plain group match (document order) would lose.

`article .body, div[data-x="a,b"], :is(h1, h2)` splits into three: commas inside (), [] or
quotes do not separate alternatives.
"""

from __future__ import annotations


def alternatives(selector: str) -> list[str]:
    """Split a selector group at its top-level commas (not inside (), [] or quotes)."""
    parts: list[str] = []
    depth, quote, start = 0, "", 0
    for index, char in enumerate(selector):
        if quote:
            quote = "" if char == quote else quote
        elif char in "\"'":
            quote = char
        elif char in "([":
            depth += 1
        elif char in ")]":
            depth -= 1
        elif char == "," and depth == 0:
            parts.append(selector[start:index])
            start = index + 1
    parts.append(selector[start:])
    return [part.strip() for part in parts if part.strip()]
