"""First sync from the district's signed snapshot (整库快照), against the real server under uvicorn: the
same mirror and search results as the page-by-page feed, later publications arriving by the feed, every
kind of bad snapshot refused with a fall-back to the feed, and ``kill -9`` during the install."""

from __future__ import annotations

import base64
import gzip
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from faultproxy import FaultProxy
from synchelpers import doc, kv, mirror_docs, submit_application
from syncserver import RunningServer

from kiosk.db import open_engine, session_factory
from kiosk.search import search
from sync.client import sync_once
from sync.protocol import signing
from sync.server.db import open_db
from sync.server.feed import snapshot as server_snapshot
from sync.server.feed.publish import repeal, withdraw

ROOT = Path(__file__).resolve().parents[2]
# the content tables, keyed by document id (row ids differ when documents were deleted on the way)
CONTENT = {
    "documents": "SELECT * FROM documents",
    "document_categories": "SELECT * FROM document_categories",
    "attachments": "SELECT document_id, position, name, sha256, size, mime, present FROM attachments",
    "doc_history": "SELECT document_id, version, title, doc_number, published, body, amended_at FROM doc_history",
    "search_docs": "SELECT d.id, s.doc_number_norm, s.initials, s.meta FROM search_docs s JOIN documents d "
    "ON d.rowid = s.doc_rowid",
}
QUERIES = ("低保金", "政务公开", "通知", "dbj", "修订", "第7号", "河西")


@pytest.fixture
def snap_server(tmp_path: Path, district_keys: Path) -> Iterator[RunningServer]:
    db_path = tmp_path / "district.db"
    url = f"sqlite:///{db_path}"
    srv = RunningServer(
        db_url=url,
        db_path=db_path,
        key_dir=district_keys,
        engine=open_db(url),
        tmp=tmp_path,
        snapshot_dir=tmp_path / "snapshots",
    )
    srv.start()
    yield srv
    srv.stop()
    srv.engine.dispose()


def _publish_district(srv: RunningServer, n: int = 60) -> None:
    """Documents of every kind: district-wide and per zone, with an attachment, amended (history),
    repealed and withdrawn."""
    pdf = b"%PDF-1.4 snapshot attachment " * 200
    lines = []
    for i in range(1, n + 1):
        zone = {0: None, 1: "wanbao", 2: "hexi"}[i % 3]
        extra: dict[str, object] = {"zone": zone} if zone else {}
        if i == 4:  # a wanbao document
            extra["attachments"] = [{"name": "附件.pdf", "data_base64": base64.b64encode(pdf).decode()}]
        lines.append(doc(i, categories=["policy"], **extra))
    srv.ensure_zone("wanbao")
    srv.publish_lines(lines)
    srv.publish_lines([doc(3, title="修订后的第3号通知", body="修订后的正文，政务公开。" * 30)], "amend.jsonl")
    repeal(srv.engine, "doc-00006", by="doc-00009")
    withdraw(srv.engine, "doc-00012")


def _build(srv: RunningServer, scope: str = "own", zone: str | None = "wanbao") -> dict[str, object]:
    assert srv.snapshot_dir is not None
    return server_snapshot.build(srv.engine, signing.load_signer(srv.key_dir), srv.snapshot_dir, scope, zone)


def _rows(db: Path) -> dict[str, list[tuple[object, ...]]]:
    con = sqlite3.connect(db)
    try:
        out = {t: sorted(con.execute(q).fetchall(), key=repr) for t, q in CONTENT.items()}
        out["documents"] = sorted((row[1:] for row in out["documents"]), key=repr)  # without the row id
        return out
    finally:
        con.close()


def _hits(db: Path) -> dict[str, tuple[int, list[str]]]:
    engine = open_engine(db)
    try:
        with session_factory(engine)() as s:
            out = {}
            for q in QUERIES:
                r = search(s, q, limit=50)
                out[q] = (r.total, [h.id for h in r.hits])
            return out
    finally:
        engine.dispose()


def test_snapshot_first_sync_gives_the_same_mirror_and_search_as_the_feed(snap_server, tmp_path: Path) -> None:
    _publish_district(snap_server)
    env = _build(snap_server)
    head = env["payload"]["head_seq"]  # type: ignore[index]
    # published after the snapshot was built: must arrive by the feed in the same run
    snap_server.publish_lines([doc(100, title="快照之后发布的低保金通知"), doc(101, zone="wanbao")], "late.jsonl")
    withdraw(snap_server.engine, "doc-00001")

    snap = snap_server.terminal(tmp_path / "snap")
    feed = snap_server.terminal(tmp_path / "feed")
    # a long-lived reader (the screens' engine) that searched the empty mirror before the install
    screens = open_engine(snap.db_path)
    with session_factory(screens)() as s:
        assert search(s, "低保金").total == 0
    r1 = sync_once(snap)
    with session_factory(screens)() as s:  # the same pooled connection sees the installed index
        assert search(s, "低保金").total > 10
    screens.dispose()
    r2 = sync_once(feed, use_snapshot=False)
    assert r1.error is None and r2.error is None, (r1.error, r2.error)
    assert r1.snapshot is not None and r1.snapshot.head_seq == head and r1.snapshot.documents > 30
    assert r2.snapshot is None
    assert r1.applied == 2 and r1.deleted == 1  # the feed after the snapshot: two new, one withdrawn
    assert "doc-00100" in mirror_docs(snap.db_path) and "doc-00001" not in mirror_docs(snap.db_path)
    assert mirror_docs(snap.db_path) == mirror_docs(feed.db_path)
    assert _rows(snap.db_path) == _rows(feed.db_path)
    assert kv(snap.db_path, "sync.cursor") == kv(feed.db_path, "sync.cursor")
    hits = _hits(snap.db_path)
    assert hits == _hits(feed.db_path)
    assert hits["低保金"][0] > 10 and hits["修订"][1][:1] == ["doc-00003"]
    # the attachment came as a blob after the snapshot, and was verified
    con = sqlite3.connect(snap.db_path)
    assert con.execute("SELECT count(*) FROM attachments WHERE present = 1").fetchone()[0] == 1
    con.close()
    assert r1.blobs_fetched == 1
    assert not any((snap.data_dir / "snapshot").iterdir())  # nothing left behind
    assert "已从整库快照安装" in (kv(snap.db_path, "sync.snapshot_note") or "")
    # a second run is incremental: no snapshot
    assert sync_once(snap).snapshot is None


def _feed_fallback(srv: RunningServer, cfg, expect_error: str | None) -> None:  # type: ignore[no-untyped-def]
    report = sync_once(cfg)
    assert report.snapshot is None
    note = kv(cfg.db_path, "sync.snapshot_note") or ""
    assert "已改为逐页同步" in note and "Traceback" not in note
    if expect_error is None:
        assert report.error is None
    else:
        assert report.error is not None and expect_error in report.error
    # the feed brought everything all the same
    fresh = srv.terminal(cfg.data_dir.parent / "control", cfg.terminal.zone)
    assert sync_once(fresh, use_snapshot=False).error is None
    assert mirror_docs(cfg.db_path) == mirror_docs(fresh.db_path) and len(mirror_docs(cfg.db_path)) > 30


def _body(srv: RunningServer, env: dict[str, object]) -> Path:
    assert srv.snapshot_dir is not None
    path = server_snapshot.body_path(srv.snapshot_dir, env["payload"]["sha256"])  # type: ignore[index]
    assert path is not None
    return path


def test_a_tampered_snapshot_falls_back_to_the_feed(snap_server, tmp_path: Path) -> None:
    _publish_district(snap_server)
    body = _body(snap_server, _build(snap_server))
    data = bytearray(body.read_bytes())
    data[len(data) // 2] ^= 0xFF
    body.write_bytes(bytes(data))
    cfg = snap_server.terminal(tmp_path / "t")
    _feed_fallback(snap_server, cfg, "整库快照")
    assert not list((cfg.data_dir / "snapshot").iterdir())  # nothing of it kept


def test_a_snapshot_signed_by_another_key_falls_back(snap_server, tmp_path: Path, other_keys: Path) -> None:
    _publish_district(snap_server)
    env = _build(snap_server)
    forged = signing.load_signer(other_keys).sign(env["payload"])  # type: ignore[arg-type]
    assert snap_server.snapshot_dir is not None
    (snap_server.snapshot_dir / "own-wanbao.json").write_text(json.dumps(forged), encoding="utf-8")
    _feed_fallback(snap_server, snap_server.terminal(tmp_path / "t"), "签名")


def test_another_zones_snapshot_falls_back(snap_server, tmp_path: Path) -> None:
    _publish_district(snap_server)
    _build(snap_server)  # wanbao's, offered to a hexi terminal (a server mix-up or a replay)
    assert snap_server.snapshot_dir is not None
    d = snap_server.snapshot_dir
    (d / "own-hexi.json").write_text((d / "own-wanbao.json").read_text(encoding="utf-8"), encoding="utf-8")
    _feed_fallback(snap_server, snap_server.terminal(tmp_path / "t", "hexi"), "另一个镇街")


def test_a_snapshot_of_another_schema_revision_falls_back(snap_server, tmp_path: Path) -> None:
    _publish_district(snap_server)
    env = _build(snap_server)
    payload = dict(env["payload"])  # type: ignore[call-overload]
    payload["schema_revision"] = "0013_from_the_future"
    resigned = signing.load_signer(snap_server.key_dir).sign(payload)
    assert snap_server.snapshot_dir is not None
    (snap_server.snapshot_dir / "own-wanbao.json").write_text(json.dumps(resigned), encoding="utf-8")
    _feed_fallback(snap_server, snap_server.terminal(tmp_path / "t"), None)  # not an attack: no run error
    assert "数据库版本" in (kv(tmp_path / "t" / "mirror.db", "sync.snapshot_note") or "")


def test_a_truncated_download_falls_back_and_a_cut_one_resumes(snap_server, tmp_path: Path) -> None:
    _publish_district(snap_server)
    env = _build(snap_server)
    proxy = FaultProxy(snap_server.port)
    try:
        cfg = snap_server.terminal(tmp_path / "t", url=proxy.url)
        proxy.set_fault("vanish", "/v1/snapshot/")  # half the body, then the connection is gone
        report = sync_once(cfg)
        assert report.snapshot is None and report.error is None
        assert "已改为逐页同步" in (kv(cfg.db_path, "sync.snapshot_note") or "")
        assert len(mirror_docs(cfg.db_path)) > 30  # the feed brought it all
        # a terminal whose download was cut keeps what arrived and fetches only the rest (Range)
        proxy.clear()
        cfg2 = snap_server.terminal(tmp_path / "t2", url=proxy.url)
        sha = env["payload"]["sha256"]  # type: ignore[index]
        body = _body(snap_server, env).read_bytes()
        (cfg2.data_dir / "snapshot").mkdir(parents=True)
        (cfg2.data_dir / "snapshot" / f"{sha}.gz").write_bytes(body[: len(body) // 2])
        resumed = sync_once(cfg2)
        assert resumed.snapshot is not None and resumed.error is None
        assert resumed.snapshot.wire_bytes == len(body) - len(body) // 2
        assert mirror_docs(cfg2.db_path) == mirror_docs(cfg.db_path)
    finally:
        proxy.close()


_INSTALL = """
import os, signal, sys
from pathlib import Path
from sqlalchemy import event
from kiosk.db import make_engine
from kiosk.mirror.snapshot import install

db, snap, head, kill_at = Path(sys.argv[1]), Path(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
engine = make_engine(db)
steps = [0]

def tick():
    steps[0] += 1
    if kill_at and steps[0] >= kill_at:
        os.kill(os.getpid(), signal.SIGKILL)  # kill -9 from inside SQLite's work on the install
    return 0

event.listen(engine, "connect", lambda con, _r: con.set_progress_handler(tick, 200))
install(engine, snap, cursor=head)
print(steps[0])
"""


def _install_in_child(db: Path, snap: Path, head: int, kill_at: int) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    args = [sys.executable, "-c", _INSTALL, str(db), str(snap), str(head), str(kill_at)]
    return subprocess.run(args, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=False)


@pytest.mark.slow
def test_kill_9_during_the_install_leaves_the_old_mirror_or_the_new_one(snap_server, tmp_path: Path) -> None:

    _publish_district(snap_server, n=400)
    env = _build(snap_server)
    head, total = env["payload"]["head_seq"], env["payload"]["documents"]  # type: ignore[index]
    snap = tmp_path / "snap.sqlite"
    snap.write_bytes(gzip.decompress(_body(snap_server, env).read_bytes()))
    cfg = snap_server.terminal(tmp_path / "t")
    open_engine(cfg.db_path).dispose()
    tracking = submit_application(cfg)  # queued in the outbox of the same mirror.db: must survive
    # how much work the whole install is, in SQLite progress-handler ticks (on a copy of the mirror)
    probe = tmp_path / "probe.db"
    probe.write_bytes(cfg.db_path.read_bytes())
    done = _install_in_child(probe, snap, head, 0)
    assert done.returncode == 0, done.stderr
    ticks = int(done.stdout.strip())
    assert ticks > 50
    outcomes = []
    for fraction in (0.05, 0.2, 0.4, 0.6, 0.8, 0.95, 2.0):
        proc = _install_in_child(cfg.db_path, snap, head, max(1, int(ticks * fraction)))
        killed = proc.returncode == -signal.SIGKILL
        con = sqlite3.connect(cfg.db_path)
        assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        docs = con.execute("SELECT count(*) FROM documents").fetchone()[0]
        fts = con.execute("SELECT count(*) FROM search_docs").fetchone()[0]
        apps = con.execute("SELECT count(*) FROM applications WHERE tracking_no = ?", (tracking,)).fetchone()[0]
        pending = con.execute("SELECT count(*) FROM outbox").fetchone()[0]
        con.close()
        cursor = int(kv(cfg.db_path, "sync.cursor") or 0)
        assert apps == 1 and pending >= 1
        # never half: the old (empty) content with its cursor, or the whole snapshot with the snapshot's
        assert (docs, fts, cursor) in ((0, 0, 0), (total, total, head)), (fraction, docs, fts, cursor)
        outcomes.append((killed, docs))
        if not killed:
            break
    assert (True, 0) in outcomes and outcomes[-1] == (False, total), outcomes
    assert _hits(cfg.db_path)["低保金"][0] > 100
    # the terminal's next real run goes on from the snapshot's head
    report = sync_once(cfg)
    assert report.error is None and report.snapshot is None and len(mirror_docs(cfg.db_path)) == total


def test_a_terminal_far_behind_takes_the_snapshot_over_its_old_content(
    snap_server, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from sync import snapshot as terminal_snapshot

    _publish_district(snap_server)
    behind = snap_server.terminal(tmp_path / "behind")
    assert sync_once(behind, use_snapshot=False).error is None
    tracking = submit_application(behind)
    # while it was off: amendments, a withdrawal, new documents; then the snapshot
    snap_server.publish_lines([doc(i, title=f"第{i}号修订后的低保金通知") for i in range(20, 40)], "amend2.jsonl")
    snap_server.publish_lines([doc(i, zone="wanbao") for i in range(200, 230)], "new.jsonl")
    withdraw(snap_server.engine, "doc-00010")
    _build(snap_server)
    monkeypatch.setattr(terminal_snapshot, "FAR_BEHIND", 10)
    report = sync_once(behind)
    assert report.snapshot is not None and report.error is None
    control = snap_server.terminal(tmp_path / "control")
    assert sync_once(control, use_snapshot=False).error is None
    assert _rows(behind.db_path) == _rows(control.db_path)
    assert _hits(behind.db_path) == _hits(control.db_path)
    con = sqlite3.connect(behind.db_path)
    assert con.execute("SELECT count(*) FROM applications WHERE tracking_no = ?", (tracking,)).fetchone()[0] == 1
    assert con.execute("SELECT count(*) FROM attachments WHERE present = 1").fetchone()[0] == 1  # blob kept
    con.close()


def test_the_server_builds_a_missing_snapshot_when_asked_and_the_next_terminal_takes_it(
    tmp_path: Path, district_keys: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(server_snapshot, "LAZY_MIN_HEAD", 10)
    db_path = tmp_path / "district.db"
    url = f"sqlite:///{db_path}"
    srv = RunningServer(
        db_url=url,
        db_path=db_path,
        key_dir=district_keys,
        engine=open_db(url),
        tmp=tmp_path,
        snapshot_dir=tmp_path / "snapshots",
        build_snapshots=True,
    )
    srv.start()
    try:
        _publish_district(srv)
        first = sync_once(srv.terminal(tmp_path / "first"))
        assert first.snapshot is None and first.error is None  # none yet: the feed, no error, a build starts
        assert srv.snapshot_dir is not None
        deadline = time.monotonic() + 120
        while server_snapshot.descriptor(srv.snapshot_dir, "own", "wanbao") is None:
            assert time.monotonic() < deadline, "no snapshot was built"
            time.sleep(0.2)
        second = srv.terminal(tmp_path / "second")
        report = sync_once(second)
        assert report.snapshot is not None and report.error is None
        assert mirror_docs(second.db_path) == mirror_docs(tmp_path / "first" / "mirror.db")
    finally:
        srv.stop()
        srv.engine.dispose()
