"""Alembic environment: migrations run from `Store.migrate()`, with the store's own engine."""

from __future__ import annotations

from alembic import context

from hvac_ctl.store.models import Base

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("run migrations through hvac_ctl.store.Store.migrate()")
context.configure(connection=connection, target_metadata=Base.metadata,
                  render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
