"""Alembic environment for the terminal database. The engine is handed in by ``kiosk.db.upgrade``."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Engine

import kiosk.models  # noqa: F401  - registers every table on Base.metadata
from kiosk.db import Base, make_engine

target_metadata = Base.metadata
config = context.config


def run_migrations_online() -> None:
    engine: Engine | None = config.attributes.get("engine")
    if engine is None:  # `alembic` command line during development
        engine = make_engine(config.get_main_option("sqlalchemy.url", "dev.db").removeprefix("sqlite:///"))
    with engine.connect() as connection:
        context.configure(connection=connection, target_metadata=target_metadata, render_as_batch=True)
        with context.begin_transaction():
            context.run_migrations()
        connection.commit()


run_migrations_online()
