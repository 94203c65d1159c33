"""The shared jinja2 Environment: a template is loaded once, not checked on every render."""

from __future__ import annotations

import os

import pytest

from syndicate import templating


def test_a_loaded_template_is_not_looked_up_on_disk_again(monkeypatch: pytest.MonkeyPatch) -> None:
    env = templating.environment()
    first = env.get_template("email/digest.txt")

    def no_disk(path: object) -> bool:
        raise AssertionError(f"the template was looked up on disk again: {path}")

    # jinja2's package loader asks isfile and getmtime of the source when auto-reloading.
    monkeypatch.setattr(os.path, "isfile", no_disk)
    monkeypatch.setattr(os.path, "getmtime", no_disk)
    assert env.get_template("email/digest.txt") is first
