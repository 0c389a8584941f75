"""ESC/POS over TCP (port 9100, "raw" or "JetDirect"), two-way: DLE EOT status before and after a job.

The connection is opened per job and per status query, so a printer that was switched off and on
again needs nothing from the terminal. Every wait has a timeout: connecting, writing and each
status reply.
"""

from __future__ import annotations

import select
import socket

from kiosk.errors import PrinterError
from printing.backends.base import STATUS_TIMEOUT_S, query_status, reject_pdf, send_checked
from printing.status import PrinterStatus

DEFAULT_PORT = 9100
CONNECT_TIMEOUT_S = 3.0
WRITE_TIMEOUT_S = 10.0


def parse_target(target: str) -> tuple[str, int]:
    """``host[:port]`` → (host, port); port 9100 when omitted."""
    host, sep, port = target.rpartition(":")
    if not sep:
        return target, DEFAULT_PORT
    if not port.isdigit() or not 0 < int(port) < 65536:
        raise PrinterError("unreachable", f"打印机地址端口不对：{target}")
    return host.strip("[]"), int(port)


class _SocketLink:
    def __init__(self, sock: socket.socket) -> None:
        self.sock = sock

    def write(self, data: bytes) -> None:
        try:
            self.sock.settimeout(WRITE_TIMEOUT_S)
            self.sock.sendall(data)
        except TimeoutError as exc:
            raise PrinterError("offline", "打印机不再接收数据（发送超时）") from exc
        except OSError as exc:
            raise PrinterError("unreachable", f"连接在打印中断开：{exc.strerror or exc}") from exc

    def read_byte(self, timeout: float) -> bytes:
        try:
            self.sock.settimeout(timeout)
            data = self.sock.recv(1)
        except TimeoutError:
            return b""
        except OSError as exc:
            raise PrinterError("unreachable", f"连接中断：{exc.strerror or exc}") from exc
        if not data:
            raise PrinterError("unreachable", "打印机关闭了连接")
        return data

    def drain(self) -> None:
        while True:
            ready, _, _ = select.select([self.sock], [], [], 0)
            if not ready:
                return
            try:
                if not self.sock.recv(4096):
                    raise PrinterError("unreachable", "打印机关闭了连接")
            except OSError as exc:
                raise PrinterError("unreachable", f"连接中断：{exc.strerror or exc}") from exc


class TcpPrinter:
    """A network receipt printer at ``host:port``."""

    two_way = True

    def __init__(self, name: str, target: str, *, status_timeout: float = STATUS_TIMEOUT_S) -> None:
        self.name = name
        self.host, self.port = parse_target(target)
        self.status_timeout = status_timeout

    def _connect(self) -> socket.socket:
        try:
            return socket.create_connection((self.host, self.port), timeout=CONNECT_TIMEOUT_S)
        except TimeoutError as exc:
            raise PrinterError("unreachable", f"连接 {self.host}:{self.port} 超时") from exc
        except OSError as exc:
            raise PrinterError("unreachable", f"无法连接 {self.host}:{self.port}：{exc.strerror or exc}") from exc

    def send(self, data: bytes, content_type: str = "escpos", title: str = "") -> None:
        reject_pdf(self.name, content_type)
        with self._connect() as sock:
            send_checked(_SocketLink(sock), data, self.status_timeout)

    def status(self) -> PrinterStatus:
        try:
            with self._connect() as sock:
                return query_status(_SocketLink(sock), self.status_timeout)
        except PrinterError as exc:
            return PrinterStatus(False, exc.reason, two_way=True, detail=exc.detail)
