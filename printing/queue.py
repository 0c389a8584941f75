"""The persisted print queue and the worker that prints it (no Qt; the UI listens to callbacks).

Each job is a row of ``print_jobs`` (:class:`kiosk.printjobs.PrintJob`) in the terminal database::

    queued ──► printing ──► done                    payload deleted, a stub stays
                   └──────► failed(reason, detail)  payload kept for reprint
    failed ──reprint()──► a new queued job: same bytes, attempt + 1, reprint_of = the failed job

Privacy: a job's bytes (a receipt holds the applicant's name and masked numbers; a form everything)
are deleted as soon as the job is done — for the job and every earlier failed attempt of the same
bytes — leaving a stub (printer, kind, label, size, sha256, times). Only failed jobs keep bytes,
for staff to reprint; :meth:`PrintQueue.discard` drops them without printing, and
:meth:`PrintService.start` drops those older than :data:`FAILED_RETENTION` (3 days).

A job that was ``printing`` when the terminal stopped is marked failed with reason ``interrupted`` on
start-up (it may or may not have printed: staff decide); ``queued`` jobs are printed, unless they
waited longer than their kind's limit (:data:`STALE_AFTER`): a receipt or a filled-in form that comes
out long after the resident left (the printer was offline for an hour, the terminal restarted in the
evening) lies in the tray for the next person to take. Such a job is failed with reason ``expired``
instead, its bytes kept for staff to reprint once they have checked the applicant is still there.

Reasons are the codes of :mod:`printing.status`: residents are shown "请联系工作人员" for any of them,
staff the reason (:attr:`JobInfo.staff_message`).

:class:`PrintService` runs one worker thread: ``submit()`` returns a job id at once; the outcome
arrives through the ``on_change`` callback or by polling ``job()`` / ``wait()``. ``on_change`` is
called with each state in order (on the submitting thread for ``queued``, on the worker for the
rest); keep it quick and non-blocking — a Qt view-model emits a signal from it.

Why one module of about 530 lines: the queue's states and the worker that moves jobs between them are one
state machine over one table, with the privacy rule (bytes deleted when done) applied at every
transition; kept together so no transition can forget it.
"""

from __future__ import annotations

import hashlib
import logging
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import Engine, select, update
from sqlalchemy.orm import Session, sessionmaker

from kiosk.config import Config, PrinterConfig
from kiosk.db import session_factory
from kiosk.errors import ConfigError, KioskError, PrinterError
from kiosk.printjobs import JOB_KINDS, PrintJob
from printing.backends import Printer, open_printer
from printing.backends.base import CONTENT_TYPES
from printing.status import PrinterStatus, resident_message, staff_message

if TYPE_CHECKING:
    from printing.escpos.receipt import ReceiptData, TicketData

log = logging.getLogger(__name__)

# How long a failed job's bytes (personal data) wait for staff to reprint them.
FAILED_RETENTION = timedelta(days=3)

# How long a job may wait in the queue before it is no longer printed: nobody waits at a kiosk longer
# for a receipt, a ticket or a form; a public document may sit behind a long print run.
STALE_AFTER: Mapping[str, timedelta] = {
    "receipt": timedelta(minutes=10),
    "ticket": timedelta(minutes=10),
    "form": timedelta(minutes=10),
    "test": timedelta(minutes=10),
    "document": timedelta(minutes=30),
}


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


class PrintQueueError(KioskError):
    """A queue operation is not possible (no such job, nothing left to reprint)."""


@dataclass(frozen=True)
class JobInfo:
    """A snapshot of one job, without its bytes: safe to hand to the UI and to log."""

    id: int
    printer: str
    kind: str
    content_type: str
    label: str
    state: str
    reason: str
    detail: str
    attempt: int
    reprint_of: int | None
    has_payload: bool
    size: int
    created_at: datetime
    finished_at: datetime | None

    @property
    def reprintable(self) -> bool:
        return self.state == "failed" and self.has_payload

    @property
    def resident_message(self) -> str:
        return resident_message(self.reason) if self.state == "failed" else ""

    @property
    def staff_message(self) -> str:
        return staff_message(self.reason, self.detail) if self.state == "failed" else ""


def _info(job: PrintJob) -> JobInfo:
    return JobInfo(
        id=job.id,
        printer=job.printer,
        kind=job.kind,
        content_type=job.content_type,
        label=job.label,
        state=job.state,
        reason=job.reason or "",
        detail=job.detail or "",
        attempt=job.attempt,
        reprint_of=job.reprint_of,
        has_payload=job.payload is not None,
        size=job.size,
        created_at=job.created_at,
        finished_at=job.finished_at,
    )


@dataclass(frozen=True)
class ClaimedJob:
    """A job the worker is printing: its bytes and where they go."""

    id: int
    printer: str
    content_type: str
    title: str
    payload: bytes


class PrintQueue:
    """The ``print_jobs`` table's operations, each in its own short transaction."""

    def __init__(self, engine: Engine) -> None:
        self._sessions: sessionmaker[Session] = session_factory(engine)

    def add(
        self,
        printer: str,
        data: bytes,
        *,
        content_type: str = "escpos",
        kind: str = "receipt",
        label: str = "",
        reprint_of: int | None = None,
        attempt: int = 1,
    ) -> int:
        """Queue ``data`` for ``printer``; the job id. ``label`` must not carry personal data."""
        if content_type not in CONTENT_TYPES:
            raise ValueError(f"unknown content type {content_type!r}")
        if kind not in JOB_KINDS:
            raise ValueError(f"unknown job kind {kind!r}")
        if not data:
            raise ValueError("a print job needs bytes")
        with self._sessions.begin() as s:
            job = PrintJob(
                printer=printer,
                kind=kind,
                content_type=content_type,
                label=label[:120],
                state="queued",
                payload=data,
                size=len(data),
                sha256=hashlib.sha256(data).hexdigest(),
                attempt=attempt,
                reprint_of=reprint_of,
                created_at=_now(),
            )
            s.add(job)
            s.flush()
            return job.id

    def claim_next(self) -> ClaimedJob | None:
        """The oldest queued job, now marked ``printing``; None when nothing waits."""
        with self._sessions.begin() as s:
            job = s.scalars(select(PrintJob).where(PrintJob.state == "queued").order_by(PrintJob.id).limit(1)).first()
            if job is None or job.payload is None:
                return None
            job.state = "printing"
            job.started_at = _now()
            return ClaimedJob(job.id, job.printer, job.content_type, f"kiosk-{job.kind}-{job.id}", job.payload)

    def expire_stale(self, limits: Mapping[str, timedelta], now: datetime | None = None) -> list[int]:
        """Fail with reason ``expired`` the queued jobs that waited longer than their kind's limit (their
        bytes stay for a reprint); the ids, oldest first."""
        now = now or _now()
        with self._sessions.begin() as s:
            queued = s.execute(
                select(PrintJob.id, PrintJob.kind, PrintJob.created_at).where(PrintJob.state == "queued")
            )
            stale = [
                job_id
                for job_id, kind, created in queued
                if kind in limits and created is not None and now - created > limits[kind]
            ]
            if stale:
                s.execute(
                    update(PrintJob)
                    .where(PrintJob.id.in_(stale), PrintJob.state == "queued")
                    .values(state="failed", reason="expired", finished_at=now)
                )
            return sorted(stale)

    def mark_done(self, job_id: int) -> None:
        """Done: the bytes of this job and of every earlier attempt of it are deleted."""
        with self._sessions.begin() as s:
            job = s.get(PrintJob, job_id)
            if job is None:
                raise PrintQueueError(f"没有编号为 {job_id} 的打印任务")
            job.state, job.reason, job.detail = "done", None, None
            job.finished_at = _now()
            job.payload = None
            previous = job.reprint_of
            while previous is not None:
                earlier = s.get(PrintJob, previous)
                if earlier is None:
                    break
                earlier.payload = None
                previous = earlier.reprint_of

    def mark_failed(self, job_id: int, reason: str, detail: str = "") -> None:
        """Failed with ``reason``; the bytes stay for a reprint."""
        with self._sessions.begin() as s:
            job = s.get(PrintJob, job_id)
            if job is None:
                raise PrintQueueError(f"没有编号为 {job_id} 的打印任务")
            job.state, job.reason, job.detail = "failed", reason, detail[:300] or None
            job.finished_at = _now()

    def reprint(self, job_id: int) -> int:
        """A new queued attempt of a failed job's bytes; the new job's id."""
        with self._sessions.begin() as s:
            job = s.get(PrintJob, job_id)
            if job is None:
                raise PrintQueueError(f"没有编号为 {job_id} 的打印任务")
            if job.state != "failed" or job.payload is None:
                raise PrintQueueError(f"打印任务 {job_id} 不能重新打印（状态：{job.state}）")
            new = PrintJob(
                printer=job.printer,
                kind=job.kind,
                content_type=job.content_type,
                label=job.label,
                state="queued",
                payload=job.payload,
                size=job.size,
                sha256=job.sha256,
                attempt=job.attempt + 1,
                reprint_of=job.id,
                created_at=_now(),
            )
            s.add(new)
            s.flush()
            return new.id

    def discard(self, job_id: int) -> None:
        """Staff give up on a failed job: its bytes are deleted and it can no longer be reprinted."""
        with self._sessions.begin() as s:
            job = s.get(PrintJob, job_id)
            if job is None:
                raise PrintQueueError(f"没有编号为 {job_id} 的打印任务")
            if job.state != "failed":
                raise PrintQueueError(f"只能放弃失败的打印任务（状态：{job.state}）")
            job.payload = None

    def purge_failed(self, older_than: timedelta, now: datetime | None = None) -> int:
        """Delete the bytes of failed jobs that finished more than ``older_than`` ago; how many."""
        cutoff = (now or _now()) - older_than
        with self._sessions.begin() as s:
            result = s.execute(
                update(PrintJob)
                .where(PrintJob.state == "failed", PrintJob.payload.is_not(None), PrintJob.finished_at < cutoff)
                .values(payload=None, detail="已超过保留期限，内容已删除")
            )
            return int(getattr(result, "rowcount", 0) or 0)

    def recover(self) -> int:
        """After a restart: jobs caught ``printing`` become failed(interrupted); how many."""
        with self._sessions.begin() as s:
            result = s.execute(
                update(PrintJob)
                .where(PrintJob.state == "printing")
                .values(state="failed", reason="interrupted", finished_at=_now())
            )
            return int(getattr(result, "rowcount", 0) or 0)

    def get(self, job_id: int) -> JobInfo:
        with self._sessions() as s:
            job = s.get(PrintJob, job_id)
            if job is None:
                raise PrintQueueError(f"没有编号为 {job_id} 的打印任务")
            return _info(job)

    def list(self, states: tuple[str, ...] | None = None, limit: int = 100) -> list[JobInfo]:
        """Jobs, newest first, optionally only in ``states``."""
        stmt = select(PrintJob).order_by(PrintJob.id.desc()).limit(limit)
        if states:
            stmt = stmt.where(PrintJob.state.in_(states))
        with self._sessions() as s:
            return [_info(j) for j in s.scalars(stmt)]


def wait_limit(cfg: PrinterConfig | None, nbytes: int, timeout: float) -> float:
    """How long to wait for a job of ``nbytes``: ``timeout``, or longer on a serial line that needs
    more (1.5 × the time on the wire plus 10 s: 9,600 baud carries under 1 KB a second)."""
    if cfg is None or cfg.kind != "serial":
        return timeout
    from printing.backends.serial_port import parse_target, transfer_seconds

    return max(timeout, 1.5 * transfer_seconds(nbytes, parse_target(cfg.target)[1]) + 10)


class PrintService:
    """Prints queued jobs on one worker thread; ``submit`` never blocks on a printer."""

    def __init__(
        self,
        engine: Engine,
        printers: Mapping[str, Printer],
        *,
        on_change: Callable[[JobInfo], None] | None = None,
        configs: Mapping[str, PrinterConfig] | None = None,
        failed_retention: timedelta = FAILED_RETENTION,
        stale_after: Mapping[str, timedelta] = STALE_AFTER,
    ) -> None:
        self.queue = PrintQueue(engine)
        self.failed_retention = failed_retention
        self.stale_after = dict(stale_after)
        self.printers = dict(printers)
        self.configs = dict(configs or {})  # name -> configuration (role, receipt layout)
        self.on_change = on_change
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._changed = threading.Condition()
        # A state change and its callback happen under this lock, so listeners hear a job's states
        # in order (queued before printing) even though submit() and the worker run on two threads.
        self._order = threading.RLock()

    @classmethod
    def from_config(
        cls, engine: Engine, config: Config, *, on_change: Callable[[JobInfo], None] | None = None
    ) -> PrintService:
        return cls(
            engine,
            {p.name: open_printer(p) for p in config.printers},
            on_change=on_change,
            configs={p.name: p for p in config.printers},
        )

    # ------------------------------------------------------------------------------------ lifecycle
    def start(self) -> None:
        """Mark interrupted jobs failed, then start the worker (idempotent)."""
        if self._thread is not None:
            return
        purged = self.queue.purge_failed(self.failed_retention)
        if purged:
            log.info("dropped the bytes of %d failed print job(s) past their retention", purged)
        interrupted = self.queue.recover()
        if interrupted:
            log.warning("%d print job(s) were interrupted by a restart and are kept for reprint", interrupted)
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name="print-worker", daemon=True)
        self._thread.start()
        self._wake.set()

    def stop(self, timeout: float = 10.0) -> None:
        """Stop after the job in hand (queued jobs stay queued for the next start)."""
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None

    # ----------------------------------------------------------------------------------------- API
    def submit(
        self, printer: str, data: bytes, *, content_type: str = "escpos", kind: str = "receipt", label: str = ""
    ) -> int:
        """Queue a job; its id. It is durable once this returns."""
        if printer not in self.printers:
            known = "、".join(self.printers) or "（无）"
            raise ConfigError(f"没有名为 '{printer}' 的打印机（已配置：{known}）")
        with self._order:
            job_id = self.queue.add(printer, data, content_type=content_type, kind=kind, label=label)
            self._notify(job_id)
        self._wake.set()
        return job_id

    def print_and_wait(
        self,
        printer: str,
        data: bytes,
        *,
        content_type: str = "escpos",
        kind: str = "receipt",
        label: str = "",
        timeout: float = 60.0,
    ) -> JobInfo:
        """Submit and wait for the outcome (call it off the UI thread).

        Raises PrinterError with the job's reason when it failed — the job is kept for reprint — and
        PrinterError("offline") when it has not finished within ``timeout`` (it stays queued).
        """
        job_id = self.submit(printer, data, content_type=content_type, kind=kind, label=label)
        timeout = wait_limit(self.configs.get(printer), len(data), timeout)
        info = self.wait(job_id, timeout)
        if info.state == "failed":
            raise PrinterError(info.reason, info.detail)
        if info.state != "done":
            raise PrinterError("offline", f"打印任务 {job_id} 在 {timeout:.0f} 秒内未完成，仍在队列中")
        return info

    def receipt_printer(self) -> PrinterConfig:
        """The configured receipt printer (role ``receipt``); ConfigError when there is none."""
        for cfg in self.configs.values():
            if cfg.role == "receipt":
                return cfg
        raise ConfigError('没有配置小票打印机（[[printers]] role = "receipt"）')

    def print_receipt(self, data: ReceiptData, *, timeout: float = 60.0) -> JobInfo:
        """Build the receipt for the receipt printer's layout and print it (blocking: worker thread).

        Raises PrinterError with the reason when it failed; the job is kept for reprint.
        """
        from printing.escpos.receipt import build_receipt

        cfg = self.receipt_printer()
        return self.print_and_wait(
            cfg.name, build_receipt(data, cfg), kind="receipt", label=data.tracking_no, timeout=timeout
        )

    def print_ticket(self, data: TicketData, *, timeout: float = 60.0) -> JobInfo:
        """Build and print a consultation-desk queue ticket on the receipt printer (blocking)."""
        from printing.escpos.receipt import build_ticket

        cfg = self.receipt_printer()
        return self.print_and_wait(cfg.name, build_ticket(data, cfg), kind="ticket", label=data.number, timeout=timeout)

    def reprint(self, job_id: int) -> int:
        """Queue a new attempt of a failed job's bytes; the new job's id."""
        with self._order:
            new_id = self.queue.reprint(job_id)
            self._notify(new_id)
        self._wake.set()
        return new_id

    def job(self, job_id: int) -> JobInfo:
        return self.queue.get(job_id)

    def jobs(self, states: tuple[str, ...] | None = None, limit: int = 100) -> list[JobInfo]:
        return self.queue.list(states, limit)

    def wait(self, job_id: int, timeout: float = 30.0) -> JobInfo:
        """Block until the job is done or failed (or ``timeout``); its latest snapshot."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while True:
                info = self.queue.get(job_id)
                left = deadline - time.monotonic()
                if info.state in ("done", "failed") or left <= 0:
                    return info
                self._changed.wait(min(left, 0.5))

    def printer_status(self, name: str) -> PrinterStatus:
        printer = self.printers.get(name)
        if printer is None:
            return PrinterStatus(False, "unreachable", detail=f"没有名为 '{name}' 的打印机")
        return printer.status()

    # -------------------------------------------------------------------------------------- worker
    def _notify(self, job_id: int) -> None:
        """Tell the listener first, then wake anyone in ``wait()``: by then the listener has heard."""
        if self.on_change is not None:
            try:
                self.on_change(self.queue.get(job_id))
            except Exception:  # a listener's bug must not stop printing
                log.exception("print job listener failed")
        with self._changed:
            self._changed.notify_all()

    def _run(self) -> None:
        while not self._stop.is_set():
            self._wake.wait(1.0)
            self._wake.clear()
            while not self._stop.is_set():
                try:
                    with self._order:
                        for expired in self.queue.expire_stale(self.stale_after):
                            log.warning("print job %d waited too long and was not printed (kept for reprint)", expired)
                            self._notify(expired)
                        job = self.queue.claim_next()
                        if job is not None:
                            self._notify(job.id)
                except KioskError:
                    log.exception("cannot read the print queue")
                    break
                if job is None:
                    break
                self._print(job)

    def _print(self, job: ClaimedJob) -> None:
        printer = self.printers.get(job.printer)
        try:
            if printer is None:
                raise PrinterError("unreachable", f"打印机 '{job.printer}' 已不在配置中")
            printer.send(job.payload, job.content_type, job.title)
        except PrinterError as exc:
            log.warning("print job %d on %s failed: %s", job.id, job.printer, exc.reason)
            outcome = ("failed", exc.reason, exc.detail)
        except Exception as exc:  # a backend bug: the job is kept, the worker goes on
            log.exception("print job %d on %s failed unexpectedly", job.id, job.printer)
            outcome = ("failed", "error", type(exc).__name__)
        else:
            log.info("print job %d on %s done", job.id, job.printer)
            outcome = ("done", "", "")
        with self._order:
            if outcome[0] == "done":
                self.queue.mark_done(job.id)
            else:
                self.queue.mark_failed(job.id, outcome[1], outcome[2])
            self._notify(job.id)
