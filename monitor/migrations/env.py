"""Alembic environment: the same models and the same settings as the application."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection
from sqlmodel import SQLModel

import monitor.models  # noqa: F401  (registers every table on SQLModel.metadata)
from monitor.db import engine_for

config = context.config
target_metadata = SQLModel.metadata


def run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",  # SQLite needs batch ALTERs
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


connection = config.attributes.get("connection")
if connection is not None:
    run(connection)
else:
    with engine_for(config.get_main_option("sqlalchemy.url") or "").begin() as fresh:
        run(fresh)
