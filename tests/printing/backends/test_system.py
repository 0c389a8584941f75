"""The system print queue through a real CUPS: a raw queue whose backend keeps each job's bytes."""

from __future__ import annotations

import io
import subprocess
from pathlib import Path
from typing import Any

import pytest
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen.canvas import Canvas

from kiosk.errors import PrinterError
from printing.backends import SystemPrinter
from printing.escpos.receipt import build_receipt

pytestmark = pytest.mark.slow  # starts cupsd when it is not running


def small_pdf() -> bytes:
    buf = io.BytesIO()
    c = Canvas(buf, pagesize=A4)
    c.drawString(72, 720, "kiosk CUPS test page")
    c.showPage()
    c.save()
    return buf.getvalue()


def test_pdf_and_receipt_arrive_byte_for_byte(cups: Any, receipt_data: Any) -> None:
    printer = SystemPrinter("cups", cups.queue)
    assert printer.status().ready
    for data, content_type in ((small_pdf(), "pdf"), (build_receipt(receipt_data), "escpos")):
        before = cups.done()
        printer.send(data, content_type, "kiosk-test")
        captured = cups.wait_captured(before)
        assert captured.read_bytes() == data


def test_a_disabled_queue_is_offline_and_refuses_nothing_silently(cups: Any) -> None:
    printer = SystemPrinter("cups", cups.queue)
    subprocess.run(["cupsreject", cups.queue], check=True, timeout=30)
    try:
        status = printer.status()
        assert not status.ready
        assert status.reason == "offline"
        with pytest.raises(PrinterError) as err:
            printer.send(b"\x1b@x\n", "escpos")
        assert err.value.reason == "offline"
    finally:
        subprocess.run(["cupsaccept", cups.queue], check=True, timeout=30)
    assert printer.status().ready


def test_a_queue_that_does_not_exist(cups: Any) -> None:
    printer = SystemPrinter("cups", "no-such-queue-kiosk")
    assert printer.status().reason == "unreachable"
    with pytest.raises(PrinterError) as err:
        printer.send(b"x", "escpos")
    assert err.value.reason == "unreachable"


def cups_jobs(queue: str, which: str) -> str:
    out = subprocess.run(["lpstat", "-W", which, "-o", queue], capture_output=True, text=True, timeout=30, check=False)
    return out.stdout


def test_a_completed_job_is_followed_to_completed(cups: Any) -> None:
    printer = SystemPrinter("cups", cups.queue)
    before = cups.done()
    printer.send(b"\x1b@done\n", "escpos")  # returns only once CUPS says completed
    assert cups.wait_captured(before, timeout=1).read_bytes() == b"\x1b@done\n"


def test_a_stopped_queue_fails_the_job_and_keeps_its_bytes(cups: Any, engine: Any, receipt_data: Any) -> None:
    """cupsdisable: lp still succeeds, but the job's IPP state says nothing printed."""
    from printing.queue import PrintService

    svc = PrintService(engine, {"cups": SystemPrinter("cups", cups.queue, job_timeout=20)})
    svc.start()
    subprocess.run(["cupsdisable", cups.queue], check=True, timeout=30)
    try:
        data = build_receipt(receipt_data)
        with pytest.raises(PrinterError) as err:
            svc.print_and_wait("cups", data, kind="receipt", label="WB01-20261127-0007", timeout=30)
        assert err.value.reason == "offline"
        assert "paused" in err.value.detail
        job = svc.jobs(limit=1)[0]
        assert job.state == "failed"
        assert job.reprintable  # its bytes are kept for staff
        assert cups.queue not in cups_jobs(cups.queue, "not-completed")  # cancelled: no late duplicate
    finally:
        subprocess.run(["cupsenable", cups.queue], check=True, timeout=30)
        svc.stop()
    assert printer_ready(cups.queue)


def printer_ready(queue: str) -> bool:
    return SystemPrinter("cups", queue).status().ready


def test_a_printer_reporting_media_empty_fails_with_paper_out(cups: Any, tmp_path: Any) -> None:
    """A backend that reports media-empty and stops the queue, as a real one does when the roll ends."""
    backend = Path("/usr/lib/cups/backend/kioskpaperout")
    backend.write_text(
        '#!/bin/sh\n[ $# -eq 0 ] && { echo \'direct kioskpaperout "Unknown" "test"\'; exit 0; }\n'
        "echo 'STATE: +media-empty-error' >&2\necho 'ERROR: out of paper' >&2\nexit 4\n"
    )
    backend.chmod(0o700)
    queue = cups.queue + "-paperout"
    subprocess.run(
        ["lpadmin", "-p", queue, "-E", "-v", "kioskpaperout:/", "-m", "raw"],
        capture_output=True,
        timeout=30,
        check=True,
    )
    try:
        printer = SystemPrinter("cups", queue, job_timeout=20)
        with pytest.raises(PrinterError) as err:
            printer.send(b"\x1b@x\n", "escpos")
        assert err.value.reason == "paper_out", err.value.detail
        status = printer.status()
        assert not status.ready
        assert status.reason == "paper_out"
    finally:
        subprocess.run(["lpadmin", "-x", queue], capture_output=True, timeout=30, check=False)
        backend.unlink()
