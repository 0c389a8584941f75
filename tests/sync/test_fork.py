"""The fork check (sync/fork.py) against the real server under uvicorn: a restored server (new epoch), a
server whose database was swapped by hand (same epoch, other history), the refusal to serve an older
database, and the report of acknowledged applications a restored server lacks."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from synchelpers import doc, kv, mirror_docs, submit_application
from syncserver import RunningServer

from kiosk.config import Config
from sync.client import sync_once
from sync.server import recovery
from sync.server.db import open_db, sessions
from sync.server.feed import chain


def _server_set(srv: RunningServer, zone: str = "wanbao") -> dict[str, int]:
    from sync.server.db import FeedDoc

    with sessions(srv.engine)() as s:
        rows = s.query(FeedDoc.id, FeedDoc.version, FeedDoc.zone).filter(FeedDoc.op == "put").all()
    return {i: v for i, v, z in rows if z in (None, zone)}


def _mirror_set(cfg: Config) -> dict[str, int]:
    return {i: v for i, (v, _s, _st) in mirror_docs(cfg.db_path).items()}


def _swap_db(srv: RunningServer, source: Path) -> None:
    """Stop the server, put ``source`` in place of its database (by hand), start it again on its port."""
    srv.stop()
    srv.engine.dispose()
    for suffix in ("-wal", "-shm"):
        Path(str(srv.db_path) + suffix).unlink(missing_ok=True)
    shutil.copyfile(source, srv.db_path)
    srv.engine = open_db(srv.db_url)
    srv.start()


def test_chain_links_every_issued_entry_and_survives_compaction(server: RunningServer) -> None:
    server.publish_lines([doc(1), doc(2)])
    server.publish_lines([doc(1, title="修订后的标题")])  # doc 1 moves to seq 3: its row is rewritten
    with sessions(server.engine)() as s:
        values = [chain.chain_at(s, n) for n in range(0, 4)]
        assert chain.head(s) == values[3] and values[0] == chain.GENESIS
        assert len(set(values)) == 4  # each issued entry moved the chain, the rewritten one included
        assert chain.chain_at(s, 99) == values[3]


def test_restored_server_is_noticed_and_healed(server: RunningServer, tmp_path: Path) -> None:
    server.publish_lines([doc(i) for i in range(1, 11)])
    cfg = server.terminal(tmp_path / "t1")
    assert sync_once(cfg).error is None
    backup = recovery.backup_sqlite(server.db_url, tmp_path / "backup.db")
    server.publish_lines([doc(i) for i in range(11, 21)] + [doc(3, title="第三号修订")])
    tn = submit_application(cfg)
    assert sync_once(cfg).error is None
    assert _mirror_set(cfg)["doc-00003"] == 2

    server.stop()
    server.engine.dispose()
    state = tmp_path / "feed-state.json"
    recovery.write_state(state, recovery.SignedState(1, 5, 21, "0" * 64))
    recovery.restore(server.db_url, backup, state, None)
    server.engine = open_db(server.db_url)
    server.start()
    server.publish_lines([doc(i, title=f"恢复后{i}") for i in range(31, 36)])  # seqs 11-15 again, other content

    report = sync_once(cfg)
    assert report.error is not None and "已从备份恢复" in report.error, report.error
    assert report.codes[0] == "fork"
    assert _mirror_set(cfg) == _server_set(server)  # doc 3 back to version 1, 11-20 gone, 31-35 there
    assert kv(cfg.db_path, "sync.fork") == "" and kv(cfg.db_path, "sync.acks_due") == ""
    with sessions(server.engine)() as s:
        assert [a.tracking_no for a in recovery.lost_applications(s)] == [tn]
    again = sync_once(cfg)
    assert again.error is None, again.error


def test_swapped_database_same_epoch_is_a_fork(server: RunningServer, tmp_path: Path) -> None:
    server.publish_lines([doc(i) for i in range(1, 6)])
    cfg = server.terminal(tmp_path / "t1")
    copy = recovery.backup_sqlite(server.db_url, tmp_path / "copy.db")
    server.publish_lines([doc(i) for i in range(6, 9)])
    assert sync_once(cfg).error is None
    _swap_db(server, copy)  # no restore: the same epoch, the head below the terminal's cursor
    server.publish_lines([doc(i, title=f"另一份{i}") for i in range(40, 44)])  # head 9 again, other history
    report = sync_once(cfg)
    assert report.codes[0] == "fork", report.errors
    assert _mirror_set(cfg) == _server_set(server)
    assert sync_once(cfg).error is None


def test_page_with_other_history_below_the_head_is_a_fork(server: RunningServer, tmp_path: Path) -> None:
    server.publish_lines([doc(i) for i in range(1, 6)])
    cfg = server.terminal(tmp_path / "t1")
    assert sync_once(cfg).error is None
    copy = recovery.backup_sqlite(server.db_url, tmp_path / "copy.db")
    server.publish_lines([doc(i) for i in range(6, 8)])
    assert sync_once(cfg).error is None  # cursor 7
    _swap_db(server, copy)
    server.publish_lines([doc(i, title=f"另{i}") for i in range(20, 30)])  # head 15 > cursor 7, other 6-7
    report = sync_once(cfg)
    assert report.codes[0] == "fork", report.errors
    assert _mirror_set(cfg) == _server_set(server)


def test_serve_refuses_a_database_older_than_what_it_signed(server: RunningServer, tmp_path: Path) -> None:
    state = tmp_path / "state.json"
    server.publish_lines([doc(1)])
    copy = recovery.backup_sqlite(server.db_url, tmp_path / "copy.db")
    server.publish_lines([doc(2)])
    from sync.protocol import signing
    from sync.server.feed.manifest import current_manifest

    with sessions(server.engine)() as s:
        current_manifest(s, signing.load_signer(server.key_dir), 3600, state)
    assert recovery.check_not_older(server.engine, state).head_seq == 2
    old = open_db(f"sqlite:///{copy}")
    with pytest.raises(recovery.RecoveryError, match="restore"):
        recovery.check_not_older(old, state)
    old.dispose()
    after = recovery.restore(f"sqlite:///{copy}", None, state, None)
    assert after.epoch == 2 and after.manifest_version >= 1
    old = open_db(f"sqlite:///{copy}")
    assert recovery.check_not_older(old, state).epoch == 2
    with sessions(old)() as s:
        text = current_manifest(s, signing.load_signer(server.key_dir), 3600, state)
    payload = json.loads(text)["payload"]
    assert payload["epoch"] == 2 and payload["version"] == after.manifest_version + 1
    old.dispose()
