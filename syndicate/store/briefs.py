"""placeholder"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from syndicate.store.core import Store


class Briefs:
    def __init__(self, store: Store) -> None:
        self.store = store

    def release_all(self) -> None:
        pass
