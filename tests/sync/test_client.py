"""The terminal client against the real reference server: first sync, amend/repeal/withdraw, zones,
attachments and blob collection, the calendar, the status for the screens, lookups and the loop."""

from __future__ import annotations

import base64
import hashlib
import json
import sqlite3
import time
from pathlib import Path

import pytest
from synchelpers import CATEGORIES, ZONES, doc, kv, mirror_docs

from kiosk import outbox
from kiosk.db import open_engine, session_factory
from kiosk.errors import NetworkError, ServerError
from kiosk.mirror.blobs import BlobStore
from kiosk.sync_state import STALE_WARNING, read_status
from sync.client import lookup_application, sync_once
from sync.loop import SyncLoop
from sync.server.db import FeedDoc, sessions


@pytest.mark.slow
def test_first_sync_of_the_whole_corpus(server, data_dir: Path, corpus_path: Path) -> None:
    from sync.server.feed.publish import publish_pack

    counts = publish_pack(server.engine, corpus_path)
    cfg = server.terminal(data_dir)
    report = sync_once(cfg, page_size=500)
    assert report.error is None, report.error
    n_lines = sum(1 for line in corpus_path.open(encoding="utf-8") if line.strip())
    assert counts["new"] == n_lines
    docs = mirror_docs(cfg.db_path)
    assert len(docs) == n_lines
    assert kv(cfg.db_path, "sync.cursor") == str(n_lines)
    con = sqlite3.connect(cfg.db_path)
    assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    first = json.loads(corpus_path.open(encoding="utf-8").readline())
    title, body = con.execute("SELECT title, body FROM documents WHERE id = ?", (first["id"],)).fetchone()
    assert (title, body) == (first["title"], first["body"].replace("\x00", ""))
    con.close()


def test_amend_repeal_and_withdraw_propagate(server, data_dir: Path) -> None:
    from sync.server.feed.publish import repeal, withdraw

    server.publish_lines(ZONES + CATEGORIES + [doc(i) for i in range(1, 6)])
    cfg = server.terminal(data_dir)
    assert sync_once(cfg, page_size=2).error is None
    before = mirror_docs(cfg.db_path)
    assert set(before) == {f"doc-{i:05d}" for i in range(1, 6)}
    # amend doc 1 (same id, new text), repeal doc 2 in favour of doc 3, withdraw doc 4
    counts = server.publish_lines([doc(1, title="修订后的标题")], "amend.jsonl")
    assert counts["amended"] == 1
    repeal(server.engine, "doc-00002", by="doc-00003")
    withdraw(server.engine, "doc-00004")
    report = sync_once(cfg, page_size=2)
    assert report.error is None, report.error
    assert report.applied == 2 and report.deleted == 1
    after = mirror_docs(cfg.db_path)
    assert "doc-00004" not in after
    assert after["doc-00001"][0] == 2 and after["doc-00002"][2] == "repealed"
    con = sqlite3.connect(cfg.db_path)
    assert con.execute("SELECT title FROM documents WHERE id='doc-00001'").fetchone()[0] == "修订后的标题"
    assert con.execute("SELECT superseded_by FROM documents WHERE id='doc-00002'").fetchone()[0] == "doc-00003"
    assert con.execute("SELECT count(*) FROM zones").fetchone()[0] == 3
    con.close()
    # nothing changed: a second run moves no documents
    again = sync_once(cfg)
    assert again.error is None and again.applied == 0 and again.pages == 0


def test_zone_scoping(server, tmp_path: Path) -> None:
    server.publish_lines([*ZONES, doc(1), doc(2, zone="wanbao"), doc(3, zone="hexi")])
    own = server.terminal(tmp_path / "wb", "wanbao")
    other = server.terminal(tmp_path / "hx", "hexi")
    everything = server.terminal(tmp_path / "all", "wanbao", mirror_all=True)
    for cfg in (own, other, everything):
        assert sync_once(cfg).error is None
    assert set(mirror_docs(own.db_path)) == {"doc-00001", "doc-00002"}
    assert set(mirror_docs(other.db_path)) == {"doc-00001", "doc-00003"}
    assert set(mirror_docs(everything.db_path)) == {"doc-00001", "doc-00002", "doc-00003"}


def test_attachments_fetched_verified_and_collected(server, data_dir: Path) -> None:
    pdf_a, pdf_b = b"%PDF-1.4 first attachment " * 500, b"%PDF-1.4 second " * 300
    att = [{"name": "附件1.pdf", "data_base64": base64.b64encode(pdf_a).decode()}]
    server.publish_lines([doc(1, attachments=att)])
    cfg = server.terminal(data_dir)
    report = sync_once(cfg)
    assert report.error is None and report.blobs_fetched == 1
    sha_a = hashlib.sha256(pdf_a).hexdigest()
    assert BlobStore(cfg.blob_dir).read_verified(sha_a) == pdf_a
    con = sqlite3.connect(cfg.db_path)
    assert con.execute("SELECT present FROM attachments").fetchone()[0] == 1
    con.close()
    # the amendment swaps the attachment: the old blob is collected
    att2 = [{"name": "附件1.pdf", "data_base64": base64.b64encode(pdf_b).decode()}]
    server.publish_lines([doc(1, attachments=att2)], "amend.jsonl")
    report = sync_once(cfg)
    assert report.error is None and report.blobs_fetched == 1 and report.blobs_collected == 1
    assert not BlobStore(cfg.blob_dir).has(sha_a)


def test_blob_download_resumes_from_a_partial_file(server, data_dir: Path) -> None:
    data = bytes(range(256)) * 400
    sha = hashlib.sha256(data).hexdigest()
    server.publish_lines([doc(1, attachments=[{"name": "a.pdf", "data_base64": base64.b64encode(data).decode()}])])
    cfg = server.terminal(data_dir)
    part = cfg.blob_dir / ".partial" / sha
    part.parent.mkdir(parents=True)
    part.write_bytes(data[:40000])  # what an interrupted run left behind
    assert sync_once(cfg).error is None
    assert BlobStore(cfg.blob_dir).read_verified(sha) == data
    assert not part.exists()


def test_calendar_reaches_the_workday_counter(server, data_dir: Path) -> None:
    from kiosk import workdays
    from kiosk.calendar_store import load_calendar

    cfg = server.terminal(data_dir)
    assert sync_once(cfg).error is None
    engine = open_engine(cfg.db_path)
    with session_factory(engine)() as s:
        years = load_calendar(s)
        assert years is not None and "2026" in years
        assert "2026-10-01" in years["2026"]["holidays"] and "2026-02-14" in years["2026"]["workdays"]
        cal = workdays.load_calendar(s)
        assert cal.year(2026).source == "server"
    engine.dispose()


def test_status_for_the_screens(server, data_dir: Path) -> None:
    server.publish_lines([doc(1)])
    cfg = server.terminal(data_dir)
    engine = open_engine(cfg.db_path)
    with session_factory(engine)() as s:
        st = read_status(s)
        assert st.frozen and st.warning == STALE_WARNING and st.last_success_at is None
    assert sync_once(cfg, engine=engine).error is None
    with session_factory(engine)() as s:
        st = read_status(s)
        assert not st.stale and st.warning is None and st.behind == 0 and st.cursor == 1
        assert st.last_error is None and st.pending_outbox == 0
    engine.dispose()
    from sync.server.db import Terminal
    from sync.server.terminals.fleet import parse_printers

    with sessions(server.engine)() as s:  # the heartbeat told the district about this terminal
        term = s.get(Terminal, "wanbao-01")
        assert term is not None and term.last_heartbeat_at is not None and term.mirror_seq == 1
        assert term.app_version and term.free_disk_mb is not None and term.free_disk_mb > 0
        # no printer in this terminal's configuration: it says so, and the fleet page reads 未配置 (not 未知)
        assert term.printer_state == "none" and term.pending_outbox == 0
        assert [p.label for p in parse_printers(term.printer_state)] == ["未配置"]


def _application(zone: str = "wanbao", tn: str = "WB01-20261127-0001") -> dict[str, object]:
    return {
        "tracking_no": tn,
        "zone": zone,
        "submitted_at": "2026-11-27T10:00:00+08:00",
        "applicant": {"kind": "citizen", "name": "张三", "id_number": "11010519491231002X", "phone": "13800138000"},
        "request": {"description": "2025年低保金发放名单", "purpose": "核实"},
    }


def test_application_delivered_and_looked_up(server, data_dir: Path) -> None:
    cfg = server.terminal(data_dir)
    engine = open_engine(cfg.db_path)
    with session_factory(engine)() as s, s.begin():
        outbox.enqueue(s, "application", _application())
        outbox.enqueue(s, "rating", {"zone": "wanbao", "score": 5})
    report = sync_once(cfg, engine=engine)
    assert report.error is None and report.pushed == 2
    with session_factory(engine)() as s:
        entries = list(s.scalars(__import__("sqlalchemy").select(outbox.OutboxEntry)))
        assert all(e.acked_at is not None and e.payload is None for e in entries)
        app_entry = next(e for e in entries if e.kind == "application")
        assert json.loads(app_entry.response or "{}")["tracking_no"] == "WB01-20261127-0001"
    engine.dispose()
    answer = lookup_application(cfg, "WB01-20261127-0001", "138-0013-8000")
    assert answer["status"] == "received" and answer["deadline"] > answer["received_at"][:10]
    assert "张三" not in json.dumps(answer, ensure_ascii=False)
    with pytest.raises(ServerError):
        lookup_application(cfg, "WB01-20261127-0001", "13900000000")


def test_lookup_offline_raises_network_error(server, data_dir: Path) -> None:
    cfg = server.terminal(data_dir)
    server.stop()
    with pytest.raises(NetworkError):
        lookup_application(cfg, "WB01-20261127-0001", "13800138000")


def test_background_loop_runs_and_stops(server, data_dir: Path) -> None:
    server.publish_lines([doc(1)])
    cfg = server.terminal(data_dir)
    reports = []
    loop = SyncLoop(cfg, on_report=reports.append)
    loop.start()
    deadline = time.monotonic() + 20
    while not reports and time.monotonic() < deadline:
        time.sleep(0.05)
    loop.stop()
    assert reports and reports[0].error is None and reports[0].applied == 1
    assert loop._thread is None


def test_server_feed_is_compacted(server, data_dir: Path) -> None:
    server.publish_lines([doc(1)])
    for n in range(3):
        server.publish_lines([doc(1, title=f"第{n}次修订")], f"a{n}.jsonl")
    with sessions(server.engine)() as s:
        rows = list(s.scalars(__import__("sqlalchemy").select(FeedDoc)))
    assert len(rows) == 1 and rows[0].seq == 4 and rows[0].version == 4


def test_document_moved_to_another_zone_leaves_the_old_zones_mirror(server, tmp_path: Path) -> None:
    server.publish_lines([*ZONES, doc(1, zone="wanbao"), doc(2)])
    wb = server.terminal(tmp_path / "wb", "wanbao")
    hx = server.terminal(tmp_path / "hx", "hexi")
    for cfg in (wb, hx):
        assert sync_once(cfg).error is None
    assert set(mirror_docs(wb.db_path)) == {"doc-00001", "doc-00002"}
    server.publish_lines([doc(1, zone="hexi"), doc(2, zone="wanbao")], "moved.jsonl")
    for cfg in (wb, hx):
        assert sync_once(cfg).error is None
    assert set(mirror_docs(wb.db_path)) == {"doc-00002"}
    assert set(mirror_docs(hx.db_path)) == {"doc-00001"}


def test_sync_once_from_the_command_line(server, tmp_path: Path, capsys) -> None:
    from kiosk.cli import main

    server.publish_lines([doc(1), doc(2)])
    cfg = server.terminal(tmp_path / "kiosk-01" / "data")
    capsys.readouterr()
    assert main(["sync", "--once", "--config", str(cfg.path), "--json"]) == 0
    result = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert result["applied"] == 2 and result["error"] is None
    assert len(mirror_docs(tmp_path / "kiosk-01" / "data" / "mirror.db")) == 2


def test_real_application_and_rating_reach_the_server_and_personal_data_leaves(server, data_dir: Path) -> None:
    from datetime import datetime, timedelta, timezone

    from sqlalchemy import select

    from kiosk.applications import service
    from kiosk.applications.model import Applicant, ApplicantKind, Application, Delivery, IdType, Medium, RequestedInfo
    from kiosk.applications.records import ApplicationRecord
    from kiosk.feedback import record_rating
    from kiosk.mirror.models import Zone
    from kiosk.workdays import WorkCalendar
    from sync.server.db import Submission

    cfg = server.terminal(data_dir)
    app = Application(
        applicant=Applicant(
            kind=ApplicantKind.CITIZEN,
            name="李堃",
            id_type=IdType.RESIDENT_ID,
            id_number="11010519491231002X",
            phone="13912345678",
            address="万宝街道1号",
        ),
        request=RequestedInfo(description="2025年度老旧小区改造资金使用情况"),
        media=(Medium.PAPER,),
        delivery=(Delivery.COLLECT,),
        pledge_accepted=True,
        consent_personal_data=True,
    )
    engine = open_engine(cfg.db_path)
    now = datetime(2026, 11, 27, 10, 30, tzinfo=timezone(timedelta(hours=8)))
    with session_factory(engine)() as s:
        issued = service.submit(
            s,
            app,
            zone=Zone(code="wanbao", name="万宝", kind="street", prefix="WB"),
            terminal_id=cfg.terminal.id,
            now=now,
            calendar=WorkCalendar(),
        )
        record_rating(s, 4, terminal_id=cfg.terminal.id, zone="wanbao")
    assert issued.issued is not None
    tn = issued.issued.tracking_no
    report = sync_once(cfg, engine=engine)
    assert report.error is None and report.pushed == 2
    with session_factory(engine)() as s:
        row = s.scalar(select(ApplicationRecord).where(ApplicationRecord.tracking_no == tn))
        assert row is not None and row.payload is None and row.status == "delivered"
    engine.dispose()
    with sessions(server.engine)() as s:
        sub = s.scalar(select(Submission).where(Submission.tracking_no == tn))
        assert sub is not None and sub.deadline == issued.issued.deadline.isoformat()
        assert s.scalar(select(Submission).where(Submission.kind == "rating")) is not None
    answer = lookup_application(cfg, tn, "13912345678")
    assert answer["deadline"] == issued.issued.deadline.isoformat()


@pytest.mark.slow
def test_a_reissued_tracking_number_is_refused_and_kept_never_lost(server, tmp_path: Path) -> None:
    """A terminal whose database is recreated on the same day issues its first tracking number again.
    The server must not take the second application for a retry of the first (that would purge an
    application the district never got): it refuses it, and the terminal keeps it, personal data and all."""
    import shutil
    from datetime import datetime, timedelta, timezone

    from sqlalchemy import func, select

    from kiosk.applications import service
    from kiosk.applications.model import Applicant, ApplicantKind, Application, Delivery, IdType, Medium, RequestedInfo
    from kiosk.applications.records import ApplicationRecord
    from kiosk.mirror.models import Zone
    from kiosk.workdays import WorkCalendar
    from sync.server.db import Submission

    data_dir = tmp_path / "terminal"
    cfg = server.terminal(data_dir)
    zone = Zone(code="wanbao", name="万宝", kind="street", prefix="WB")
    now = datetime(2026, 11, 27, 10, 30, tzinfo=timezone(timedelta(hours=8)))

    def apply(name: str, what: str) -> str:
        app = Application(
            applicant=Applicant(
                kind=ApplicantKind.CITIZEN,
                name=name,
                id_type=IdType.RESIDENT_ID,
                id_number="11010519491231002X",
                phone="13912345678",
                address="万宝街道1号",
            ),
            request=RequestedInfo(description=what),
            media=(Medium.PAPER,),
            delivery=(Delivery.COLLECT,),
            pledge_accepted=True,
            consent_personal_data=True,
        )
        engine = open_engine(cfg.db_path)
        with session_factory(engine)() as s:
            issued = service.submit(s, app, zone=zone, terminal_id=cfg.terminal.id, now=now, calendar=WorkCalendar())
        engine.dispose()
        assert issued.issued is not None
        return issued.issued.tracking_no

    first = apply("李堃", "2025年度老旧小区改造资金使用情况")
    assert sync_once(cfg).error is None
    shutil.rmtree(data_dir)  # the terminal's disk is replaced; its database starts again
    second = apply("王喆", "万宝镇2026年道路硬化工程招标文件")
    assert second == first, "the scenario: the fresh database issues the same number again"
    report = sync_once(cfg)
    assert report.pushed == 0
    engine = open_engine(cfg.db_path)
    with session_factory(engine)() as s:
        entry = s.scalar(select(outbox.OutboxEntry).where(outbox.OutboxEntry.kind == "application"))
        assert entry is not None and entry.acked_at is None and entry.payload is not None, "kept for staff"
        assert "王喆" in entry.payload and entry.last_error
        row = s.scalar(select(ApplicationRecord).where(ApplicationRecord.tracking_no == second))
        assert row is not None and row.payload is not None and row.status != "delivered"
    engine.dispose()
    with sessions(server.engine)() as s:
        assert s.scalar(select(func.count()).select_from(Submission).where(Submission.tracking_no == first)) == 1
