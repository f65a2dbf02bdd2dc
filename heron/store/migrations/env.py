"""Alembic environment: migrations run on the connection `heron.store.database.migrate` gives."""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine

from heron.store.models import Base

config = context.config
connection = config.attributes.get("connection")

if connection is None:
    # Only for developers running `alembic revision --autogenerate` by hand.
    url = config.get_main_option("sqlalchemy.url") or "sqlite:///heron-dev.db"
    with create_engine(url).connect() as own:
        context.configure(connection=own, target_metadata=Base.metadata, render_as_batch=True)
        with context.begin_transaction():
            context.run_migrations()
else:
    context.configure(connection=connection, target_metadata=Base.metadata, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()
