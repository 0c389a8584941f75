"""Forged, wrong-key, rolled-back and expired content, and a hostile network: each is refused or
survived with the mirror unchanged or advanced only by verified pages."""

from __future__ import annotations

import base64
import dataclasses
import hashlib
import json
import sqlite3
import time
from datetime import timedelta
from pathlib import Path

from synchelpers import ZONES, doc, kv, mirror_docs

from kiosk import config as config_mod
from kiosk.db import open_engine, session_factory
from kiosk.sync_state import STALE_WARNING, now_utc, read_status
from sync.client import sync_once
from sync.protocol.signing import PUBLIC_NAME
from sync.server.db import BlobRow, open_db, sessions


def _seed(server, n: int = 6) -> None:
    server.publish_lines([doc(i) for i in range(1, n + 1)])


def test_tampered_record_is_refused(server, proxy, data_dir: Path) -> None:
    _seed(server, 2)
    cfg = server.terminal(data_dir, url=proxy.url)
    assert sync_once(cfg).error is None
    server.publish_lines([doc(3), doc(4)], "more.jsonl")
    proxy.set_fault("tamper", "/v1/changes")  # 低保金 -> 低保费 in flight, signature unchanged
    before = mirror_docs(cfg.db_path)
    report = sync_once(cfg)
    assert report.error and "签名校验" in report.error and "signature" in report.codes
    assert mirror_docs(cfg.db_path) == before and kv(cfg.db_path, "sync.cursor") == "2"
    proxy.clear()
    assert sync_once(cfg).error is None and len(mirror_docs(cfg.db_path)) == 4


def test_wrong_key_is_refused_and_frozen(server, data_dir: Path, other_keys: Path) -> None:
    _seed(server)
    cfg = server.terminal(data_dir, trust=other_keys / PUBLIC_NAME)
    report = sync_once(cfg)
    assert report.error and "签名密钥" in report.error and "wrong-key" in report.codes
    assert mirror_docs(cfg.db_path) == {}
    engine = open_engine(cfg.db_path)
    with session_factory(engine)() as s:
        st = read_status(s)
        assert st.frozen and st.warning == STALE_WARNING
    engine.dispose()


def test_flipped_blob_byte_never_becomes_visible(server, data_dir: Path) -> None:
    data = b"%PDF-1.4 attachment body " * 200
    good = b"%PDF-1.4 another attachment " * 100
    sha = hashlib.sha256(data).hexdigest()
    server.publish_lines(
        [
            doc(1, attachments=[{"name": "a.pdf", "data_base64": base64.b64encode(data).decode()}]),
            doc(2, attachments=[{"name": "b.pdf", "data_base64": base64.b64encode(good).decode()}]),
        ]
    )
    with sessions(server.engine)() as s, s.begin():
        row = s.get(BlobRow, sha)
        flipped = bytearray(row.data)
        flipped[100] ^= 0x01
        row.data = bytes(flipped)
    cfg = server.terminal(data_dir)
    report = sync_once(cfg)
    assert report.error and "附件" in report.error and "blob-damaged" in report.codes, report.failures
    con = sqlite3.connect(cfg.db_path)
    present = dict(con.execute("SELECT name, present FROM attachments"))
    con.close()
    assert present == {"a.pdf": 0, "b.pdf": 1}  # the damaged one stays invisible, the other still arrives
    assert report.blobs_fetched == 1
    assert not (cfg.blob_dir / sha[:2] / sha).exists()
    assert not (cfg.blob_dir / ".partial" / sha).exists()


def _sqlite_copy(src: Path, dst: Path) -> None:
    a, b = sqlite3.connect(src), sqlite3.connect(dst)
    a.backup(b)
    a.close()
    b.close()


def test_rolled_back_manifest_is_refused(server, data_dir: Path) -> None:
    _seed(server, 3)
    cfg = server.terminal(data_dir)
    assert sync_once(cfg).error is None  # manifest v1 accepted
    backup = server.tmp / "backup.db"
    _sqlite_copy(server.db_path, backup)  # the district's backup of this moment
    server.publish_lines([doc(4), doc(5)], "more.jsonl")
    assert sync_once(cfg).error is None  # manifest v2, cursor 5
    before = mirror_docs(cfg.db_path)
    # the server is restored from the old backup: a validly signed but older manifest
    server.stop()
    server.engine.dispose()
    _sqlite_copy(backup, server.db_path)
    server.engine = open_db(server.db_url)
    server.start()
    report = sync_once(cfg)
    assert report.error and "回滚" in report.error and "rollback" in report.codes
    assert mirror_docs(cfg.db_path) == before and kv(cfg.db_path, "sync.manifest_version") == "2"


def test_expired_manifest_is_refused_and_shown_as_frozen(server, data_dir: Path) -> None:
    _seed(server, 2)
    cfg = server.terminal(data_dir)
    assert sync_once(cfg).error is None
    server.publish_lines([doc(3)], "more.jsonl")
    later = now_utc() + timedelta(days=30)  # the terminal's clock is past the manifest's expiry
    report = sync_once(cfg, now=later)
    assert report.error and "过期" in report.error and "expired" in report.codes
    assert set(mirror_docs(cfg.db_path)) == {"doc-00001", "doc-00002"}
    engine = open_engine(cfg.db_path)
    with session_factory(engine)() as s:
        st = read_status(s, now=later)
        assert st.frozen and st.warning == STALE_WARNING
    engine.dispose()


def _via_proxy(server, proxy, data_dir: Path, **kw):
    return server.terminal(data_dir, url=proxy.url, **kw)


def test_oversized_response_is_abandoned(server, proxy, data_dir: Path) -> None:
    _seed(server)
    cfg = _via_proxy(server, proxy, data_dir, max_mb=1)
    proxy.set_fault("flood", "/v1/manifest")
    t0 = time.monotonic()
    report = sync_once(cfg)
    assert report.error and "上限" in report.error
    assert time.monotonic() - t0 < 10
    assert mirror_docs(cfg.db_path) == {}
    proxy.clear()
    assert sync_once(cfg).error is None and len(mirror_docs(cfg.db_path)) == 6


def test_slow_drip_hits_the_deadline(server, proxy, data_dir: Path) -> None:
    _seed(server)
    cfg = _via_proxy(server, proxy, data_dir, timeout_s=1.0)
    proxy.set_fault("drip", "/v1/changes")
    t0 = time.monotonic()
    report = sync_once(cfg)
    took = time.monotonic() - t0
    assert report.error and "太慢" in report.error
    assert took < 12
    assert mirror_docs(cfg.db_path) == {}


def test_reset_connection_and_500s_leave_the_mirror_unchanged(server, proxy, data_dir: Path) -> None:
    _seed(server)
    cfg = _via_proxy(server, proxy, data_dir)
    for mode in ("reset", "http500"):
        proxy.set_fault(mode, "/v1/changes")
        report = sync_once(cfg, page_size=2)
        assert report.error, mode
        assert mirror_docs(cfg.db_path) == {} and kv(cfg.db_path, "sync.cursor") in (None, "0")
    proxy.clear()
    assert sync_once(cfg, page_size=2).error is None and len(mirror_docs(cfg.db_path)) == 6


def test_server_vanishing_mid_page_keeps_verified_pages(server, proxy, data_dir: Path) -> None:
    _seed(server)
    cfg = _via_proxy(server, proxy, data_dir)
    proxy.set_fault("vanish", "/v1/changes", skip=1)  # the first page arrives, the second is cut off
    report = sync_once(cfg, page_size=2)
    assert report.error and report.pages == 1
    docs = mirror_docs(cfg.db_path)
    assert set(docs) == {"doc-00001", "doc-00002"} and kv(cfg.db_path, "sync.cursor") == "2"
    proxy.clear()
    assert sync_once(cfg, page_size=2).error is None and len(mirror_docs(cfg.db_path)) == 6


def test_unreachable_server_is_a_network_error_in_words(server, data_dir: Path) -> None:
    _seed(server)
    cfg = server.terminal(data_dir)
    server.stop()
    report = sync_once(cfg)
    assert report.error and "无法连接服务器" in report.error
    engine = open_engine(cfg.db_path)
    with session_factory(engine)() as s:
        st = read_status(s)
        assert st.last_error and "无法连接服务器" in st.last_error and st.warning == STALE_WARNING
    engine.dispose()


def test_terminal_config_is_accepted_and_bad_trust_file_refused(server, data_dir: Path, tmp_path: Path, capsys) -> None:
    from kiosk.cli import main

    cfg = server.terminal(data_dir)
    assert config_mod.load(cfg.path) == cfg
    assert cfg.server.trust_key.endswith(PUBLIC_NAME) and cfg.terminal.data_dir == data_dir
    (tmp_path / "bad").mkdir()
    (tmp_path / "bad" / PUBLIC_NAME).write_text("not a key")
    bad = tmp_path / "bad" / "terminal.toml"
    bad.write_text(cfg.path.read_text(encoding="utf-8"), encoding="utf-8")
    capsys.readouterr()
    assert main(["sync", "--once", "--config", str(bad)]) == 2
    assert PUBLIC_NAME in capsys.readouterr().err
    assert dataclasses.replace(cfg) == cfg and json.dumps(True)


def test_page_with_an_entry_dropped_or_meant_for_another_zone_is_refused(server, tmp_path: Path) -> None:
    import pytest

    from kiosk.errors import SignatureError
    from sync.client import TerminalSync
    from sync.http import ServerClient

    server.publish_lines([*ZONES, doc(1), doc(2, zone="wanbao"), doc(3, zone="hexi"), doc(4)])
    own = server.terminal(tmp_path / "wb", "wanbao")
    other = server.terminal(tmp_path / "hx", "hexi")
    params = {"after": 0, "until": 4, "limit": 10, "scope": "own"}
    with ServerClient(own) as c:
        page = c.request("GET", "/v1/changes", "t", params=params)
    with ServerClient(other) as c:
        foreign = c.request("GET", "/v1/changes", "t", params=params)
    engine = open_engine(own.db_path)
    runner = TerminalSync(own, engine)
    try:
        entries, nxt, _remaining = runner._verify_page(page, 0, 4)
        assert [e["seq"] for e in entries] == [1, 2, 4] and nxt == 4
        dropped = dict(page, entries=[page["entries"][0], page["entries"][2]])
        with pytest.raises(SignatureError, match="missing or added"):
            runner._verify_page(dropped, 0, 4)
        with pytest.raises(SignatureError, match="another request"):
            runner._verify_page(foreign, 0, 4)
        with pytest.raises(SignatureError, match="another request"):
            runner._verify_page(page, 1, 4)  # replayed at another cursor
    finally:
        runner.close()
        engine.dispose()
