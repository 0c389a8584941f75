"""ESC/POS over USB (printer class, bulk endpoints) via pyusb, two-way: DLE EOT on the IN endpoint.

``target`` is ``vendor:product`` in hex (``0416:5011``). The first interface's bulk OUT endpoint
takes the job, its IN endpoint answers status queries. On Linux the kernel's ``usblp`` driver is
detached from the interface for the job (or give the kiosk user a udev rule and blacklist usblp).
"""

from __future__ import annotations

import contextlib
from typing import Any

from kiosk.errors import PrinterError
from printing.backends.base import STATUS_TIMEOUT_S, query_status, reject_pdf, send_checked
from printing.status import PrinterStatus

WRITE_TIMEOUT_MS = 10_000


def parse_target(target: str) -> tuple[int, int]:
    """``vvvv:pppp`` (hex) → (vendor id, product id)."""
    vendor, sep, product = target.partition(":")
    try:
        if not sep:
            raise ValueError(target)
        return int(vendor, 16), int(product, 16)
    except ValueError:
        raise PrinterError("unreachable", f"USB 打印机地址应为 厂商:产品（十六进制），而不是 {target!r}") from None


class _UsbLink:
    def __init__(self, dev: Any, ep_out: int, ep_in: int) -> None:
        self.dev, self.ep_out, self.ep_in = dev, ep_out, ep_in

    def write(self, data: bytes) -> None:
        import usb.core

        try:
            self.dev.write(self.ep_out, data, WRITE_TIMEOUT_MS)
        except usb.core.USBTimeoutError as exc:
            raise PrinterError("offline", "打印机不再接收数据（USB 发送超时）") from exc
        except usb.core.USBError as exc:
            raise PrinterError("unreachable", f"USB 连接在打印中断开：{exc}") from exc

    def read_byte(self, timeout: float) -> bytes:
        import usb.core

        try:
            data = self.dev.read(self.ep_in, 64, int(timeout * 1000))
        except usb.core.USBTimeoutError:
            return b""
        except usb.core.USBError as exc:
            raise PrinterError("unreachable", f"USB 读取失败：{exc}") from exc
        return bytes(data[-1:])  # the newest byte answers the query just sent

    def drain(self) -> None:
        import usb.core

        for _ in range(16):
            try:
                self.dev.read(self.ep_in, 64, 1)
            except usb.core.USBTimeoutError:
                return
            except usb.core.USBError as exc:
                raise PrinterError("unreachable", f"USB 读取失败：{exc}") from exc


class UsbPrinter:
    """A receipt printer on USB."""

    two_way = True

    def __init__(self, name: str, target: str, *, status_timeout: float = STATUS_TIMEOUT_S) -> None:
        self.name = name
        self.vendor, self.product = parse_target(target)
        self.status_timeout = status_timeout

    def _open(self) -> tuple[Any, _UsbLink]:
        import usb.core
        import usb.util

        where = f"{self.vendor:04x}:{self.product:04x}"
        try:
            dev = usb.core.find(idVendor=self.vendor, idProduct=self.product)
        except usb.core.NoBackendError as exc:
            raise PrinterError("unreachable", f"没有可用的 USB 后端（libusb）：{exc}") from exc
        if dev is None:
            raise PrinterError("unreachable", f"未找到 USB 打印机 {where}")
        try:
            try:
                if dev.is_kernel_driver_active(0):
                    dev.detach_kernel_driver(0)
            except NotImplementedError:
                pass  # Windows/macOS: no kernel driver to detach
            # Already configured (busy) is fine: the active configuration is used below.
            with contextlib.suppress(usb.core.USBError):
                dev.set_configuration()
            intf = dev.get_active_configuration()[(0, 0)]

            def direction(wanted: int) -> Any:
                return usb.util.find_descriptor(
                    intf, custom_match=lambda e: usb.util.endpoint_direction(e.bEndpointAddress) == wanted
                )

            ep_out, ep_in = direction(usb.util.ENDPOINT_OUT), direction(usb.util.ENDPOINT_IN)
        except usb.core.USBError as exc:
            raise PrinterError("unreachable", f"无法打开 USB 打印机 {where}：{exc}") from exc
        if ep_out is None or ep_in is None:
            raise PrinterError("unsupported", f"USB 设备 {where} 没有批量输出/输入端点")
        return dev, _UsbLink(dev, ep_out.bEndpointAddress, ep_in.bEndpointAddress)

    @staticmethod
    def _close(dev: Any) -> None:
        import usb.core
        import usb.util

        if isinstance(dev, usb.core.Device):
            usb.util.dispose_resources(dev)

    def send(self, data: bytes, content_type: str = "escpos", title: str = "") -> None:
        reject_pdf(self.name, content_type)
        dev, link = self._open()
        try:
            send_checked(link, data, self.status_timeout)
        finally:
            self._close(dev)

    def status(self) -> PrinterStatus:
        try:
            dev, link = self._open()
        except PrinterError as exc:
            return PrinterStatus(False, exc.reason, two_way=True, detail=exc.detail)
        try:
            return query_status(link, self.status_timeout)
        except PrinterError as exc:
            return PrinterStatus(False, exc.reason, two_way=True, detail=exc.detail)
        finally:
            self._close(dev)
