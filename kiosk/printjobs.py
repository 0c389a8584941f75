"""The print_jobs table: the terminal's persisted print queue (the logic lives in printing.queue).

A job's states: ``queued`` → ``printing`` → ``done`` | ``failed`` (with a reason code from
:data:`printing.status.REASONS`). ``payload`` holds the job's bytes — a receipt's ESC/POS or a form's
PDF, personal data included — and is set to NULL once the job is done, leaving a stub (printer, kind,
label, size, hash, times). Failed jobs keep their bytes so staff can reprint them; a reprint is a new
row with ``reprint_of`` pointing at the failed one and ``attempt`` one higher.

The table lives in the terminal database (defined here so ``kiosk.models`` can register it without
importing ``printing``).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, Integer, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from kiosk.db import Base

JOB_STATES = ("queued", "printing", "done", "failed")
JOB_KINDS = ("receipt", "ticket", "form", "document", "test")


class PrintJob(Base):
    """One print job (打印任务)."""

    __tablename__ = "print_jobs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    printer: Mapped[str] = mapped_column(String(64), index=True)  # PrinterConfig.name
    kind: Mapped[str] = mapped_column(String(16))  # JOB_KINDS
    content_type: Mapped[str] = mapped_column(String(16))  # escpos | pdf
    label: Mapped[str] = mapped_column(String(120), default="")  # non-personal, e.g. a tracking number
    state: Mapped[str] = mapped_column(String(16), index=True, default="queued")
    reason: Mapped[str | None] = mapped_column(String(32))  # set when failed
    detail: Mapped[str | None] = mapped_column(String(300))  # technical, non-personal
    payload: Mapped[bytes | None] = mapped_column(LargeBinary)  # NULL once done (privacy)
    size: Mapped[int] = mapped_column(Integer, default=0)
    sha256: Mapped[str] = mapped_column(String(64), default="")
    attempt: Mapped[int] = mapped_column(Integer, default=1)
    reprint_of: Mapped[int | None] = mapped_column(ForeignKey("print_jobs.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    started_at: Mapped[datetime | None] = mapped_column(DateTime)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime)
