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


def _schema(db: Path) -> list[tuple[object, ...]]:
    """Every table's columns, indexes (with their columns and uniqueness) and foreign keys as SQLite
    reports them, plus the DDL of virtual tables, views and triggers: the same schema compares equal
    whatever the order of constraints in the DDL text (a batch migration re-creates a table)."""
    con = sqlite3.connect(db)
    try:
        out: list[tuple[object, ...]] = []
        for kind, name, sql in con.execute("SELECT type, name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%'"):
            if name == "alembic_version":
                continue
            ddl = " ".join((sql or "").replace('"', "").split())
            if kind == "table" and not ddl.upper().startswith("CREATE VIRTUAL"):
                out.append(("columns", name, tuple(con.execute(f"PRAGMA table_xinfo('{name}')"))))
                out.append(("fks", name, tuple(sorted(con.execute(f"PRAGMA foreign_key_list('{name}')")))))
                for _seq, iname, unique, origin, partial in con.execute(f"PRAGMA index_list('{name}')"):
                    cols = tuple(r[2] for r in con.execute(f"PRAGMA index_info('{iname}')"))
                    label = iname if origin == "c" else f"auto:{cols}"  # auto-indexes are named by position
                    out.append(("index", name, label, unique, origin, partial, cols))
            elif kind != "index":
                out.append((kind, name, ddl))
            elif sql:  # a CREATE INDEX statement (its columns are compared above)
                out.append(("index-ddl", name, ddl))
        return sorted(out, key=repr)
    finally:
        con.close()


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
