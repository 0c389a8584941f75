"""The server database's schema revisions (sync/server/migrate.py): a new database is built by the
revisions and matches the models; every revision goes down and up again on a populated database (cases
with their logs, accounts, terminals, the feed) on SQLite and PostgreSQL, keeping the rows; a database
made before migrations existed is completed to the baseline, stamped and upgraded, its rows kept; and
``python -m sync.server db`` says where a database stands."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, func, inspect, select, text
from synchelpers import CATEGORIES, ZONES, doc

import sync.server  # noqa: F401 - registers every table
from sync.server import migrate
from sync.server.admin import auth
from sync.server.db import FeedDoc, ServerBase, Terminal, normalize_url, open_db, sessions
from sync.server.feed.publish import publish_pack
from sync.server.office import lifecycle as lc
from sync.server.office.models import Case, CaseEvent
from sync.server.terminals import enrol

DAY = dt.date(2026, 12, 7)
COUNTED = ("feed_docs", "admin_accounts", "terminals", "cases", "case_events")


def populate(engine: Engine, tmp: Path) -> dict[str, int]:
    """Real rows through the server's own functions: a feed, an account, a terminal, a case with a log."""
    pack = tmp / "pack.jsonl"
    lines = [*ZONES, *CATEGORIES, doc(1), doc(2, zone="wanbao"), doc(3)]
    pack.write_text("\n".join(json.dumps(x, ensure_ascii=False) for x in lines) + "\n", encoding="utf-8")
    publish_pack(engine, pack)
    auth.add_account(engine, "clerk", ("office",), "a long enough password 1")
    enrol.register(engine, "wanbao")
    with sessions(engine)() as s, s.begin():
        lc.intake(s, tracking_no="WB01-20261207-0001", zone="wanbao", received_on=DAY, actor="terminal:wanbao-01")
    with sessions(engine)() as s, s.begin():
        lc.ask_correction(s, "WB01-20261207-0001", lc.Step("clerk", DAY, "请写明年份", {"what": "年份"}, today=DAY))
    return counts(engine)


def counts(engine: Engine) -> dict[str, int]:
    with engine.connect() as conn:
        return {t: int(conn.execute(text(f"SELECT count(*) FROM {t}")).scalar() or 0) for t in COUNTED}


def revisions_oldest_first() -> list[str]:
    return [line.split(":", 1)[0] for line in reversed(migrate.history())]


def check_both_ways(url: str, tmp: Path) -> None:
    engine = open_db(url)
    try:
        assert migrate.current(engine) == migrate.head_revision()
        with engine.connect() as conn:
            assert migrate.schema_drift(conn, ServerBase.metadata) == []  # the revisions build the models
        before = populate(engine, tmp)
        assert all(before[t] > 0 for t in COUNTED), before
        revs = revisions_oldest_first()
        # Down one revision at a time to the baseline, and up again: the rows of the baseline's tables stay.
        for rev in reversed(revs[:-1]):
            migrate.downgrade(engine, rev)
            assert migrate.current(engine) == rev
        assert counts(engine) == before
        migrate.upgrade(engine)
        assert migrate.current(engine) == migrate.head_revision()
        assert counts(engine) == before
        with engine.connect() as conn:
            assert migrate.schema_drift(conn, ServerBase.metadata) == []
        with sessions(engine)() as s:  # the case and its log read back through the models
            case = s.get(Case, "WB01-20261207-0001")
            assert case is not None and case.state == "correction"
            assert s.scalar(select(func.count()).select_from(CaseEvent)) == before["case_events"]
            assert s.scalar(select(func.count()).select_from(FeedDoc)) == before["feed_docs"]
        # All the way down leaves nothing but Alembic's own table; up again builds the schema afresh.
        migrate.downgrade(engine, "base")
        assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
        migrate.upgrade(engine)
        assert migrate.current(engine) == migrate.head_revision()
    finally:
        ServerBase.metadata.drop_all(engine)
        with engine.begin() as conn:
            conn.execute(text("DROP TABLE IF EXISTS alembic_version"))
        engine.dispose()


def test_revisions_both_ways_on_sqlite(tmp_path: Path) -> None:
    check_both_ways(str(tmp_path / "server.db"), tmp_path)


@pytest.mark.slow
def test_revisions_both_ways_on_postgresql(postgres_url: str, tmp_path: Path) -> None:
    check_both_ways(postgres_url, tmp_path)


def test_a_database_from_before_migrations_is_completed_stamped_and_kept(tmp_path: Path) -> None:
    url = normalize_url(str(tmp_path / "old.db"))
    engine = create_engine(url)
    migrate.baseline_metadata(ServerBase.metadata).create_all(
        engine
    )  # the tables as the last release before migrations made them
    with engine.begin() as conn:  # as an older release left it: one nullable column not there yet
        conn.execute(text('ALTER TABLE terminals DROP COLUMN "failures_in_a_row"'))
        conn.execute(text("DROP TABLE rating_followups"))
    engine.dispose()
    engine = open_db(str(tmp_path / "old.db"))
    rows = populate(engine, tmp_path)
    # Back to the baseline and without the stamp: a pre-migration database holding real rows. Open it.
    migrate.downgrade(engine, migrate.BASELINE)
    engine.dispose()
    raw = create_engine(url)
    with raw.begin() as conn:
        conn.execute(text("DROP TABLE alembic_version"))
        conn.execute(text('ALTER TABLE terminals DROP COLUMN "failure_text"'))
    raw.dispose()
    engine = open_db(str(tmp_path / "old.db"))
    try:
        assert migrate.current(engine) == migrate.head_revision()
        assert counts(engine) == rows
        assert "failure_text" in {c["name"] for c in inspect(engine).get_columns("terminals")}
        with sessions(engine)() as s:
            term = s.scalar(select(Terminal))
            assert term is not None and term.zone == "wanbao" and term.failure_text is None
        with engine.connect() as conn:
            assert migrate.schema_drift(conn, ServerBase.metadata) == []
    finally:
        engine.dispose()


def test_db_command_says_where_a_database_stands(tmp_path: Path) -> None:
    db = tmp_path / "server.db"
    open_db(str(db)).dispose()
    run = [sys.executable, "-m", "sync.server", "db"]
    out = subprocess.run([*run, "current", "--db", str(db)], capture_output=True, text=True, timeout=60, check=True)
    assert f"数据库结构版本：{migrate.head_revision()}；最新版本：{migrate.head_revision()}" in out.stdout
    assert "alembic" not in out.stderr, out.stderr  # nothing to migrate: none of alembic's every-start chatter
    hist = subprocess.run([*run, "history"], capture_output=True, text=True, timeout=60, check=True)
    assert f"{migrate.BASELINE}: " in hist.stdout
    bad = subprocess.run([*run, "downgrade", "--db", str(db)], capture_output=True, text=True, timeout=60, check=False)
    assert bad.returncode != 0 and "downgrade 需要给出要降到的版本" in (bad.stdout + bad.stderr)
