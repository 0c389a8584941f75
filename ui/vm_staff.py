"""Staff mode's view-model (工作人员模式): the PIN gate and the staff screen's state and actions.

The PIN is checked by :class:`kiosk.staff.StaffGate` against the configuration's ``[staff] pin_hash``
on the DB worker (scrypt is deliberately slow). Wrong PINs count towards a lockout; the failure count
and the lockout's end are kept in the terminal's key-value table (:mod:`kiosk.staff_lockout`), so
restarting the program does not lift a lockout.

Once unlocked, staff can print blank forms and fill-in samples, start a staff-assisted application
(the wizard in proxy mode), reprint a receipt from the recent applications, see the print queue with
each job's state and reason and reprint failed jobs, see each printer's state and print a test page,
see the outbox count and sync state and ask the running sync loop for a run now, and leave kiosk mode
(the composition root decides what leaving means). Database work runs on the DB worker, printer probes
and PDF building on the task pool; a print action's outcome is the queue job's
(:class:`ui.events.PrintEvents`).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from enum import IntEnum
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import (
    Property,
    QEnum,
    QObject,
    QTimer,
    Signal,
    Slot,
)
from PySide6.QtQml import QmlElement, QmlSingleton

from ui.listmodel import RowListModel
from ui.ports import JobUpdate, PrinterRow, PrintJobRow, RecentApplication, StaffSnapshot, SyncRow
from ui.services import Services, of_engine

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

log = logging.getLogger(__name__)

QML_IMPORT_NAME = "Kiosk.Backend"
QML_IMPORT_MAJOR_VERSION = 1


# ----------------------------------------------------------------------------------- list models
@QmlElement
class RecentApplicationsModel(RowListModel):
    row_type = RecentApplication


@QmlElement
class PrintJobsModel(RowListModel):
    row_type = PrintJobRow

    def shown(self, field: str, value: Any) -> Any:
        return _JOB_STATES.get(value, StaffMode.Job.Failed) if field == "job_state" else value


@QmlElement
class PrintersModel(RowListModel):
    row_type = PrinterRow

    def shown(self, field: str, value: Any) -> Any:
        if field != "printer_state":
            return value
        return {"ok": StaffMode.Printer.Ok, "unknown": StaffMode.Printer.Unknown}.get(value, StaffMode.Printer.Fault)


# ----------------------------------------------------------------------------------- staff mode
@QmlElement
@QmlSingleton
class StaffMode(QObject):
    """The PIN gate and the staff screen. QML: ``pressDigit``/``submitPin``, then the actions."""

    MAX_PIN = 12

    @QEnum
    class Sync(IntEnum):
        """``syncState``: the terminal's sync with the district server (``SyncRow.state``)."""

        Idle = 0
        Syncing = 1
        Offline = 2
        Failed = 3  # the last run failed (a state the core does not know also shows as this)
        NotConfigured = 4

    @QEnum
    class Job(IntEnum):
        """A print job's ``jobState`` in ``printJobs``."""

        Queued = 0
        Printing = 1
        Done = 2
        Failed = 3

    @QEnum
    class Printer(IntEnum):
        """A printer's ``printerState`` in ``printers``: ready, not known, or a fault (its ``detail`` says which)."""

        Ok = 0
        Unknown = 1
        Fault = 2

    def __init__(self, services: Services, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._svc = services
        self._pin = ""
        self._unlocked = False
        self._checking = False
        self._pin_error = ""
        self._locked_s = 0
        self._message = ""
        self._message_ok = True
        self._busy = 0
        self._sync = SyncRow(0, "", "idle")
        self._recent = RecentApplicationsModel(self)
        self._jobs = PrintJobsModel(self)
        self._printers = PrintersModel(self)
        self._tick = QTimer(self)
        self._tick.setInterval(1000)
        self._tick.timeout.connect(self._update_lock)
        self._lock_deadline = 0.0
        services.sync_events.reported.connect(self._sync_reported)

    @staticmethod
    def create(engine: object) -> StaffMode:
        return StaffMode(of_engine(engine))

    # -- PIN ---------------------------------------------------------------------------------------
    pinChanged = Signal()

    @Property(int, notify=pinChanged)
    def pinLength(self) -> int:
        return len(self._pin)

    gateChanged = Signal()

    @Property(bool, notify=gateChanged)
    def unlocked(self) -> bool:
        return self._unlocked

    @Property(bool, notify=gateChanged)
    def checking(self) -> bool:
        return self._checking

    @Property(str, notify=gateChanged)
    def pinError(self) -> str:
        return self._pin_error

    @Property(int, notify=gateChanged)
    def lockedSeconds(self) -> int:
        return self._locked_s

    @Slot(str)
    def pressDigit(self, digit: str) -> None:
        if digit.isdigit() and len(digit) == 1 and len(self._pin) < self.MAX_PIN and not self._locked_s:
            self._pin += digit
            self.pinChanged.emit()

    @Slot()
    def deleteDigit(self) -> None:
        if self._pin:
            self._pin = self._pin[:-1]
            self.pinChanged.emit()

    @Slot()
    def clearPin(self) -> None:
        if self._pin:
            self._pin = ""
            self.pinChanged.emit()

    @Slot()
    def open(self) -> None:
        """The PIN screen is shown: read the persisted lockout (DB worker) so a locked gate says so."""
        self.clearPin()
        self._pin_error = ""
        port = self._svc.staff
        self._svc.worker.submit("staff.lock", port.seconds_locked, self._lock_known, self._gate_failed)

    @Slot()
    def submitPin(self) -> None:
        """Check the typed PIN on the DB worker; the digits are forgotten at once."""
        if self._checking or not self._pin:
            return
        pin, self._pin = self._pin, ""
        self.pinChanged.emit()
        self._checking = True
        self._pin_error = ""
        self.gateChanged.emit()
        port = self._svc.staff

        def job(session: Session) -> tuple[bool, int]:
            return port.check_pin(session, pin)

        self._svc.worker.submit("", job, self._pin_checked, self._gate_failed, write=True)

    def _pin_checked(self, outcome: tuple[bool, int]) -> None:
        ok, locked = outcome
        self._checking = False
        self._unlocked = ok
        self._pin_error = "" if ok else ("" if locked else "密码不正确，请重新输入")
        self._lock_known(locked)
        if ok:
            log.info("staff mode unlocked")
            self.refresh()
        else:
            log.warning("staff PIN rejected%s", " (locked)" if locked else "")

    def _gate_failed(self, what: str) -> None:
        log.error("staff gate failed: %s", what)
        self._checking = False
        self._pin_error = "无法校验密码，请稍后再试"
        self.gateChanged.emit()

    def _lock_known(self, seconds: int) -> None:
        self._locked_s = int(seconds)
        self._lock_deadline = time.monotonic() + self._locked_s
        if self._locked_s:
            self._tick.start()
        else:
            self._tick.stop()
        self.gateChanged.emit()

    def _update_lock(self) -> None:
        left = max(0, int(self._lock_deadline - time.monotonic() + 0.999))
        if left != self._locked_s:
            self._locked_s = left
            if not left:
                self._tick.stop()
            self.gateChanged.emit()

    @Slot()
    def lock(self) -> None:
        """Leave staff mode (back to the resident's screens)."""
        self._pin = ""
        if self._unlocked:
            self._unlocked = False
            log.info("staff mode locked")
        self._recent.set_rows([])
        self.gateChanged.emit()
        self.pinChanged.emit()

    # -- the staff screen --------------------------------------------------------------------------
    @Property(QObject, constant=True)
    def recentApplications(self) -> QObject:
        return self._recent

    @Property(QObject, constant=True)
    def printJobs(self) -> QObject:
        return self._jobs

    @Property(QObject, constant=True)
    def printers(self) -> QObject:
        return self._printers

    syncChanged = Signal()

    @Property(int, notify=syncChanged)
    def outboxPending(self) -> int:
        return self._sync.outbox_pending

    @Property(str, notify=syncChanged)
    def lastSync(self) -> str:
        return self._sync.last_sync

    @Property(int, notify=syncChanged)
    def syncState(self) -> int:
        return _SYNC_STATES.get(self._sync.state, StaffMode.Sync.Failed)

    messageChanged = Signal()

    @Property(str, notify=messageChanged)
    def message(self) -> str:
        return self._message

    @Property(bool, notify=messageChanged)
    def messageOk(self) -> bool:
        return self._message_ok

    @Property(bool, notify=messageChanged)
    def busy(self) -> bool:
        return self._busy > 0

    @Slot()
    def refresh(self) -> None:
        """Read the recent applications, the queue and the sync state (DB worker), probe the printers
        (task pool)."""
        if not self._unlocked:
            return
        self._svc.worker.submit("staff.snapshot", self._svc.staff.snapshot, self._snapshot, self._snapshot_failed)
        self._svc.pool.run(self._svc.staff.printers, self._printers_known, lambda e: self._snapshot_failed(repr(e)))

    def _snapshot(self, snap: StaffSnapshot) -> None:
        if not self._unlocked:
            return
        self._recent.set_rows(snap.recent)
        self._jobs.set_rows(snap.jobs)
        if self._sync.state != "syncing" or snap.sync.state == "not_configured":
            self._sync = snap.sync
        else:  # a run asked for is under way: keep saying so until the loop reports
            self._sync = SyncRow(snap.sync.outbox_pending, snap.sync.last_sync, "syncing", snap.sync.detail)
        self.syncChanged.emit()

    def _printers_known(self, rows: list[PrinterRow]) -> None:
        if self._unlocked:
            self._printers.set_rows(rows)

    def _snapshot_failed(self, what: str) -> None:
        log.error("staff screen could not read state: %s", what)
        self._say("无法读取终端状态", ok=False)

    def _start(self) -> bool:
        if not self._unlocked:
            return False
        self._busy += 1
        self._say("正在处理…", ok=True)
        return True

    def _print_on_pool(self, fn: Callable[[], int], done: str, failed: str) -> None:
        """Queue a print job from the task pool; the message follows the job's outcome."""
        if self._start():
            self._svc.pool.run(fn, lambda job_id: self._follow(job_id, done, failed), lambda e: self._failed(failed, e))

    def _print_on_worker(self, job: Callable[[Session], int], done: str, failed: str) -> None:
        """Queue a print job from the DB worker (it reads the mirror); the message follows the job."""
        if self._start():
            self._svc.worker.submit(
                "", job, lambda job_id: self._follow(job_id, done, failed), lambda name: self._failed(failed, name)
            )

    def _follow(self, job_id: int, done: str, failed: str) -> None:
        self.refresh()  # the queued job shows at once

        def finished(update: JobUpdate) -> None:
            if update.state == "done":
                self._busy -= 1
                self._say(done, ok=True)
                self.refresh()
            else:
                self._failed(failed, update.reason)

        self._svc.print_events.when_finished(job_id, finished)

    def _failed(self, message: str, problem: BaseException | str) -> None:
        self._busy -= 1
        reason = problem if isinstance(problem, str) else str(getattr(problem, "reason", "") or type(problem).__name__)
        log.warning("staff action failed: %s", reason)
        self._say(f"{message}（{_reason_label(reason)}）", ok=False)
        self.refresh()

    def _say(self, message: str, ok: bool) -> None:
        self._message, self._message_ok = message, ok
        self.messageChanged.emit()

    @Slot(str)
    def printForm(self, kind: str) -> None:
        """Print a blank application form (blank) or the filled-in sample (sample) on the A4 printer."""
        if kind not in ("blank", "sample"):
            return
        label = "空白申请表" if kind == "blank" else "填写样表"
        port = self._svc.staff
        self._print_on_pool(lambda: port.print_form(kind), f"{label}已发送打印", f"{label}打印失败")

    @Slot(str)
    def reprintReceipt(self, tracking_no: str) -> None:
        port = self._svc.staff
        self._print_on_worker(lambda s: port.queue_receipt(s, tracking_no), "回执已重新打印", "回执打印失败")

    @Slot(str)
    def reprintJob(self, job_id: str) -> None:
        if not job_id.isdigit():
            return
        port = self._svc.staff
        self._print_on_pool(lambda: port.reprint_job(int(job_id)), "已重新打印", "重新打印失败")

    @Slot(str)
    def printTestPage(self, printer: str) -> None:
        port = self._svc.staff
        self._print_on_pool(lambda: port.print_test_page(printer), "测试页已打印", "测试页打印失败")

    @Slot()
    def syncNow(self) -> None:
        """Ask the running sync loop for a run now (one sync at a time); the state follows its report."""
        if not self._unlocked:
            return
        if not self._svc.staff.sync_now():
            self._say("同步失败（未配置区政务公开办服务器）", ok=False)
            return
        self._sync = SyncRow(self._sync.outbox_pending, self._sync.last_sync, "syncing")
        self.syncChanged.emit()
        self._say("已开始同步", ok=True)

    def _sync_reported(self, error: str) -> None:
        """The sync loop finished a run (its report relayed to the UI thread by the composition root)."""
        if self._sync.state != "syncing":
            return
        self._sync = SyncRow(self._sync.outbox_pending, self._sync.last_sync, "error" if error else "idle")
        self.syncChanged.emit()
        if self._unlocked:
            self._say("同步完成" if not error else f"同步失败（{_reason_label('SyncError')}）", ok=not error)
            self.refresh()

    leavingKiosk = Signal()

    @Slot()
    def leaveKiosk(self) -> None:
        """Leave kiosk mode (退出终端模式); only when unlocked. The composition root ends the program."""
        if self._unlocked:
            log.info("staff left kiosk mode")
            self.leavingKiosk.emit()
            self._svc.leave_kiosk()


def _reason_label(reason: str) -> str:
    return {
        "paper_out": "打印机缺纸",
        "offline": "打印机未连接",
        "cover_open": "打印机盖未关",
        "no_printer": "未配置打印机",
        "NetworkError": "无法连接区政务公开办",
        "SyncError": "同步出错",
    }.get(reason, "请查看打印机或日志")


# SyncRow.state (Qt-free, ui/ports.py) as QML sees it
_SYNC_STATES = {
    "idle": StaffMode.Sync.Idle,
    "syncing": StaffMode.Sync.Syncing,
    "offline": StaffMode.Sync.Offline,
    "error": StaffMode.Sync.Failed,
    "not_configured": StaffMode.Sync.NotConfigured,
}

# PrintJobRow.job_state as QML sees it
_JOB_STATES = {
    "queued": StaffMode.Job.Queued,
    "printing": StaffMode.Job.Printing,
    "done": StaffMode.Job.Done,
    "failed": StaffMode.Job.Failed,
}
