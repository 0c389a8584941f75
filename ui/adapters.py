"""The ports of :mod:`ui.ports` over the real core, printing and sync (Qt-free; built once by
:mod:`ui.app`).

Database calls use the session they are given (the DB worker's own connection); printing goes through
the terminal's one persisted print queue (:class:`printing.queue.PrintService`), which keeps a failed
job's bytes and reason for staff to reprint; the network through :mod:`sync.client`; "sync now" asks
the running :class:`sync.loop.SyncLoop` for a run instead of starting a second one beside it.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kiosk.config import Config, PrinterConfig
from kiosk.errors import PrinterError, ServerError, StorageError, ValidationError
from kiosk.staff import StaffGate
from ui.ports import (
    LocalStatus,
    PrinterRow,
    PrintJobRow,
    RecentApplication,
    StaffSnapshot,
    SubmitOutcome,
    SyncRow,
)

if TYPE_CHECKING:  # the core's SQLAlchemy side is imported on the worker threads that use it, not at start
    from sqlalchemy.orm import Session

    from printing.queue import JobInfo, PrintService

log = logging.getLogger(__name__)

# The print service starts beside the shell (its imports and its queue recovery off the UI thread);
# the ports get it through this getter, which waits until it is running (they run on worker threads).
PrintServiceGetter = Callable[[], "PrintService"]


def _now(zone_name: str = "Asia/Shanghai") -> datetime:
    """Now in the terminal's configured zone (kiosk.localtime), whatever the OS clock's zone."""
    from kiosk import localtime

    return localtime.now(zone_name)


def _printer(cfg: Config, role: str) -> PrinterConfig:
    printer = cfg.printer(role)
    if printer is None:
        raise PrinterError("no_printer", f"no {role} printer configured")
    return printer


def queue_receipt(cfg: Config, printing: PrintService, session: Session, tracking_no: str) -> int:
    """Build the application's receipt from the stored record and queue it; the job id."""
    from kiosk.applications import service
    from kiosk.mirror.models import Zone
    from printing.escpos.receipt import build_receipt, receipt_from_application, receipt_from_facts, zone_info

    summary = service.lookup(session, tracking_no)
    zone = session.get(Zone, cfg.terminal.zone)
    if summary is None or zone is None or (summary.application is None and summary.receipt_facts is None):
        raise PrinterError("error", "the application's details are no longer held here")
    # the QR opens the district's public status page (sync/server/office/public.py) when there is a server
    status_url = f"{cfg.server.url.rstrip('/')}/status" if cfg.server.url else ""
    if summary.application is not None:
        data = receipt_from_application(summary.application, zone_info(zone), status_url)
    else:  # delivered: the personal data has left the terminal; the receipt's facts are kept (补打)
        assert summary.receipt_facts is not None
        data = receipt_from_facts(summary.receipt_facts, zone_info(zone), status_url)
    try:
        printer = printing.receipt_printer()
    except Exception as exc:
        raise PrinterError("no_printer", str(exc)) from exc
    return printing.submit(printer.name, build_receipt(data, printer), kind="receipt", label=data.tracking_no)


class CoreApplicationsPort:
    """The wizard's port: validation and submission in kiosk.applications, the receipt in printing."""

    def __init__(self, cfg: Config, printing: PrintServiceGetter) -> None:
        self.cfg = cfg
        self._printing = printing

    def validate(self, application: dict[str, Any]) -> dict[str, str]:
        from kiosk.applications.form import application_from_wizard
        from kiosk.applications.validation import validate

        try:
            validate(application_from_wizard(application), today=_now(self.cfg.terminal.timezone).date())
        except ValidationError as exc:
            return dict(exc.errors)
        return {}

    def submit(self, session: Session, application: dict[str, Any]) -> SubmitOutcome:
        from kiosk.applications import service
        from kiosk.applications.form import application_from_wizard
        from kiosk.mirror.models import Zone

        zone = session.get(Zone, self.cfg.terminal.zone)
        if zone is None:
            raise StorageError(f"zone {self.cfg.terminal.zone!r} is not in the mirror")
        app = service.submit(
            session,
            application_from_wizard(application),
            zone=zone,
            terminal_id=self.cfg.terminal.id,
            now=_now(self.cfg.terminal.timezone),
        )
        assert app.issued is not None
        return SubmitOutcome(app.issued.tracking_no, app.issued.deadline.isoformat(), app.issued.deadline_explanation)

    def queue_receipt(self, session: Session, tracking_no: str) -> int:
        return queue_receipt(self.cfg, self._printing(), session, tracking_no)


class CoreStatusPort:
    """The status lookup's port: the terminal's own record, then the server through sync.client."""

    def __init__(self, cfg: Config) -> None:
        self.cfg = cfg

    @property
    def server_configured(self) -> bool:
        return bool(self.cfg.server.url)

    def local_status(self, session: Session, tracking_no: str, phone: str) -> LocalStatus | None:
        from kiosk.applications import service
        from kiosk.applications.validation import normalise_phone

        summary = service.lookup(session, tracking_no)
        if summary is None:
            return None
        app = summary.application
        if app is not None and normalise_phone(app.applicant.phone) != normalise_phone(phone):
            return None  # the phone must match before anything is said about the number
        return LocalStatus(
            submitted_at=f"{summary.submitted_at:%Y-%m-%d %H:%M}",
            deadline=summary.deadline.isoformat(),
            delivered=summary.status == "delivered",
            phone_checked=app is not None,
            tracking_no=summary.tracking_no,
        )

    def server_status(self, tracking_no: str, phone: str) -> dict[str, Any] | None:
        from sync.client import lookup_application

        try:
            return lookup_application(self.cfg, tracking_no, phone)
        except ServerError as exc:
            if getattr(exc, "status", None) == 404:  # sync.http.StatusError: no such number with that phone
                return None
            raise


class CoreStaffPort:
    """Staff mode's port: the PIN gate with its persisted lockout, printing, the queue, sync."""

    def __init__(self, cfg: Config, printing: PrintServiceGetter, sync_trigger: Callable[[], None] | None) -> None:
        self.cfg = cfg
        self._printing = printing
        self.sync_trigger = sync_trigger
        self.gate = StaffGate(cfg.staff.pin_hash, cfg.staff.max_failures, cfg.staff.lockout_s, clock=time.time)

    def check_pin(self, session: Session, pin: str) -> tuple[bool, int]:
        from kiosk.staff_lockout import check_pin_persisted

        ok = check_pin_persisted(session, self.gate, pin)
        return ok, int(self.gate.seconds_locked())

    def seconds_locked(self, session: Session) -> int:
        from kiosk.staff_lockout import seconds_locked

        return seconds_locked(session, self.gate)

    def snapshot(self, session: Session) -> StaffSnapshot:
        from kiosk.applications import service
        from kiosk.sync_state import read_status

        recent = [
            RecentApplication(
                r.tracking_no,
                (r.applicant_name_masked or "（已送达）") + _drawing_note(r),
                f"{r.submitted_at:%m-%d %H:%M}",
                r.status == "delivered",
                r.application is not None or r.receipt_facts is not None,
            )
            for r in service.recent(session, limit=20)
        ]
        st = read_status(session)
        listed = self._printing().jobs(limit=30)
        titles = _document_titles(session, [j.label for j in listed if j.kind == "document"])
        jobs = [_job_row(j, titles) for j in listed]
        state = "not_configured" if not self.cfg.server.url else ("error" if st.last_error else "idle")
        last = f"{st.last_success_at:%Y-%m-%d %H:%M}" if st.last_success_at else ""
        return StaffSnapshot(recent, jobs, SyncRow(st.pending_outbox, last, state, st.last_error or ""))

    def printers(self) -> list[PrinterRow]:
        return [self._printer_row(p) for p in self.cfg.printers]

    def _printer_row(self, p: PrinterConfig) -> PrinterRow:
        try:
            status = self._printing().printer_status(p.name)
        except Exception as exc:  # a printer that cannot even be asked is shown, not raised
            return PrinterRow(p.name, p.role, p.kind, "unknown", type(exc).__name__)
        return PrinterRow(p.name, p.role, p.kind, "ok" if status.ready else (status.reason or "unknown"), status.text)

    def print_form(self, kind: str) -> int:
        from printing.forms import build_form

        data = build_form("blank" if kind == "blank" else "sample")
        label = "空白申请表" if kind == "blank" else "申请表填写样例"
        return self._printing().submit(
            _printer(self.cfg, "a4").name, data, content_type="pdf", kind="form", label=label
        )

    def queue_receipt(self, session: Session, tracking_no: str) -> int:
        return queue_receipt(self.cfg, self._printing(), session, tracking_no)

    def reprint_job(self, job_id: int) -> int:
        return self._printing().reprint(job_id)

    def print_test_page(self, printer: str) -> int:
        p = next((x for x in self.cfg.printers if x.name == printer), None)
        if p is None:
            raise PrinterError("no_printer", printer)
        if p.role == "a4":
            from printing.forms import build_form

            data, ctype = build_form("sample"), "pdf"
        else:
            from kiosk import localtime
            from printing.escpos.receipt import build_test_page

            when = localtime.now(self.cfg.terminal.timezone).replace(tzinfo=None)
            data, ctype = build_test_page(p, name=p.name, when=when), "escpos"
        return self._printing().submit(p.name, data, content_type=ctype, kind="test", label="测试页")

    def sync_now(self) -> bool:
        if self.sync_trigger is None:
            return False
        self.sync_trigger()
        return True


class CoreDocumentPrintPort:
    """Documents of the mirror printed on the A4 printer through the print queue."""

    def __init__(self, cfg: Config, printing: PrintServiceGetter) -> None:
        self.cfg = cfg
        self._printing = printing
        self.out_dir = cfg.data_dir / "print"

    def document_pdf(self, session: Session, doc_id: str, job_key: str) -> tuple[Path, int]:
        from kiosk.catalog import document_record
        from printing.forms import build_document_pdf

        doc = document_record(session, doc_id)
        if doc is None:
            raise LookupError(doc_id)
        data = build_document_pdf(doc)
        self.out_dir.mkdir(parents=True, exist_ok=True)
        path = self.out_dir / f"{job_key}.pdf"
        path.write_bytes(data)
        pages = data.count(b"/Type /Page") - data.count(b"/Type /Pages")
        return path, max(1, pages)

    def queue_document(self, doc_id: str, pdf: Path) -> int:
        try:
            printer = _printer(self.cfg, "a4")
            return self._printing().submit(
                printer.name, pdf.read_bytes(), content_type="pdf", kind="document", label=doc_id
            )
        finally:
            pdf.unlink(missing_ok=True)


def _job_row(j: JobInfo, titles: dict[str, str] | None = None) -> PrintJobRow:
    label = (titles or {}).get(j.label, j.label) if j.kind == "document" else j.label
    return PrintJobRow(
        str(j.id), _job_title(j.kind, label), j.printer, j.state, j.staff_message, _local(j.created_at), j.reprintable
    )


def _document_titles(session: Session, doc_ids: list[str]) -> dict[str, str]:
    """Staff read a printed document by its title (《…》), not by the mirror's id."""
    from sqlalchemy import select

    from kiosk.mirror.models import Document

    if not doc_ids:
        return {}
    rows = session.execute(select(Document.id, Document.title).where(Document.id.in_(set(doc_ids))))
    return {doc_id: f"《{title}》" for doc_id, title in rows}


def _drawing_note(summary: Any) -> str:
    """Tell staff (the list is theirs) when the applicant's name holds a character no bundled font draws."""
    from kiosk.fonts import undrawable

    name = (
        summary.application.applicant.name
        if summary.application
        else (summary.receipt_facts or {}).get("applicant_name", "")
    )
    missing = undrawable(name)
    return f"　（姓名有{len(missing)}个字无字体，打印为方框，请核对）" if missing else ""


def _job_title(kind: str, label: str) -> str:
    names = {"receipt": "回执", "ticket": "排队号", "form": "申请表", "document": "文件", "test": "测试页"}
    name = names.get(kind, kind)
    return f"{name} {label}" if label and label != name else name


def _local(t: datetime, zone_name: str = "Asia/Shanghai") -> str:
    """A naive UTC time from the print queue, shown in the terminal's zone."""
    from kiosk import localtime

    return f"{localtime.to_local(t, zone_name):%m-%d %H:%M}"
