"""The printer interface, and the DLE EOT status conversation every two-way ESC/POS link shares.

Before a job a two-way printer is asked ``DLE EOT n`` for n = 1 (printer), 2 (offline cause),
3 (error cause) and 4 (roll paper sensor); a printer that is out of paper, has its cover open, is
offline or reports an error gets no bytes and the job fails with that reason. After the bytes are
written it is asked again, which catches paper running out; a connection that went away after the
printer had been found ready fails the job with ``partial``: part of the receipt (with the name and
tracking number) may have come out. A link that does not answer within its timeout counts as offline.
"""

from __future__ import annotations

from typing import Protocol

from kiosk.errors import PrinterError
from printing.status import AFTER_SEND, PrinterStatus

CONTENT_TYPES = ("escpos", "pdf")
DLE_EOT = b"\x10\x04"
STATUS_TIMEOUT_S = 2.0
CHUNK = 4096


class Printer(Protocol):
    """What the print queue needs from a printer."""

    name: str
    two_way: bool

    def send(self, data: bytes, content_type: str = "escpos", title: str = "") -> None:
        """Hand ``data`` to the printer; raises PrinterError (with a reason code) if it cannot."""
        ...

    def status(self) -> PrinterStatus:
        """The printer's state now; never raises for a printer that is merely unavailable."""
        ...


class Link(Protocol):
    """A two-way byte connection to an ESC/POS printer, opened for one job or one status query."""

    def write(self, data: bytes) -> None:
        """Write all of ``data``; raises PrinterError("unreachable") if the connection is lost."""
        ...

    def read_byte(self, timeout: float) -> bytes:
        """One byte, or b"" after ``timeout`` seconds; raises PrinterError if the connection closed."""
        ...

    def drain(self) -> None:
        """Discard bytes waiting to be read (status pushed by the printer, stray replies)."""
        ...


def parse_status(replies: dict[int, int]) -> PrinterStatus:
    """The status from the DLE EOT 1–4 reply bytes (Epson ESC/POS reference, DLE EOT)."""
    printer, offline_cause, error_cause, paper = (replies[n] for n in (1, 2, 3, 4))
    detail = " ".join(f"{n}=0x{replies[n]:02x}" for n in (1, 2, 3, 4))
    near_end = bool(paper & 0x0C)
    if paper & 0x60 or offline_cause & 0x20:
        return PrinterStatus(False, "paper_out", near_end, True, f"DLE EOT {detail}")
    if offline_cause & 0x04:
        return PrinterStatus(False, "cover_open", near_end, True, f"DLE EOT {detail}")
    if error_cause & 0x68 or offline_cause & 0x40:
        return PrinterStatus(False, "error", near_end, True, f"DLE EOT {detail}")
    if printer & 0x08:
        return PrinterStatus(False, "offline", near_end, True, f"DLE EOT {detail}")
    return PrinterStatus(True, "", near_end, True, f"DLE EOT {detail}")


def query_status(link: Link, timeout: float = STATUS_TIMEOUT_S) -> PrinterStatus:
    """Ask DLE EOT 1–4 over ``link``; a missing or malformed answer is reported, not raised."""
    link.drain()
    replies: dict[int, int] = {}
    for n in (1, 2, 3, 4):
        link.write(DLE_EOT + bytes([n]))
        reply = link.read_byte(timeout)
        if not reply:
            return PrinterStatus(False, "offline", two_way=True, detail=f"打印机未应答状态查询 DLE EOT {n}")
        if reply[0] & 0x93 != 0x12:
            detail = f"状态应答格式不对 DLE EOT {n} = 0x{reply[0]:02x}"
            return PrinterStatus(False, "error", two_way=True, detail=detail)
        replies[n] = reply[0]
    return parse_status(replies)


def send_checked(link: Link, data: bytes, timeout: float = STATUS_TIMEOUT_S) -> None:
    """Check the printer, write ``data``, check again; PrinterError with the reason otherwise."""
    before = query_status(link, timeout)
    if not before.ready:
        raise PrinterError(before.reason, before.detail)
    try:
        for start in range(0, len(data), CHUNK):
            link.write(data[start : start + CHUNK])
        after = query_status(link, timeout)
    except PrinterError as exc:
        if exc.reason in ("unreachable", "offline"):  # the printer was there and took some of the bytes
            raise PrinterError("partial", f"{AFTER_SEND}：{exc.detail}") from exc
        raise
    if not after.ready:
        raise PrinterError(after.reason, f"{AFTER_SEND}：{after.detail}")


def reject_pdf(name: str, content_type: str) -> None:
    """Receipt printers take ESC/POS only."""
    if content_type not in CONTENT_TYPES:
        raise ValueError(f"unknown content type {content_type!r}")
    if content_type != "escpos":
        raise PrinterError("unsupported", f"{name} 是小票打印机，只接受 ESC/POS 数据")
