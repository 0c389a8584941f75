"""Every migration step both ways: downgrading N → N-1 leaves exactly the schema a fresh upgrade to N-1
makes (tables, indexes, FTS5 tables and their shadow tables), on a real SQLite file."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from alembic import command
from alembic.config import Config as AlembicConfig
from alembic.script import ScriptDirectory

from kiosk.db import make_engine
from kiosk.paths import migrations_dir


def _alembic(db: Path) -> tuple[AlembicConfig, object]:
    cfg = AlembicConfig()
    cfg.set_main_option("script_location", str(migrations_dir()))
    engine = make_engine(db)
    cfg.attributes["engine"] = engine
    return cfg, engine


def _schema(db: Path) -> list[tuple[str, str, str]]:
    con = sqlite3.connect(db)
    try:
        rows = con.execute("SELECT type, name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%'").fetchall()
    finally:
        con.close()
    return sorted((t, n, " ".join((s or "").split())) for t, n, s in rows if n != "alembic_version")


def _steps() -> list[tuple[str, str]]:
    cfg = AlembicConfig()
    cfg.set_main_option("script_location", str(migrations_dir()))
    revs = list(reversed(list(ScriptDirectory.from_config(cfg).walk_revisions())))
    return [(r.down_revision or "base", r.revision) for r in revs]  # type: ignore[misc]


@pytest.mark.parametrize(("before", "after"), _steps(), ids=lambda r: str(r)[:4])
def test_downgrade_restores_the_earlier_schema_exactly(tmp_path: Path, before: str, after: str) -> None:
    cfg, engine = _alembic(tmp_path / "down.db")
    command.upgrade(cfg, after)
    command.downgrade(cfg, before)
    engine.dispose()  # type: ignore[attr-defined]
    cfg2, engine2 = _alembic(tmp_path / "fresh.db")
    if before != "base":
        command.upgrade(cfg2, before)
    engine2.dispose()  # type: ignore[attr-defined]
    assert _schema(tmp_path / "down.db") == _schema(tmp_path / "fresh.db")
