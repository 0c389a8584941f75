"""The real ports behind the wizard, status lookup and staff view-models (Qt-free, blocking; run on
worker threads): they read and write through kiosk/, print through printing/ and ask the server
through sync/. Each call opens its own short-lived engine on the terminal database (SQLite WAL with
BEGIN IMMEDIATE serialises writers), so nothing here touches the UI thread's objects.

Printing goes through the persisted print queue (:class:`printing.queue.PrintService`): a failed job
keeps its bytes and its reason for staff to reprint, and the application is saved before any of it.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from kiosk.config import Config
from kiosk.errors import PrinterError, ServerError, StorageError, ValidationError

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
_SERVICES: dict[str, Any] = {}
_SERVICES_LOCK = threading.Lock()


def print_service(cfg: Config) -> Any:
    """The terminal's :class:`printing.queue.PrintService` (one per database, started on first use).

    The composition root may install its own with :func:`use_print_service`; otherwise one is made here
    from the configuration's printers, so the wizard and staff mode share one persisted queue."""
    from kiosk.db import make_engine
    from printing.queue import PrintService

    key = str(cfg.db_path)
    with _SERVICES_LOCK:
        service = _SERVICES.get(key)
        if service is None:
            service = PrintService.from_config(make_engine(cfg.db_path), cfg)
            service.start()
            _SERVICES[key] = service
        return service


def use_print_service(cfg: Config, service: Any) -> None:
    """Share an already running PrintService (the composition root's) with these ports."""
    with _SERVICES_LOCK:
        _SERVICES[str(cfg.db_path)] = service


def stop_print_services() -> None:
    """Stop the print services made here (application shutdown, tests)."""
    with _SERVICES_LOCK:
        services = list(_SERVICES.values())
        _SERVICES.clear()
    for service in services:
        service.stop()


def _printer_named(cfg: Config, role: str) -> str:
    printer = cfg.printer(role)
    if printer is None:
        raise PrinterError("no_printer", f"no {role} printer configured")
    return printer.name


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
            app = service.submit(
                s, application_from_wizard(application), zone=zone, terminal_id=self.cfg.terminal.id, now=_now()
            )
        assert app.issued is not None
        return SubmitOutcome(app.issued.tracking_no, app.issued.deadline.isoformat(), app.issued.deadline_explanation)

    def print_receipt(self, tracking_no: str) -> None:
        print_receipt(self.cfg, tracking_no)


def print_receipt(cfg: Config, tracking_no: str) -> int:
    """Build the application's receipt from the stored record and print it (blocking); the job id.

    Raises PrinterError with the printer's reason when it failed: the job stays queued for staff."""
    from kiosk.applications import service
    from kiosk.mirror.models import Zone
    from printing.escpos.receipt import receipt_from_application, zone_info

    with _session(cfg) as s:
        summary = service.lookup(s, tracking_no)
        zone = s.get(Zone, cfg.terminal.zone)
        if summary is None or summary.application is None or zone is None:
            raise PrinterError("error", "the application's details are no longer held here")
        info = zone_info(zone)
    # The QR opens the district's public status page (sync/server/public.py) when there is a server.
    status_url = f"{cfg.server.url.rstrip('/')}/status" if cfg.server.url else ""
    data = receipt_from_application(summary.application, info, status_url)
    return int(print_service(cfg).print_receipt(data).id)


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
            phone_checked=app is not None,
        )

    def server_status(self, tracking_no: str, phone: str) -> dict[str, Any] | None:
        from sync.client import lookup_application

        try:
            return lookup_application(self.cfg, tracking_no, phone)
        except ServerError as exc:
            if getattr(exc, "status", None) == 404:  # sync.http.StatusError: no such number with that phone
                return None
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
        from kiosk.sync_state import read_status
        from ui.vm_staff import PrintJobRow, RecentApplication, StaffSnapshot, SyncRow

        with _session(self.cfg) as s:
            recent = [
                RecentApplication(
                    r.tracking_no,
                    r.applicant_name_masked or "（已送达）",
                    f"{r.submitted_at:%m-%d %H:%M}",
                    r.status == "delivered",
                )
                for r in service.recent(s, limit=20)
            ]
            st = read_status(s)
        jobs = [
            PrintJobRow(
                str(j.id),
                _job_title(j.kind, j.label),
                j.printer,
                j.state,
                j.staff_message,
                _local(j.created_at),
                j.reprintable,
            )
            for j in print_service(self.cfg).jobs(limit=30)
        ]
        printers = [self._printer_row(p) for p in self.cfg.printers]
        state = "not_configured" if not self.cfg.server.url else ("error" if st.last_error else "idle")
        last = f"{st.last_success_at:%Y-%m-%d %H:%M}" if st.last_success_at else ""
        return StaffSnapshot(recent, jobs, printers, SyncRow(st.pending_outbox, last, state, st.last_error or ""))

    def _printer_row(self, p: Any) -> Any:
        from ui.vm_staff import PrinterRow

        try:
            status = print_service(self.cfg).printer_status(p.name)
        except Exception as exc:  # a printer that cannot even be asked is shown, not raised
            return PrinterRow(p.name, p.role, p.kind, "unknown", type(exc).__name__)
        return PrinterRow(p.name, p.role, p.kind, "ok" if status.ready else (status.reason or "unknown"), status.text)

    def print_form(self, kind: str) -> str:
        from printing.forms import build_form

        data = build_form("blank" if kind == "blank" else "sample")
        label = "空白申请表" if kind == "blank" else "申请表填写样例"
        info = print_service(self.cfg).print_and_wait(
            _printer_named(self.cfg, "a4"), data, content_type="pdf", kind="form", label=label
        )
        return str(info.id)

    def reprint_receipt(self, tracking_no: str) -> str:
        return str(print_receipt(self.cfg, tracking_no))

    def reprint_job(self, job_id: str) -> str:
        service = print_service(self.cfg)
        info = service.wait(service.reprint(int(job_id)), timeout=60)
        if info.state != "done":
            raise PrinterError(info.reason or "offline", info.detail)
        return str(info.id)

    def print_test_page(self, printer: str) -> str:
        p = next((x for x in self.cfg.printers if x.name == printer), None)
        if p is None:
            raise PrinterError("no_printer", printer)
        if p.role == "a4":
            from printing.forms import build_form

            data, ctype = build_form("sample"), "pdf"
        else:
            from printing.escpos.receipt import build_test_page

            data, ctype = build_test_page(p, name=p.name), "escpos"
        info = print_service(self.cfg).print_and_wait(p.name, data, content_type=ctype, kind="test", label="测试页")
        return str(info.id)

    def sync_now(self) -> None:
        from sync.client import sync_once

        sync_once(self.cfg)


def _job_title(kind: str, label: str) -> str:
    names = {"receipt": "回执", "ticket": "排队号", "form": "申请表", "document": "文件", "test": "测试页"}
    name = names.get(kind, kind)
    return f"{name} {label}" if label and label != name else name


def _local(t: datetime) -> str:
    """A naive UTC time from the print queue, shown in China Standard Time."""
    from datetime import UTC

    from kiosk.applications.tracking import CHINA_TZ

    return f"{t.replace(tzinfo=UTC).astimezone(CHINA_TZ):%m-%d %H:%M}"
