"""The one jinja2 Environment factory: autoescape on, StrictUndefined, package templates.

Every HTML and text rendering (briefs, feeds' index page, email, web pages) comes from here,
so escaping rules are the same everywhere. Text templates (`*.txt`) are not autoescaped.
"""

from __future__ import annotations

from functools import cache
from typing import Any

import jinja2
from markupsafe import Markup

TEMPLATES = "templates"


def _autoescape(name: str | None) -> bool:
    return bool(name) and not str(name).endswith((".txt", ".md"))


@cache
def environment() -> jinja2.Environment:
    """The shared Environment over `syndicate/templates/`."""
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("syndicate", TEMPLATES),
        autoescape=_autoescape,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        # The templates are package files: they change with an upgrade, which restarts the
        # process. Checking each one's mtime on every render cost a tenth of sending mail.
        auto_reload=False,
    )
    return env


def render(name: str, **context: Any) -> str:
    """Render one template by name with the given context."""
    return environment().get_template(name).render(**context)


def markup(html: str) -> Markup:
    """Mark already-sanitised HTML as safe to embed (for sanitised brief bodies)."""
    return Markup(html)
