"""The terminal database on a real SQLite file: power-loss pragmas, write locking, and migrations."""

from __future__ import annotations

import sqlite3
import threading
import time
from pathlib import Path

import pytest
from alembic import command
from alembic.config import Config as AlembicConfig
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, text

from kiosk.db import make_engine, open_engine, upgrade
from kiosk.errors import StorageError
from kiosk.paths import migrations_dir


def alembic_cfg(engine: Engine) -> AlembicConfig:
    cfg = AlembicConfig()
    cfg.set_main_option("script_location", str(migrations_dir()))
    cfg.attributes["engine"] = engine
    return cfg


def head_revision() -> str:
    heads = ScriptDirectory.from_config(alembic_cfg(None)).get_heads()  # type: ignore[arg-type]
    assert len(heads) == 1, f"migrations must have one head, found {heads}"
    return heads[0]


def test_connections_get_wal_full_sync_and_foreign_keys(engine: Engine) -> None:
    with engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 2  # FULL
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() >= 1000


def test_foreign_keys_are_enforced(engine: Engine) -> None:
    with pytest.raises(Exception, match="FOREIGN KEY"), engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO attachments(document_id, position, name, sha256, size, mime, present) "
                "VALUES ('no-such-document', 0, 'a.pdf', :h, 1, 'application/pdf', 0)"
            ),
            {"h": "0" * 64},
        )


def test_wal_file_exists_beside_the_database(engine: Engine, data_dir: Path) -> None:
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO kv(key, value) VALUES ('k', 'v')"))
        assert (data_dir / "mirror.db-wal").exists()


def _read_modify_write(engine: Engine, rounds: int, errors: list[str]) -> None:
    for _ in range(rounds):
        try:
            with engine.begin() as conn:
                value = conn.execute(text("SELECT value FROM counters WHERE name = 'n'")).scalar_one()
                time.sleep(0.002)  # the other thread gets in between the read and the write
                conn.execute(text("UPDATE counters SET value = :v WHERE name = 'n'"), {"v": value + 1})
        except Exception as exc:  # the test reports whatever a writer met
            errors.append(str(exc).splitlines()[0])


def test_two_threads_writing_never_see_database_locked(engine: Engine) -> None:
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO counters(name, value) VALUES ('n', 0)"))
    errors: list[str] = []
    threads = [threading.Thread(target=_read_modify_write, args=(engine, 40, errors)) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    with engine.connect() as conn:  # and BEGIN IMMEDIATE serialised them: no update was lost
        assert conn.execute(text("SELECT value FROM counters WHERE name = 'n'")).scalar_one() == 80


def test_control_deferred_transactions_do_fail_the_same_way(tmp_path: Path) -> None:
    """The failure BEGIN IMMEDIATE prevents is real here: plain deferred BEGIN hits 'database is locked'."""
    path = tmp_path / "plain.db"
    con = sqlite3.connect(path)
    con.executescript("PRAGMA journal_mode=WAL; CREATE TABLE c(n INTEGER); INSERT INTO c VALUES (0);")
    con.close()
    errors: list[str] = []

    def worker() -> None:
        c = sqlite3.connect(path, timeout=10, isolation_level=None)
        for _ in range(40):
            try:
                c.execute("BEGIN")
                (n,) = c.execute("SELECT n FROM c").fetchone()
                time.sleep(0.002)
                c.execute("UPDATE c SET n = ?", (n + 1,))
                c.execute("COMMIT")
            except sqlite3.OperationalError as exc:
                errors.append(str(exc))
                c.execute("ROLLBACK")
        c.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert any("locked" in e for e in errors)


def test_migrations_are_idempotent(data_dir: Path) -> None:
    path = data_dir / "mirror.db"
    eng = open_engine(path)
    with eng.connect() as conn:
        tables = conn.exec_driver_sql("SELECT name, sql FROM sqlite_master ORDER BY name").all()
        version = conn.exec_driver_sql("SELECT version_num FROM alembic_version").scalar_one()
    upgrade(eng)
    eng.dispose()
    eng = open_engine(path)
    with eng.connect() as conn:
        assert conn.exec_driver_sql("SELECT name, sql FROM sqlite_master ORDER BY name").all() == tables
        assert conn.exec_driver_sql("SELECT count(*) FROM alembic_version").scalar_one() == 1
    eng.dispose()
    assert version == head_revision()


def test_a_mirror_at_0001_with_a_queued_application_upgrades_and_keeps_it(data_dir: Path) -> None:
    path = data_dir / "mirror.db"
    old = make_engine(path)
    command.upgrade(alembic_cfg(old), "0001")
    with old.begin() as conn:
        assert conn.exec_driver_sql("SELECT version_num FROM alembic_version").scalar_one() == "0001"
        conn.execute(
            text(
                "INSERT INTO outbox(kind, idempotency_key, payload, created_at, attempts, next_attempt_at) "
                "VALUES ('application', 'app-WB-20261127-0001', :p, '2026-11-27 09:00:00', 3, '2026-11-27 09:05:00')"
            ),
            {"p": '{"tracking": "WB01-20261127-0001"}'},
        )
    old.dispose()

    eng = open_engine(path)  # the upgraded program opens the old mirror
    with eng.connect() as conn:
        assert conn.exec_driver_sql("SELECT version_num FROM alembic_version").scalar_one() == head_revision()
        row = conn.execute(text("SELECT kind, idempotency_key, payload, attempts FROM outbox")).one()
    eng.dispose()
    assert tuple(row) == ("application", "app-WB-20261127-0001", '{"tracking": "WB01-20261127-0001"}', 3)


def test_a_file_that_is_not_a_database_is_a_storage_error(data_dir: Path) -> None:
    path = data_dir / "mirror.db"
    path.write_bytes(b"this is not an SQLite database, it is a damaged file" * 100)
    with pytest.raises(StorageError):
        open_engine(path)


def test_read_only_engine_reads_but_cannot_write(engine: Engine, data_dir: Path) -> None:
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO kv(key, value) VALUES ('k', 'v')"))
    ro = make_engine(data_dir / "mirror.db", read_only=True)
    try:
        with ro.connect() as conn:
            assert conn.execute(text("SELECT value FROM kv WHERE key = 'k'")).scalar_one() == "v"
            with pytest.raises(Exception, match="readonly"):
                conn.execute(text("INSERT INTO kv(key, value) VALUES ('x', 'y')"))
    finally:
        ro.dispose()
