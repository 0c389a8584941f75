"""A printer's state, the reason codes a failed print job carries, and what each audience is told.

Reason codes (``PrinterError.reason``, ``PrintJob.reason``)::

    paper_out        the roll is empty (DLE EOT 2 bit 5 / DLE EOT 4 bits 5–6)
    cover_open       the cover is open (DLE EOT 2 bit 2)
    offline          the printer reports itself offline (DLE EOT 1 bit 3), or a system queue is disabled
    unreachable      no connection: refused, timed out, the device is missing, or it went away mid-job
    error            the printer reports an error (cutter, unrecoverable), or the spooler refused the job
    unsupported      the printer cannot take this kind of job (a PDF sent to a receipt printer)
    interrupted      the terminal stopped while the job was printing: it may or may not have printed
    partial          the connection went away after part of the job was sent: a partial printout
                     (a receipt with the name and tracking number) may be lying in the tray

``paper_near_end`` is a warning carried in :class:`PrinterStatus`, never a failure.

A resident is only ever told :data:`RESIDENT_MESSAGE` (请联系工作人员); staff see
:func:`staff_message`, which names the reason.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

REASONS = (
    "paper_out",
    "cover_open",
    "offline",
    "unreachable",
    "error",
    "unsupported",
    "interrupted",
    "partial",
    "expired",
)

RESIDENT_MESSAGE = "打印暂时无法完成，请联系工作人员"

# A few words a resident can pass on to staff (no codes, no instructions meant for staff).
_RESIDENT_HINT = {
    "paper_out": "打印机缺纸",
    "cover_open": "打印机盖未合上",
    "offline": "打印机离线",
    "unreachable": "无法连接打印机",
    "error": "打印机故障",
    "unsupported": "打印机不支持此文件",
    "interrupted": "打印中断",
    "partial": "打印中断",
    "expired": "等待打印超时",
    "no_printer": "未配置A4打印机",
}

_STAFF = {
    "paper_out": "打印机缺纸，请装纸后重新打印",
    "cover_open": "打印机盖未合上，请合上后重新打印",
    "offline": "打印机离线，请检查电源和联机状态",
    "unreachable": "无法连接打印机，请检查连接线或网络",
    "error": "打印机报告故障（切刀或内部错误），请检查打印机",
    "unsupported": "该打印机不支持此类打印内容",
    "interrupted": "打印过程中终端中断，无法确认是否已打印，请核对后重新打印",
    "partial": "打印中途连接中断，可能已打出不完整的回执（含姓名和受理编号），请收回后重新打印",
    "expired": "排队过久未能打印，为免无人领取已停止打印（内容保留），请核对申请人是否仍在后重新打印",
}


def resident_message(reason: str) -> str:
    """What a resident sees for a failed job: always the same plain request to fetch staff."""
    return RESIDENT_MESSAGE


AFTER_SEND = "发送后"  # detail prefix: the printer failed after it had received the job's bytes


def resident_hint(reason: str) -> str:
    """The reason in a few plain Chinese words for the resident's screen (never the code itself)."""
    return _RESIDENT_HINT.get(reason, "打印机故障")


def staff_message(reason: str, detail: str = "") -> str:
    """What staff see for a failed job: the reason in Chinese, plus the technical detail if any.

    When the printer failed only after the bytes had reached it (paper ran out mid-receipt), it may
    finish the job by itself once the fault is cleared, so staff are asked to look before reprinting.
    """
    text = _STAFF.get(reason, f"打印失败（{reason}）")
    if detail.startswith(AFTER_SEND):
        text += "；打印机已收到数据，恢复后可能自动续打，请核对后再决定是否重新打印"
    return f"{text}（{detail}）" if detail else text


@dataclass(frozen=True)
class PrinterStatus:
    """A printer's state as far as its connection can tell.

    ``two_way`` says whether the answer came from the printer itself (DLE EOT over TCP, USB or
    serial); a system queue or a file folder can only say whether it accepts jobs.
    """

    ready: bool
    reason: str = ""  # one of REASONS when not ready
    paper_near_end: bool = False
    two_way: bool = False
    detail: str = ""  # technical, non-personal (e.g. "DLE EOT 2 = 0x32")

    @property
    def text(self) -> str:
        """A one-line Chinese summary for staff screens and the command line."""
        if not self.ready:
            return staff_message(self.reason, self.detail)
        warn = "，纸将用尽，请准备更换纸卷" if self.paper_near_end else ""
        how = "" if self.two_way else "（单向连接：只能确认可接收打印任务）"
        return f"打印机就绪{warn}{how}"


# The states the district's fleet page knows (sync heartbeat ``printer_state``), worst first.
FLEET_STATES = ("paper_out", "cover_open", "offline", "unreachable", "error", "paper_low", "ready")


def fleet_state(status: PrinterStatus) -> str:
    """One word for the fleet page: ready, paper_low, paper_out, cover_open, offline, unreachable, error."""
    if status.ready:
        return "paper_low" if status.paper_near_end else "ready"
    return status.reason if status.reason in FLEET_STATES else "error"


def heartbeat_summary(names: list[str], status_of: Callable[[str], PrinterStatus]) -> str:
    """``name=state;…`` for every configured printer (``none`` without printers), for the heartbeat.

    ``status_of`` is the print service's status query (:meth:`printing.queue.PrintService.printer_status`);
    a query that raises counts as ``unreachable``.
    """
    if not names:
        return "none"
    parts = []
    for name in names:
        try:
            state = fleet_state(status_of(name))
        except Exception:  # a backend bug must not stop the heartbeat; the page shows the printer as lost
            state = "unreachable"
        parts.append(f"{name}={state}")
    return ";".join(parts)[:200]
