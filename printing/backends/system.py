"""The operating system's print queue: CUPS ``lp`` and ``lpstat`` on Linux (one-way).

PDFs go to the queue as they are (CUPS filters them for the printer); ESC/POS bytes go with
``-o raw`` so nothing touches them. The job's bytes are piped to ``lp`` on standard input, so no
copy of a resident's receipt is left in a temporary file. ``target`` names the queue; empty means
the system's default destination.

The spooler only says whether the queue accepts jobs (a disabled queue is ``offline``, a missing
one or a stopped scheduler ``unreachable``); whether the paper ran out is the printer's business
and shows in ``lpstat``, not here.

Windows: this backend does not drive the Windows print spooler; see docs/printing.md (a receipt
printer there is configured as tcp/usb/serial, and A4 printing goes through the spooler from the
UI layer).
"""

from __future__ import annotations

import os
import subprocess
import sys

from kiosk.errors import PrinterError
from printing.backends.base import CONTENT_TYPES
from printing.status import PrinterStatus

LP_TIMEOUT_S = 30.0
_ENV = {**os.environ, "LANG": "C", "LC_ALL": "C"}


def _reason(stderr: str) -> str:
    text = stderr.lower()
    if "not accepting" in text or "disabled" in text:
        return "offline"
    if any(s in text for s in ("does not exist", "invalid destination", "unable to connect", "not running")):
        return "unreachable"
    return "error"


class SystemPrinter:
    """A CUPS print queue."""

    two_way = False

    def __init__(self, name: str, target: str = "") -> None:
        self.name = name
        self.queue = target

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
        if "disabled" in p_out:
            return PrinterStatus(False, "offline", detail=p_out.splitlines()[0][:200])
        if accepting.returncode != 0 or "not accepting" in a_out:
            return PrinterStatus(False, "offline", detail=a_out[:200])
        return PrinterStatus(True, detail=p_out.splitlines()[0][:200] if p_out else "")
