"""``PrintJobs`` (QML singleton): printing a document on the A4 printer, with its outcome on screen.

1. ``prepare(docId)`` builds the document's A4 PDF (``printing.forms.build_document_pdf``) on the DB
   worker, counts its pages and answers ``prepared(jobId, pages)`` — QML asks before printing many.
2. ``confirm(jobId)`` emits ``printRequested(jobId, docId, pdfPath)`` and hands the job to the print
   handler — the composition root's (:func:`ui.app.attach_print_service`) or, by default, the
   terminal's persisted print queue (:func:`default_print_handler`: ``printing.queue.PrintService``
   shared with the wizard through ``ui.vm_ports``) on the configured A4 printer. The handler reports
   back from any thread; QML hears ``printSent(jobId)`` (已发送到打印机) or ``printFailed(jobId,
   reason)`` (打印机故障，请联系工作人员). A failed job stays in the queue for staff to reprint.
"""

from __future__ import annotations

import logging
import threading
import uuid
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal, Slot
from PySide6.QtQml import QmlElement, QmlSingleton

from kiosk.config import Config
from kiosk.errors import PrinterError
from ui import services
from ui.services import PrintHandler, Report

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

log = logging.getLogger(__name__)

QML_IMPORT_NAME = "Kiosk.Backend"
QML_IMPORT_MAJOR_VERSION = 1

MANY_PAGES = 5


def build_pdf(session: Session, doc_id: str, out_dir: Path, job_id: str) -> tuple[Path, int]:
    """Write the document's A4 PDF under ``out_dir``; returns its path and page count (worker thread)."""
    from sqlalchemy import select

    from kiosk.mirror.models import Document
    from printing.forms import build_document_pdf  # printing/ is the applications engineer's package

    doc = session.scalar(select(Document).where(Document.id == doc_id))
    if doc is None:
        raise LookupError(doc_id)
    pdf = build_document_pdf(doc)
    data: bytes = pdf if isinstance(pdf, bytes) else Path(pdf).read_bytes()
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / f"{job_id}.pdf"
    path.write_bytes(data)
    pages = data.count(b"/Type /Page") - data.count(b"/Type /Pages")
    return path, max(1, pages)


def default_print_handler(cfg: Config) -> PrintHandler:
    """Print on the terminal's A4 printer through its persisted print queue, on a helper thread."""

    def handle(job_id: str, doc_id: str, pdf_path: Path, report: Report) -> None:
        def work() -> None:
            printer = cfg.printer("a4")
            if printer is None:
                report(False, "未配置A4打印机")
                return
            try:
                from ui import vm_ports

                vm_ports.print_service(cfg).print_and_wait(
                    printer.name, pdf_path.read_bytes(), content_type="pdf", kind="document", label=doc_id, timeout=120
                )
                report(True, "")
            except PrinterError as exc:
                log.warning("document print job %s failed: %s", job_id, exc.reason)
                report(False, exc.reason)
            except Exception as exc:  # the resident sees "please contact staff", the log says why
                log.exception("document print job %s failed", job_id)
                report(False, type(exc).__name__)
            finally:
                pdf_path.unlink(missing_ok=True)

        threading.Thread(target=work, name=f"print-{job_id}", daemon=True).start()

    return handle


@QmlElement
@QmlSingleton
class PrintJobs(QObject):
    prepared = Signal(str, int, arguments=["jobId", "pages"])
    printRequested = Signal(str, str, str, arguments=["jobId", "docId", "pdfPath"])
    printSent = Signal(str, arguments=["jobId"])
    printFailed = Signal(str, str, arguments=["jobId", "reason"])

    _reported = Signal(str, bool, str)  # from the handler's thread; queued to the UI thread

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._jobs: dict[str, tuple[str, Path]] = {}
        svc = services.current()
        self._handler = svc.print_handler or default_print_handler(svc.config)
        self._reported.connect(self._on_reported)

    @Slot(str, bool, str)
    def _on_reported(self, job_id: str, ok: bool, reason: str) -> None:
        if ok:
            self.reportSent(job_id)
        else:
            self.reportFailed(job_id, reason)

    @Slot(result=int)
    def manyPages(self) -> int:
        return MANY_PAGES

    @Slot(str)
    def prepare(self, doc_id: str) -> None:
        svc = services.current()
        job_id = uuid.uuid4().hex[:12]
        out_dir = svc.config.data_dir / "print"

        def job(session: Session) -> tuple[Path, int]:
            return build_pdf(session, doc_id, out_dir, job_id)

        def done(result: tuple[Path, int]) -> None:
            self._jobs[job_id] = (doc_id, result[0])
            self.prepared.emit(job_id, result[1])

        def failed(reason: str) -> None:
            log.warning("print preparation failed: %s", reason)
            self.printFailed.emit(job_id, "文档无法生成打印文件")

        svc.worker.submit("", job, done, failed)

    @Slot(str)
    def confirm(self, job_id: str) -> None:
        if job_id not in self._jobs:
            self.printFailed.emit(job_id, "打印任务已失效")
            return
        doc_id, path = self._jobs[job_id]
        self.printRequested.emit(job_id, doc_id, str(path))
        self._handler(job_id, doc_id, path, lambda ok, reason: self._reported.emit(job_id, ok, reason))

    @Slot(str)
    def cancel(self, job_id: str) -> None:
        entry = self._jobs.pop(job_id, None)
        if entry is not None:
            entry[1].unlink(missing_ok=True)

    @Slot(str)
    def reportSent(self, job_id: str) -> None:
        """Called by the print service when the printer accepted the job."""
        self._jobs.pop(job_id, None)
        self.printSent.emit(job_id)

    @Slot(str, str)
    def reportFailed(self, job_id: str, reason: str) -> None:
        """Called by the print service when the job failed (the service keeps it queued for staff)."""
        self.printFailed.emit(job_id, reason)
