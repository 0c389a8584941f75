"""The operating system's print queue: CUPS ``lp`` and ``lpstat`` on Linux (one-way).

PDFs go to the queue as they are (CUPS filters them for the printer); ESC/POS bytes go with
``-o raw`` so nothing touches them. The job's bytes are piped to ``lp`` on standard input, so no
copy of a resident's receipt is left in a temporary file. ``target`` names the queue; empty means
the system's default destination.

``lp`` succeeding only means the scheduler took the job. The job is then followed through its IPP
state (:mod:`printing.backends.ipp`) until CUPS says ``completed`` — only then is it done. A job that
is ``aborted`` or ``canceled``, or that waits on a queue that is stopped (``cupsdisable``) or on a
printer reporting ``media-empty``, ``cover-open`` or ``offline``, fails with that reason, and its CUPS
job is cancelled so it cannot come out later as a duplicate of the reprint. A job that had started
(``processing``) when it failed is reported as ``partial``. Waiting is bounded by ``job_timeout``.

:meth:`SystemPrinter.status` reads ``printer-state`` and ``printer-state-reasons`` the same way.
CUPS only learns that the device behind a queue has gone when it tries to send it a job; until then
the queue looks ready.

Windows: this backend does not drive the Windows print spooler; see docs/printing.md (a receipt
printer there is configured as tcp/usb/serial, and A4 printing goes through the spooler from the
UI layer).
"""

from __future__ import annotations

import contextlib
import os
import re
import subprocess
import sys
import time

from kiosk.errors import PrinterError
from printing.backends import ipp
from printing.backends.base import CONTENT_TYPES
from printing.status import AFTER_SEND, PrinterStatus

LP_TIMEOUT_S = 30.0
JOB_TIMEOUT_S = 120.0  # how long a job may take from the queue to "completed"
POLL_S = 0.1
SETTLE_S = 0.5
_REQUEST_ID = re.compile(r"request id is (\S+)-(\d+)")
# printer-state-reasons (without their -error/-warning/-report suffix) that stop a job, and our reason
_STOPPING = {
    "media-empty": "paper_out",
    "media-needed": "paper_out",
    "media-jam": "error",
    "cover-open": "cover_open",
    "door-open": "cover_open",
    "interlock-open": "cover_open",
    "offline": "offline",
    "shutdown": "offline",
    "paused": "offline",
    "timed-out": "unreachable",
}


def _printer_reason(reasons: list[str]) -> str:
    """Our reason code for the first stopping printer-state-reason, or ""."""
    keys = {re.sub(r"-(error|report)$", "", r) for r in reasons if not r.endswith("-warning")}
    return next((reason for key, reason in _STOPPING.items() if key in keys), "")  # the most specific first


_ENV = {**os.environ, "LANG": "C", "LC_ALL": "C"}


def _reason(stderr: str) -> str:
    text = stderr.lower()
    if "not accepting" in text or "disabled" in text:
        return "offline"
    if any(s in text for s in ("does not exist", "invalid destination", "unable to connect", "not running")):
        return "unreachable"
    return "error"


def _ipp_status(queue: str, ready_detail: str) -> PrinterStatus:
    """The queue's printer-state-reasons: not ready when one of them stops jobs (media-empty …)."""
    try:
        attrs = ipp.printer_attributes(queue)
    except ipp.IppError as exc:
        return PrinterStatus(False, "unreachable", detail=str(exc))
    reasons = [str(r) for r in attrs.get("printer-state-reasons", [])]
    if why := _printer_reason(reasons):
        message = str(attrs.get("printer-state-message", [""])[0])
        return PrinterStatus(False, why, detail=f"{', '.join(reasons)} {message}".strip()[:200])
    return PrinterStatus(True, detail=ready_detail)


class SystemPrinter:
    """A CUPS print queue."""

    two_way = False

    def __init__(self, name: str, target: str = "", *, job_timeout: float = JOB_TIMEOUT_S) -> None:
        self.name = name
        self.queue = target
        self.job_timeout = job_timeout

    def _run(self, args: list[str], data: bytes | None = None) -> subprocess.CompletedProcess[bytes]:
        if sys.platform == "win32":
            raise PrinterError("unsupported", "Windows 打印队列请见 docs/printing.md")
        try:
            return subprocess.run(args, input=data, capture_output=True, timeout=LP_TIMEOUT_S, env=_ENV, check=False)
        except FileNotFoundError as exc:
            raise PrinterError("unreachable", f"没有 {args[0]} 命令（请安装 cups-client）") from exc
        except subprocess.TimeoutExpired as exc:
            raise PrinterError("unreachable", f"{args[0]} 超时（打印服务无响应）") from exc

    def send(self, data: bytes, content_type: str = "escpos", title: str = "") -> None:
        if content_type not in CONTENT_TYPES:
            raise ValueError(f"unknown content type {content_type!r}")
        args = ["lp"]
        if self.queue:
            args += ["-d", self.queue]
        if content_type == "escpos":
            args += ["-o", "raw"]
        if title:
            args += ["-t", title]
        args.append("-")
        done = self._run(args, data)
        if done.returncode != 0:
            err = done.stderr.decode("utf-8", "replace").strip()
            raise PrinterError(_reason(err), err[:200])
        m = _REQUEST_ID.search(done.stdout.decode("utf-8", "replace"))
        if m is None:
            raise PrinterError("error", "lp 没有给出作业号，无法确认是否已打印")
        self.follow(m.group(1), int(m.group(2)))

    def follow(self, queue: str, job_id: int) -> None:
        """Wait until CUPS has completed job ``job_id``; PrinterError (the CUPS job cancelled) if it will not."""
        deadline = time.monotonic() + self.job_timeout
        started = False
        stuck_since: float | None = None
        while True:
            try:
                job = ipp.job_attributes(queue, job_id)
                state = job.get("job-state", [0])[0]
                if state == ipp.JOB_COMPLETED:
                    return
                started = started or state in (ipp.JOB_PROCESSING, ipp.JOB_STOPPED)
                reason, detail = self._why_stuck(queue, job, state)
            except ipp.IppError as exc:
                reason, detail = "unreachable", str(exc)
            if not reason and time.monotonic() > deadline:
                reason, detail = "offline", f"作业在 {self.job_timeout:.0f} 秒内未完成"
            if reason and stuck_since is None and state not in (ipp.JOB_CANCELED, ipp.JOB_ABORTED):
                # CUPS may stop the queue before it has read the backend's last STATE: message
                # (media-empty …): look once more before naming the reason.
                stuck_since = time.monotonic()
                time.sleep(SETTLE_S)
                continue
            if reason:
                if state not in (ipp.JOB_CANCELED, ipp.JOB_ABORTED):
                    self._cancel(queue, job_id)
                detail = f"CUPS 作业 {queue}-{job_id}：{detail}"
                if started:
                    raise PrinterError(
                        "partial" if reason in ("unreachable", "offline") else reason, f"{AFTER_SEND}：{detail}"
                    )
                raise PrinterError(reason, detail)
            time.sleep(POLL_S)

    def _why_stuck(self, queue: str, job: dict[str, list[object]], state: object) -> tuple[str, str]:
        """(reason, detail) when the job will not complete by itself, else ("", "")."""
        job_reasons = [str(r) for r in job.get("job-state-reasons", [])]
        if state in (ipp.JOB_CANCELED, ipp.JOB_ABORTED):
            printer_reasons = [str(r) for r in job.get("job-printer-state-reasons", [])]
            word = "已取消" if state == ipp.JOB_CANCELED else "已中止"
            return _printer_reason(printer_reasons) or "error", f"{word}（{', '.join(job_reasons + printer_reasons)}）"
        printer = ipp.printer_attributes(queue)
        printer_reasons = [str(r) for r in printer.get("printer-state-reasons", [])]
        reason = _printer_reason(printer_reasons)
        if printer.get("printer-state", [0])[0] == ipp.PRINTER_STOPPED:
            reason = reason or "offline"
        if reason:
            message = str(printer.get("printer-state-message", [""])[0])
            return reason, f"打印队列停止（{', '.join(printer_reasons)}{'；' + message if message else ''}）"
        return "", ""

    def _cancel(self, queue: str, job_id: int) -> None:
        with contextlib.suppress(ipp.IppError):  # the scheduler is gone: the job cannot print either
            ipp.cancel_job(queue, job_id)

    def status(self) -> PrinterStatus:
        try:
            queue = self.queue
            if not queue:
                out = self._run(["lpstat", "-d"])
                line = out.stdout.decode("utf-8", "replace")
                if out.returncode != 0 or ":" not in line:
                    return PrinterStatus(False, "unreachable", detail="没有默认打印机")
                queue = line.rsplit(":", 1)[1].strip()
            printer = self._run(["lpstat", "-p", queue])
            accepting = self._run(["lpstat", "-a", queue])
        except PrinterError as exc:
            return PrinterStatus(False, exc.reason, detail=exc.detail)
        p_out = printer.stdout.decode("utf-8", "replace").strip()
        a_out = accepting.stdout.decode("utf-8", "replace").strip()
        if printer.returncode != 0:
            err = printer.stderr.decode("utf-8", "replace").strip()
            return PrinterStatus(False, _reason(err) if err else "unreachable", detail=err[:200])
        if "disabled" in p_out:  # stopped: say why when the printer told CUPS (media-empty …)
            why = _ipp_status(queue, "")
            return why if why.reason not in ("", "offline") else PrinterStatus(False, "offline", detail=p_out[:200])
        if accepting.returncode != 0 or "not accepting" in a_out:
            return PrinterStatus(False, "offline", detail=a_out[:200])
        return _ipp_status(queue, p_out.splitlines()[0][:200] if p_out else "")
