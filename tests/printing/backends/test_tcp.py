"""TCP 9100 against emupos (an independent printer emulator) and against printers that misbehave."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from typing import Any

import pytest

from kiosk.errors import PrinterError
from printing.backends import TcpPrinter
from printing.backends.tcp import parse_target
from printing.escpos.receipt import build_receipt
from printing.status import staff_message

pytestmark = pytest.mark.slow  # emupos


@pytest.mark.parametrize(
    ("fault", "reason"),
    [("paper-out", "paper_out"), ("cover-open", "cover_open"), ("offline", "offline")],
)
def test_a_fault_is_detected_before_any_byte_is_sent(emupos: Any, receipt_data: Any, fault: str, reason: str) -> None:
    printer = TcpPrinter("emupos", emupos.target, status_timeout=5.0)
    before = emupos.receipt_ids()
    emupos.fault_set(fault)
    try:
        status = printer.status()
        assert not status.ready
        assert status.reason == reason
        assert status.two_way
        with pytest.raises(PrinterError) as err:
            printer.send(build_receipt(receipt_data))
        assert err.value.reason == reason
    finally:
        emupos.fault_clear(fault)
    assert printer.status().ready
    assert emupos.receipt_ids() == before  # nothing was held back to print later


def test_paper_near_end_is_a_warning_and_the_job_prints(emupos: Any, receipt_data: Any) -> None:
    printer = TcpPrinter("emupos", emupos.target, status_timeout=5.0)
    emupos.fault_set("paper-near-end")
    try:
        status = printer.status()
        assert status.ready
        assert status.paper_near_end
        assert "纸将用尽" in status.text
        before = emupos.receipt_ids()
        printer.send(build_receipt(receipt_data))
        emupos.wait_new_receipt(before)
    finally:
        emupos.fault_clear("paper-near-end")


def test_nothing_listening_is_unreachable() -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    printer = TcpPrinter("gone", f"127.0.0.1:{port}")
    assert printer.status().reason == "unreachable"
    with pytest.raises(PrinterError) as err:
        printer.send(b"\x1b@hello\n")
    assert err.value.reason == "unreachable"


def test_printer_that_goes_away_mid_job_fails_the_job(dropping_printer: Any, receipt_data: Any) -> None:
    printer = TcpPrinter("dropping", f"127.0.0.1:{dropping_printer.port}", status_timeout=2.0)
    with pytest.raises(PrinterError) as err:
        printer.send(build_receipt(receipt_data))
    # not "cannot connect": staff are told a partial receipt may have come out
    assert err.value.reason == "partial"
    assert "不完整的回执" in staff_message(err.value.reason, err.value.detail)
    assert 0 < len(dropping_printer.device.received) < len(build_receipt(receipt_data))


@pytest.fixture
def silent_server() -> Iterator[int]:
    """Accepts connections and reads, never answers: a printer stuck or not speaking ESC/POS."""
    srv = socket.socket()
    srv.bind(("127.0.0.1", 0))
    srv.listen(4)
    conns: list[socket.socket] = []

    def serve() -> None:
        while True:
            try:
                c, _ = srv.accept()
            except OSError:
                return
            conns.append(c)

    threading.Thread(target=serve, daemon=True).start()
    yield int(srv.getsockname()[1])
    srv.close()
    for c in conns:
        c.close()


def test_no_status_reply_within_the_timeout_is_offline(silent_server: int) -> None:
    printer = TcpPrinter("silent", f"127.0.0.1:{silent_server}", status_timeout=0.3)
    status = printer.status()
    assert status.reason == "offline"
    assert "未应答" in status.detail


def test_pdf_is_refused_by_a_receipt_printer() -> None:
    with pytest.raises(PrinterError) as err:
        TcpPrinter("x", "127.0.0.1:9").send(b"%PDF-1.4", "pdf")
    assert err.value.reason == "unsupported"


def test_target_parsing() -> None:
    assert parse_target("192.168.1.50") == ("192.168.1.50", 9100)
    assert parse_target("printer.local:9101") == ("printer.local", 9101)
    with pytest.raises(PrinterError):
        parse_target("host:notaport")
