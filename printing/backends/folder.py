"""A "printer" that writes one file per job into a folder: demo terminals, tests, archiving.

Each job becomes ``YYYYmmddTHHMMSS-NNNNNN-<title>.bin`` (ESC/POS) or ``.pdf``, written to a temporary
name and renamed, so a reader never sees half a job. The folder holds whatever the jobs held,
personal data included: point it at a folder only staff can read, and empty it.
"""

from __future__ import annotations

import itertools
import os
import re
import tempfile
import threading
from datetime import datetime
from pathlib import Path

from kiosk.errors import PrinterError
from printing.backends.base import CONTENT_TYPES
from printing.status import PrinterStatus

_SAFE = re.compile(r"[^A-Za-z0-9_.-]+")
_seq = itertools.count(1)
_lock = threading.Lock()


class FolderPrinter:
    """Writes each job to ``folder``."""

    two_way = False

    def __init__(self, name: str, target: str) -> None:
        self.name = name
        self.folder = Path(target)

    def send(self, data: bytes, content_type: str = "escpos", title: str = "") -> None:
        if content_type not in CONTENT_TYPES:
            raise ValueError(f"unknown content type {content_type!r}")
        suffix = ".pdf" if content_type == "pdf" else ".bin"
        with _lock:
            n = next(_seq)
        stem = f"{datetime.now():%Y%m%dT%H%M%S}-{os.getpid()}{n:06d}"
        safe = _SAFE.sub("_", title)[:40].strip("_")
        path = self.folder / (f"{stem}-{safe}{suffix}" if safe else f"{stem}{suffix}")
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            with tempfile.NamedTemporaryFile(dir=self.folder, suffix=".tmp", delete=False) as tmp:
                tmp.write(data)
                tmp.flush()
                os.fsync(tmp.fileno())
            os.replace(tmp.name, path)
        except OSError as exc:
            raise PrinterError("unreachable", f"无法写入打印文件夹 {self.folder}：{exc.strerror or exc}") from exc

    def status(self) -> PrinterStatus:
        if self.folder.is_dir() and os.access(self.folder, os.W_OK):
            return PrinterStatus(True)
        if not self.folder.exists() and self.folder.parent.is_dir() and os.access(self.folder.parent, os.W_OK):
            return PrinterStatus(True, detail="文件夹将在第一次打印时创建")
        return PrinterStatus(False, "unreachable", detail=f"打印文件夹不可写：{self.folder}")
