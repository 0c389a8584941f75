"""The system print queue through a real CUPS: a raw queue whose backend keeps each job's bytes."""

from __future__ import annotations

import io
import subprocess
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
