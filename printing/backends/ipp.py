"""Just enough IPP (RFC 8010/8011) to ask CUPS what became of a job and what state a queue is in.

``lp`` succeeds as soon as the scheduler has the job, whether or not anything prints (a disabled
queue, a printer out of paper, a device that went away all still say "request id is …"). Only the
job's own state says what happened:

    job-state        3 pending · 4 held · 5 processing · 6 processing-stopped · 7 canceled
                     8 aborted · 9 completed
    printer-state    3 idle · 4 processing · 5 stopped
    printer-state-reasons   media-empty-error, cover-open-report, offline-report, paused, …

The request goes to the local scheduler over its domain socket (``/run/cups/cups.sock``) or, when
``CUPS_SERVER`` names a host, over TCP; only the standard library is used (no HTTP client package in
printing/). Operations: Get-Job-Attributes, Get-Printer-Attributes, Cancel-Job.
"""

from __future__ import annotations

import http.client
import os
import socket
import struct
from pathlib import Path
from typing import Any

GET_JOB_ATTRIBUTES = 0x0009
GET_PRINTER_ATTRIBUTES = 0x000B
CANCEL_JOB = 0x0008

JOB_PENDING, JOB_HELD, JOB_PROCESSING, JOB_STOPPED, JOB_CANCELED, JOB_ABORTED, JOB_COMPLETED = range(3, 10)
PRINTER_STOPPED = 5

_TAG_OPERATION, _TAG_END = 0x01, 0x03
_INTEGER, _ENUM, _BOOLEAN = 0x21, 0x23, 0x22
_URI, _CHARSET, _LANGUAGE, _KEYWORD, _NAME = 0x45, 0x47, 0x48, 0x44, 0x42
SOCKET = Path("/run/cups/cups.sock")
TIMEOUT_S = 10.0


class IppError(Exception):
    """The scheduler could not be asked, or answered with an error status."""


class _UnixConnection(http.client.HTTPConnection):
    def __init__(self, path: str, timeout: float) -> None:
        super().__init__("localhost", timeout=timeout)
        self._path = path

    def connect(self) -> None:
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.settimeout(self.timeout)
        sock.connect(self._path)
        self.sock = sock


def _connection() -> http.client.HTTPConnection:
    server = os.environ.get("CUPS_SERVER", "")
    if server.startswith("/"):
        return _UnixConnection(server, TIMEOUT_S)
    if server:
        host, _, port = server.partition(":")
        return http.client.HTTPConnection(host, int(port or 631), timeout=TIMEOUT_S)
    if SOCKET.exists():
        return _UnixConnection(str(SOCKET), TIMEOUT_S)
    return http.client.HTTPConnection("localhost", 631, timeout=TIMEOUT_S)


def _attr(tag: int, name: str, *values: bytes) -> bytes:
    out = b""
    for i, value in enumerate(values):
        key = name.encode() if i == 0 else b""
        out += struct.pack(">BH", tag, len(key)) + key + struct.pack(">H", len(value)) + value
    return out


def request(operation: int, printer_uri: str, extra: bytes = b"", path: str = "/") -> dict[str, list[Any]]:
    """Send one IPP request; the response's attributes by name (integers and enums as int)."""
    body = struct.pack(">HHI", 0x0200, operation, 1) + bytes([_TAG_OPERATION])
    body += _attr(_CHARSET, "attributes-charset", b"utf-8")
    body += _attr(_LANGUAGE, "attributes-natural-language", b"en")
    body += _attr(_URI, "printer-uri", printer_uri.encode())
    body += _attr(_NAME, "requesting-user-name", b"root" if os.geteuid() == 0 else b"kiosk")
    body += extra + bytes([_TAG_END])
    conn = _connection()
    try:
        conn.request("POST", path, body, {"Content-Type": "application/ipp"})
        reply = conn.getresponse()
        data = reply.read()
    except OSError as exc:
        raise IppError(f"打印服务无法连接（{exc.__class__.__name__}）") from exc
    finally:
        conn.close()
    if reply.status != 200 or len(data) < 8:
        raise IppError(f"打印服务应答 HTTP {reply.status}")
    status = struct.unpack(">H", data[2:4])[0]
    if status >= 0x0400:
        raise IppError(f"打印服务拒绝请求（IPP 0x{status:04x}）")
    return _parse(data[8:])


def _parse(data: bytes) -> dict[str, list[Any]]:
    attrs: dict[str, list[Any]] = {}
    i, name = 0, ""
    while i < len(data):
        tag = data[i]
        i += 1
        if tag == _TAG_END:
            break
        if tag < 0x10:  # a group delimiter
            continue
        (name_len,) = struct.unpack(">H", data[i : i + 2])
        i += 2
        if name_len:
            name = data[i : i + name_len].decode("utf-8", "replace")
        i += name_len
        (value_len,) = struct.unpack(">H", data[i : i + 2])
        i += 2
        raw = data[i : i + value_len]
        i += value_len
        value: Any
        if tag in (_INTEGER, _ENUM) and value_len == 4:
            value = struct.unpack(">i", raw)[0]
        elif tag == _BOOLEAN:
            value = bool(raw and raw[0])
        else:
            value = raw.decode("utf-8", "replace")
        attrs.setdefault(name, []).append(value)
    return attrs


def printer_uri(queue: str) -> str:
    return f"ipp://localhost/printers/{queue}"


def job_attributes(queue: str, job_id: int) -> dict[str, list[Any]]:
    """job-state, job-state-reasons, job-printer-state-reasons … of one job."""
    extra = _attr(_INTEGER, "job-id", struct.pack(">i", job_id))
    extra += _attr(
        _KEYWORD,
        "requested-attributes",
        b"job-state",
        b"job-state-reasons",
        b"job-state-message",
        b"job-printer-state-reasons",
        b"job-printer-state-message",
    )
    return request(GET_JOB_ATTRIBUTES, printer_uri(queue), extra)


def printer_attributes(queue: str) -> dict[str, list[Any]]:
    """printer-state, printer-state-reasons, printer-is-accepting-jobs, printer-state-message."""
    extra = _attr(
        _KEYWORD,
        "requested-attributes",
        b"printer-state",
        b"printer-state-reasons",
        b"printer-state-message",
        b"printer-is-accepting-jobs",
    )
    return request(GET_PRINTER_ATTRIBUTES, printer_uri(queue), extra, path=f"/printers/{queue}")


def cancel_job(queue: str, job_id: int) -> None:
    """Cancel the job (so a job the kiosk gave up on does not print later, twice)."""
    request(CANCEL_JOB, printer_uri(queue), _attr(_INTEGER, "job-id", struct.pack(">i", job_id)))
