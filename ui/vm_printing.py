"""``PrintJobs`` (QML singleton): printing a document on the A4 printer, with its outcome on screen.

1. ``prepare(docId)`` builds the document's A4 PDF on the DB worker, counts its pages and answers
   ``prepared(jobId, pages)`` — QML asks before printing many.
2. ``confirm(jobId)`` queues the PDF on the terminal's persisted print queue (task pool); the queue's
   progress arrives through :class:`ui.events.PrintEvents`, and QML hears ``printSent(jobId)``
   (已发送到打印机) when the printer took it or ``printFailed(jobId, reason)`` (打印机故障，请联系工作人员).
   A failed job stays in the queue for staff to reprint.
"""

from __future__ import annotations

import logging
import uuid
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal, Slot
from PySide6.QtQml import QmlElement, QmlSingleton

from kiosk.errors import PrinterError
from printing.status import resident_hint
from ui.ports import JobUpdate
from ui.services import Services, of_engine

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

log = logging.getLogger(__name__)

QML_IMPORT_NAME = "Kiosk.Backend"
QML_IMPORT_MAJOR_VERSION = 1

MANY_PAGES = 5


@QmlElement
@QmlSingleton
class PrintJobs(QObject):
    prepared = Signal(str, int, arguments=["jobId", "pages"])
    printSent = Signal(str, arguments=["jobId"])
    printFailed = Signal(str, str, arguments=["jobId", "reason"])

    def __init__(self, services: Services, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._svc = services
        self._jobs: dict[str, tuple[str, Path]] = {}  # our job key -> (document id, prepared PDF)

    @staticmethod
    def create(engine: object) -> PrintJobs:
        return PrintJobs(of_engine(engine))

    @Slot(result=int)
    def manyPages(self) -> int:
        return MANY_PAGES

    @Slot(str, result=str)
    def prepare(self, doc_id: str) -> str:
        """Start making the document's PDF; the job's key, which ``prepared`` / ``printFailed`` will carry
        (the page that asked keeps it and ignores the answers to any other page's request)."""
        job_key = uuid.uuid4().hex[:12]
        documents = self._svc.documents

        def job(session: Session) -> tuple[Path, int]:
            return documents.document_pdf(session, doc_id, job_key)

        def done(result: tuple[Path, int]) -> None:
            self._jobs[job_key] = (doc_id, result[0])
            self.prepared.emit(job_key, result[1])

        def failed(reason: str) -> None:
            log.warning("print preparation failed: %s", reason)
            self.printFailed.emit(job_key, "文档无法生成打印文件")

        self._svc.worker.submit("", job, done, failed)
        return job_key

    @Slot(str)
    def confirm(self, job_key: str) -> None:
        entry = self._jobs.pop(job_key, None)
        if entry is None:
            self.printFailed.emit(job_key, "打印任务已失效")
            return
        doc_id, path = entry
        documents = self._svc.documents
        self._svc.pool.run(
            lambda: documents.queue_document(doc_id, path),
            lambda job_id: self._svc.print_events.when_finished(job_id, lambda u: self._finished(job_key, u)),
            lambda exc: self._not_queued(job_key, exc),
        )

    def _not_queued(self, job_key: str, exc: BaseException) -> None:
        reason = exc.reason if isinstance(exc, PrinterError) else type(exc).__name__
        log.warning("document print job %s not queued: %s", job_key, reason)
        self.printFailed.emit(job_key, resident_hint(reason))

    def _finished(self, job_key: str, update: JobUpdate) -> None:
        if update.state == "done":
            self._svc.record_usage("print", what="document")
            self.printSent.emit(job_key)
        else:
            log.warning("document print job %s failed: %s", job_key, update.reason)
            self.printFailed.emit(job_key, resident_hint(update.reason))

    @Slot(str)
    def cancel(self, job_key: str) -> None:
        entry = self._jobs.pop(job_key, None)
        if entry is not None:
            entry[1].unlink(missing_ok=True)
