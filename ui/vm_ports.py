"""The real ports behind the wizard, status lookup and staff view-models (Qt-free, blocking; run on
worker threads): they read and write through kiosk/, print through printing/ and ask the server
through sync/. Each call opens its own short-lived engine on the terminal database (SQLite WAL with
BEGIN IMMEDIATE serialises writers), so nothing here touches the UI thread's objects.

Printing goes through the receipt engineer's persisted print queue when ``printing.queue`` exists;
until then a job is recorded in the ``print_jobs`` table here (queued → printing → done/failed with
its reason, bytes kept while failed) and sent with :func:`printing.backends.open_printer`.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from kiosk.config import Config
from kiosk.errors import NetworkError, PrinterError, ServerError, StorageError, ValidationError

log = logging.getLogger(__name__)


@contextmanager
def _session(cfg: Config) -> Iterator[Session]:
    from kiosk.db import make_engine

    engine = make_engine(cfg.db_path)
    try:
        with Session(engine, expire_on_commit=False) as s:
            yield s
    finally:
        engine.dispose()


def _now() -> datetime:
    from kiosk.applications.tracking import CHINA_TZ

    return datetime.now(CHINA_TZ)


# ------------------------------------------------------------------------------------------ printing
def print_bytes(cfg: Config, role: str, *, kind: str, label: str, data: bytes, content_type: str) -> int:
    """Queue ``data`` for the first printer of ``role`` and print it now; returns the job id.

    Raises PrinterError (reason ``no_printer`` when none is configured); a failed job stays in the
    queue with its reason and bytes, for staff to reprint."""
    from kiosk.printjobs import PrintJob
    from printing.backends import open_printer

    printer_cfg = cfg.printer(role)
    if printer_cfg is None:
        raise PrinterError("no_printer", f"no {role} printer configured")
    with _session(cfg) as s:
        job = PrintJob(printer=printer_cfg.name, kind=kind, content_type=content_type, label=label,
                       state="printing", payload=data, size=len(data),
                       sha256=hashlib.sha256(data).hexdigest(), created_at=_now().replace(tzinfo=None),
                       started_at=_now().replace(tzinfo=None))
        s.add(job)
        s.commit()
        try:
            open_printer(printer_cfg).send(data, content_type=content_type, title=label)
        except PrinterError as exc:
            job.state, job.reason, job.detail = "failed", exc.reason, exc.detail[:300]
            job.finished_at = _now().replace(tzinfo=None)
            s.commit()
            raise
        job.state, job.payload = "done", None
        job.finished_at = _now().replace(tzinfo=None)
        s.commit()
        return job.id


def reprint_job(cfg: Config, job_id: int) -> int:
    """Print a failed job's kept bytes again as a new job (``reprint_of`` the old one)."""
    from kiosk.printjobs import PrintJob

    with _session(cfg) as s:
        old = s.get(PrintJob, job_id)
        if old is None or old.payload is None:
            raise PrinterError("error", "job not found or nothing kept to reprint")
        data, kind, label, ctype, printer = old.payload, old.kind, old.label, old.content_type, old.printer
        old.payload = None  # the new job carries the bytes from now on
        s.commit()
    role = next((p.role for p in cfg.printers if p.name == printer), "receipt")
    return print_bytes(cfg, role, kind=kind, label=label, data=data, content_type=ctype)


# ------------------------------------------------------------------------------------- applications
class CoreApplicationsPort:
    """The wizard's port: validation and submission in kiosk.applications, the receipt in printing."""

    def __init__(self, cfg: Config) -> None:
        self.cfg = cfg

    def validate(self, application: dict[str, Any]) -> dict[str, str]:
        from kiosk.applications.validation import validate
        from ui.vm_application import application_from_wizard

        try:
            validate(application_from_wizard(application), today=_now().date())
        except ValidationError as exc:
            return dict(exc.errors)
        return {}

    def submit(self, application: dict[str, Any]) -> Any:
        from kiosk.applications import service
        from kiosk.mirror.models import Zone
        from ui.vm_application import SubmitOutcome, application_from_wizard

        with _session(self.cfg) as s:
            zone = s.get(Zone, self.cfg.terminal.zone)
            if zone is None:
                raise StorageError(f"zone {self.cfg.terminal.zone!r} is not in the mirror")
            app = service.submit(s, application_from_wizard(application), zone=zone,
                                 terminal_id=self.cfg.terminal.id, now=_now())
        assert app.issued is not None
        return SubmitOutcome(app.issued.tracking_no, app.issued.deadline.isoformat(),
                             app.issued.deadline_explanation)

    def print_receipt(self, tracking_no: str) -> None:
        print_receipt(self.cfg, tracking_no)


def print_receipt(cfg: Config, tracking_no: str) -> int:
    """Build the application's receipt from the stored record and print it; returns the job id."""
    from kiosk.applications import service
    from kiosk.mirror.models import Zone
    from printing.escpos.receipt import build_receipt, receipt_from_application, zone_info

    with _session(cfg) as s:
        summary = service.lookup(s, tracking_no)
        zone = s.get(Zone, cfg.terminal.zone)
        if summary is None or summary.application is None or zone is None:
            raise PrinterError("error", "the application's details are no longer held here")
        info = zone_info(zone)
    printer = cfg.printer("receipt")
    data = build_receipt(receipt_from_application(summary.application, info), printer)
    return print_bytes(cfg, "receipt", kind="receipt", label=f"回执 {tracking_no}", data=data, content_type="escpos")


# ------------------------------------------------------------------------------------ status lookup
class CoreStatusPort:
    """The status lookup's port: the terminal's own record, then the server through sync.client."""

    def __init__(self, cfg: Config) -> None:
        self.cfg = cfg

    @property
    def server_configured(self) -> bool:
        return bool(self.cfg.server.url)

    def local_status(self, tracking_no: str, phone: str) -> Any:
        from kiosk.applications import service
        from kiosk.applications.validation import normalise_phone
        from ui.vm_status_lookup import LocalStatus

        with _session(self.cfg) as s:
            summary = service.lookup(s, tracking_no)
        if summary is None:
            return None
        app = summary.application
        if app is not None and normalise_phone(app.applicant.phone) != normalise_phone(phone):
            return None  # the phone must match before anything is said about the number
        return LocalStatus(
            submitted_at=f"{summary.submitted_at:%Y-%m-%d %H:%M}",
            deadline=summary.deadline.isoformat(),
            delivered=summary.status == "delivered",
        )

    def server_status(self, tracking_no: str, phone: str) -> dict[str, Any] | None:
        from sync.client import lookup_application

        try:
            return lookup_application(self.cfg, tracking_no, phone)
        except ServerError as exc:
            if "404" in str(exc):
                return None
            raise
        except NetworkError:
            raise


# ------------------------------------------------------------------------------------------- staff
class CoreStaffPort:
    """Staff mode's port: the PIN gate with its persisted lockout, printing, the queue, sync."""

    def __init__(self, cfg: Config) -> None:
        import time

        from kiosk.staff import StaffGate

        self.cfg = cfg
        self.gate = StaffGate(cfg.staff.pin_hash, cfg.staff.max_failures, cfg.staff.lockout_s, clock=time.time)

    def _factory(self) -> Any:
        from kiosk.db import make_engine

        engine = make_engine(self.cfg.db_path)
        return lambda: Session(engine)

    def check_pin(self, pin: str) -> bool:
        from ui.vm_staff import check_pin_persisted

        return check_pin_persisted(self._factory(), self.gate, pin)

    def seconds_locked(self) -> int:
        from ui.vm_staff import load_lockout

        self.gate.failures, self.gate.locked_until = load_lockout(self._factory())
        return int(self.gate.seconds_locked())

    def snapshot(self) -> Any:
        from kiosk.applications import service
        from kiosk.printjobs import PrintJob
        from kiosk.sync_state import read_status
        from ui.vm_staff import PrintJobRow, RecentApplication, StaffSnapshot, SyncRow

        with _session(self.cfg) as s:
            recent = [
                RecentApplication(r.tracking_no, r.applicant_name_masked or "（已送达）",
                                  f"{r.submitted_at:%m-%d %H:%M}", r.status == "delivered")
                for r in service.recent(s, limit=20)
            ]
            jobs = [
                PrintJobRow(str(j.id), j.label or j.kind, j.printer, j.state, _job_reason(j.reason),
                            f"{j.created_at:%m-%d %H:%M}")
                for j in s.scalars(select(PrintJob).order_by(PrintJob.id.desc()).limit(30))
            ]
            st = read_status(s)
        printers = [self._printer_row(p) for p in self.cfg.printers]
        state = "not_configured" if not self.cfg.server.url else ("error" if st.last_error else "idle")
        last = f"{st.last_success_at:%Y-%m-%d %H:%M}" if st.last_success_at else ""
        return StaffSnapshot(recent, jobs, printers, SyncRow(st.pending_outbox, last, state, st.last_error or ""))

    def _printer_row(self, p: Any) -> Any:
        from printing.backends import open_printer
        from ui.vm_staff import PrinterRow

        try:
            status = open_printer(p).status()
            state = "ok" if status.ok else status.reason
            detail = status.text() if hasattr(status, "text") else ""
        except Exception as exc:  # a printer that cannot even be asked is shown, not raised
            state, detail = "unknown", type(exc).__name__
        return PrinterRow(p.name, p.role, p.kind, state or "unknown", detail)

    def print_form(self, kind: str) -> str:
        from printing.forms import build_form

        data = build_form(kind)
        label = "空白申请表" if kind == "blank" else "申请表填写样表"
        return str(print_bytes(self.cfg, "a4", kind="form", label=label, data=data, content_type="pdf"))

    def reprint_receipt(self, tracking_no: str) -> str:
        return str(print_receipt(self.cfg, tracking_no))

    def reprint_job(self, job_id: str) -> str:
        return str(reprint_job(self.cfg, int(job_id)))

    def print_test_page(self, printer: str) -> str:
        p = next((x for x in self.cfg.printers if x.name == printer), None)
        if p is None:
            raise PrinterError("no_printer", printer)
        if p.role == "a4":
            from printing.forms import build_form

            pdf = build_form("blank")
            return str(print_bytes(self.cfg, "a4", kind="test", label="测试页", data=pdf, content_type="pdf"))
        data = _receipt_test_page(p)
        return str(print_bytes(self.cfg, "receipt", kind="test", label="测试页", data=data, content_type="escpos"))

    def sync_now(self) -> None:
        from sync.client import sync_once

        sync_once(self.cfg)


def _receipt_test_page(p: Any) -> bytes:
    """A minimal ESC/POS test page: initialise, Chinese mode (FS &), GB18030 text, feed, cut."""
    header = b"\x1b@"
    body = "打印机测试页\n政务公开专区查询终端\n中文 GB18030 测试：镕 堃 喆\n".encode("gb18030")
    return header + b"\x1c&" + body + b"\n\n\n\x1dV\x00"


def _job_reason(reason: str | None) -> str:
    if not reason:
        return ""
    try:
        from printing.status import staff_message

        return staff_message(reason)
    except Exception:
        return reason
