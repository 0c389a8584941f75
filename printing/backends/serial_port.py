"""ESC/POS over a serial port (RS-232 or a USB-serial adapter) via pyserial, two-way (DLE EOT).

``target`` is a device path (``/dev/ttyUSB0``, ``COM3``) or any pyserial URL (``loop://``),
optionally followed by ``@BAUD`` (default 9600, 8N1, the usual receipt-printer factory setting).
"""

from __future__ import annotations

from typing import Any

from kiosk.errors import PrinterError
from printing.backends.base import CHUNK, STATUS_TIMEOUT_S, query_status, reject_pdf, send_checked
from printing.status import PrinterStatus

DEFAULT_BAUD = 9600
WRITE_TIMEOUT_S = 10.0


def parse_target(target: str) -> tuple[str, int]:
    """``PATH[@BAUD]`` → (path, baud)."""
    path, sep, baud = target.rpartition("@")
    if sep and baud.isdigit():
        return path, int(baud)
    return target, DEFAULT_BAUD


class _SerialLink:
    def __init__(self, port: Any) -> None:
        self.port = port

    def write(self, data: bytes) -> None:
        import serial

        try:
            self.port.write(data)
            self.port.flush()
        except serial.SerialTimeoutException as exc:
            raise PrinterError("offline", "打印机不再接收数据（串口发送超时）") from exc
        except (serial.SerialException, OSError) as exc:
            raise PrinterError("unreachable", f"串口在打印中断开：{exc}") from exc

    def read_byte(self, timeout: float) -> bytes:
        import serial

        try:
            self.port.timeout = timeout
            return bytes(self.port.read(1))
        except (serial.SerialException, OSError) as exc:
            raise PrinterError("unreachable", f"串口读取失败：{exc}") from exc

    def drain(self) -> None:
        import serial

        try:
            self.port.reset_input_buffer()
        except (serial.SerialException, OSError) as exc:
            raise PrinterError("unreachable", f"串口不可用：{exc}") from exc


def transfer_seconds(nbytes: int, baud: int) -> float:
    """How long ``nbytes`` take on the wire at ``baud`` (8N1: ten bits a byte)."""
    return nbytes * 10 / baud


class SerialPrinter:
    """A receipt printer on a serial port."""

    two_way = True

    def __init__(self, name: str, target: str, *, status_timeout: float = STATUS_TIMEOUT_S) -> None:
        self.name = name
        self.url, self.baud = parse_target(target)
        self.status_timeout = status_timeout

    def _open(self) -> Any:
        import serial

        # one write is at most a CHUNK: give it twice the time the wire needs at this baud rate
        write_timeout = max(WRITE_TIMEOUT_S, 2 * transfer_seconds(CHUNK, self.baud))
        try:
            return serial.serial_for_url(
                self.url, baudrate=self.baud, timeout=self.status_timeout, write_timeout=write_timeout
            )
        except (serial.SerialException, OSError, ValueError) as exc:
            raise PrinterError("unreachable", f"无法打开串口 {self.url}：{exc}") from exc

    def send(self, data: bytes, content_type: str = "escpos", title: str = "") -> None:
        reject_pdf(self.name, content_type)
        port = self._open()
        try:
            send_checked(_SerialLink(port), data, self.status_timeout)
        finally:
            port.close()

    def status(self) -> PrinterStatus:
        try:
            port = self._open()
        except PrinterError as exc:
            return PrinterStatus(False, exc.reason, two_way=True, detail=exc.detail)
        try:
            return query_status(_SerialLink(port), self.status_timeout)
        except PrinterError as exc:
            return PrinterStatus(False, exc.reason, two_way=True, detail=exc.detail)
        finally:
            port.close()
