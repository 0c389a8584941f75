"""The last sync failure travels in the heartbeat to the fleet page: a real terminal that fails (it trusts
another district key) reports part, code, plain-Chinese text, when and the runs in a row; the server
validates it strictly, stores it, and /admin/api/fleet and /admin/fleet show it in that terminal's row
(problem rows first). A success clears it. A malformed failure is refused; an older server database gets
the new columns."""

from __future__ import annotations

import json
import sqlite3
from dataclasses import replace
from pathlib import Path

import httpx
import pytest
from adminlogin import login
from synchelpers import doc

from sync.client import sync_once
from sync.failures import latin_words
from sync.protocol.signing import PUBLIC_NAME
from sync.server.__main__ import add_terminal
from sync.server.db import Terminal, open_db, sessions

NEW_COLUMNS = ("failure_part", "failure_code", "failure_text", "failure_at", "failures_in_a_row")


def _fleet_row(server, terminal_id: str) -> dict:
    c = login(server.url, server.engine)
    try:
        rows = c.get("/admin/api/fleet").json()["terminals"]
    finally:
        c.close()
    return next(r for r in rows if r["id"] == terminal_id)


def test_a_failing_terminal_shows_its_failure_on_the_fleet_page_until_a_run_succeeds(
    server, tmp_path: Path, other_keys: Path
) -> None:
    server.publish_lines([doc(1), doc(2)])
    healthy = server.terminal(tmp_path / "healthy")
    assert sync_once(healthy).error is None
    bad = server.terminal(tmp_path / "bad", zone="hexi", trust=other_keys / PUBLIC_NAME)
    for _ in range(3):
        report = sync_once(bad)
        assert report.codes[0] == "wrong-key"
    row = _fleet_row(server, bad.terminal.id)
    assert row["last_error"] == report.failures[0].text and not latin_words(row["last_error"])
    assert "签名密钥" in row["last_error"]
    assert (row["failure_code"], row["failure_part"], row["failures_in_a_row"]) == ("wrong-key", "下载内容", 3)
    assert row["failure_at"] and "同步连续失败 3 次" in row["problems"]
    c = login(server.url, server.engine)
    try:
        page = c.get("/admin/fleet").text
        ids = [r["id"] for r in c.get("/admin/api/fleet").json()["terminals"]]
    finally:
        c.close()
    assert ids.index(bad.terminal.id) < ids.index(healthy.terminal.id), "problem rows first"
    assert "wrong-key" in page and "连续 3 次" in page and "签名密钥" in page
    # the right key again: the next run succeeds and the failure is gone from the page
    bad_fixed = replace(bad, server=replace(bad.server, trust_key=str(server.key_dir / PUBLIC_NAME)))
    assert sync_once(bad_fixed).error is None
    row = _fleet_row(server, bad.terminal.id)
    assert row["last_error"] is None and row["failure_code"] is None and row["failures_in_a_row"] is None
    assert not row["problems"]


BAD_FAILURES = [
    {"part": "blobs", "code": "disk-io", "text": "下载附件失败", "at": "2026-11-30T01:00:00Z", "in_a_row": True},
    {"part": "blobs", "code": "disk-io", "text": "下" * 301, "at": "2026-11-30T01:00:00Z", "in_a_row": 1},
    {"part": "blobs", "code": "Disk IO!", "text": "下载附件失败", "at": "2026-11-30T01:00:00Z", "in_a_row": 1},
    {"part": "../x", "code": "disk-io", "text": "下载附件失败", "at": "2026-11-30T01:00:00Z", "in_a_row": 1},
    {"part": "blobs", "code": "disk-io", "text": "", "at": "2026-11-30T01:00:00Z", "in_a_row": 1},
    {"part": "blobs", "code": "disk-io", "text": "下载附件失败", "at": "yesterday", "in_a_row": 1},
    {"part": "blobs", "code": "disk-io", "text": "下载附件失败", "at": "2026-11-30T01:00:00Z", "in_a_row": 10**12},
    {"part": "blobs", "code": "disk-io", "text": "下载\ud800", "at": "2026-11-30T01:00:00Z", "in_a_row": 1},
    {"part": "blobs", "code": "disk-io", "text": ["下载附件失败"], "at": "2026-11-30T01:00:00Z", "in_a_row": 1},
    "下载附件失败",
]


@pytest.mark.parametrize("failure", BAD_FAILURES)
def test_a_malformed_failure_is_refused_and_nothing_is_stored(server, failure: object) -> None:
    server.ensure_zone("wanbao")
    tid, token = add_terminal(server.db_url, "wanbao")
    body = {"version": "0.1.0", "mirror_seq": 0, "sync_failure": failure}
    raw = httpx.post(
        f"{server.url}/v1/submissions/heartbeat",
        content=json.dumps(body).encode(),  # ASCII escapes: a lone surrogate arrives as \\ud800
        headers={"Authorization": f"Bearer {token}", "Idempotency-Key": "hb-1", "Content-Type": "application/json"},
    )
    assert raw.status_code in (400, 422), raw.text
    with sessions(server.engine)() as s:
        term = s.get(Terminal, tid)
        assert term is not None and term.last_heartbeat_at is None and term.failure_text is None


def test_an_older_server_database_gets_the_new_columns(tmp_path: Path) -> None:
    from sqlalchemy import create_engine

    from sync.server import migrate
    from sync.server.db import ServerBase

    db = tmp_path / "old.db"
    old = create_engine(f"sqlite:///{db}")  # the previous release: its tables, no migration stamp
    migrate.baseline_metadata(ServerBase.metadata).create_all(old)
    old.dispose()
    con = sqlite3.connect(db)
    con.execute("INSERT INTO terminals (id, zone, token_hash, created_at) VALUES ('t1', 'wanbao', 'h', '2026-01-01')")
    for col in NEW_COLUMNS:  # what a database made by the previous release looks like
        con.execute(f"ALTER TABLE terminals DROP COLUMN {col}")
    con.commit()
    con.close()
    engine = open_db(str(db))
    with sessions(engine)() as s:
        term = s.get(Terminal, "t1")
        assert term is not None and term.failure_code is None
    engine.dispose()
    con = sqlite3.connect(db)
    cols = {r[1] for r in con.execute("PRAGMA table_info(terminals)")}
    con.close()
    assert set(NEW_COLUMNS) <= cols
