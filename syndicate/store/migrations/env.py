"""Alembic's entry point, for developers writing a new revision:

    SYNDICATE_DATABASE=sqlite:///data/syndicate.db \
        alembic -c /dev/null -x script_location=syndicate/store/migrations revision --autogenerate

At run time syndicate does not use this file: `syndicate.store.migrate` runs the scripts.
"""

from __future__ import annotations

import os

from alembic import context

from syndicate.store import engine as engines
from syndicate.store import schema

url = engines.url_of(os.environ.get("SYNDICATE_DATABASE", "sqlite:///data/syndicate.db"))
engine, _ = engines.make(url)
with engine.connect() as connection:
    context.configure(
        connection=connection,
        target_metadata=schema.metadata,
        render_as_batch=connection.dialect.name == "sqlite",
    )
    with context.begin_transaction():
        context.run_migrations()
