"""Alembic environment for the district server's database. The engine is handed in by
``sync.server.migrate.upgrade`` (``config.attributes["engine"]``); every table is registered on
``ServerBase.metadata`` by importing the ``sync.server`` package."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Engine, create_engine

import sync.server  # noqa: F401 - registers every table of the server's schema
from sync.server.db import ServerBase

target_metadata = ServerBase.metadata
config = context.config


def run_migrations_online() -> None:
    engine: Engine | None = config.attributes.get("engine")
    if engine is None:  # the `alembic` command line during development
        engine = create_engine(config.get_main_option("sqlalchemy.url", "sqlite:///server-dev.db"))
    with engine.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            render_as_batch=connection.dialect.name == "sqlite",
            compare_type=True,
        )
        with context.begin_transaction():
            context.run_migrations()
        connection.commit()


run_migrations_online()
