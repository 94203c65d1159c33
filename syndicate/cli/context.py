"""What most commands need first: the validated config and an open store (and a port type)."""

from __future__ import annotations

import argparse
from collections.abc import Iterator
from contextlib import contextmanager

from syndicate import config as config_module
from syndicate import store as store_module
from syndicate.config import Config
from syndicate.pipeline import review
from syndicate.store import Store


def open_store(path: str) -> tuple[Config, Store]:
    """Load the config (ConfigError exits 2) and open its store (migrating it)."""
    cfg = config_module.load(path)
    cfg.data_dir.mkdir(parents=True, exist_ok=True)
    opened = store_module.open(cfg.database_url)
    review.install(opened, cfg)  # [review]: whatever makes briefs here holds them as told
    return cfg, opened


@contextmanager
def opened(path: str) -> Iterator[tuple[Config, Store]]:
    """`open_store` for a `with` block: the store is closed however the block ends."""
    cfg, store = open_store(path)
    try:
        yield cfg, store
    finally:
        store.close()


def port(value: str) -> int:
    """An argparse type for a TCP port, 0 (any free port) to 65535."""
    try:
        number = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a port number") from None
    if not 0 <= number <= 65535:
        raise argparse.ArgumentTypeError(f"{number} is not a TCP port (0 to 65535)")
    return number
