"""What the view-models ask of the core, printing and sync, and the plain results they get back.

Qt-free and SQL-free: the view-models depend on these protocols, :mod:`ui.adapters` implements them
over ``kiosk/``, ``printing/`` and ``sync/``, and :mod:`ui.app` (the composition root) builds the
adapters once and hands them over. Tests hand the view-models their own.

Where each call runs (the view-model chooses, the port's docstring says which):

- a method taking a ``session`` runs on the database worker (:class:`ui.worker.DbWorker`) with the
  session it is given — mirror reads, and writes with ``write=True``;
- a method without one that may block (a printer probe, a PDF to build, the network) runs on the
  small task pool (:class:`ui.background.TaskPool`);
- a print job's progress is not waited for: the call returns the job's id at once and the outcome
  arrives through :class:`ui.printing.PrintEvents` (``PrintService.on_change`` as one Qt signal).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from sqlalchemy.orm import Session


# ------------------------------------------------------------------------------------------ results
@dataclass(frozen=True)
class SubmitOutcome:
    """What the wizard shows after a successful submission."""

    tracking_no: str
    deadline: str  # ISO date
    deadline_explanation: str  # how the 20 working days were counted (Chinese)


@dataclass(frozen=True)
class LocalStatus:
    """What this terminal knows about an application it took."""

    submitted_at: str  # "2026-11-27 10:30"
    deadline: str  # ISO date
    delivered: bool  # the district server acknowledged it
    # False once the personal data left the terminal (delivered): the phone can no longer be checked
    # here, so these facts are shown only when the district's answer confirmed the phone.
    phone_checked: bool = True
    tracking_no: str = ""  # the number on record (the canonical form of what was typed)


@dataclass(frozen=True)
class LookupResult:
    """The outcome of one lookup: the server's answer (or why there is none) and the local facts."""

    server_state: str  # answered | offline | not_found | not_configured | error
    server_status: str = ""  # the district's status label, in Chinese (已受理、办理中、已答复、已办结)
    server_received: str = ""  # ISO date the district received it
    server_deadline: str = ""  # ISO date of the reply deadline the district holds
    server_details: str = ""  # further dates, the reply type, a provisional deadline's note (lines, Chinese)
    server_next_step: str = ""  # what the resident should do next (Chinese)
    local: LocalStatus | None = None


@dataclass(frozen=True)
class RecentApplication:
    """One application taken at this terminal, as the staff list shows it (masked)."""

    tracking_no: str
    applicant: str  # masked name, e.g. 张**
    submitted_at: str  # "11-27 10:30"
    delivered: bool
    reprintable: bool = True  # the receipt can still be printed (facts kept after delivery)


@dataclass(frozen=True)
class PrintJobRow:
    """One job of the persisted print queue."""

    job_id: str
    title: str  # what it is, in Chinese (回执 2026…, 空白申请表, 测试页)
    printer: str
    job_state: str  # queued | printing | done | failed ("state" would shadow QML's Item.state)
    reason: str  # why it failed, in Chinese for staff ("" otherwise)
    created_at: str
    reprintable: bool  # failed with its bytes kept


@dataclass(frozen=True)
class PrinterRow:
    name: str
    role: str  # a4 | receipt
    kind: str
    printer_state: str  # ok | paper_out | offline | cover_open | unreachable | error | unknown
    detail: str


@dataclass(frozen=True)
class SyncRow:
    outbox_pending: int
    last_sync: str  # "" = never
    state: str  # idle | syncing | offline | error | not_configured
    detail: str = ""


@dataclass(frozen=True)
class StaffSnapshot:
    """What the staff screen shows from the database (printers are probed separately)."""

    recent: list[RecentApplication]
    jobs: list[PrintJobRow]
    sync: SyncRow


@dataclass(frozen=True)
class JobUpdate:
    """A print job's new state, as :class:`ui.printing.PrintEvents` relays it (no bytes, no names)."""

    job_id: int
    state: str  # queued | printing | done | failed
    reason: str  # a printing.status reason code when failed ("" otherwise)


# -------------------------------------------------------------------------------------------- ports
class ApplicationsPort(Protocol):
    """What the wizard needs from the core (kiosk.applications) and the receipt printer."""

    def validate(self, application: dict[str, Any]) -> dict[str, str]:
        """Dotted field path -> plain-Chinese message for every field of the application JSON that is
        not acceptable (empty when it may be submitted). Pure and quick: any thread."""
        ...

    def submit(self, session: Session, application: dict[str, Any]) -> SubmitOutcome:
        """Write the application and its outbox entry in one transaction (DB worker, write)."""
        ...

    def queue_receipt(self, session: Session, tracking_no: str) -> int:
        """Build the receipt from the stored application and queue it; the print job's id (DB worker).

        Raises kiosk.errors.PrinterError when there is nothing to print it on."""
        ...


class StatusPort(Protocol):
    """What the status lookup needs from the core and the sync client."""

    @property
    def server_configured(self) -> bool: ...

    def local_status(self, session: Session, tracking_no: str, phone: str) -> LocalStatus | None:
        """What this terminal holds about the number, if the phone matches (DB worker)."""
        ...

    def server_status(self, tracking_no: str, phone: str) -> dict[str, Any] | None:
        """The server's answer, None when it does not know the number; raises NetworkError offline
        (task pool: network)."""
        ...


class StaffPort(Protocol):
    """What staff mode needs from the core, printing and sync."""

    def check_pin(self, session: Session, pin: str) -> tuple[bool, int]:
        """Try the PIN against the gate with its persisted lockout and persist the outcome; (right PIN,
        seconds still locked). DB worker, write (scrypt takes a moment, on purpose)."""
        ...

    def seconds_locked(self, session: Session) -> int:
        """Seconds left in the persisted lockout (DB worker)."""
        ...

    def snapshot(self, session: Session) -> StaffSnapshot:
        """Recent applications, the print queue and the sync state (DB worker)."""
        ...

    def printers(self) -> list[PrinterRow]:
        """Each configured printer asked for its state (task pool: a probe may wait on a device)."""
        ...

    def print_form(self, kind: str) -> int:
        """Build and queue a blank form or a sample (kind: blank | sample); the job id (task pool)."""
        ...

    def queue_receipt(self, session: Session, tracking_no: str) -> int:
        """Queue another copy of an application's receipt; the job id (DB worker)."""
        ...

    def reprint_job(self, job_id: int) -> int:
        """Queue a failed job's kept bytes again; the new job's id (task pool)."""
        ...

    def print_test_page(self, printer: str) -> int:
        """Build and queue a test page for ``printer``; the job id (task pool)."""
        ...

    def sync_now(self) -> bool:
        """Ask the running sync loop for a run now; False when no server is configured (any thread)."""
        ...


class DocumentPrintPort(Protocol):
    """Printing a document of the mirror on the A4 printer."""

    def document_pdf(self, session: Session, doc_id: str, job_key: str) -> tuple[Path, int]:
        """Write the document's A4 PDF to a private file; its path and page count (DB worker)."""
        ...

    def queue_document(self, doc_id: str, pdf: Path) -> int:
        """Queue the PDF on the A4 printer (the file is removed once queued); the job id (task pool).

        Raises kiosk.errors.PrinterError when no A4 printer is configured."""
        ...
