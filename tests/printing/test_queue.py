"""The persisted print queue on a real SQLite file, printing to emupos, a dropping TCP printer and a folder."""

from __future__ import annotations

import hashlib
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from kiosk.errors import ConfigError, PrinterError
from kiosk.printjobs import PrintJob
from printing.backends import FolderPrinter, TcpPrinter
from printing.escpos.receipt import build_receipt
from printing.queue import JobInfo, PrintQueue, PrintQueueError, PrintService
from printing.status import RESIDENT_MESSAGE


@pytest.fixture
def service_factory(engine: Engine) -> Any:
    services: list[PrintService] = []

    def make(printers: dict[str, Any], events: list[JobInfo] | None = None) -> PrintService:
        svc = PrintService(engine, printers, on_change=events.append if events is not None else None)
        svc.start()
        services.append(svc)
        return svc

    yield make
    for svc in services:
        svc.stop()


def payload_in_db(engine: Engine, job_id: int) -> bytes | None:
    with Session(engine) as s:
        return s.scalar(select(PrintJob.payload).where(PrintJob.id == job_id))


@pytest.mark.slow
def test_receipt_prints_and_its_bytes_are_deleted(
    emupos: Any, engine: Engine, service_factory: Any, receipt_data: Any
) -> None:
    events: list[JobInfo] = []
    svc = service_factory({"receipt": TcpPrinter("receipt", emupos.target, status_timeout=5.0)}, events)
    data = build_receipt(receipt_data)
    before = emupos.receipt_ids()
    job = svc.print_and_wait("receipt", data, kind="receipt", label="WB01-20261127-0007")
    assert job.state == "done"
    rid = emupos.wait_new_receipt(before)
    assert "WB01-20261127-0007" in emupos.text_lines(rid)
    assert payload_in_db(engine, job.id) is None  # the stub stays, the personal bytes are gone
    stub = svc.job(job.id)
    assert stub.size == len(data)
    with Session(engine) as s:
        assert s.get(PrintJob, job.id).sha256 == hashlib.sha256(data).hexdigest()  # type: ignore[union-attr]
    assert [e.state for e in events if e.id == job.id] == ["queued", "printing", "done"]


@pytest.mark.slow
def test_paper_out_fails_the_job_keeps_it_and_reprint_works_after_the_fault_clears(
    emupos: Any, engine: Engine, service_factory: Any, receipt_data: Any, tmp_path: Path
) -> None:
    svc = service_factory(
        {
            "receipt": TcpPrinter("receipt", emupos.target, status_timeout=5.0),
            "a4": FolderPrinter("a4", str(tmp_path / "a4")),
        }
    )
    data = build_receipt(receipt_data)
    before = emupos.receipt_ids()
    emupos.fault_cli("set", "paper-out")
    try:
        with pytest.raises(PrinterError) as err:
            svc.print_and_wait("receipt", data, label="WB01-20261127-0007")
        assert err.value.reason == "paper_out"
        other = svc.print_and_wait("a4", b"%PDF-1.4 form", content_type="pdf", kind="form")  # nothing else lost
        assert other.state == "done"
    finally:
        emupos.fault_cli("clear", "paper-out")
    failed = svc.jobs(("failed",))[0]
    assert failed.reason == "paper_out"
    assert failed.reprintable
    assert failed.resident_message == RESIDENT_MESSAGE
    assert "请联系工作人员" in failed.resident_message
    assert "缺纸" in failed.staff_message
    assert payload_in_db(engine, failed.id) == data
    assert emupos.receipt_ids() == before

    again = svc.wait(svc.reprint(failed.id))
    assert again.state == "done"
    assert again.attempt == 2
    assert again.reprint_of == failed.id
    rid = emupos.wait_new_receipt(before)
    assert "WB01-20261127-0007" in emupos.text_lines(rid)
    assert payload_in_db(engine, failed.id) is None  # printed now: no copy of the bytes is left
    assert not svc.job(failed.id).reprintable
    with pytest.raises(PrintQueueError):
        svc.reprint(failed.id)


def test_printer_going_away_mid_job_then_reprint(
    dropping_printer: Any, engine: Engine, service_factory: Any, receipt_data: Any
) -> None:
    svc = service_factory({"receipt": TcpPrinter("receipt", f"127.0.0.1:{dropping_printer.port}")})
    data = build_receipt(receipt_data)
    first = svc.wait(svc.submit("receipt", data))
    assert first.state == "failed"
    assert first.reason == "partial"  # part of the receipt had gone to the printer
    assert first.reprintable
    dropping_printer.accept_bytes = 10**9  # the printer is back and takes whole jobs
    dropping_printer.device.received.clear()
    second = svc.wait(svc.reprint(first.id))
    assert second.state == "done"
    assert bytes(dropping_printer.device.received) == data


def test_a_restart_marks_the_job_in_hand_interrupted_and_prints_what_was_queued(
    engine: Engine, tmp_path: Path, service_factory: Any
) -> None:
    q = PrintQueue(engine)
    in_hand = q.add("a4", b"%PDF in hand", content_type="pdf", kind="form")
    waiting = q.add("a4", b"%PDF waiting", content_type="pdf", kind="form")
    claimed = q.claim_next()
    assert claimed is not None
    assert claimed.id == in_hand  # the terminal dies here, while printing
    svc = service_factory({"a4": FolderPrinter("a4", str(tmp_path / "out"))})
    assert svc.wait(waiting).state == "done"
    interrupted = svc.job(in_hand)
    assert (interrupted.state, interrupted.reason, interrupted.reprintable) == ("failed", "interrupted", True)
    assert [p.read_bytes() for p in (tmp_path / "out").iterdir()] == [b"%PDF waiting"]


def test_bad_submissions_and_discard(engine: Engine, service_factory: Any, tmp_path: Path) -> None:
    svc = service_factory({"a4": FolderPrinter("a4", str(tmp_path))})
    with pytest.raises(ConfigError, match="没有名为"):
        svc.submit("nope", b"x")
    with pytest.raises(ValueError, match="content type"):
        svc.submit("a4", b"x", content_type="png")
    with pytest.raises(PrintQueueError):
        svc.reprint(12345)
    svc.stop()  # the running service would print the job below before it is marked failed (seen once)
    q = PrintQueue(engine)
    job = q.add("a4", b"x")
    q.mark_failed(job, "paper_out")
    q.discard(job)
    assert not q.get(job).reprintable
    assert payload_in_db(engine, job) is None


def test_from_config_prints_receipts_and_tickets_on_the_receipt_printer(
    engine: Engine, tmp_path: Path, receipt_data: Any
) -> None:
    from datetime import datetime

    from kiosk.config import parse
    from printing.escpos.receipt import TicketData

    cfg = parse(
        f'[terminal]\ndata_dir = "{tmp_path}"\ncontent_pack = ""\n'
        '[[printers]]\nname = "A4"\nrole = "a4"\nkind = "file"\ntarget = "a4"\n'
        '[[printers]]\nname = "小票"\nrole = "receipt"\nkind = "file"\ntarget = "receipts"\ncolumns = 32\n',
        tmp_path / "terminal.toml",
    )
    svc = PrintService.from_config(engine, cfg)
    svc.start()
    try:
        job = svc.print_receipt(receipt_data)
        assert (job.state, job.kind, job.label, job.printer) == ("done", "receipt", "WB01-20261127-0007", "小票")
        ticket = svc.print_ticket(TicketData("A012", datetime(2026, 11, 27, 9, 0), receipt_data.zone, 0))
        assert ticket.state == "done"
    finally:
        svc.stop()
    folder = Path(cfg.printers[1].target)
    bodies = [p.read_bytes() for p in sorted(folder.iterdir())]
    assert len(bodies) == 2
    assert b"\x1dv0\x00" + bytes([48, 0, 24, 0]) in bodies[0]  # laid out for 32 columns (384 dots)
    assert "政务信息咨询区".encode("gb18030") in bodies[1]
    assert not Path(cfg.printers[0].target).exists()  # nothing went to the A4 printer


def test_failed_jobs_bytes_are_dropped_after_their_retention(engine: Engine) -> None:
    from datetime import datetime, timedelta

    q = PrintQueue(engine)
    old, recent = q.add("r", b"old personal bytes"), q.add("r", b"recent personal bytes")
    q.mark_failed(old, "paper_out")
    q.mark_failed(recent, "paper_out")
    later = datetime.now() + timedelta(days=30)
    assert q.purge_failed(timedelta(days=3), now=later) == 2
    assert payload_in_db(engine, old) is None
    assert q.get(old).state == "failed"
    assert not q.get(old).reprintable
    again = q.add("r", b"fresh")
    q.mark_failed(again, "offline")
    assert q.purge_failed(timedelta(days=3)) == 0
    assert q.get(again).reprintable


def test_listeners_hear_each_jobs_states_in_order(service_factory: Any, tmp_path: Path) -> None:
    events: list[JobInfo] = []
    svc = service_factory({"a4": FolderPrinter("a4", str(tmp_path))}, events)
    ids = [svc.submit("a4", f"%PDF job {i}".encode(), content_type="pdf", kind="form") for i in range(30)]
    for job_id in ids:
        assert svc.wait(job_id).state == "done"
    for job_id in ids:
        assert [e.state for e in events if e.id == job_id] == ["queued", "printing", "done"]


def test_a_job_that_waited_too_long_is_not_printed_but_kept_for_staff(engine: Engine, tmp_path: Path) -> None:
    # The terminal was off (or the printer offline) for an hour with a receipt and a form queued: printing
    # them now would leave an applicant's name in the tray for the next person. A public document may
    # still print; a receipt queued a minute ago prints.
    folder = tmp_path / "out"
    events: list[JobInfo] = []
    svc = PrintService(engine, {"p": FolderPrinter("p", str(folder))}, on_change=events.append)
    old_receipt = svc.queue.add("p", b"receipt of an hour ago", kind="receipt", label="WB-1")
    old_form = svc.queue.add("p", b"%PDF-1.4 form", content_type="pdf", kind="form")
    old_doc = svc.queue.add("p", b"%PDF-1.4 doc", content_type="pdf", kind="document")
    fresh = svc.queue.add("p", b"receipt of now", kind="receipt", label="WB-2")
    with Session(engine) as s, s.begin():
        for job_id, minutes in ((old_receipt, 61), (old_form, 11), (old_doc, 29), (fresh, 1)):
            s.get(PrintJob, job_id).created_at -= timedelta(minutes=minutes)  # type: ignore[union-attr]
    svc.start()
    try:
        assert svc.wait(fresh, 20).state == "done"
        assert svc.wait(old_doc, 20).state == "done"
        for job_id in (old_receipt, old_form):
            info = svc.job(job_id)
            assert (info.state, info.reason) == ("failed", "expired")
            assert info.reprintable and "排队过久" in info.staff_message
            assert payload_in_db(engine, job_id) is not None  # kept for a reprint
            assert [e.state for e in events if e.id == job_id] == ["failed"]  # the staff screen hears of it
        printed = sorted(p.read_bytes() for p in folder.iterdir())
        assert printed == [b"%PDF-1.4 doc", b"receipt of now"]
        again = svc.reprint(old_receipt)  # staff checked the applicant is there
        assert svc.wait(again, 20).state == "done"
    finally:
        svc.stop()
