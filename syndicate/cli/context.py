"""What most commands need first: the validated config and an open store."""

from __future__ import annotations

from syndicate import config as config_module
from syndicate import store as store_module
from syndicate.config import Config
from syndicate.store import Store


def open_store(path: str) -> tuple[Config, Store]:
    """Load the config (ConfigError exits 2) and open its store (migrating it)."""
    cfg = config_module.load(path)
    cfg.data_dir.mkdir(parents=True, exist_ok=True)
    return cfg, store_module.open(cfg.database_url)
