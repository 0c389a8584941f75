"""USB through pyusb, with the device faked at the pyusb boundary (usb.core.find): our code is real."""

from __future__ import annotations

import array
from typing import Any

import pytest
import usb.core

from kiosk.errors import PrinterError
from printing.backends import UsbPrinter
from printing.escpos.receipt import build_receipt


class FakeEndpoint:
    def __init__(self, address: int) -> None:
        self.bEndpointAddress = address


class FakeUsbPrinter:
    """What pyusb's ``usb.core.Device`` offers, backed by a status-answering printer device."""

    def __init__(self, device: Any, *, unplug_after: int | None = None) -> None:
        self.device = device
        self.replies = bytearray()
        self.unplug_after = unplug_after
        self.written = 0
        self.configured = False
        self.detached = False

    def is_kernel_driver_active(self, interface: int) -> bool:
        return not self.detached

    def detach_kernel_driver(self, interface: int) -> None:
        self.detached = True

    def set_configuration(self) -> None:
        self.configured = True

    def get_active_configuration(self) -> dict[tuple[int, int], list[FakeEndpoint]]:
        return {(0, 0): [FakeEndpoint(0x01), FakeEndpoint(0x82)]}

    def write(self, endpoint: int, data: bytes, timeout: int) -> int:
        assert endpoint == 0x01
        if self.unplug_after is not None and self.written >= self.unplug_after:
            raise usb.core.USBError("No such device (it may have been disconnected)", errno=19)
        self.written += len(data)
        self.replies += self.device.feed(bytes(data))
        return len(data)

    def read(self, endpoint: int, size: int, timeout: int) -> array.array[int]:
        assert endpoint == 0x82
        if not self.replies:
            raise usb.core.USBTimeoutError("Operation timed out", errno=110)
        out, self.replies = self.replies[:size], self.replies[size:]
        return array.array("B", out)


@pytest.fixture
def fake_usb(monkeypatch: pytest.MonkeyPatch, status_device: Any) -> FakeUsbPrinter:
    fake = FakeUsbPrinter(status_device)

    def find(idVendor: int, idProduct: int) -> FakeUsbPrinter | None:
        return fake if (idVendor, idProduct) == (0x0416, 0x5011) else None

    monkeypatch.setattr(usb.core, "find", find)
    return fake


def test_job_goes_to_the_out_endpoint_after_a_status_check(fake_usb: FakeUsbPrinter, receipt_data: Any) -> None:
    data = build_receipt(receipt_data)
    printer = UsbPrinter("usb", "0416:5011")
    assert printer.status().ready
    printer.send(data)
    # the device's stream holds the job exactly; DLE EOT queries were answered, not printed
    assert data in bytes(fake_usb.device.received)
    assert fake_usb.detached
    assert fake_usb.configured


def test_paper_out_over_usb(fake_usb: FakeUsbPrinter, receipt_data: Any) -> None:
    fake_usb.device.faults.add("paper-out")
    printer = UsbPrinter("usb", "0416:5011")
    assert printer.status().reason == "paper_out"
    with pytest.raises(PrinterError) as err:
        printer.send(build_receipt(receipt_data))
    assert err.value.reason == "paper_out"
    assert not fake_usb.device.received


def test_unplugged_mid_job(fake_usb: FakeUsbPrinter, receipt_data: Any) -> None:
    fake_usb.unplug_after = 100
    with pytest.raises(PrinterError) as err:
        UsbPrinter("usb", "0416:5011").send(build_receipt(receipt_data))
    assert err.value.reason == "partial"  # 100 bytes had gone: part of a receipt may be out


def test_missing_device_and_bad_target(fake_usb: FakeUsbPrinter) -> None:
    assert UsbPrinter("usb", "04b8:0202").status().reason == "unreachable"
    with pytest.raises(PrinterError):
        UsbPrinter("usb", "not-a-usb-id")
