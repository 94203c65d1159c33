"""Store access for feed documents (publish engineer). A stub until its owner fills it."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from syndicate.store.core import Store


class Feeds:
    def __init__(self, store: Store) -> None:
        self.store = store
