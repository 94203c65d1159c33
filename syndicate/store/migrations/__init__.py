"""Alembic migration scripts for the store; `syndicate.store.migrate` runs them."""
