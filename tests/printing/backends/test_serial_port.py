"""Serial through pyserial on a real pseudo-terminal pair; the printer end answers DLE EOT."""

from __future__ import annotations

import os
import select
import threading
from collections.abc import Iterator
from typing import Any

import pytest

from kiosk.errors import PrinterError
from printing.backends import SerialPrinter
from printing.backends.serial_port import parse_target
from printing.escpos.receipt import build_receipt
from printing.status import staff_message


class PtyPrinter:
    def __init__(self, device: Any) -> None:
        self.device = device
        self.master, slave = os.openpty()
        self.path = os.ttyname(slave)
        self._slave = slave
        self._stop = threading.Event()
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        while not self._stop.is_set():
            ready, _, _ = select.select([self.master], [], [], 0.05)
            if not ready:
                continue
            try:
                data = os.read(self.master, 4096)
            except OSError:
                continue
            reply = self.device.feed(data)
            if reply:
                os.write(self.master, reply)

    def close(self) -> None:
        self._stop.set()
        self.thread.join(2)
        os.close(self.master)
        os.close(self._slave)


@pytest.fixture
def pty_printer(status_device: Any) -> Iterator[PtyPrinter]:
    p = PtyPrinter(status_device)
    yield p
    p.close()


def test_receipt_over_a_serial_line(pty_printer: PtyPrinter, receipt_data: Any) -> None:
    data = build_receipt(receipt_data)
    printer = SerialPrinter("serial", f"{pty_printer.path}@19200")
    assert printer.status().ready
    printer.send(data)
    assert bytes(pty_printer.device.received) == data


def test_paper_out_over_serial(pty_printer: PtyPrinter, receipt_data: Any) -> None:
    pty_printer.device.faults.add("paper-out")
    printer = SerialPrinter("serial", pty_printer.path)
    with pytest.raises(PrinterError) as err:
        printer.send(build_receipt(receipt_data))
    assert err.value.reason == "paper_out"
    assert not pty_printer.device.received


def test_paper_running_out_mid_job_is_reported_after_the_job(pty_printer: PtyPrinter, receipt_data: Any) -> None:
    pty_printer.device.paper_runs_out_after = 300
    with pytest.raises(PrinterError) as err:
        SerialPrinter("serial", pty_printer.path).send(build_receipt(receipt_data))
    assert err.value.reason == "paper_out"
    assert err.value.detail.startswith("发送后")
    assert "核对" in staff_message(err.value.reason, err.value.detail)


def test_a_port_that_does_not_exist() -> None:
    status = SerialPrinter("serial", "/dev/nonexistent-tty").status()
    assert status.reason == "unreachable"


def test_target_parsing() -> None:
    assert parse_target("/dev/ttyUSB0") == ("/dev/ttyUSB0", 9600)
    assert parse_target("/dev/ttyS1@19200") == ("/dev/ttyS1", 19200)


def test_timeouts_scale_with_the_bytes_and_the_baud_rate(pty_printer: PtyPrinter) -> None:
    from kiosk.config import PrinterConfig
    from printing.backends.serial_port import transfer_seconds
    from printing.queue import wait_limit

    assert transfer_seconds(96_000, 9600) == 100.0  # an all-image receipt at 9,600 baud: 100 s on the wire
    port = SerialPrinter("serial", f"{pty_printer.path}@1200")._open()
    try:
        assert port.write_timeout >= 2 * 4096 * 10 / 1200  # one 4 KB write at 1,200 baud takes 34 s
    finally:
        port.close()
    serial = PrinterConfig(name="serial", kind="serial", target=f"{pty_printer.path}@9600")
    assert wait_limit(serial, 96_000, 60) == 160  # not a fixed minute
    assert wait_limit(serial, 2_000, 60) == 60
    assert wait_limit(PrinterConfig(name="tcp", kind="tcp", target="127.0.0.1"), 96_000, 60) == 60
